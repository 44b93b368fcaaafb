// optimizer.type: rmsprop — smoothing alpha, momentum, centered variant (torch.optim.RMSprop).
#include "dltrain/optim/optimizers/optimizer_families.h"

namespace dltrain::optim {

std::unique_ptr<torch::optim::Optimizer> build_rmsprop(const config::OptimizerConfig& c,
                                                       const std::vector<ParamGroupPlan>& groups) {
  return with_groups<torch::optim::RMSprop, torch::optim::RMSpropOptions>(groups, [&c](double lr, double wd) {
    return torch::optim::RMSpropOptions(lr).alpha(c.alpha).eps(c.eps).weight_decay(wd).momentum(c.momentum).centered(
        c.centered);
  });
}

}  // namespace dltrain::optim
