// The dltrain binary users run: a front end without LibTorch. Debian's LibTorch maps about 290
// libraries before main() can run (0.35-0.6 s on the 2-core VM), so `dltrain check` without
// --full, the config validation that CI jobs and editors call most, is answered here in
// milliseconds. Every other command (and --help, --version) replaces this process with
// dltrain-engine from the same directory: execv keeps the pid, the signals and the exit code.
#include <limits.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "check_options.h"
#include "dltrain/config/load_config.h"
#include "error_report.h"

namespace {

using namespace dltrain;

// The subcommand: the first argument that is neither a global flag nor --log-level's value.
std::string command_of(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--log-level") {
      ++i;
    } else if (argument != "-q" && argument != "--quiet" && argument != "--json" &&
               argument.rfind("--log-level=", 0) != 0) {
      return argument;
    }
  }
  return "";
}

// A check the front end answers: without --full, and without help (the engine prints it, so
// help has one source).
bool config_only_check(int argc, char** argv) {
  if (command_of(argc, argv) != "check") return false;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--full" || argument == "-h" || argument == "--help" || argument == "--help-all") return false;
  }
  return true;
}

int run_config_check(int argc, char** argv) {
  CLI::App app{"dltrain: train deep neural networks from YAML experiment configs.", "dltrain"};
  bool quiet = false, json = false;
  std::string log_level = "info";
  app.add_flag("-q,--quiet", quiet);
  app.add_flag("--json", json);
  app.add_option("--log-level", log_level);
  app.require_subcommand(1);
  app.fallthrough();
  app::CheckOptions options;
  app::add_check_flags(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s (see dltrain --help)\n", e.what());
    return static_cast<int>(ExitCode::config);
  }
  try {
    return app::print_config_check(config::load_config(options.config, options.overrides), json);
  } catch (const Error& e) {
    return app::report_error(e.what(), e.code());
  } catch (const std::bad_alloc&) {
    return app::report_error("out of memory", ExitCode::internal);
  } catch (const std::exception& e) {
    return app::report_error(e.what(), ExitCode::internal);
  }
}

std::string engine_path(const char* argv0) {
  char self[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string path = length > 0 ? std::string(self, static_cast<std::size_t>(length)) : argv0;
  return path.substr(0, path.rfind('/') + 1) + "dltrain-engine";
}

}  // namespace

int main(int argc, char** argv) {
  if (config_only_check(argc, argv)) return run_config_check(argc, argv);
  const std::string engine = engine_path(argv[0]);
  execv(engine.c_str(), argv);
  const std::string message = "cannot start " + engine + ": " + std::strerror(errno) +
                              " (it runs every command but a config-only check; build or install it beside dltrain)";
  return app::report_error(message.c_str(), ExitCode::internal);
}
