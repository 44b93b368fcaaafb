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

// Batch-level augmentation: pairs of training samples are mixed and their one-hot targets
// blended, with the original's share drawn from Beta(alpha, alpha) per batch. mixup (Zhang et
// al. 2018) blends whole inputs; cutmix (Yun et al. 2019) pastes a box of the partner image.
// When both are on, each mixed batch uses one of them, with equal odds.
struct BatchAugmentConfig {
  double mixup = 0.0;   // mixup's alpha, >= 0; 0 = off
  double cutmix = 0.0;  // cutmix's alpha, >= 0; 0 = off; image data only
  double p = 1.0;       // share of training batches that are mixed, (0, 1]
};

// One named item of a list of option maps: a layer of a `sequential` model (name key `type`) or
// an augmentation op (name key `op`). Options stay as given (scalar text) and are checked by the
// module that owns the vocabulary (models, vision); `layers` holds a `residual`'s wrapped layers.
struct LayerConfig {
  std::string type;
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<LayerConfig> layers;
};

struct CifarConfig {
  std::string variant = "cifar10";  // cifar10 (1 label byte per record) | cifar100 (coarse, fine)
  std::string label = "fine";       // cifar100: fine (100 classes) | coarse (20 superclasses)
};

struct CsvConfig {
  std::string label = "label";  // the label column's header name; its values are class names
  std::string features;         // comma-separated feature column names; "" = every other column
  std::string missing = "error";  // empty feature cell: error | drop (the row) | mean (of the training split)
  bool standardize = true;        // (x - mean) / std per feature, fitted on the training split only
};

struct DataConfig {
  std::string format = "idx";  // idx | cifar | image_folder | manifest | csv
  // idx: path prefix; "<prefix>-images-idx3-ubyte[.gz]" and "<prefix>-labels-idx1-ubyte[.gz]".
  // cifar: a binary batch file or a directory of them; image_folder: a directory with one
  // sub-directory per class; manifest: a CSV of path,label; csv: a CSV table with a header row.
  std::string train = "/usr/share/datasets/fashion-mnist/train";
  std::string test = "/usr/share/datasets/fashion-mnist/t10k";  // "" = no test split
  double val_split = 0.1;       // fraction of train held out, stratified; [0, 1)
  // Keep only these source labels, renumbered 0..k-1 in this order (names keep the source
  // label); empty = every class.
  std::vector<int64_t> classes;
  // idx: the names of labels 0, 1, ... (IDX files hold only numbers); empty = "0", "1", ...
  std::vector<std::string> class_names;
  int64_t batch_size = 128;     // > 0
  // > 0. On the CPU small batches stay in cache: the quickstart CNN evaluates ~18k images/s at
  // 128, ~12k at 512 and ~7k at 2048 on 2 cores. On a GPU, 512-2048 pay off.
  int64_t eval_batch_size = 128;
  // Loader threads; 0 = assemble batches on the training thread, which is fastest on the CPU:
  // the compute threads already take every core and a loader thread only competes with them
  // (the quickstart CNN trains ~20% faster on 2 cores). With a GPU or heavy augmentation: 1-2.
  int64_t workers = 0;
  int64_t prefetch = 4;         // batches ready ahead of the trainer, > 0
  bool shuffle = true;
  bool drop_last = false;
  // image_folder, manifest: every image is resized to [H, W] ([S] = square); empty = as read
  // (then all images must have the first one's size).
  std::vector<int64_t> image_size;
  int64_t channels = 0;       // image_folder, manifest: 1 | 3; 0 = from the first image
  bool skip_corrupt = false;  // unreadable images are skipped and counted instead of failing the run
  std::vector<LayerConfig> augment;  // training-time ops in order: [{op: hflip, p: 0.5}, ...]
  BatchAugmentConfig batch_augment;
  CifarConfig cifar;
  CsvConfig csv;
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
  std::string activation = "auto";  // auto (the family's own) | relu | relu6 | leaky_relu | elu | gelu | silu | tanh | sigmoid
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
  // Transfer learning. pretrained: a dltrain checkpoint or run directory, a .safetensors file,
  // or (type torchscript) a torch.jit.save module; "" = none. Tensors load by name with shape
  // checks; the rest are skipped and listed. replace_head: the final layer starts fresh.
  std::string pretrained;
  bool replace_head = false;
  std::vector<std::string> freeze;  // parameter-name globs: no gradients, no optimizer state, BN fixed
};

