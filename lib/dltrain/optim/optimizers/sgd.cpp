// optimizer.type: sgd — momentum, dampening, Nesterov, coupled weight decay (torch.optim.SGD).
#include "dltrain/optim/optimizers/optimizer_families.h"

namespace dltrain::optim {

std::unique_ptr<torch::optim::Optimizer> build_sgd(const config::OptimizerConfig& c,
                                                   const std::vector<ParamGroupPlan>& groups) {
  return with_groups<torch::optim::SGD, torch::optim::SGDOptions>(groups, [&c](double lr, double wd) {
    return torch::optim::SGDOptions(lr).momentum(c.momentum).dampening(c.dampening).nesterov(c.nesterov).weight_decay(wd);
  });
}

}  // namespace dltrain::optim
