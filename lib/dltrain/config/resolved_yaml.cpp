// The schema visitor that writes YAML. Numbers use the shortest text that reads back as the
// same double; strings that YAML would read as something else (null, "", "[x") are quoted.
#include "dltrain/config/resolved_yaml.h"

#include "dltrain/config/config_schema.h"
#include "dltrain/config/scalar_text.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

namespace dltrain::config {
namespace {

// True when the plain text would not be read back as this very string, or when other YAML
// readers (Python's, YAML 1.1) would take it for a number, boolean or null.
bool needs_quotes(const std::string& text) {
  if (text.empty() || parse_number(text)) return true;
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})
    if (lower == word) return true;
  try {
    const YAML::Node node = YAML::Load(text);
    return !node.IsScalar() || node.Scalar() != text;
  } catch (const YAML::Exception&) {
    return true;
  }
}

class YamlWriter final : public SchemaVisitor {
 public:
  explicit YamlWriter(YAML::Emitter& out) : out_(out) {}

  void field(const char* key, std::string& value, const Rule<std::string>&) override {
    out_ << YAML::Key << key << YAML::Value;
    if (needs_quotes(value)) out_ << YAML::DoubleQuoted;
    out_ << value;
  }
  void field(const char* key, double& value, const Rule<double>&) override {
    out_ << YAML::Key << key << YAML::Value << number_text(value);
  }
  void field(const char* key, int64_t& value, const Rule<int64_t>&) override {
    out_ << YAML::Key << key << YAML::Value << std::to_string(value);
  }
  void field(const char* key, bool& value) override {
    out_ << YAML::Key << key << YAML::Value << (value ? "true" : "false");
  }
  void field(const char* key, std::vector<double>& value, const ListRule<double>&) override {
    write_list(key, value, [](double v) { return number_text(v); });
  }
  void field(const char* key, std::vector<int64_t>& value, const ListRule<int64_t>&) override {
    write_list(key, value, [](int64_t v) { return std::to_string(v); });
  }
  void field(const char* key, std::vector<std::string>& value, const ListRule<std::string>&) override {
    out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : value) {
      if (needs_quotes(v)) out_ << YAML::DoubleQuoted;
      out_ << v;
    }
    out_ << YAML::EndSeq;
  }
  void field(const char* key, std::vector<LayerConfig>& value, const ItemListRule& rule) override {
    out_ << YAML::Key << key << YAML::Value;
    write_layers(value, rule.name_key);
  }
  void section(const char* key, const std::function<void(SchemaVisitor&)>& body) override {
    out_ << YAML::Key << key << YAML::Value << YAML::BeginMap;
    body(*this);
    out_ << YAML::EndMap;
  }
  void section_list(const char* key, const SectionList& list) override {
    out_ << YAML::Key << key << YAML::Value;
    if (list.size() == 0) {
      out_ << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out_ << YAML::BeginSeq;
    for (std::size_t i = 0; i < list.size(); ++i) {
      out_ << YAML::BeginMap;
      list.element(i, *this);
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
  }
  void check(const char*, bool, const std::string&) override {}

 private:
  // One flow map per layer ({type: conv2d, out: 32}); option values keep the text they were given.
  void write_layers(const std::vector<LayerConfig>& layers, const char* name_key) {
    if (layers.empty()) {
      out_ << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out_ << YAML::BeginSeq;
    for (const auto& layer : layers) {
      out_ << YAML::Flow << YAML::BeginMap << YAML::Key << name_key << YAML::Value << layer.type;
      for (const auto& [key, value] : layer.options) {
        out_ << YAML::Key << key << YAML::Value;
        if (!reads_back_plain(value)) out_ << YAML::DoubleQuoted;
        out_ << value;
      }
      if (!layer.layers.empty()) {
        out_ << YAML::Key << "layers" << YAML::Value;
        write_layers(layer.layers, name_key);
      }
      out_ << YAML::EndMap;
    }
    out_ << YAML::EndSeq;
  }

  static bool reads_back_plain(const std::string& text) {
    if (text.empty()) return false;
    try {
      const YAML::Node node = YAML::Load(text);
      return node.IsScalar() && node.Scalar() == text && text.find_first_of(",{}[]") == std::string::npos;
    } catch (const YAML::Exception&) {
      return false;
    }
  }

  template <class T, class Text>
  void write_list(const char* key, const std::vector<T>& values, Text text) {
    out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const T& v : values) out_ << text(v);
    out_ << YAML::EndSeq;
  }

  YAML::Emitter& out_;
};

}  // namespace

std::string to_yaml(const ExperimentConfig& config) {
  ExperimentConfig copy = config;  // the schema walks mutable members; writing changes nothing
  YAML::Emitter out;
  out << YAML::BeginMap;
  YamlWriter writer(out);
  describe(writer, copy);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace dltrain::config