// Parameters whose names match `match` (a glob: "fc.*", "*.bias") get their own group; the
// first matching entry wins, the rest stay in the default group.
struct ParamGroupConfig {
  std::string match;                // required
  double lr_scale = 1.0;            // > 0, multiplies optimizer.lr (and follows the schedule)
  double weight_decay_scale = 1.0;  // >= 0, multiplies optimizer.weight_decay; 0 = none
};

struct OptimizerConfig {
  std::string type = "adam";  // sgd | adam | adamw | rmsprop | adagrad
  double lr = 1.0e-3;         // > 0
  double momentum = 0.9;      // sgd, rmsprop: [0, 1)
  double dampening = 0.0;     // sgd: [0, 1)
  bool nesterov = false;      // sgd: needs momentum > 0 and dampening 0
  double weight_decay = 0.0;  // >= 0; coupled L2 as in torch.optim (decoupled for adamw)
  std::vector<double> betas = {0.9, 0.999};  // adam, adamw: two values in [0, 1)
  double eps = 1.0e-8;        // adam, adamw, rmsprop, adagrad: > 0
  bool amsgrad = false;       // adam, adamw
  double alpha = 0.99;        // rmsprop: smoothing constant, [0, 1)
  bool centered = false;      // rmsprop
  double lr_decay = 0.0;      // adagrad: >= 0
  double initial_accumulator_value = 0.0;  // adagrad: >= 0
  // Weight decay on 1-D parameters (biases, normalization scales and shifts); off by default.
  bool decay_norm_and_bias = false;
  std::vector<ParamGroupConfig> param_groups;
};

// Learning-rate schedule. Per-step schedules (cosine, cosine_restarts, polynomial, one_cycle)
// move every optimizer step; the others change at epoch boundaries. A linear warmup runs first
// and the schedule starts after it (as torch's SequentialLR).
struct SchedulerConfig {
  std::string type = "constant";  // constant | step | multistep | exponential | cosine | cosine_restarts | polynomial | one_cycle | reduce_on_plateau
  int64_t warmup_epochs = 0;         // >= 0
  int64_t warmup_steps = 0;          // >= 0; used when warmup_epochs is 0
  double warmup_start_factor = 0.01; // (0, 1]: warmup starts at lr * factor
  int64_t step_size = 10;            // step: epochs between decays
  std::vector<int64_t> milestones = {};  // multistep: epochs (after warmup) at which lr *= gamma
  double gamma = 0.1;                // step, multistep, exponential: > 0
  double min_lr = 0.0;               // cosine, cosine_restarts, reduce_on_plateau: >= 0
  int64_t restart_epochs = 10;       // cosine_restarts: length of the first cycle (T_0), > 0
  int64_t restart_mult = 1;          // cosine_restarts: cycle growth (T_mult), > 0
  double power = 1.0;                // polynomial: > 0
  double pct_start = 0.3;            // one_cycle: fraction of steps spent rising, (0, 1)
  double div_factor = 25.0;          // one_cycle: start lr = lr / div_factor
  double final_div_factor = 1.0e4;   // one_cycle: final lr = start lr / final_div_factor
  std::string monitor = "val/loss";  // reduce_on_plateau: an epoch metric
  std::string mode = "min";          // reduce_on_plateau: min | max
  double factor = 0.1;               // reduce_on_plateau: lr *= factor, (0, 1)
  int64_t patience = 10;             // reduce_on_plateau: epochs without improvement, >= 0
  int64_t cooldown = 0;              // reduce_on_plateau: epochs to wait after a reduction
  double threshold = 1.0e-4;         // reduce_on_plateau: relative improvement that counts
};

