// data.format: cifar — CIFAR-10 and CIFAR-100 binary records, class names from the label files,
// directories standing for their standard batch files, and damaged files.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <fstream>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/image_dataset.h"
#include "temp_dir.h"

using namespace dltrain;
using Catch::Matchers::Contains;

namespace {

// Record i: label bytes, then R, G, B planes filled with i, 100 + i, 200 + i (pixel 0 of R = 255).
void write_batch(const std::string& path, int records, int label_bytes, int first = 0) {
  std::ofstream out(path, std::ios::binary);
  for (int i = first; i < first + records; ++i) {
    for (int b = 0; b < label_bytes; ++b) out.put(static_cast<char>(b == label_bytes - 1 ? i % 10 : i % 5));
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p) out.put(static_cast<char>(c == 0 && p == 0 ? 255 : 100 * c + i));
  }
}

config::DataConfig cifar_config(const std::string& train, const std::string& test) {
  config::DataConfig data;
  data.format = "cifar";
  data.train = train;
  data.test = test;
  data.val_split = 0.0;
  return data;
}

}  // namespace

TEST_CASE("a CIFAR-10 directory reads every data batch, the test batch and the class names") {
  TempDir dir;
  write_batch(dir.path + "/data_batch_1.bin", 20, 1);
  write_batch(dir.path + "/data_batch_2.bin", 10, 1, 20);
  write_batch(dir.path + "/test_batch.bin", 10, 1);
  std::ofstream(dir.path + "/batches.meta.txt") << "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
  const auto splits = data::load_dataset(cifar_config(dir.path, dir.path), 0);
  CHECK(splits.train.size() == 30);
  CHECK(splits.test.size() == 10);
  CHECK(splits.input_shape == std::vector<int64_t>{3, 32, 32});
  CHECK(splits.class_names.front() == "a");
  CHECK(splits.num_classes == 10);
  const auto image = splits.train.images[25];
  CHECK(image[0][0][0].item<int>() == 255);
  CHECK(image[0][0][1].item<int>() == 25);
  CHECK(image[1][5][5].item<int>() == 125);
  CHECK(image[2][31][31].item<int>() == 225);
  CHECK(splits.train.labels[25].item<int64_t>() == 5);
}

TEST_CASE("CIFAR-100 reads fine or coarse labels") {
  TempDir dir;
  write_batch(dir.path + "/train.bin", 12, 2);
  auto config = cifar_config(dir.path, "");
  config.cifar.variant = "cifar100";
  auto fine = data::load_dataset(config, 0);
  CHECK(fine.num_classes == 100);
  CHECK(fine.train.labels[7].item<int64_t>() == 7);
  config.cifar.label = "coarse";
  auto coarse = data::load_dataset(config, 0);
  CHECK(coarse.num_classes == 20);
  CHECK(coarse.train.labels[7].item<int64_t>() == 2);
}

TEST_CASE("a CIFAR file that is not whole records is a data error naming it") {
  TempDir dir;
  const std::string path = dir.path + "/broken.bin";
  write_batch(path, 2, 1);
  std::ofstream(path, std::ios::app) << "xyz";
  CHECK_THROWS_AS(data::load_dataset(cifar_config(path, ""), 0), DataError);
  CHECK_THROWS_WITH(data::load_dataset(cifar_config(path, ""), 0),
                    Contains("'" + path + "' has 6149 bytes, not a whole number of 3073-byte cifar10 records"));
}
