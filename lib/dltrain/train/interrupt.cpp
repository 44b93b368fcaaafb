// The handler does only async-signal-safe things: store the number, or write(2) and _exit.
#include "dltrain/train/interrupt.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace dltrain::train {
namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_previous_int, g_previous_term;

void on_signal(int signal) {
  if (g_signal != 0) {
    const char message[] = "\nsecond interrupt: stopping now without a checkpoint\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(128 + signal);
  }
  g_signal = signal;
}

}  // namespace

InterruptHandler::InterruptHandler() {
  g_signal = 0;
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptHandler::~InterruptHandler() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

int InterruptHandler::pending() { return g_signal; }

const char* InterruptHandler::name(int signal) { return signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

int InterruptHandler::exit_code(int signal) { return 128 + signal; }

}  // namespace dltrain::train
