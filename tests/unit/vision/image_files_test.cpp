// Image files through OpenCV and the image formats that use them: PNG round trips, resizing,
// grayscale/colour, image_folder and manifest datasets, corrupt files (error or skip).
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/vision/image_file.h"
#include "temp_dir.h"

using namespace dltrain;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

data::DecodedImage solid(int64_t channels, int64_t h, int64_t w, uint8_t value) {
  data::DecodedImage image{channels, h, w, std::vector<uint8_t>(channels * h * w, value)};
  for (int64_t c = 0; c < channels; ++c) image.pixels[c * h * w] = static_cast<uint8_t>(10 * (c + 1));
  return image;
}

// root/<class>/<i>.png, `per_class` images of class c with value 40 * c.
void write_folder(const std::string& root, const std::vector<std::string>& classes, int per_class) {
  for (size_t c = 0; c < classes.size(); ++c) {
    fs::create_directories(root + "/" + classes[c]);
    for (int i = 0; i < per_class; ++i)
      vision::write_png(root + "/" + classes[c] + "/" + std::to_string(i) + ".png", solid(3, 6, 6, 40 * (c + 1)));
  }
}

config::DataConfig folder_config(const std::string& train, const std::string& test) {
  config::DataConfig data;
  data.format = "image_folder";
  data.train = train;
  data.test = test;
  data.val_split = 0.0;
  return data;
}

}  // namespace

TEST_CASE("a PNG reads back with its pixels in RGB CHW order, as colour or grayscale, resized on request") {
  TempDir dir;
  const std::string path = dir.path + "/x.png";
  vision::write_png(path, solid(3, 4, 5, 90));
  const auto same = vision::read_image_file(path, 0, 0, 0);
  CHECK(same.channels == 3);
  CHECK(same.pixels == solid(3, 4, 5, 90).pixels);
  const auto gray = vision::read_image_file(path, 1, 0, 0);
  CHECK(gray.channels == 1);
  CHECK(gray.pixels[1] == 90);
  const auto small = vision::read_image_file(path, 3, 2, 3);
  CHECK((small.height == 2 && small.width == 3 && small.pixels.size() == 18));
  vision::write_png(dir.path + "/g.png", solid(1, 3, 3, 7));
  CHECK(vision::read_image_file(dir.path + "/g.png", 0, 0, 0).channels == 1);
}

TEST_CASE("an unreadable image is a data error naming its path") {
  TempDir dir;
  const std::string path = dir.path + "/broken.png";
  std::ofstream(path) << "not a png";
  CHECK_THROWS_AS(vision::read_image_file(path, 0, 0, 0), DataError);
  CHECK_THROWS_WITH(vision::read_image_file(path, 0, 0, 0), Contains("'" + path + "': cannot decode the image"));
}

TEST_CASE("image_folder: sub-directories are the classes, the test split maps by class name") {
  TempDir dir;
  write_folder(dir.path + "/train", {"cat", "dog", "owl"}, 4);
  write_folder(dir.path + "/test", {"dog", "owl"}, 2);
  auto config = folder_config(dir.path + "/train", dir.path + "/test");
  config.image_size = {4};
  const auto splits = data::load_dataset(config, 0, vision::image_support());
  CHECK(splits.class_names == std::vector<std::string>{"cat", "dog", "owl"});
  CHECK(splits.input_shape == std::vector<int64_t>{3, 4, 4});
  CHECK(splits.train.size() == 12);
  CHECK(splits.test.size() == 4);
  // Test class "dog" (the first test folder, pixels 40) is training class 1.
  CHECK(splits.test.labels[0].item<int64_t>() == 1);
  CHECK(splits.test.images[0][1][2][2].item<int>() == 40);
}

TEST_CASE("a corrupt image fails the dataset with its path, or is skipped and counted with skip_corrupt") {
  TempDir dir;
  write_folder(dir.path + "/train", {"a", "b"}, 3);
  const std::string broken = dir.path + "/train/b/1.png";
  std::ofstream(broken, std::ios::trunc) << "garbage";
  auto config = folder_config(dir.path + "/train", "");
  CHECK_THROWS_WITH(data::load_dataset(config, 0, vision::image_support()), Contains(broken));
  CHECK_THROWS_AS(data::load_dataset(config, 0, vision::image_support()), DataError);
  config.skip_corrupt = true;
  const auto splits = data::load_dataset(config, 0, vision::image_support());
  CHECK(splits.train.size() == 5);
  CHECK(splits.skipped == std::vector<std::string>{broken});
}

TEST_CASE("manifest: paths relative to the manifest, labels by name, images of other sizes need image_size") {
  TempDir dir;
  write_folder(dir.path + "/img", {"x", "y"}, 2);
  vision::write_png(dir.path + "/img/big.png", solid(3, 9, 9, 1));
  std::ofstream(dir.path + "/list.csv") << "path,label\nimg/x/0.png,x\nimg/y/1.png,y\n" << dir.path << "/img/big.png,y\n";
  config::DataConfig config = folder_config(dir.path + "/list.csv", "");
  config.format = "manifest";
  CHECK_THROWS_WITH(data::load_dataset(config, 0, vision::image_support()),
                    Contains("big.png' is 9x9, unlike the first image (6x6); set data.image_size"));
  config.image_size = {6, 6};
  const auto splits = data::load_dataset(config, 0, vision::image_support());
  CHECK(splits.train.size() == 3);
  CHECK(splits.class_names == std::vector<std::string>{"x", "y"});
}

TEST_CASE("without the vision module image formats are refused as a config error") {
  TempDir dir;
  write_folder(dir.path + "/train", {"a"}, 1);
  CHECK_THROWS_AS(data::load_dataset(folder_config(dir.path + "/train", ""), 0), ConfigError);
}
