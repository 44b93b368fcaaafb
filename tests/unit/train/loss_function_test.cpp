// The criterion matches its definitions: torch's weighted cross-entropy, focal loss reducing to
// cross-entropy at gamma 0, and soft targets agreeing with hard ones.
#include <catch2/catch.hpp>
#include <torch/torch.h>

#include "dltrain/train/loss_function.h"

using namespace dltrain;

namespace {

config::LossConfig loss_of(const std::string& type, double smoothing = 0.0, double gamma = 2.0) {
  config::LossConfig c;
  c.type = type;
  c.label_smoothing = smoothing;
  c.gamma = gamma;
  return c;
}

struct Batch {
  torch::Tensor logits = torch::tensor({{2.0, 0.5, -1.0}, {0.1, 0.2, 0.3}, {-0.5, 1.5, 0.0}, {1.0, 1.0, 3.0}});
  torch::Tensor targets = torch::tensor({0, 2, 1, 2}, torch::kInt64);
};

double value(const torch::Tensor& t) { return t.item<double>(); }

}  // namespace

TEST_CASE("weighted cross-entropy averages by the targets' summed weights, as torch defines it") {
  Batch b;
  const std::vector<double> w = {1.0, 3.0, 0.5};
  const train::LossFunction loss(loss_of("cross_entropy"), w);
  auto nll = -torch::log_softmax(b.logits, 1).gather(1, b.targets.unsqueeze(1)).squeeze(1);
  auto wt = torch::tensor({1.0, 0.5, 3.0, 0.5});
  CHECK(value(loss.mean(b.logits, b.targets)) == Approx(value((wt * nll).sum() / wt.sum())));
}

TEST_CASE("focal loss with gamma 0 is cross-entropy, with and without label smoothing") {
  Batch b;
  for (double smoothing : {0.0, 0.1}) {
    const train::LossFunction focal(loss_of("focal", smoothing, 0.0)), ce(loss_of("cross_entropy", smoothing));
    CHECK(value(focal.mean(b.logits, b.targets)) == Approx(value(ce.mean(b.logits, b.targets))).epsilon(1e-6));
  }
}

TEST_CASE("focal loss is -alpha_t (1 - p_t)^gamma log p_t averaged over the batch") {
  Batch b;
  const std::vector<double> alpha = {0.25, 1.0, 2.0};
  const train::LossFunction focal(loss_of("focal", 0.0, 2.0), alpha);
  auto log_pt = torch::log_softmax(b.logits, 1).gather(1, b.targets.unsqueeze(1)).squeeze(1);
  auto alpha_t = torch::tensor({0.25, 2.0, 1.0, 2.0});
  auto expected = (-alpha_t * (1 - log_pt.exp()).pow(2) * log_pt).mean();
  CHECK(value(focal.mean(b.logits, b.targets)) == Approx(value(expected)).epsilon(1e-6));
  // Easy samples are down-weighted: focal < cross-entropy for every gamma > 0.
  const train::LossFunction plain_focal(loss_of("focal", 0.0, 2.0)), ce(loss_of("cross_entropy"));
  CHECK(value(plain_focal.mean(b.logits, b.targets)) < value(ce.mean(b.logits, b.targets)));
}

TEST_CASE("one-hot soft targets give the hard-label loss, mixed targets give the mixture") {
  Batch b;
  auto one_hot = torch::one_hot(b.targets, 3).to(torch::kFloat32);
  for (const char* type : {"cross_entropy", "focal"}) {
    const train::LossFunction loss(loss_of(type));
    CHECK(value(loss.mean(b.logits, one_hot)) == Approx(value(loss.mean(b.logits, b.targets))).epsilon(1e-6));
  }
  // Cross-entropy is linear in the target: a 0.3/0.7 mix of two labelings is the same mix of losses.
  const train::LossFunction ce(loss_of("cross_entropy"), {1.0, 2.0, 0.5});
  auto other = torch::tensor({1, 1, 0, 0}, torch::kInt64);
  auto mixed = 0.3 * one_hot + 0.7 * torch::one_hot(other, 3).to(torch::kFloat32);
  auto per_sample_mean = [&](const torch::Tensor& t) { return value(ce.mean(b.logits, torch::one_hot(t, 3).to(torch::kFloat32))); };
  CHECK(value(ce.mean(b.logits, mixed)) == Approx(0.3 * per_sample_mean(b.targets) + 0.7 * per_sample_mean(other)));
}

TEST_CASE("class weights and label smoothing work together") {
  Batch b;
  const train::LossFunction smoothed(loss_of("cross_entropy", 0.2), {1.0, 1.0, 1.0});
  const train::LossFunction unweighted(loss_of("cross_entropy", 0.2));
  CHECK(value(smoothed.mean(b.logits, b.targets)) == Approx(value(unweighted.mean(b.logits, b.targets))));
  const train::LossFunction weighted(loss_of("cross_entropy", 0.2), {1.0, 5.0, 1.0});
  CHECK(value(weighted.mean(b.logits, b.targets)) != Approx(value(unweighted.mean(b.logits, b.targets))));
}
