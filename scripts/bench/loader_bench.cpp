// Loader throughput: images/s of dltrain's BatchLoader with an augmentation pipeline over
// Fashion-MNIST training images. Built on request: ninja -C build bench_loader.
//   build/scripts/bench/bench_loader --images 20000 --workers 2 --pipeline standard --epochs 3
#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "dltrain/config/experiment_config.h"
#include "dltrain/data/batch_loader.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/vision/image_file.h"

using namespace dltrain;

int main(int argc, char** argv) {
  int64_t images = 20000, workers = 2, epochs = 3;
  std::string pipeline = "standard";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--images") images = std::atoll(value.c_str());
    else if (flag == "--workers") workers = std::atoll(value.c_str());
    else if (flag == "--epochs") epochs = std::atoll(value.c_str());
    else if (flag == "--pipeline") pipeline = value;
  }
  at::set_num_threads(1);
  config::DataConfig data;
  data.test = "";
  data.val_split = 0.0;
  data.subset.train = images;
  data.workers = workers;
  data.batch_size = 128;
  // The same ops as loader_torchvision.py: RandomCrop(28, padding=2) + hflip (+ the heavy extras).
  data.augment = {{"random_crop", {{"size", "28"}, {"padding", "2"}}, {}}, {"hflip", {{"p", "0.5"}}, {}}};
  if (pipeline == "heavy") {
    data.augment.push_back({"rotate", {{"degrees", "15"}}, {}});
    data.augment.push_back({"color_jitter", {{"brightness", "0.4"}, {"contrast", "0.4"}}, {}});
    data.augment.push_back({"random_erasing", {{"p", "0.5"}}, {}});
  }
  const auto splits = data::load_dataset(data, 0, vision::image_support());
  data::BatchLoader loader(splits.train, data::loader_options_for(data, 0, true));
  loader.start_epoch(0);  // warm-up epoch, not timed
  while (loader.next()) {
  }
  const auto start = std::chrono::steady_clock::now();
  int64_t seen = 0;
  for (int64_t e = 1; e <= epochs; ++e) {
    loader.start_epoch(e);
    while (auto batch = loader.next()) seen += batch->inputs.size(0);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{{\"loader\": \"dltrain\", \"pipeline\": \"{}\", \"workers\": {}, \"images_per_second\": {:.1f}}}\n", pipeline,
             workers, seen / seconds);
}
