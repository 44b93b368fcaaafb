// Attribution sanity checks (Adebayo et al. 2018) on images whose class is the quadrant holding a
// bright patch: a trained model's saliency, integrated-gradients and Grad-CAM maps peak inside the
// patch; a randomly initialized model's saliency and Grad-CAM do not.
//
// Grad-CAM weighs each channel by its spatially averaged gradient, so it needs a model whose
// evidence for a class sits where the object is. A flattening head (the cnn family) mixes every
// position into every class, the averaged gradients cancel, and Grad-CAM's peak lands outside
// the patch (measured, below); the quadrant model keeps each quadrant's evidence in its own
// channels before a global average pool, the CAM-style head Grad-CAM was designed for.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include <algorithm>

#include "dltrain/core/error.h"
#include "dltrain/models/model_builder.h"
#include "dltrain/train/explanation.h"

using namespace dltrain;

namespace {

constexpr int64_t kSize = 24, kPatch = 6, kHalf = kSize / 2;

struct PatchImages {
  torch::Tensor images;  // float [N, 1, kSize, kSize], already "normalized"
  torch::Tensor labels;  // quadrant 0..3
  std::vector<std::pair<int64_t, int64_t>> corners;  // patch top-left (y, x)
};

PatchImages patch_images(int64_t count, uint64_t seed) {
  torch::manual_seed(seed);
  PatchImages data{torch::randn({count, 1, kSize, kSize}) * 0.5, torch::randint(4, {count}, torch::kInt64), {}};
  auto offsets = torch::randint(kHalf - kPatch + 1, {count, 2}, torch::kInt64);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t quadrant = data.labels[i].item<int64_t>();
    const int64_t y = (quadrant / 2) * kHalf + offsets[i][0].item<int64_t>();
    const int64_t x = (quadrant % 2) * kHalf + offsets[i][1].item<int64_t>();
    data.images[i][0].slice(0, y, y + kPatch).slice(1, x, x + kPatch).add_(3.0);
    data.corners.emplace_back(y, x);
  }
  return data;
}

std::shared_ptr<models::Network> patch_model(uint64_t seed) {
  torch::manual_seed(seed);
  config::ModelConfig config;
  config.type = "cnn";
  config.channels = {8, 16};
  config.hidden = {32};
  return models::build_model(config, {{1, kSize, kSize}, 4});
}

// conv-bn-relu at 24x24 and at 12x12 (the Grad-CAM layer, "6"), then a 6x6 max pool to one cell
// per quadrant and a 2x2/stride-2/pad-1 conv, which sees each cell through its own kernel tap:
// per-quadrant features, averaged globally into the logits.
std::shared_ptr<models::Network> quadrant_model(uint64_t seed) {
  torch::manual_seed(seed);
  using Options = std::vector<std::pair<std::string, std::string>>;
  auto layer = [](const char* type, Options options = {}) { return config::LayerConfig{type, std::move(options), {}}; };
  config::ModelConfig config;
  config.type = "sequential";
  config.layers = {layer("conv2d", {{"out", "16"}}), layer("batchnorm"), layer("relu"), layer("max_pool2d"),
                   layer("conv2d", {{"out", "16"}}), layer("batchnorm"), layer("relu"),
                   layer("max_pool2d", {{"kernel", "6"}}),
                   layer("conv2d", {{"out", "32"}, {"kernel", "2"}, {"stride", "2"}, {"padding", "1"}}),
                   layer("batchnorm"), layer("relu"), layer("adaptive_avg_pool2d")};
  return models::build_model(config, {{1, kSize, kSize}, 4});
}

void train_model(models::Network& model, const PatchImages& data) {
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(3e-3));
  model.train();
  for (int epoch = 0; epoch < 4; ++epoch) {
    for (int64_t start = 0; start < data.images.size(0); start += 32) {
      optimizer.zero_grad();
      auto logits = model.forward(data.images.slice(0, start, start + 32));
      torch::nn::functional::cross_entropy(logits, data.labels.slice(0, start, start + 32)).backward();
      optimizer.step();
    }
  }
  model.eval();
}

// The share of images whose map maximum lies inside the patch.
double hit_rate(models::Network& model, const PatchImages& data, const train::ExplainOptions& options) {
  int64_t hits = 0;
  const auto baseline = torch::zeros({1, 1, kSize, kSize});
  for (int64_t i = 0; i < data.images.size(0); ++i) {
    train::ExplainOptions target = options;
    target.target = data.labels[i].item<int64_t>();
    const auto result = train::explain(model, data.images.slice(0, i, i + 1), baseline, target);
    REQUIRE(result.map.size() == static_cast<size_t>(kSize * kSize));
    const auto peak = std::max_element(result.map.begin(), result.map.end()) - result.map.begin();
    const int64_t y = peak / kSize, x = peak % kSize;
    const auto [py, px] = data.corners[static_cast<size_t>(i)];
    hits += (y >= py && y < py + kPatch && x >= px && x < px + kPatch) ? 1 : 0;
  }
  return double(hits) / double(data.images.size(0));
}

}  // namespace

