// Flattens each config to (dotted key, value) pairs through the schema, then compares pairs.
#include "dltrain/config/config_compare.h"

#include "dltrain/config/config_schema.h"

#include <utility>
#include <variant>

namespace dltrain::config {
namespace {

// Layer lists compare as one canonical text: type, options in order, nested layers.
std::string layers_text(const std::vector<LayerConfig>& layers) {
  std::string text = "[";
  for (const auto& layer : layers) {
    text += "{" + layer.type;
    for (const auto& [key, value] : layer.options) text += "," + key + "=" + value;
    if (!layer.layers.empty()) text += ",layers=" + layers_text(layer.layers);
    text += "}";
  }
  return text + "]";
}

using Value = std::variant<std::string, double, int64_t, bool, std::vector<double>, std::vector<int64_t>,
                           std::vector<std::string>>;

class Flattener final : public SchemaVisitor {
 public:
  std::vector<std::pair<std::string, Value>> values;

  void field(const char* key, std::string& v, const Rule<std::string>&) override { add(key, v); }
  void field(const char* key, double& v, const Rule<double>&) override { add(key, v); }
  void field(const char* key, int64_t& v, const Rule<int64_t>&) override { add(key, v); }
  void field(const char* key, bool& v) override { add(key, v); }
  void field(const char* key, std::vector<double>& v, const ListRule<double>&) override { add(key, v); }
  void field(const char* key, std::vector<int64_t>& v, const ListRule<int64_t>&) override { add(key, v); }
  void field(const char* key, std::vector<std::string>& v, const ListRule<std::string>&) override { add(key, v); }
  void field(const char* key, std::vector<LayerConfig>& v, const ItemListRule&) override { add(key, layers_text(v)); }
  void section(const char* key, const std::function<void(SchemaVisitor&)>& body) override {
    const std::string outer = prefix_;
    prefix_ = path(key);
    body(*this);
    prefix_ = outer;
  }
  void section_list(const char* key, const SectionList& list) override {
    // The length first, so lists of different lengths differ at the list's own key.
    add(key, static_cast<int64_t>(list.size()));
    const std::string outer = prefix_;
    for (std::size_t i = 0; i < list.size(); ++i) {
      prefix_ = path(key) + "[" + std::to_string(i) + "]";
      list.element(i, *this);
      prefix_ = outer;
    }
  }
  void check(const char*, bool, const std::string&) override {}

 private:
  std::string path(const char* key) const { return prefix_.empty() ? key : prefix_ + "." + key; }
  void add(const char* key, Value value) { values.emplace_back(path(key), std::move(value)); }

  std::string prefix_;
};

std::vector<std::pair<std::string, Value>> flatten(const ExperimentConfig& config) {
  ExperimentConfig copy = config;  // the schema walks mutable members; flattening changes nothing
  Flattener flattener;
  describe(flattener, copy);
  return std::move(flattener.values);
}

}  // namespace

std::vector<std::string> differing_keys(const ExperimentConfig& a, const ExperimentConfig& b) {
  const auto left = flatten(a);
  const auto right = flatten(b);
  std::vector<std::string> keys;
  // Lists of sections of different lengths shift later keys; their length key differs already,
  // so compare pairs only while the keys line up.
  for (std::size_t i = 0; i < left.size() && i < right.size(); ++i) {
    if (left[i].first != right[i].first) break;
    if (left[i].second != right[i].second) keys.push_back(left[i].first);
  }
  return keys;
}

bool operator==(const ExperimentConfig& a, const ExperimentConfig& b) { return differing_keys(a, b).empty(); }
bool operator!=(const ExperimentConfig& a, const ExperimentConfig& b) { return !(a == b); }

}  // namespace dltrain::config
