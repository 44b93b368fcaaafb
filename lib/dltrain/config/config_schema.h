// The config schema: the one place that names each key, its member, its rule and its order.
// Reading, validation, unknown-key detection, the resolved dump and comparison all walk it.
#pragma once

#include "dltrain/config/experiment_config.h"
#include "dltrain/config/schema_visitor.h"

namespace dltrain::config {

// Walks every key of `config` in dump order. Visitors that only read take a copy of a const config.
void describe(SchemaVisitor& visitor, ExperimentConfig& config);

}  // namespace dltrain::config
