// Tensors are stored under positional keys with a JSON manifest of dotted names and shapes:
// LibTorch's own module loading accepts shape mismatches silently, so we check them ourselves.
#include "dltrain/io/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "dltrain/core/error.h"
#include "dltrain/core/shape_text.h"
#include "dltrain/core/fault_injection.h"
#include "dltrain/core/version.h"
#include "dltrain/io/atomic_file.h"
#include "dltrain/io/zip_integrity.h"

namespace dltrain::io {
namespace {

constexpr int64_t kFormatVersion = 1;

// Parameters then buffers, in the model's deterministic registration order.
std::vector<std::pair<std::string, torch::Tensor>> model_state(torch::nn::Module& model) {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& item : model.named_parameters()) state.emplace_back(item.key(), item.value());
  for (const auto& item : model.named_buffers()) state.emplace_back(item.key(), item.value());
  return state;
}

std::string first_line(const std::exception& e) {
  const auto* torch_error = dynamic_cast<const c10::Error*>(&e);
  std::string text = torch_error ? torch_error->what_without_backtrace() : e.what();
  return text.substr(0, text.find('\n'));
}

c10::IValue read_value(torch::serialize::InputArchive& archive, const std::string& path, const char* key) {
  c10::IValue value;
  if (!archive.try_read(key, value)) {
    throw DataError("checkpoint '" + path + "': missing entry \"" + key + "\"; not a dltrain checkpoint?");
  }
  return value;
}

[[noreturn]] void damaged(const std::string& path, const char* key, const char* expected) {
  throw DataError("checkpoint '" + path + "': entry \"" + key + "\" is not " + expected + "; the file is damaged");
}

int64_t read_int(torch::serialize::InputArchive& archive, const std::string& path, const char* key) {
  const c10::IValue value = read_value(archive, path, key);
  if (!value.isInt()) damaged(path, key, "an integer");
  return value.toInt();
}

double read_double(torch::serialize::InputArchive& archive, const std::string& path, const char* key) {
  const c10::IValue value = read_value(archive, path, key);
  if (!value.isDouble()) damaged(path, key, "a number");
  return value.toDouble();
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& path, const char* key) {
  const c10::IValue value = read_value(archive, path, key);
  if (!value.isString()) damaged(path, key, "text");
  return value.toStringRef();
}

nlohmann::json read_json(torch::serialize::InputArchive& archive, const std::string& path, const char* key) {
  try {
    return nlohmann::json::parse(read_string(archive, path, key));
  } catch (const nlohmann::json::exception&) {
    damaged(path, key, "valid JSON");
  }
}

torch::serialize::InputArchive open_archive(const std::string& path, CheckpointInfo& info) {
  if (!std::filesystem::is_regular_file(path)) throw DataError("checkpoint '" + path + "': no such file");
  // LibTorch parses what it is given without checksums; only checked bytes reach it.
  const std::string bytes = read_intact_zip(path, "checkpoint");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(bytes.data(), bytes.size(), torch::kCPU);
  } catch (const std::exception& e) {
    throw DataError("checkpoint '" + path + "': unreadable (" + first_line(e) + ")");
  }
  const int64_t format = read_int(archive, path, "dltrain_format");
  if (format > kFormatVersion) {
    throw DataError("checkpoint '" + path + "': format " + std::to_string(format) +
                    " was written by a newer dltrain; this one reads up to " + std::to_string(kFormatVersion));
  }
  info.epoch = read_int(archive, path, "epoch");
  info.config_yaml = read_string(archive, path, "config");
  info.metrics_json = read_string(archive, path, "metrics");
  info.lr = read_double(archive, path, "lr");
  const auto meta = read_json(archive, path, "meta");
  try {
    info.class_names = meta.at("class_names").get<std::vector<std::string>>();
    info.input_shape = meta.at("input_shape").get<std::vector<int64_t>>();
    if (meta.contains("features")) {
      const auto& features = meta.at("features");
      info.feature_names = features.at("names").get<std::vector<std::string>>();
      info.feature_mean = features.at("mean").get<std::vector<double>>();
      info.feature_std = features.at("std").get<std::vector<double>>();
      info.feature_fill = features.at("fill").get<std::vector<double>>();
      const size_t n = info.feature_names.size();
      if (info.feature_mean.size() != n || info.feature_std.size() != n || info.feature_fill.size() != n) {
        damaged(path, "meta", "one mean, std and fill value per feature");
      }
    }
  } catch (const nlohmann::json::exception&) {
    damaged(path, "meta", "class names and an input shape");
  }
  return archive;
}

// LibTorch's archive reader reports a damaged file as a c10::Error from wherever it notices;
// each is the same fact for the user: this file is not a readable checkpoint.
template <class Body>
void unless_damaged(const std::string& path, Body&& body) {
  try {
    body();
  } catch (const c10::Error& e) {
    throw DataError("checkpoint '" + path + "': unreadable (" + first_line(e) + ")");
  }
}

