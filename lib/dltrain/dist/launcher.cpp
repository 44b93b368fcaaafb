#include "dltrain/dist/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>

#include "dltrain/core/error.h"

namespace dltrain::dist {
namespace {

using Clock = std::chrono::steady_clock;

// The signal handler only writes the signal number into this pipe; the loop does the rest.
int signal_pipe[2] = {-1, -1};

void on_signal(int signal) {
  const unsigned char byte = static_cast<unsigned char>(signal);
  [[maybe_unused]] const auto written = write(signal_pipe[1], &byte, 1);
}

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  int log_fd = -1;       // read end of the worker's stderr
  std::string partial;   // a log line not yet ended by '\n'
  bool running = true;
  int status = 0;
};

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// Writes the complete lines read so far, each prefixed with the worker's rank.
void relay(Worker& worker, const char* data, std::size_t size, bool at_end) {
  worker.partial.append(data, size);
  std::size_t start = 0, end;
  std::string out;
  const std::string prefix = "[rank " + std::to_string(worker.rank) + "] ";
  while ((end = worker.partial.find('\n', start)) != std::string::npos) {
    out += prefix + worker.partial.substr(start, end - start + 1);
    start = end + 1;
  }
  worker.partial.erase(0, start);
  if (at_end && !worker.partial.empty()) {
    out += prefix + worker.partial + "\n";
    worker.partial.clear();
  }
  write_all(STDERR_FILENO, out);
}

[[noreturn]] void exec_worker(const LaunchOptions& options, int rank, int port, int log_fd) {
  // The launcher's death (even SIGKILL) takes the worker with it.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Its own process group: a terminal's Ctrl-C reaches the launcher only, which forwards it once.
  setpgid(0, 0);
  dup2(log_fd, STDERR_FILENO);
  close(log_fd);
  const std::string world = std::to_string(options.workers);
  setenv("RANK", std::to_string(rank).c_str(), 1);
  setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  setenv("WORLD_SIZE", world.c_str(), 1);
  setenv("LOCAL_WORLD_SIZE", world.c_str(), 1);
  setenv("MASTER_ADDR", options.master_addr.c_str(), 1);
  setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  std::vector<char*> argv;
  std::string program = options.program;
  argv.push_back(program.data());
  std::vector<std::string> arguments = options.arguments;
  for (auto& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  execv(options.program.c_str(), argv.data());
  const std::string message = "error: cannot start worker " + options.program + ": " + std::strerror(errno) + "\n";
  write_all(STDERR_FILENO, message);
  _exit(127);
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

bool failed(int status) { return WIFSIGNALED(status) || WEXITSTATUS(status) != 0; }

// A worker stopped by SIGINT/SIGTERM exits 130/143 after its checkpoint: the ranks agree on the
// step to stop at, so the others follow by themselves.
bool interrupted(int status) { return WIFEXITED(status) && (WEXITSTATUS(status) == 130 || WEXITSTATUS(status) == 143); }

// The launcher's exit code for a failed worker: its own when it is one of dltrain's documented
// input errors (config 2, data 3, diverged 4), else 1.
ExitCode exit_code_for(int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) >= 2 && WEXITSTATUS(status) <= 4) {
    return static_cast<ExitCode>(WEXITSTATUS(status));
  }
  return ExitCode::internal;
}

void signal_all(std::vector<Worker>& workers, int signal) {
  for (auto& worker : workers)
    if (worker.running) kill(worker.pid, signal);
}

// Reads what the workers logged, for at most `timeout_ms`; relays forwarded signals.
void pump(std::vector<Worker>& workers, int timeout_ms, int& forwarded) {
  std::vector<pollfd> fds = {{signal_pipe[0], POLLIN, 0}};
  for (auto& worker : workers) fds.push_back({worker.log_fd, static_cast<short>(worker.log_fd >= 0 ? POLLIN : 0), 0});
  if (poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
  if (fds[0].revents & POLLIN) {
    unsigned char signal = 0;
    if (read(signal_pipe[0], &signal, 1) == 1) {
      forwarded = signal;
      signal_all(workers, signal);
    }
  }
  char buffer[4096];
  for (std::size_t i = 0; i < workers.size(); ++i) {
    auto& worker = workers[i];
    if (worker.log_fd < 0 || !(fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const ssize_t n = read(worker.log_fd, buffer, sizeof buffer);
    if (n > 0) {
      relay(worker, buffer, static_cast<std::size_t>(n), false);
    } else if (n == 0 || errno != EINTR) {
      relay(worker, buffer, 0, true);
      close(worker.log_fd);
      worker.log_fd = -1;
    }
  }
}

}  // namespace

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw DistributedError(std::string("launcher: cannot open a socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw DistributedError(std::string("launcher: cannot find a free port: ") + std::strerror(errno));
  return ntohs(address.sin_port);
}

int launch_local_workers(const LaunchOptions& options) {
  if (pipe2(signal_pipe, O_CLOEXEC) != 0) throw DistributedError("launcher: cannot create a pipe");
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {}, old_term {};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);

  const int port = options.master_port > 0 ? options.master_port : free_local_port();
  std::vector<Worker> workers(static_cast<std::size_t>(options.workers));
  for (int rank = 0; rank < options.workers; ++rank) {
    int log_pipe[2];
    if (pipe2(log_pipe, O_CLOEXEC) != 0) throw DistributedError("launcher: cannot create a pipe");
    const pid_t pid = fork();
    if (pid < 0) throw DistributedError(std::string("launcher: fork failed: ") + std::strerror(errno));
    if (pid == 0) exec_worker(options, rank, port, log_pipe[1]);
    close(log_pipe[1]);
    auto& worker = workers[static_cast<std::size_t>(rank)];
    worker.rank = rank;
    worker.pid = pid;
    worker.log_fd = log_pipe[0];
  }

  int forwarded = 0;
  const Worker* first_failure = nullptr;
  Clock::time_point kill_at{};
  std::size_t running = workers.size();
  while (running > 0 || std::any_of(workers.begin(), workers.end(), [](const Worker& w) { return w.log_fd >= 0; })) {
    pump(workers, 100, forwarded);
    for (auto& worker : workers) {
      if (!worker.running || waitpid(worker.pid, &worker.status, WNOHANG) != worker.pid) continue;
      worker.running = false;
      --running;
      if (failed(worker.status) && !interrupted(worker.status) && !first_failure && forwarded == 0) {
        first_failure = &worker;
        signal_all(workers, SIGTERM);
        kill_at = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(options.grace_seconds * 1000));
      }
    }
    if (first_failure && running > 0 && Clock::now() >= kill_at) signal_all(workers, SIGKILL);
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  close(signal_pipe[0]);
  close(signal_pipe[1]);

  if (first_failure) {
    throw Error(exit_code_for(first_failure->status),
                "launcher: rank " + std::to_string(first_failure->rank) + " (pid " + std::to_string(first_failure->pid) +
                    ") " + describe_status(first_failure->status) + "; the other workers were stopped");
  }
  for (const auto& worker : workers) {
    if (!failed(worker.status)) continue;
    if (interrupted(worker.status)) return WEXITSTATUS(worker.status);
    if (WIFSIGNALED(worker.status)) return 128 + WTERMSIG(worker.status);  // our forwarded signal
  }
  return 0;
}

}  // namespace dltrain::dist
