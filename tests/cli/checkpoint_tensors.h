// Reads a dltrain checkpoint's model tensors (positional entries + JSON manifest) in the test,
// independently of the library, to compare runs and exports bit for bit.
#pragma once

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

// Every model tensor of a checkpoint with its name, in manifest order; throws when unloadable.
inline std::vector<std::pair<std::string, torch::Tensor>> named_checkpoint_tensors(const std::string& path) {
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  c10::IValue manifest;
  archive.read("manifest", manifest);
  const auto entries = nlohmann::json::parse(manifest.toStringRef());
  std::vector<std::pair<std::string, torch::Tensor>> tensors(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    tensors[i].first = entries[i].at("name").get<std::string>();
    archive.read("tensor_" + std::to_string(i), tensors[i].second);
  }
  return tensors;
}
