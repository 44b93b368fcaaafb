// One dist-sink logger so the run directory's train.log can be attached and detached mid-process.
#include "dltrain/core/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <memory>

#include "dltrain/core/error.h"

namespace dltrain::logging {
namespace {

std::shared_ptr<spdlog::sinks::dist_sink_mt> g_sinks;
std::shared_ptr<spdlog::sinks::sink> g_file_sink;
std::shared_ptr<spdlog::sinks::sink> g_console_sink;
bool g_quiet = false;

}  // namespace

void setup_console(const ConsoleOptions& options) {
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    throw ConfigError("--log-level: expected one of trace, debug, info, warn, error, off; got \"" +
                      options.level + "\"");
  }
  g_quiet = options.quiet;
  auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  console->set_pattern("%^[%H:%M:%S %l]%$ %v");
  console->set_level(options.quiet ? spdlog::level::err : level);
  g_sinks = std::make_shared<spdlog::sinks::dist_sink_mt>();
  g_sinks->add_sink(console);
  g_console_sink = console;
  auto logger = std::make_shared<spdlog::logger>("dltrain", g_sinks);
  logger->set_level(spdlog::level::trace);  // sinks filter; the file log keeps info even under --quiet
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void console_warnings_only() {
  if (g_console_sink && g_console_sink->level() < spdlog::level::warn) g_console_sink->set_level(spdlog::level::warn);
}

void add_file_log(const std::string& path) {
  if (!g_sinks) setup_console({});
  remove_file_log();
  try {
    g_file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
  } catch (const spdlog::spdlog_ex& e) {
    throw DataError("cannot open log file '" + path + "': " + e.what());
  }
  g_file_sink->set_pattern("[%Y-%m-%d %H:%M:%S.%e %l] %v");
  g_file_sink->set_level(spdlog::level::info);
  g_sinks->add_sink(g_file_sink);
}

void remove_file_log() {
  if (g_sinks && g_file_sink) {
    g_file_sink->flush();
    g_sinks->remove_sink(g_file_sink);
  }
  g_file_sink.reset();
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

bool console_is_quiet() { return g_quiet; }

}  // namespace dltrain::logging