void read_into(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
               const NamedStates& states, CheckpointInfo& info);

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const CheckpointInfo& info, const NamedStates& states) {
  torch::serialize::OutputArchive archive;
  archive.write("dltrain_format", c10::IValue(kFormatVersion));
  archive.write("dltrain_version", c10::IValue(dltrain_version()));
  archive.write("torch_version", c10::IValue(libtorch_version()));
  archive.write("epoch", c10::IValue(info.epoch));
  archive.write("config", c10::IValue(info.config_yaml));
  archive.write("metrics", c10::IValue(info.metrics_json));
  archive.write("lr", c10::IValue(info.lr));
  nlohmann::json meta{{"class_names", info.class_names}, {"input_shape", info.input_shape}};
  if (!info.feature_names.empty()) {
    meta["features"] = {{"names", info.feature_names},
                        {"mean", info.feature_mean},
                        {"std", info.feature_std},
                        {"fill", info.feature_fill}};
  }
  archive.write("meta", c10::IValue(meta.dump()));

  nlohmann::json manifest = nlohmann::json::array();
  const auto state = model_state(model);
  for (size_t i = 0; i < state.size(); ++i) {
    manifest.push_back({{"name", state[i].first}, {"shape", state[i].second.sizes().vec()}});
    archive.write("tensor_" + std::to_string(i), state[i].second.detach().to(torch::kCPU));
  }
  archive.write("manifest", c10::IValue(manifest.dump()));
  if (optimizer) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  for (const auto& slot : states) {
    torch::serialize::OutputArchive state_archive;
    slot.state->save(state_archive);
    archive.write("state_" + slot.name, state_archive);
  }
  // Serialized in memory first: LibTorch's file writer throws from a destructor when the disk
  // fills, which ends the process; our own writes turn that into a DataError.
  std::string bytes;
  try {
    archive.save_to([&bytes](const void* data, size_t size) {
      bytes.append(static_cast<const char*>(data), size);
      return size;
    });
  } catch (const c10::Error& e) {
    throw DataError("cannot write checkpoint '" + path + "': " + first_line(e));
  }
  replace_file_atomically(path, [&](const std::string& temp) {
    write_whole_file(temp, bytes);
    fault_point("checkpoint_write");  // the temporary file is complete, the old checkpoint still in place
  });
}

CheckpointInfo read_checkpoint_info(const std::string& path) {
  CheckpointInfo info;
  unless_damaged(path, [&] { open_archive(path, info); });
  return info;
}

std::vector<std::pair<std::string, torch::Tensor>> read_checkpoint_tensors(const std::string& path) {
  CheckpointInfo info;
  auto archive = open_archive(path, info);
  const auto manifest = nlohmann::json::parse(read_value(archive, path, "manifest").toStringRef());
  std::vector<std::pair<std::string, torch::Tensor>> tensors;
  for (size_t i = 0; i < manifest.size(); ++i) {
    torch::Tensor saved;
    archive.read("tensor_" + std::to_string(i), saved);
    tensors.emplace_back(manifest[i].at("name").get<std::string>(), saved);
  }
  return tensors;
}

std::string run_checkpoint(const std::string& run_dir) {
  const std::string path = run_dir + "/checkpoints/last.pt";
  if (!std::filesystem::is_regular_file(path)) throw DataError("run '" + run_dir + "': no checkpoints/last.pt");
  return path;
}

CheckpointInfo load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                               const NamedStates& states) {
  CheckpointInfo info;
  unless_damaged(path, [&] { read_into(path, model, optimizer, states, info); });
  return info;
}

namespace {

void read_into(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
               const NamedStates& states, CheckpointInfo& info) {
  auto archive = open_archive(path, info);
  const auto manifest = read_json(archive, path, "manifest");
  const auto state = model_state(model);
  std::map<std::string, size_t> stored;
  try {
    for (size_t i = 0; i < manifest.size(); ++i) stored[manifest.at(i).at("name").get<std::string>()] = i;
  } catch (const nlohmann::json::exception&) {
    damaged(path, "manifest", "a list of tensor names");
  }

  torch::NoGradGuard no_grad;
  for (const auto& [name, tensor] : state) {
    auto found = stored.find(name);
    if (found == stored.end()) {
      throw DataError("checkpoint '" + path + "': has no tensor \"" + name + "\" that the model needs");
    }
    torch::Tensor saved;
    if (!archive.try_read("tensor_" + std::to_string(found->second), saved) || !saved.defined()) {
      throw DataError("checkpoint '" + path + "': the manifest lists \"" + name + "\" but its tensor is missing");
    }
    if (saved.sizes() != tensor.sizes()) {
      throw DataError("checkpoint '" + path + "': " + name + " is " + shape_text(saved.sizes()) +
                      " in the checkpoint, the model expects " + shape_text(tensor.sizes()));
    }
    if (saved.scalar_type() != tensor.scalar_type()) {
      throw DataError("checkpoint '" + path + "': " + name + " is stored as " + std::string(c10::toString(saved.scalar_type())) +
                      ", the model expects " + c10::toString(tensor.scalar_type()));
    }
    tensor.copy_(saved);
    stored.erase(found);
  }
  if (!stored.empty()) {
    throw DataError("checkpoint '" + path + "': holds tensor \"" + stored.begin()->first +
                    "\" that this model does not have (a different model.type or size?)");
  }
  if (optimizer) {
    torch::serialize::InputArchive optimizer_archive;
    if (!archive.try_read("optimizer", optimizer_archive)) {
      throw DataError("checkpoint '" + path + "': has no optimizer state (weights-only checkpoint)");
    }
    try {
      optimizer->load(optimizer_archive);
    } catch (const c10::Error& e) {
      throw DataError("checkpoint '" + path + "': unreadable optimizer state (" + first_line(e) + ")");
    }
    // LibTorch 1.13 drops the saved per-group options on load; re-apply the stored lr.
    for (auto& group : optimizer->param_groups()) group.options().set_lr(info.lr);
  }
  for (const auto& slot : states) {
    torch::serialize::InputArchive state_archive;
    if (!archive.try_read("state_" + slot.name, state_archive)) {
      throw DataError("checkpoint '" + path + "': has no \"" + slot.name +
                      "\" state, so it cannot resume this run (written by an older dltrain or without it)");
    }
    try {
      slot.state->load(state_archive);
    } catch (const c10::Error& e) {
      throw DataError("checkpoint '" + path + "': unreadable \"" + slot.name + "\" state (" + first_line(e) + ")");
    }
  }
}

}  // namespace
}  // namespace dltrain::io
