// The config schema. To add a key: add the member (with its default) to experiment_config.h
// and one v.field(...) line here; parsing, validation, suggestions and the dump follow.
#include "dltrain/config/config_schema.h"

#include "dltrain/config/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace dltrain::config {
namespace {

using namespace rules;

// Ceilings of the size-like keys: far above any real use, low enough that a typo (an extra
// zero, a pasted sample count) fails here with the key named, not as an allocation hours later.
constexpr int64_t kMaxBatch = int64_t{1} << 20;
constexpr int64_t kMaxWorkers = 256;
constexpr int64_t kMaxPrefetch = 1024;
constexpr int64_t kMaxWidth = int64_t{1} << 16;  // units, channels, input side, classes
constexpr int64_t kMaxDepth = 1000;              // layers, blocks, convs per stage
constexpr int64_t kMaxEpochs = 1'000'000;
constexpr int64_t kMaxThreads = 1024;

template <class Section>
void section(SchemaVisitor& v, const char* key, Section& c);
template <class Section>
void section_list(SchemaVisitor& v, const char* key, std::vector<Section>& list);

void describe_section(SchemaVisitor& v, NormalizeConfig& c) {
  v.field("mean", c.mean, list_of(number()));
  v.field("std", c.std, list_of(positive_number()));
  v.check("std", c.std.size() == c.mean.size(),
          fmt::format("expected as many values as data.normalize.mean ({}), got {}", c.mean.size(),
                      c.std.size()));
}

void describe_section(SchemaVisitor& v, SubsetConfig& c) {
  v.field("train", c.train, non_negative_integer());
  v.field("test", c.test, non_negative_integer());
  v.field("imbalance_ratio", c.imbalance_ratio, at_least_one());
  v.field("class_fractions", c.class_fractions, list_of(unit_interval()));
}

void describe_section(SchemaVisitor& v, SamplerConfig& c) {
  v.field("type", c.type, one_of({"all", "weighted", "undersample"}));
  v.field("target", c.target, list_of(non_negative_number()));
  v.check("target", c.target.empty() || c.type == "weighted", "is only used with data.sampler.type: weighted");
  v.field("cap", c.cap, non_negative_integer());
  v.check("cap", c.cap == 0 || c.type == "undersample", "is only used with data.sampler.type: undersample");
  v.field("samples_per_epoch", c.samples_per_epoch, non_negative_integer());
  v.check("samples_per_epoch", c.samples_per_epoch == 0 || c.type == "weighted",
          "is only used with data.sampler.type: weighted");
}

void describe_section(SchemaVisitor& v, BatchAugmentConfig& c) {
  v.field("mixup", c.mixup, non_negative_number());
  v.field("cutmix", c.cutmix, non_negative_number());
  v.field("p", c.p, unit_interval());
}

void describe_section(SchemaVisitor& v, CifarConfig& c) {
  v.field("variant", c.variant, one_of({"cifar10", "cifar100"}));
  v.field("label", c.label, one_of({"fine", "coarse"}));
  v.check("label", c.label == "fine" || c.variant == "cifar100", "coarse labels exist only in cifar100");
}

void describe_section(SchemaVisitor& v, CsvConfig& c) {
  v.field("label", c.label, non_empty_string());
  v.field("features", c.features, any_string());
  v.field("missing", c.missing, one_of({"error", "drop", "mean"}));
  v.field("standardize", c.standardize);
}

void describe_section(SchemaVisitor& v, DataConfig& c) {
  v.field("format", c.format, one_of({"idx", "cifar", "image_folder", "manifest", "csv"}));
  v.field("train", c.train, non_empty_string());
  v.field("test", c.test, any_string());
  v.field("val_split", c.val_split, fraction());
  v.field("classes", c.classes, list_of(non_negative_integer()));
  v.check("classes", std::set<int64_t>(c.classes.begin(), c.classes.end()).size() == c.classes.size(),
          "expected each class label once");
  v.field("class_names", c.class_names, list_of(non_empty_string()));
  v.check("class_names", c.class_names.empty() || c.format == "idx",
          "names the label numbers of idx data; the other formats carry their own names");
  v.check("class_names", std::set<std::string>(c.class_names.begin(), c.class_names.end()).size() == c.class_names.size(),
          "expected each name once");
  v.field("batch_size", c.batch_size, integer_in(1, kMaxBatch));
  v.field("eval_batch_size", c.eval_batch_size, integer_in(1, kMaxBatch));
  v.field("workers", c.workers, integer_in(0, kMaxWorkers));
  v.field("prefetch", c.prefetch, integer_in(1, kMaxPrefetch));
  v.field("shuffle", c.shuffle);
  v.field("drop_last", c.drop_last);
  v.field("image_size", c.image_size, list_of(positive_integer()));
  v.check("image_size", c.image_size.size() <= 2, "expected [height, width] or [size]");
  v.field("channels", c.channels,
          Rule<int64_t>{"0 (from the first image), 1 or 3", [](int64_t n) { return n == 0 || n == 1 || n == 3; }, false, {}});
  v.field("skip_corrupt", c.skip_corrupt);
  v.field("augment", c.augment, ItemListRule{"op", "augment op", "{op: hflip, p: 0.5}"});
  section(v, "batch_augment", c.batch_augment);
  section(v, "cifar", c.cifar);
  section(v, "csv", c.csv);
  section(v, "normalize", c.normalize);
  section(v, "subset", c.subset);
  section(v, "sampler", c.sampler);
}

void describe_section(SchemaVisitor& v, InitConfig& c) {
  v.field("weight", c.weight,
          one_of({"default", "kaiming_normal", "kaiming_uniform", "xavier_normal", "xavier_uniform", "orthogonal",
                  "normal"}));
  v.field("bias", c.bias, one_of({"default", "zeros"}));
  v.field("mode", c.mode, one_of({"fan_in", "fan_out"}));
  v.field("nonlinearity", c.nonlinearity, one_of({"auto", "relu", "leaky_relu", "tanh", "sigmoid", "linear"}));
  v.field("std", c.std, positive_number());
}

void describe_section(SchemaVisitor& v, ModelConfig& c) {
  v.field("type", c.type,
          required(one_of({"mlp", "cnn", "resnet", "resnet18", "resnet34", "resnet50", "mobilenet_v2", "efficientnet",
                           "efficientnet_b0", "rnn", "sequential", "torchscript"})));
  v.field("input_shape", c.input_shape, list_of(integer_in(1, kMaxWidth)));
  v.check("input_shape", c.input_shape.empty() || c.input_shape.size() == 1 || c.input_shape.size() == 3,
          "expected [C, H, W] for images or [features] for tables");
  v.field("num_classes", c.num_classes, integer_in(0, kMaxWidth));
  v.field("hidden", c.hidden, list_of(integer_in(1, kMaxWidth)));
  v.field("channels", c.channels, list_of(integer_in(1, kMaxWidth)));
  v.field("kernel_size", c.kernel_size, odd_positive_integer());
  v.check("kernel_size", c.kernel_size <= 31, "expected at most 31, got " + std::to_string(c.kernel_size));
  v.field("convs_per_stage", c.convs_per_stage, integer_in(1, kMaxDepth));
  v.field("norm", c.norm, one_of({"batch", "layer", "group", "instance", "none"}));
  v.field("norm_groups", c.norm_groups, positive_integer());
  v.field("activation", c.activation,
          one_of({"auto", "relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "tanh", "sigmoid"}));
  v.field("dropout", c.dropout, fraction());
  v.field("block", c.block, one_of({"auto", "basic", "bottleneck"}));
  v.field("blocks", c.blocks, list_of(integer_in(1, kMaxDepth)));
  v.field("stem", c.stem, one_of({"auto", "imagenet", "small"}));
  v.field("zero_init_residual", c.zero_init_residual);
  v.field("width_multiplier", c.width_multiplier, positive_number());
  v.field("depth_multiplier", c.depth_multiplier, positive_number());
  v.field("stochastic_depth", c.stochastic_depth, fraction());
  v.field("cell", c.cell, one_of({"lstm", "gru"}));
  v.field("hidden_size", c.hidden_size, integer_in(1, kMaxWidth));
  v.field("num_layers", c.num_layers, integer_in(1, kMaxDepth));
  v.field("bidirectional", c.bidirectional);
  v.field("layers", c.layers, ItemListRule{"type", "layer", "{type: linear, out: 64}"});
  section(v, "init", c.init);
  v.field("pretrained", c.pretrained, any_string());
  v.check("pretrained", c.type != "torchscript" || !c.pretrained.empty(),
          "expected the torch.jit.save file with model.type: torchscript");
  v.field("replace_head", c.replace_head);
  v.check("replace_head", !c.replace_head || (!c.pretrained.empty() && c.type != "torchscript"),
          "needs model.pretrained weights of a model family dltrain builds (not torchscript)");
  v.field("freeze", c.freeze, list_of(non_empty_string()));
}

void describe_section(SchemaVisitor& v, ParamGroupConfig& c) {
  v.field("match", c.match, required(non_empty_string()));
  v.field("lr_scale", c.lr_scale, positive_number());
  v.field("weight_decay_scale", c.weight_decay_scale, non_negative_number());
}

void describe_section(SchemaVisitor& v, OptimizerConfig& c) {
  v.field("type", c.type, one_of({"sgd", "adam", "adamw", "rmsprop", "adagrad"}));
  v.field("lr", c.lr, positive_number());
  v.field("momentum", c.momentum, fraction());
  v.field("dampening", c.dampening, fraction());
  v.field("nesterov", c.nesterov);
  v.check("nesterov", !c.nesterov || (c.momentum > 0 && c.dampening == 0),
          "true needs optimizer.momentum > 0 and optimizer.dampening 0 (as torch.optim.SGD)");
  v.field("weight_decay", c.weight_decay, non_negative_number());
  v.field("betas", c.betas, list_of(fraction(), 2));
  v.field("eps", c.eps, positive_number());
  v.field("amsgrad", c.amsgrad);
  v.field("alpha", c.alpha, fraction());
  v.field("centered", c.centered);
  v.field("lr_decay", c.lr_decay, non_negative_number());
  v.field("initial_accumulator_value", c.initial_accumulator_value, non_negative_number());
  v.field("decay_norm_and_bias", c.decay_norm_and_bias);
  section_list(v, "param_groups", c.param_groups);
}

void describe_section(SchemaVisitor& v, SchedulerConfig& c) {
  v.field("type", c.type,
          one_of({"constant", "step", "multistep", "exponential", "cosine", "cosine_restarts", "polynomial",
                  "one_cycle", "reduce_on_plateau"}));
  v.field("warmup_epochs", c.warmup_epochs, non_negative_integer());
  v.field("warmup_steps", c.warmup_steps, non_negative_integer());
  v.check("warmup_steps", c.warmup_epochs == 0 || c.warmup_steps == 0,
          "give scheduler.warmup_epochs or scheduler.warmup_steps, not both");
  v.field("warmup_start_factor", c.warmup_start_factor, unit_interval());
  v.field("step_size", c.step_size, positive_integer());
  v.field("milestones", c.milestones, list_of(positive_integer()));
  v.check("milestones", std::is_sorted(c.milestones.begin(), c.milestones.end()), "expected increasing epochs");
  v.field("gamma", c.gamma, positive_number());
  v.field("min_lr", c.min_lr, non_negative_number());
  v.field("restart_epochs", c.restart_epochs, positive_integer());
  v.field("restart_mult", c.restart_mult, positive_integer());
  v.field("power", c.power, positive_number());
  v.field("pct_start", c.pct_start, open_unit_interval());
  v.field("div_factor", c.div_factor, positive_number());
  v.field("final_div_factor", c.final_div_factor, positive_number());
  v.field("monitor", c.monitor, non_empty_string());
  v.field("mode", c.mode, one_of({"min", "max"}));
  v.field("factor", c.factor, open_unit_interval());
  v.field("patience", c.patience, non_negative_integer());
  v.field("cooldown", c.cooldown, non_negative_integer());
  v.field("threshold", c.threshold, non_negative_number());
}

void describe_section(SchemaVisitor& v, RegularizationConfig& c) {
  v.field("l1", c.l1, non_negative_number());
  v.field("l2", c.l2, non_negative_number());
}

void describe_section(SchemaVisitor& v, ClassWeightsConfig& c) {
  v.field("type", c.type, one_of({"none", "balanced", "effective_number", "given"}));
  v.field("beta", c.beta, fraction());
  v.field("values", c.values, list_of(non_negative_number()));
  v.check("values", (c.type == "given") == !c.values.empty(),
          c.type == "given" ? "expected one weight per class with loss.class_weights.type: given"
                            : "is only used with loss.class_weights.type: given");
}

void describe_section(SchemaVisitor& v, LossConfig& c) {
  v.field("type", c.type, one_of({"cross_entropy", "focal"}));
  v.field("label_smoothing", c.label_smoothing, fraction());
  v.field("gamma", c.gamma, non_negative_number());
  section(v, "class_weights", c.class_weights);
}

void describe_section(SchemaVisitor& v, CheckpointConfig& c) {
  v.field("save_best", c.save_best);
  v.field("monitor", c.monitor, non_empty_string());
  v.field("mode", c.mode, one_of({"min", "max"}));
  v.field("every", c.every, non_negative_integer());
  v.field("keep_last", c.keep_last, non_negative_integer());
}

void describe_section(SchemaVisitor& v, EarlyStoppingConfig& c) {
  v.field("monitor", c.monitor, any_string());
  v.field("mode", c.mode, one_of({"min", "max"}));
  v.field("patience", c.patience, positive_integer());
  v.field("min_delta", c.min_delta, non_negative_number());
  v.field("restore_best", c.restore_best);
}

void describe_section(SchemaVisitor& v, GradClipConfig& c) {
  v.field("norm", c.norm, non_negative_number());
  v.field("value", c.value, non_negative_number());
  v.check("value", c.norm == 0 || c.value == 0, "give train.grad_clip.norm or train.grad_clip.value, not both");
}

void describe_section(SchemaVisitor& v, EmaConfig& c) { v.field("decay", c.decay, fraction()); }

void describe_section(SchemaVisitor& v, GradMonitorConfig& c) {
  v.field("enabled", c.enabled);
  v.field("vanishing", c.vanishing, non_negative_number());
  v.field("exploding", c.exploding, positive_number());
  v.field("patience", c.patience, positive_integer());
}

void describe_section(SchemaVisitor& v, TrainConfig& c) {
  v.field("epochs", c.epochs, integer_in(1, kMaxEpochs));
  v.field("log_every", c.log_every, positive_integer());
  v.field("accumulate", c.accumulate, integer_in(1, kMaxBatch));
  v.field("unfreeze_at_epoch", c.unfreeze_at_epoch, integer_in(0, kMaxEpochs));
  section(v, "grad_clip", c.grad_clip);
  v.field("nonfinite", c.nonfinite, one_of({"stop", "skip"}));
  v.field("amp", c.amp);
  v.field("profile_steps", c.profile_steps, non_negative_integer());
  section(v, "ema", c.ema);
  section(v, "grad_monitor", c.grad_monitor);
  section(v, "checkpoint", c.checkpoint);
  section(v, "early_stopping", c.early_stopping);
}

void describe_section(SchemaVisitor& v, DistributedConfig& c) {
  v.field("backend", c.backend, one_of({"auto", "gloo", "nccl"}));
  v.field("timeout_s", c.timeout_s, positive_number());
  v.field("bucket_mb", c.bucket_mb, positive_number());
  v.field("sync_batchnorm", c.sync_batchnorm);
}

template <class Section>
void section(SchemaVisitor& v, const char* key, Section& c) {
  v.section(key, [&c](SchemaVisitor& inner) { describe_section(inner, c); });
}

template <class Section>
void section_list(SchemaVisitor& v, const char* key, std::vector<Section>& list) {
  v.section_list(key, SectionList{[&list] { return list.size(); }, [&list](std::size_t n) { list.resize(n); },
                                  [&list](std::size_t i, SchemaVisitor& inner) { describe_section(inner, list[i]); }});
}

}  // namespace

void describe(SchemaVisitor& v, ExperimentConfig& c) {
  v.field("name", c.name, directory_name());
  v.field("seed", c.seed, integer());
  v.field("device", c.device, device_name());
  v.field("output", c.output, non_empty_string());
  v.field("threads", c.threads, integer_in(0, kMaxThreads));
  v.field("deterministic", c.deterministic);
  v.field("memory_format", c.memory_format, one_of({"auto", "channels_last", "contiguous"}));
  section(v, "data", c.data);
  section(v, "model", c.model);
  section(v, "optimizer", c.optimizer);
  section(v, "scheduler", c.scheduler);
  section(v, "loss", c.loss);
  section(v, "regularization", c.regularization);
  section(v, "train", c.train);
  section(v, "distributed", c.distributed);
}

}  // namespace dltrain::config