struct RegularizationConfig {
  // Penalties added to the loss over weight tensors (not biases or normalization parameters):
  // l1 * sum|w| + l2 * sum w^2. Distinct from the optimizer's weight_decay.
  double l1 = 0.0;
  double l2 = 0.0;
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

struct GradClipConfig {
  double norm = 0.0;   // > 0: scale gradients so their global L2 norm is at most this
  double value = 0.0;  // > 0: clamp every gradient element to [-value, value]
};

struct EmaConfig {
  double decay = 0.0;  // [0, 1); 0 = off. Validation, best checkpoint and test use the EMA weights
};

// Per-layer gradient norms and update/weight ratios every train.log_every steps (metrics.jsonl).
struct GradMonitorConfig {
  bool enabled = true;
  double vanishing = 1.0e-7;  // warn when a layer's gradient norm stays below this
  double exploding = 1.0e3;   // ... or above this
  int64_t patience = 3;       // for this many consecutive checks
};

struct TrainConfig {
  int64_t epochs = 10;     // > 0
  int64_t log_every = 50;  // steps between progress lines and gradient-health rows; > 0
  int64_t accumulate = 1;  // batches per optimizer step (effective batch = accumulate * batch_size)
  int64_t unfreeze_at_epoch = 0;  // model.freeze ends when this (1-based) epoch starts; 0 = never
  GradClipConfig grad_clip;
  std::string nonfinite = "stop";  // stop | skip: what a non-finite loss or gradient does
  bool amp = false;                // CUDA autocast (fp16) with dynamic loss scaling
  int64_t profile_steps = 0;       // > 0: profile.md/.json with operator times over that many steps
  EmaConfig ema;
  GradMonitorConfig grad_monitor;
  CheckpointConfig checkpoint;
  EarlyStoppingConfig early_stopping;
};

// Data-parallel training (several processes, GPUs or machines). Only read when the job has
// more than one rank: `dltrain run --nproc-per-node N`, or WORLD_SIZE > 1 in the environment.
// data.batch_size stays the global batch: each rank takes batch_size / world_size of it.
struct DistributedConfig {
  std::string backend = "auto";  // auto (nccl on CUDA, else gloo) | gloo | nccl
  double timeout_s = 300.0;      // a peer silent this long fails the job (rendezvous included), > 0
  double bucket_mb = 25.0;       // gradients are all-reduced in flat buckets of about this size, > 0
  // Batch normalization with statistics over the whole global batch (every rank's share):
  // R ranks then train exactly like one process; otherwise each rank normalizes its own share.
  bool sync_batchnorm = false;
};

struct ExperimentConfig {
  std::string name;           // run name; default: the config file's stem
  int64_t seed = 0;
  std::string device = "auto";  // auto | cpu | cuda | cuda:N
  std::string output = "runs";  // parent directory of run directories
  int64_t threads = 0;          // compute threads; 0 = one per available core
  bool deterministic = false;   // deterministic algorithms only: CPU runs are bit-reproducible
  // Layout of convolution weights and activations: auto (channels_last for conv models on the
  // CPU, or on CUDA with train.amp) | channels_last | contiguous (NCHW).
  std::string memory_format = "auto";
  DataConfig data;
  ModelConfig model;
  OptimizerConfig optimizer;
  SchedulerConfig scheduler;
  LossConfig loss;
  RegularizationConfig regularization;
  TrainConfig train;
  DistributedConfig distributed;

  std::string source_path;  // the file it was loaded from (not a config key)
  // Where each given key came from: "data.train" -> "x.yaml:5:10" or "--set data.train=...".
  // Not a config key: lets errors found later (a missing data file) name the config position.
  std::map<std::string, std::string> origins;
};

}  // namespace dltrain::config
