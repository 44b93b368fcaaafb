// The typed experiment config: one struct per YAML section. Member initializers are the
// defaults; the schema in config_schema.cpp is the one place that maps keys to members,
// validates them and documents them. The trainer and builders see only these structs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
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
  // A long-tailed training split (after the validation split is held out, so validation stays
  // as balanced as the source): class c keeps imbalance_ratio^(-c/(k-1)) of its samples, so the
  // first class has imbalance_ratio times the last one's share. 1 = unchanged; >= 1.
  double imbalance_ratio = 1.0;
  std::vector<double> class_fractions;  // per class in (0, 1]; given: replaces imbalance_ratio
};

struct SamplerConfig {
  // Which training samples an epoch draws (their order follows data.shuffle):
  // all: each once; weighted: draws with replacement so that classes follow `target`
  // (empty = balanced); undersample: each class cut to `cap` samples, a fresh seeded pick per epoch.
  std::string type = "all";      // all | weighted | undersample
  std::vector<double> target;    // weighted: per-class share of the draws (normalized), >= 0
  int64_t cap = 0;               // undersample: samples per class; 0 = the smallest class's count
  int64_t samples_per_epoch = 0; // weighted: draws per epoch; 0 = the training split's size
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
  SamplerConfig sampler;
};

struct InitConfig {
  // default | kaiming_normal | kaiming_uniform | xavier_normal | xavier_uniform | orthogonal | normal
  std::string weight = "default";
  std::string bias = "default";         // default | zeros
  std::string mode = "fan_in";          // kaiming: fan_in | fan_out
  std::string nonlinearity = "auto";    // kaiming gain: auto (from model.activation) | relu | leaky_relu | tanh | sigmoid | linear
  double std = 0.01;                    // normal: standard deviation, > 0
};

// One layer of a `sequential` model: its type, its options as given (scalar text, checked by
// the models module, which owns the layer vocabulary) and, for `residual`, the wrapped layers.
struct LayerConfig {
  std::string type;
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<LayerConfig> layers;
};

struct ModelConfig {
  // mlp | cnn | resnet | resnet18 | resnet34 | resnet50 | mobilenet_v2 | efficientnet |
  // efficientnet_b0 | rnn | sequential (required)
  std::string type;
  std::vector<int64_t> input_shape;  // [C, H, W] or [features]; empty = from the data
  int64_t num_classes = 0;           // 0 = from the data
  std::vector<int64_t> hidden = {256, 128};  // mlp: hidden layer widths; cnn: classifier widths
  std::vector<int64_t> channels = {32, 64};  // cnn: one conv stage per entry, each halves H and W
  int64_t kernel_size = 3;                   // cnn: odd, > 0
  int64_t convs_per_stage = 1;               // cnn: > 0
  std::string norm = "batch";                // batch | layer | group | instance | none
  int64_t norm_groups = 8;                   // group norm: groups (divides the channels), > 0
  std::string activation = "relu";           // relu | leaky_relu | elu | gelu | silu | tanh | sigmoid
  double dropout = 0.0;                      // [0, 1): before each hidden/classifier linear layer
  // resnet family
  std::string block = "auto";       // auto (the preset's) | basic | bottleneck
  std::vector<int64_t> blocks;      // blocks per stage; empty = the preset's
  std::string stem = "auto";        // auto (small below 64 px) | imagenet (7x7/2 + max-pool) | small (3x3/1)
  bool zero_init_residual = false;  // last norm of each residual block starts at zero
  // width of every family with stages (resnet, mobilenet_v2, efficientnet): channels x this
  double width_multiplier = 1.0;
  double depth_multiplier = 1.0;    // efficientnet: blocks per stage x this (rounded up)
  double stochastic_depth = 0.0;    // efficientnet/resnet: final drop-path rate, [0, 1)
  // rnn
  std::string cell = "lstm";        // lstm | gru
  int64_t hidden_size = 128;        // > 0
  int64_t num_layers = 1;           // > 0
  bool bidirectional = false;
  // sequential: the layers in order; a last linear to num_classes is added when missing
  std::vector<LayerConfig> layers;
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

struct ClassWeightsConfig {
  // Per-class loss weights, from the training split's label counts n_c (n samples, k classes):
  // balanced: n / (k n_c); effective_number (Cui et al. 2019): (1 - beta) / (1 - beta^n_c),
  // scaled to sum to k; given: `values` as written. A class absent from training gets 0.
  std::string type = "none";   // none | balanced | effective_number | given
  double beta = 0.999;         // effective_number: [0, 1)
  std::vector<double> values;  // given: one weight >= 0 per class
};

struct LossConfig {
  std::string type = "cross_entropy";  // cross_entropy | focal
  double label_smoothing = 0.0;        // [0, 1)
  double gamma = 2.0;                  // focal: (1 - p)^gamma down-weights easy samples; >= 0
  ClassWeightsConfig class_weights;    // focal: the per-class alpha
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
