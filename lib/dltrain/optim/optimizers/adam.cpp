// optimizer.type: adam — coupled L2 weight decay, optional AMSGrad (torch.optim.Adam), with
// FusedAdam's one-pass update on the CPU.
#include "dltrain/optim/optimizers/fused_adam.h"
#include "dltrain/optim/optimizers/optimizer_families.h"

namespace dltrain::optim {

std::unique_ptr<torch::optim::Optimizer> build_adam(const config::OptimizerConfig& c,
                                                    const std::vector<ParamGroupPlan>& groups) {
  return with_groups<FusedAdam, torch::optim::AdamOptions>(groups, [&c](double lr, double wd) {
    return torch::optim::AdamOptions(lr)
        .betas(std::make_tuple(c.betas.at(0), c.betas.at(1)))
        .eps(c.eps)
        .weight_decay(wd)
        .amsgrad(c.amsgrad);
  });
}

}  // namespace dltrain::optim
