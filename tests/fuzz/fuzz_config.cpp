// Config loader + validator: arbitrary YAML text in, a config or one ConfigError out.
#include "dltrain/config/load_config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  dltrain::fuzz::expect_only_dltrain_errors([&] { dltrain::config::load_config_from_string(text, "fuzz.yaml"); });
  return 0;
}
