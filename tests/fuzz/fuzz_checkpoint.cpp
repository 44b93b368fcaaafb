// Checkpoint loader: any file handed to --resume, eval --checkpoint or model loading must end
// in weights of the right shapes or one DataError, whatever LibTorch's archive reader meets.
// The seed corpus holds real checkpoints of the harness's model; to remake one:
//   DLTRAIN_FUZZ_WRITE_SEED=tests/fuzz/corpus/checkpoint/linear.pt build-sanitize/tests/fuzz/fuzz_checkpoint
#include <torch/torch.h>

#include <cstdlib>

#include "dltrain/io/checkpoint.h"
#include "fuzz_support.h"

namespace {

struct HarnessModel {
  torch::nn::Linear model{4, 3};
  torch::optim::SGD optimizer{model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9)};
};

void write_seed(const char* path) {
  HarnessModel h;
  h.model->forward(torch::randn({2, 4})).sum().backward();
  h.optimizer.step();  // momentum buffers: the optimizer archive is not empty
  dltrain::io::CheckpointInfo info;
  info.epoch = 1;
  info.config_yaml = "name: seed\nmodel: {type: mlp}\n";
  info.metrics_json = R"({"epoch": 1, "train/loss": 0.5})";
  info.class_names = {"a", "b", "c"};
  info.input_shape = {4};
  info.lr = 0.1;
  dltrain::io::save_checkpoint(path, *h.model, &h.optimizer, info);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* seed = std::getenv("DLTRAIN_FUZZ_WRITE_SEED")) {
    write_seed(seed);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dltrain::fuzz::InputFile file("checkpoint.pt", data, size);
  dltrain::fuzz::expect_only_dltrain_errors([&] {
    dltrain::io::read_checkpoint_info(file.path());
    HarnessModel h;
    dltrain::io::load_checkpoint(file.path(), *h.model, &h.optimizer);
  });
  return 0;
}
