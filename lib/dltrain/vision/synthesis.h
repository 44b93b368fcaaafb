// `dltrain augment`: offline data synthesis. Writes N augmented variants of every training
// image in image_folder layout, a manifest of what was drawn, and a preview grid.
#pragma once

#include <cstdint>
#include <string>

#include "dltrain/data/sample_transform.h"

namespace dltrain::config {
struct ExperimentConfig;
}

namespace dltrain::vision {

struct SynthesisOptions {
  std::string out;         // output directory: <out>/<class>/<n>.png, manifest.csv, preview.png
  int64_t per_image = 5;   // variants per source image, > 0
  bool force = false;      // allow a non-empty output directory or the source directory itself
  bool progress = true;    // log a progress line every 10%
};

struct SynthesisReport {
  int64_t sources = 0, written = 0;
  std::string manifest, preview;
};

// The variants use data.augment's training ops with per-variant seeds from (seed, variant), so
// the same config writes the same files. Throws ConfigError for a csv dataset or an empty
// data.augment, DataError for an output directory it refuses or cannot write.
SynthesisReport synthesize_images(const config::ExperimentConfig& config, const SynthesisOptions& options);

}  // namespace dltrain::vision
