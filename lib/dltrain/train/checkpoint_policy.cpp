// Copies go through replace_file_atomically too: a kill mid-copy leaves the old file intact.
#include "dltrain/train/checkpoint_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "dltrain/io/atomic_file.h"

namespace dltrain::train {
namespace {

namespace fs = std::filesystem;

void copy_atomically(const std::string& from, const std::string& to) {
  io::replace_file_atomically(to, [&](const std::string& temp) {
    fs::copy_file(from, temp, fs::copy_options::overwrite_existing);
  });
}

}  // namespace

CheckpointPolicy::CheckpointPolicy(config::CheckpointConfig config, std::string directory)
    : config_(std::move(config)), directory_(std::move(directory)) {}

std::string CheckpointPolicy::epoch_file_name(int64_t epoch) { return fmt::format("epoch-{:04d}.pt", epoch); }

void CheckpointPolicy::after_epoch(int64_t epoch, bool improved) const {
  if (improved && config_.save_best) copy_atomically(last_path(), best_path());
  if (config_.every > 0 && epoch % config_.every == 0) {
    copy_atomically(last_path(), directory_ + "/" + epoch_file_name(epoch));
  }
  if (config_.keep_last > 0) {
    auto files = epoch_files();
    const auto keep = static_cast<size_t>(config_.keep_last);
    for (size_t i = 0; i + keep < files.size(); ++i) fs::remove(files[i]);
  }
}

std::vector<std::string> CheckpointPolicy::epoch_files() const {
  std::vector<std::string> files;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory_, ignored)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("epoch-", 0) == 0 && entry.path().extension() == ".pt") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());  // zero-padded numbers sort by epoch
  return files;
}

void CheckpointPolicy::remove_stale_temporaries() const {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory_, ignored)) {
    const auto name = entry.path().filename().string();
    if (name.size() > 5 && name[0] == '.' && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      fs::remove(entry.path(), ignored);
    }
  }
}

}  // namespace dltrain::train
