// CIFAR binary batches: any file is whole records with labels in range, or one DataError.
// The first input byte picks CIFAR-10, CIFAR-100 fine or CIFAR-100 coarse.
#include "dltrain/config/experiment_config.h"
#include "dltrain/data/dataset_format.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  dltrain::config::DataConfig config;
  config.format = "cifar";
  config.cifar.variant = data[0] % 3 == 0 ? "cifar10" : "cifar100";
  config.cifar.label = data[0] % 3 == 2 ? "coarse" : "fine";
  dltrain::fuzz::InputFile file("batch.bin", data + 1, size - 1);
  const std::string key = "train";
  const dltrain::data::ImageSupport no_images;
  dltrain::fuzz::expect_only_dltrain_errors(
      [&] { dltrain::data::read_cifar_format({file.path(), key, config, no_images}); });
  return 0;
}
