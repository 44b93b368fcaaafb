// Which checkpoint files a run keeps: last.pt every epoch (and on interruption), best.pt when
// the monitored metric improves, epoch-NNNN.pt every N epochs with only the newest K kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dltrain/config/experiment_config.h"

namespace dltrain::train {

class CheckpointPolicy {
 public:
  CheckpointPolicy(config::CheckpointConfig config, std::string directory);

  std::string last_path() const { return directory_ + "/last.pt"; }
  std::string best_path() const { return directory_ + "/best.pt"; }
  static std::string epoch_file_name(int64_t epoch);  // epoch-0007.pt

  // After last.pt holds `epoch`: copies it to best.pt when `improved` (and save_best), to
  // epoch-NNNN.pt when the epoch is due, then deletes epoch files beyond keep_last.
  void after_epoch(int64_t epoch, bool improved) const;

  // The epoch-NNNN.pt files in the directory, oldest first.
  std::vector<std::string> epoch_files() const;

  // Deletes temporary files a killed write left behind (.last.pt.tmp, ...).
  void remove_stale_temporaries() const;

 private:
  config::CheckpointConfig config_;
  std::string directory_;
};

}  // namespace dltrain::train
