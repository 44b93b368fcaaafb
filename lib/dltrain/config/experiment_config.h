// The typed experiment config: one struct per YAML section. Member initializers are the
// defaults; the schema in config_schema.cpp is the one place that maps keys to members,
// validates them and documents them. The trainer and builders see only these structs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dltrain::config {

struct NormalizeConfig {
  // Per-channel statistics applied as (x/255 - mean) / std. Empty lists: scale to [0,1] only.
  std::vector<double> mean = {0.2860};
  std::vector<double> std = {0.3530};
};

struct SubsetConfig {
  // Stratified, seeded subsets of the splits; 0 keeps every sample.
  int64_t train = 0;
  int64_t test = 0;
};

struct DataConfig {
  std::string format = "idx";  // idx
  // idx: path prefix; "<prefix>-images-idx3-ubyte[.gz]" and "<prefix>-labels-idx1-ubyte[.gz]".
  std::string train = "/usr/share/datasets/fashion-mnist/train";
  std::string test = "/usr/share/datasets/fashion-mnist/t10k";  // "" = no test split
  double val_split = 0.1;       // fraction of train held out, stratified; [0, 1)
  int64_t batch_size = 128;     // > 0
  int64_t eval_batch_size = 512;  // > 0; evaluation has no gradients, so bigger batches are cheap
  int64_t workers = 2;          // loader threads; 0 = assemble batches on the training thread
  int64_t prefetch = 4;         // batches ready ahead of the trainer, > 0
  bool shuffle = true;
  bool drop_last = false;
  NormalizeConfig normalize;
  SubsetConfig subset;
};

struct InitConfig {
  std::string weight = "default";  // default | kaiming_normal | kaiming_uniform | xavier_normal | xavier_uniform
  std::string bias = "default";    // default | zeros
};

struct ModelConfig {
  std::string type;  // required: mlp | cnn
  std::vector<int64_t> hidden = {256, 128};  // mlp: hidden layer widths; cnn: classifier widths
  std::vector<int64_t> channels = {32, 64};  // cnn: one conv stage per entry, each halves H and W
  int64_t kernel_size = 3;                   // cnn: odd, > 0
  int64_t convs_per_stage = 1;               // cnn: > 0
  std::string norm = "batch";                // batch | none
  std::string activation = "relu";           // relu | leaky_relu | elu | gelu | silu | tanh | sigmoid
  double dropout = 0.0;                      // [0, 1), before each hidden linear layer
  InitConfig init;
};

struct OptimizerConfig {
  std::string type = "adam";  // sgd | adam
  double lr = 1.0e-3;         // > 0
  double momentum = 0.9;      // sgd: [0, 1)
  bool nesterov = false;      // sgd: needs momentum > 0
  double weight_decay = 0.0;  // >= 0, coupled L2 as in torch.optim
  std::vector<double> betas = {0.9, 0.999};  // adam: two values in [0, 1)
  double eps = 1.0e-8;        // adam: > 0
};

struct LossConfig {
  std::string type = "cross_entropy";
  double label_smoothing = 0.0;  // [0, 1)
};

struct CheckpointConfig {
  bool save_best = true;
  std::string monitor = "val/accuracy";  // any metric name logged per epoch
  std::string mode = "max";              // min | max
  int64_t every = 1;      // also keep checkpoints/epoch-NNNN.pt every N epochs; 0 = never
  int64_t keep_last = 2;  // how many epoch-NNNN.pt files to keep; 0 = all
};

struct EarlyStoppingConfig {
  std::string monitor;        // any metric logged per epoch; "" = early stopping off
  std::string mode = "min";   // min | max
  int64_t patience = 5;       // epochs without improvement before stopping; > 0
  double min_delta = 0.0;     // an improvement must beat the best by more than this; >= 0
  bool restore_best = true;   // final weights and test metrics are the best epoch's
};

struct TrainConfig {
  int64_t epochs = 10;     // > 0
  int64_t log_every = 50;  // steps between progress lines; > 0
  CheckpointConfig checkpoint;
  EarlyStoppingConfig early_stopping;
};

struct ExperimentConfig {
  std::string name;           // run name; default: the config file's stem
  int64_t seed = 0;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  std::string output = "runs";  // parent directory of run directories
  int64_t threads = 0;          // compute threads; 0 = one per available core
  bool deterministic = false;   // deterministic algorithms only: CPU runs are bit-reproducible
  DataConfig data;
  ModelConfig model;
  OptimizerConfig optimizer;
  LossConfig loss;
  TrainConfig train;

  std::string source_path;  // the file it was loaded from (not a config key)
  // Where each given key came from: "data.train" -> "x.yaml:5:10" or "--set data.train=...".
  // Not a config key: lets errors found later (a missing data file) name the config position.
  std::map<std::string, std::string> origins;
};

}  // namespace dltrain::config
