// The engine's entry point (dltrain-engine, started by the dltrain front end for every command
// but a config-only check): global flags, subcommand dispatch, and the one place where errors
// become a single stderr line and a documented exit code.
#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <new>

#include "commands.h"
#include "error_report.h"
#include "dltrain/core/error.h"
#include "dltrain/core/logging.h"
#include "version_text.h"

int main(int argc, char** argv) {
  using namespace dltrain;
  // Past a file-size limit (ulimit -f) a write should fail with EFBIG and become a one-line
  // error like a full disk, not kill the process before the checkpoint is safe.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"dltrain: train deep neural networks from YAML experiment configs.", "dltrain"};
  app.footer(
      "Exit codes: 0 success, 1 internal failure, 2 usage or config error, 3 data or file error,\n"
      "4 training diverged, 130/143 interrupted by SIGINT/SIGTERM (checkpoint written; resume with\n"
      "dltrain run --resume RUN_DIR).\n"
      "Example: dltrain run configs/quickstart.yaml --set train.epochs=2");
  app.set_version_flag("--version", app::version_text());
  app.require_subcommand(1);
  app.fallthrough();  // global flags may follow the subcommand too

  app::GlobalOptions global;
  app.add_flag("-q,--quiet", global.quiet, "Print nothing but errors (and the --json document)");
  app.add_flag("--json", global.json, "Print one machine-readable JSON document on stdout at the end");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off")->capture_default_str();

  app::CommandAction action;
  app::add_run_command(app, global, action);
  app::add_eval_command(app, global, action);
  app::add_check_command(app, global, action);
  app::add_export_command(app, global, action);
  app::add_predict_command(app, global, action);
  app::add_search_command(app, global, action);
#ifdef DLTRAIN_WITH_VISION
  app::add_plot_command(app, global, action);
  app::add_augment_command(app, global, action);
  app::add_explain_command(app, global, action);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "error: %s (see dltrain --help)\n", e.what());
    return static_cast<int>(ExitCode::config);
  }

  try {
    logging::setup_console({global.log_level, global.quiet});
    return action();
  } catch (const Error& e) {
    // An interruption is not an error: the run is saved and resumable. (Matched by code, as
    // errors are rethrown with config positions on their way here.)
    if (e.code() == ExitCode::interrupted_int || e.code() == ExitCode::interrupted_term) {
      std::fprintf(stderr, "%s\n", e.what());
      return static_cast<int>(e.code());
    }
    return app::report_error(e.what(), e.code());
  } catch (const c10::Error& e) {
    return app::report_error(e.what_without_backtrace(), ExitCode::internal);
  } catch (const std::bad_alloc&) {
    return app::report_error("out of memory", ExitCode::internal);
  } catch (const std::exception& e) {
    return app::report_error(e.what(), ExitCode::internal);
  }
}
