// The config schema. To add a key: add the member (with its default) to experiment_config.h
// and one v.field(...) line here; parsing, validation, suggestions and the dump follow.
#include "dltrain/config/config_schema.h"

#include "dltrain/config/rules.h"

#include <fmt/format.h>

namespace dltrain::config {
namespace {

using namespace rules;

template <class Section>
void section(SchemaVisitor& v, const char* key, Section& c);

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
}

void describe_section(SchemaVisitor& v, DataConfig& c) {
  v.field("format", c.format, one_of({"idx"}));
  v.field("train", c.train, non_empty_string());
  v.field("test", c.test, any_string());
  v.field("val_split", c.val_split, fraction());
  v.field("batch_size", c.batch_size, positive_integer());
  v.field("eval_batch_size", c.eval_batch_size, positive_integer());
  v.field("workers", c.workers, non_negative_integer());
  v.field("prefetch", c.prefetch, positive_integer());
  v.field("shuffle", c.shuffle);
  v.field("drop_last", c.drop_last);
  section(v, "normalize", c.normalize);
  section(v, "subset", c.subset);
}

void describe_section(SchemaVisitor& v, InitConfig& c) {
  v.field("weight", c.weight,
          one_of({"default", "kaiming_normal", "kaiming_uniform", "xavier_normal", "xavier_uniform"}));
  v.field("bias", c.bias, one_of({"default", "zeros"}));
}

void describe_section(SchemaVisitor& v, ModelConfig& c) {
  v.field("type", c.type, required(one_of({"mlp", "cnn"})));
  v.field("hidden", c.hidden, list_of(positive_integer()));
  v.field("channels", c.channels, list_of(positive_integer()));
  v.field("kernel_size", c.kernel_size, odd_positive_integer());
  v.field("convs_per_stage", c.convs_per_stage, positive_integer());
  v.field("norm", c.norm, one_of({"batch", "none"}));
  v.field("activation", c.activation,
          one_of({"relu", "leaky_relu", "elu", "gelu", "silu", "tanh", "sigmoid"}));
  v.field("dropout", c.dropout, fraction());
  section(v, "init", c.init);
}

void describe_section(SchemaVisitor& v, OptimizerConfig& c) {
  v.field("type", c.type, one_of({"sgd", "adam"}));
  v.field("lr", c.lr, positive_number());
  v.field("momentum", c.momentum, fraction());
  v.field("nesterov", c.nesterov);
  v.check("nesterov", !c.nesterov || c.momentum > 0,
          "true needs optimizer.momentum > 0 (Nesterov momentum without momentum is undefined)");
  v.field("weight_decay", c.weight_decay, non_negative_number());
  v.field("betas", c.betas, list_of(fraction(), 2));
  v.field("eps", c.eps, positive_number());
}

void describe_section(SchemaVisitor& v, LossConfig& c) {
  v.field("type", c.type, one_of({"cross_entropy"}));
  v.field("label_smoothing", c.label_smoothing, fraction());
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

void describe_section(SchemaVisitor& v, TrainConfig& c) {
  v.field("epochs", c.epochs, positive_integer());
  v.field("log_every", c.log_every, positive_integer());
  section(v, "checkpoint", c.checkpoint);
  section(v, "early_stopping", c.early_stopping);
}

template <class Section>
void section(SchemaVisitor& v, const char* key, Section& c) {
  v.section(key, [&c](SchemaVisitor& inner) { describe_section(inner, c); });
}

}  // namespace

void describe(SchemaVisitor& v, ExperimentConfig& c) {
  v.field("name", c.name, directory_name());
  v.field("seed", c.seed, integer());
  v.field("device", c.device, device_name());
  v.field("output", c.output, non_empty_string());
  v.field("threads", c.threads, non_negative_integer());
  v.field("deterministic", c.deterministic);
  section(v, "data", c.data);
  section(v, "model", c.model);
  section(v, "optimizer", c.optimizer);
  section(v, "loss", c.loss);
  section(v, "train", c.train);
}

}  // namespace dltrain::config
