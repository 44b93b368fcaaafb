// data.classes keeps the listed classes, renumbered in the listed order, samples in order.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/core/error.h"
#include "dltrain/data/class_selection.h"

using namespace dltrain;

TEST_CASE("select_classes keeps the listed classes and renumbers them in list order") {
  data::ImageSet set{torch::arange(6, torch::kUInt8).view({6, 1, 1, 1}), torch::tensor({0, 5, 7, 5, 9, 7}, torch::kInt64), {}};
  const auto selected = data::select_classes(set, {7, 5}, "data.train");
  CHECK(data::labels_of(selected) == std::vector<int64_t>{1, 0, 1, 0});
  CHECK(selected.images.view(-1).to(torch::kInt64).equal(torch::tensor({1, 2, 3, 5}, torch::kInt64)));
  CHECK(data::select_classes(set, {}, "data.train").size() == 6);
  CHECK_THROWS_WITH(data::select_classes(set, {5, 3}, "data.test"),
                    Catch::Contains("data.test") && Catch::Contains("class 3"));
}
