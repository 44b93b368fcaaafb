// data.format idx: labels are numbers, data.class_names gives them the names that eval tables,
// checkpoints and predictions show. Runs on Debian's Fashion-MNIST (scripts/setup.sh installs it).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/image_dataset.h"

using namespace dltrain;

namespace {

const std::vector<std::string> kFashionNames = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

config::DataConfig fashion_config() {
  config::DataConfig config;
  config.subset.train = 500;
  config.subset.test = 200;
  config.val_split = 0.0;
  return config;
}

}  // namespace

TEST_CASE("idx labels are named by their numbers, or by data.class_names") {
  const auto numbered = data::load_dataset(fashion_config(), 0);
  CHECK(numbered.class_names == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});

  auto config = fashion_config();
  config.class_names = kFashionNames;
  const auto named = data::load_dataset(config, 0);
  CHECK(named.class_names == kFashionNames);
  CHECK(named.train.labels.equal(numbered.train.labels));  // names change nothing else
  CHECK(named.test.labels.equal(numbered.test.labels));

  config.classes = {9, 0};
  CHECK(data::load_dataset(config, 0).class_names == std::vector<std::string>{"Ankle boot", "T-shirt/top"});
}

TEST_CASE("a label beyond data.class_names is a data error naming the file and the label") {
  auto config = fashion_config();
  config.class_names = {"a", "b", "c"};
  CHECK_THROWS_AS(data::load_dataset(config, 0), DataError);
  CHECK_THROWS_WITH(data::load_dataset(config, 0),
                    Catch::Contains("data.train") && Catch::Contains("label 9") &&
                        Catch::Contains("fashion-mnist/train") && Catch::Contains("only 3 classes"));
}

TEST_CASE("a shapes-only load (dltrain check) reads no pixels but gives the same splits, shape and classes") {
  auto config = fashion_config();
  config.val_split = 0.25;
  const auto full = data::load_dataset(config, 3);
  const auto shapes = data::load_dataset(config, 3, {}, data::DataDepth::shapes);
  CHECK(shapes.train.size() == full.train.size());
  CHECK(shapes.val.size() == full.val.size());
  CHECK(shapes.test.size() == full.test.size());
  CHECK(shapes.input_shape == full.input_shape);
  CHECK(shapes.num_classes == full.num_classes);
  CHECK(torch::equal(shapes.train.labels, full.train.labels));
  CHECK(shapes.train.images.sum().item<int64_t>() == 0);  // left unread
  CHECK(full.train.images.sum().item<int64_t>() > 0);
}
