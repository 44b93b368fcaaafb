// The manifest's first columns are path,label, so the output also reads as data.format: manifest.
#include "dltrain/vision/synthesis.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "dltrain/config/experiment_config.h"
#include "dltrain/core/error.h"
#include "dltrain/data/csv_table.h"
#include "dltrain/data/image_dataset.h"
#include "dltrain/data/seeded_shuffle.h"
#include "dltrain/vision/augmentation.h"
#include "dltrain/vision/image_file.h"
#include "dltrain/vision/mat_layout.h"

namespace dltrain::vision {
namespace {

namespace fs = std::filesystem;
using data::csv_cell;
constexpr int64_t kPreviewRows = 8, kPreviewColumns = 6, kPreviewCell = 64;

bool inside(const fs::path& path, const fs::path& dir) {
  const auto p = fs::weakly_canonical(path), d = fs::weakly_canonical(dir);
  auto mismatch = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return mismatch.first == d.end();
}

void check_output(const config::ExperimentConfig& config, const SynthesisOptions& options) {
  const fs::path out(options.out);
  if (options.force) return;
  if (fs::exists(out) && (!fs::is_directory(out) || !fs::is_empty(out))) {
    throw DataError(fmt::format("--out '{}': the directory is not empty (use --force to write into it)", options.out));
  }
  const fs::path source = config.data.format == "manifest" ? fs::path(config.data.train).parent_path()
                                                            : fs::path(config.data.train);
  if (fs::is_directory(source) && inside(out, source)) {
    throw DataError(fmt::format("--out '{}': is inside the source data '{}' (use --force to write there)", options.out,
                                config.data.train));
  }
}

cv::Mat preview_cell(const uint8_t* chw, const std::vector<int64_t>& shape) {
  cv::Mat mat = to_mat(chw, shape);
  if (mat.channels() == 1) cv::cvtColor(mat, mat, cv::COLOR_GRAY2RGB);
  cv::resize(mat, mat, cv::Size(kPreviewCell, kPreviewCell), 0, 0, cv::INTER_NEAREST);
  return mat;
}

}  // namespace

SynthesisReport synthesize_images(const config::ExperimentConfig& config, const SynthesisOptions& options) {
  if (config.data.format == "csv") {
    throw ConfigError("data.format: csv tables are synthesized with SMOTE (data::synthesize_table), not as images");
  }
  if (config.data.augment.empty()) throw ConfigError("data.augment: is empty; give the ops that make the variants");
  if (options.per_image <= 0) throw ConfigError("--per-image: expected a positive number of variants");
  check_output(config, options);
  const auto pipeline = build_augmentation(config.data.augment, /*training=*/true);
  const data::NamedImages source = data::load_training_source(config.data, image_support());
  const auto& images = source.set.images;
  const std::vector<int64_t> in_shape = images.sizes().slice(1).vec();
  const auto out_shape = pipeline->output_shape(in_shape);
  const int64_t in_size = in_shape[0] * in_shape[1] * in_shape[2];
  const int64_t count = source.set.size();
  const int64_t* labels = source.set.labels.data_ptr<int64_t>();

  fs::create_directories(options.out);
  for (const auto& name : source.class_names) fs::create_directories(fs::path(options.out) / name);
  SynthesisReport report;
  report.sources = count;
  report.manifest = (fs::path(options.out) / "manifest.csv").string();
  std::ofstream manifest(report.manifest);
  if (!manifest) throw DataError(fmt::format("'{}': cannot write the manifest", report.manifest));
  manifest << "path,label,source,ops\n";

  const int64_t preview_rows = std::min(count, kPreviewRows);
  const int64_t preview_variants = std::min(options.per_image, kPreviewColumns - 1);
  cv::Mat preview(static_cast<int>(preview_rows * kPreviewCell), static_cast<int>((preview_variants + 1) * kPreviewCell),
                  CV_8UC3, cv::Scalar::all(0));
  const uint64_t stream = data::mix_seed(static_cast<uint64_t>(config.seed), 0x73796e);
  data::DecodedImage variant{out_shape[0], out_shape[1], out_shape[2], {}};
  variant.pixels.resize(out_shape[0] * out_shape[1] * out_shape[2]);
  int64_t next_report = count / 10;
  for (int64_t i = 0; i < count; ++i) {
    const uint8_t* pixels = images.data_ptr<uint8_t>() + i * in_size;
    const std::string& label = source.class_names[labels[i]];
    if (i < preview_rows) {
      preview_cell(pixels, in_shape).copyTo(preview(cv::Rect(0, static_cast<int>(i * kPreviewCell), kPreviewCell, kPreviewCell)));
    }
    for (int64_t v = 0; v < options.per_image; ++v) {
      std::string record;
      pipeline->apply_recorded(pixels, in_shape, variant.pixels.data(),
                               data::mix_seed(stream, static_cast<uint64_t>(i * options.per_image + v)), &record);
      const std::string relative = fmt::format("{}/{:06d}_{}.png", label, i, v);
      write_png((fs::path(options.out) / relative).string(), variant);
      manifest << csv_cell(relative) << ',' << csv_cell(label) << ',' << csv_cell(source.sources[i]) << ','
               << csv_cell(record) << '\n';
      ++report.written;
      if (i < preview_rows && v < preview_variants) {
        preview_cell(variant.pixels.data(), out_shape)
            .copyTo(preview(cv::Rect(static_cast<int>((v + 1) * kPreviewCell), static_cast<int>(i * kPreviewCell),
                                     kPreviewCell, kPreviewCell)));
      }
    }
    if (options.progress && i + 1 >= next_report) {
      spdlog::info("augment: {}/{} source images, {} variants written", i + 1, count, report.written);
      next_report += std::max<int64_t>(1, count / 10);
    }
  }
  manifest.close();
  if (!manifest) throw DataError(fmt::format("'{}': cannot write the manifest", report.manifest));
  report.preview = (fs::path(options.out) / "preview.png").string();
  cv::cvtColor(preview, preview, cv::COLOR_RGB2BGR);
  if (!cv::imwrite(report.preview, preview)) throw DataError(fmt::format("'{}': cannot write the preview", report.preview));
  return report;
}

}  // namespace dltrain::vision
