// optimizer.type: adagrad — lr decay and initial accumulator value (torch.optim.Adagrad).
#include "dltrain/optim/optimizers/optimizer_families.h"

namespace dltrain::optim {

std::unique_ptr<torch::optim::Optimizer> build_adagrad(const config::OptimizerConfig& c,
                                                       const std::vector<ParamGroupPlan>& groups) {
  return with_groups<torch::optim::Adagrad, torch::optim::AdagradOptions>(groups, [&c](double lr, double wd) {
    return torch::optim::AdagradOptions(lr)
        .lr_decay(c.lr_decay)
        .weight_decay(wd)
        .initial_accumulator_value(c.initial_accumulator_value)
        .eps(c.eps);
  });
}

}  // namespace dltrain::optim
