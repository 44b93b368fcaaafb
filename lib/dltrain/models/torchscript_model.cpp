// model.type torchscript: a whole module saved by Python's torch.jit.save, fine-tuned as a
// Network. Its parameters and buffers are registered (shared, not copied) under a mirror of
// its submodule tree, so they carry Python's dotted names for checkpoints, model.freeze,
// optimizer.param_groups and export, while forward runs the scripted code.
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "dltrain/core/error.h"
#include "dltrain/io/zip_integrity.h"
#include "dltrain/models/model_families.h"

namespace dltrain::models {
namespace {

// One scripted submodule in the mirror: train()/eval() reach the scripted code, so a frozen
// batch norm put in eval mode stops updating its statistics there too.
class ScriptedSubmodule : public torch::nn::Module {
 public:
  explicit ScriptedSubmodule(torch::jit::Module module) : module_(std::move(module)) {}
  void train(bool on = true) override {
    torch::nn::Module::train(on);
    module_.train(on);
  }

 private:
  torch::jit::Module module_;  // a handle: shares the scripted object
};

void mirror(torch::nn::Module& target, const torch::jit::Module& source) {
  for (const auto& p : source.named_parameters(/*recurse=*/false))
    target.register_parameter(p.name, p.value, p.value.requires_grad());
  for (const auto& b : source.named_buffers(/*recurse=*/false)) target.register_buffer(b.name, b.value);
  for (const auto& child : source.named_children()) {
    auto node = std::make_shared<ScriptedSubmodule>(child.value);
    mirror(*node, child.value);
    target.register_module(child.name, node);
  }
}

class TorchScriptNetwork : public Network {
 public:
  explicit TorchScriptNetwork(torch::jit::Module module) : module_(std::move(module)) { mirror(*this, module_); }

  torch::Tensor trace(torch::Tensor x, LayerTrace* trace, const std::string& prefix) override {
    auto y = module_.forward({x}).toTensor();
    // The scripted code is one opaque layer to the summary.
    if (trace) trace->layers.push_back({prefix.empty() ? "torchscript" : prefix, shared_from_this(), x.sizes().vec(), y.sizes().vec()});
    return y;
  }

  void train(bool on = true) override {
    module_.train(on);
    Network::train(on);  // then the mirror, so submodules kept in eval mode stay so
  }

 private:
  torch::jit::Module module_;
};

}  // namespace

std::shared_ptr<Network> build_torchscript(const config::ModelConfig& config, const ModelInput& input) {
  if (!std::filesystem::is_regular_file(config.pretrained)) {
    throw DataError("model.pretrained: cannot find the TorchScript file '" + config.pretrained + "'");
  }
  if (config.init.weight != "default" || config.init.bias != "default") {
    throw ConfigError("model.init: a TorchScript model keeps its saved weights; leave model.init at default");
  }
  // A damaged file must not reach the TorchScript parser, which trusts what it reads.
  std::istringstream bytes(io::read_intact_zip(config.pretrained, "model.pretrained: TorchScript file"));
  torch::jit::Module module;
  try {
    module = torch::jit::load(bytes, torch::kCPU);
  } catch (const c10::Error& e) {
    const std::string text = e.what_without_backtrace();
    throw DataError("model.pretrained: '" + config.pretrained + "' is not a TorchScript module (" +
                    text.substr(0, text.find('\n')) + ")");
  }
  auto model = std::make_shared<TorchScriptNetwork>(std::move(module));
  // Its output must be [N, num_classes] for the data: checked once on a dummy batch.
  std::vector<int64_t> shape = {2};
  shape.insert(shape.end(), input.input_shape.begin(), input.input_shape.end());
  torch::Tensor out;
  try {
    torch::NoGradGuard no_grad;
    model->eval();
    out = model->forward(torch::zeros(shape));
    model->train();
  } catch (const c10::Error& e) {
    const std::string text = e.what_without_backtrace();
    throw ConfigError("model.pretrained: the TorchScript module does not accept the data's samples (" +
                      text.substr(0, text.find('\n')) + ")");
  }
  if (out.dim() != 2 || out.size(1) != input.num_classes) {
    throw ConfigError("model.pretrained: the TorchScript module outputs shape [" +
                      std::to_string(out.dim() > 1 ? out.size(1) : -1) + "] per sample; the data has " +
                      std::to_string(input.num_classes) + " classes");
  }
  return model;
}

}  // namespace dltrain::models
