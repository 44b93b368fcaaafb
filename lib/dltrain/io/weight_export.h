// `dltrain export`: a run's final weights as a safetensors file, with the resolved config and
// the class names beside it (and in the header's __metadata__), for Python and other frameworks.
#pragma once

#include <cstddef>
#include <string>

namespace dltrain::io {

struct ExportedFiles {
  std::string weights;      // FILE
  std::string config;       // FILE's stem + ".config.yaml"
  std::string class_names;  // FILE's stem + ".classes.txt", one name per line
  std::size_t tensors = 0;
};

// Reads the run's checkpoints/last.pt. `format` must be "safetensors" (ConfigError otherwise).
ExportedFiles export_run(const std::string& run_dir, const std::string& format, const std::string& out);

}  // namespace dltrain::io
