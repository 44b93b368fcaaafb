// The loading pipeline: read the file, parse YAML, apply overrides to the tree, read the tree
// through the schema. Any yaml-cpp exception is turned into a ConfigError here, so callers
// never see a library's exception text.
#include "dltrain/config/load_config.h"

#include "dltrain/config/document_limits.h"
#include "dltrain/config/origin.h"
#include "dltrain/config/overrides.h"
#include "dltrain/config/resolved_yaml.h"
#include "dltrain/config/yaml_reader.h"
#include "dltrain/core/error.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

namespace dltrain::config {
namespace {

std::string read_file(const std::string& path) {
  auto cannot_read = [&](int error) {
    throw ConfigError(fmt::format("cannot read config file '{}': {}", path, std::strerror(error)));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) cannot_read(errno);
  std::string text;
  char buffer[65536];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, count);
  if (std::ferror(file.get())) cannot_read(errno);  // e.g. EISDIR for a directory
  return text;
}

YAML::Node parse_document(const std::string& text, const std::string& source) {
  std::vector<YAML::Node> documents;
  check_parser_terminates(text, source);
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    fail(Origin{source, e.mark.line, e.mark.column}, "", "invalid YAML: " + e.msg);
  }
  if (documents.empty() || (documents.size() == 1 && documents[0].IsNull()))
    fail(Origin{source}, "", "the config is empty; expected a map of settings (at least model.type)");
  if (documents.size() > 1)
    fail(Origin{source, documents[1].Mark().line, documents[1].Mark().column}, "",
         fmt::format("expected one YAML document, found {}", documents.size()));
  const YAML::Node& root = documents[0];
  check_expanded_size(root, source);
  if (!root.IsMap())
    fail(Origin{source, root.Mark().line, root.Mark().column}, "",
         "expected a map of settings at the top level, got " + found_text(root));
  return root;
}

}  // namespace

ExperimentConfig load_config_from_string(const std::string& yaml_text, const std::string& display_name,
                                         const std::vector<std::string>& overrides) {
  try {
    YAML::Node root = parse_document(yaml_text, display_name);
    // Overrides may index lists the file leaves out; they index the defaults, as dumped.
    const YAML::Node defaults = YAML::Load(to_yaml(ExperimentConfig{}));
    const std::vector<OverriddenNode> overridden = apply_overrides(root, overrides, defaults);
    ExperimentConfig config;
    config.name = std::filesystem::path(display_name).stem().string();
    read_config(root, display_name, overridden, config);
    return config;
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: cannot read the config: {}", display_name, e.msg));
  }
}

ExperimentConfig load_config(const std::string& path, const std::vector<std::string>& overrides) {
  ExperimentConfig config = load_config_from_string(read_file(path), path, overrides);
  config.source_path = path;
  return config;
}

}  // namespace dltrain::config