TEST_CASE("saliency and integrated gradients of a trained model peak inside the deciding patch, a random model's saliency does not") {
  const auto train_data = patch_images(800, 1);
  const auto test_data = patch_images(100, 2);
  auto trained = patch_model(7);
  train_model(*trained, train_data);
  {
    torch::NoGradGuard no_grad;
    const double accuracy =
        trained->forward(test_data.images).argmax(1).eq(test_data.labels).to(torch::kDouble).mean().item<double>();
    REQUIRE(accuracy > 0.95);
  }
  CHECK(train::default_cam_layer(*trained, {1, kSize, kSize}) == "act2_1");

  auto random = patch_model(8);
  random->eval();
  train::ExplainOptions gradcam, saliency, integrated;
  saliency.method = "saliency";
  integrated.method = "integrated_gradients";
  integrated.steps = 16;
  const double saliency_rate = hit_rate(*trained, test_data, saliency);
  const double integrated_rate = hit_rate(*trained, test_data, integrated);
  const double random_saliency = hit_rate(*random, test_data, saliency);
  const double random_integrated = hit_rate(*random, test_data, integrated);
  WARN("map peak inside the patch, trained / random init: saliency " << saliency_rate << " / " << random_saliency
       << ", integrated gradients " << integrated_rate << " / " << random_integrated
       << ", Grad-CAM with this flattening head " << hit_rate(*trained, test_data, gradcam) << " / "
       << hit_rate(*random, test_data, gradcam));
  CHECK(saliency_rate >= 0.9);
  CHECK(integrated_rate >= 0.9);
  CHECK(random_saliency < 0.9);
  // Not asserted: integrated gradients scale by the input, so even a random model's map peaks on
  // the bright patch (measured 0.97), the input-dominance Adebayo et al. warn about.
}

TEST_CASE("Grad-CAM of a trained quadrant model peaks inside the deciding patch, random models' does not") {
  const auto train_data = patch_images(2000, 3);
  const auto test_data = patch_images(200, 4);
  auto trained = quadrant_model(0);
  train_model(*trained, train_data);
  train::ExplainOptions gradcam;
  gradcam.layer = "6";  // the 12x12 conv block; the last (2x2) map is too coarse to point inside a 6x6 patch
  const double trained_rate = hit_rate(*trained, test_data, gradcam);
  double random_sum = 0, random_max = 0;
  for (uint64_t seed : {101, 102, 103}) {
    auto random = quadrant_model(seed);
    random->eval();
    const double rate = hit_rate(*random, test_data, gradcam);
    random_sum += rate;
    random_max = std::max(random_max, rate);
  }
  WARN("Grad-CAM peak inside the patch: trained " << trained_rate << ", random inits mean " << random_sum / 3
       << ", max " << random_max);
  CHECK(trained_rate >= 0.9);
  CHECK(random_max < 0.9);      // the map depends on the learned weights
  CHECK(random_sum / 3 < 0.5);
}

TEST_CASE("explain names the layers when --layer does not exist and checks the method") {
  auto model = patch_model(1);
  model->eval();
  const auto input = torch::zeros({1, 1, kSize, kSize});
  train::ExplainOptions options;
  options.layer = "conv9";
  CHECK_THROWS_WITH(train::explain(*model, input, input, options),
                    Catch::Contains("--layer") && Catch::Contains("conv2_1"));
  options.layer = "logits";
  CHECK_THROWS_WITH(train::explain(*model, input, input, options), Catch::Contains("spatial feature map"));
  options.layer = "";
  options.method = "lime";
  CHECK_THROWS_AS(train::explain(*model, input, input, options), ConfigError);
}

TEST_CASE("table attributions of a linear model are weight x input, signed and ranked by size") {
  torch::manual_seed(3);
  config::ModelConfig config;
  config.type = "mlp";
  config.hidden = {};  // flatten + logits: score_c = w_c . x + b_c
  auto model = models::build_model(config, {{3}, 2});
  model->eval();
  const auto row = torch::tensor({{2.0f, -1.0f, 0.5f}});
  const auto zero = torch::zeros({1, 3});
  torch::Tensor weight;
  for (const auto& p : model->named_parameters())
    if (p.key() == "logits.weight") weight = p.value().detach();
  REQUIRE(weight.defined());

  train::ExplainOptions options;
  options.target = 1;
  const auto expected = (weight[1] * row[0]).contiguous();
  for (const char* method : {"auto", "gradient_x_input", "integrated_gradients"}) {
    INFO(method);
    options.method = method;
    const auto result = train::explain(*model, row, zero, options);
    CHECK(result.method == (std::string(method) == "auto" ? "gradient_x_input" : method));
    REQUIRE(result.map.size() == 3);
    for (int64_t f = 0; f < 3; ++f) CHECK(result.map[f] == Approx(expected[f].item<float>()).margin(1e-5));
  }
  options.method = "gradcam";
  CHECK_THROWS_WITH(train::explain(*model, row, zero, options), Catch::Contains("table model"));

  const auto ranked = train::ranked_attributions({"a", "b", "c"}, {1, 2, 3}, {0.1f, -0.7f, 0.3f});
  REQUIRE(ranked.size() == 3);
  CHECK(ranked[0].feature == "b");
  CHECK(ranked[0].attribution == Approx(-0.7));
  CHECK(ranked[0].value == 2);
  CHECK(ranked[1].feature == "c");
  CHECK(ranked[2].feature == "a");
}
