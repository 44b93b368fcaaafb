// Tensor names are the model's dotted names, so for a zoo preset the file loads into the
// torchvision model of the same name (`load_state_dict(safetensors.torch.load_file(FILE))`).
#include "dltrain/io/weight_export.h"

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/io/checkpoint.h"
#include "dltrain/io/safetensors.h"

namespace dltrain::io {

ExportedFiles export_run(const std::string& run_dir, const std::string& format, const std::string& out) {
  if (format != "safetensors") throw ConfigError("--format: expected safetensors, got \"" + format + "\"");
  if (!std::filesystem::is_directory(run_dir)) throw DataError("--run: '" + run_dir + "' is not a run directory");
  const std::string checkpoint = run_checkpoint(run_dir);
  const CheckpointInfo info = read_checkpoint_info(checkpoint);
  const auto tensors = read_checkpoint_tensors(checkpoint);

  std::filesystem::path stem(out);
  if (stem.extension() == ".safetensors") stem.replace_extension();
  ExportedFiles files{out, stem.string() + ".config.yaml", stem.string() + ".classes.txt", tensors.size()};
  const std::string parent = std::filesystem::path(out).parent_path().string();
  if (!parent.empty() && !std::filesystem::is_directory(parent)) {
    throw DataError("--out: directory '" + parent + "' does not exist");
  }
  // "format": "pt" tells safetensors.torch the names follow a PyTorch state_dict.
  write_safetensors(out, tensors,
                    {{"format", "pt"},
                     {"dltrain_class_names", nlohmann::json(info.class_names).dump()},
                     {"dltrain_input_shape", nlohmann::json(info.input_shape).dump()},
                     {"dltrain_epoch", std::to_string(info.epoch)},
                     {"dltrain_config", info.config_yaml}});
  write_text_atomically(files.config, info.config_yaml);
  std::string names;
  for (const auto& name : info.class_names) names += name + "\n";
  write_text_atomically(files.class_names, names);
  return files;
}

}  // namespace dltrain::io
