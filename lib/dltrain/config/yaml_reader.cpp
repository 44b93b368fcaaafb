// The schema visitor that reads YAML. Each map is checked for unknown and duplicate keys before
// its fields are read, so a typo is reported as a typo rather than as the default it caused.
#include "dltrain/config/yaml_reader.h"

#include "dltrain/config/config_schema.h"
#include "dltrain/config/did_you_mean.h"
#include "dltrain/config/scalar_text.h"

#include <fmt/format.h>

#include <optional>

namespace dltrain::config {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  if (out.size() > 80) out = out.substr(0, 76) + "...";
  return out + "\"";
}

std::string value_text(const std::string& value) { return quoted(value); }
std::string value_text(double value) { return number_text(value); }
std::string value_text(int64_t value) { return std::to_string(value); }

bool is_plain(const YAML::Node& node) { return node.Tag() == "?"; }

// Collects the keys a section accepts, to find unknown ones before reading.
class KeyCollector final : public SchemaVisitor {
 public:
  std::vector<std::string> keys;
  void field(const char* key, std::string&, const Rule<std::string>&) override { keys.push_back(key); }
  void field(const char* key, double&, const Rule<double>&) override { keys.push_back(key); }
  void field(const char* key, int64_t&, const Rule<int64_t>&) override { keys.push_back(key); }
  void field(const char* key, bool&) override { keys.push_back(key); }
  void field(const char* key, std::vector<double>&, const ListRule<double>&) override { keys.push_back(key); }
  void field(const char* key, std::vector<int64_t>&, const ListRule<int64_t>&) override { keys.push_back(key); }
  void field(const char* key, std::vector<std::string>&, const ListRule<std::string>&) override {
    keys.push_back(key);
  }
  void field(const char* key, std::vector<LayerConfig>&, const ItemListRule&) override { keys.push_back(key); }
  void section(const char* key, const std::function<void(SchemaVisitor&)>&) override { keys.push_back(key); }
  void section_list(const char* key, const SectionList&) override { keys.push_back(key); }
  void check(const char*, bool, const std::string&) override {}
};

struct Entry {
  std::string key;
  YAML::Node value;
  Origin origin;  // of the value
};

class NodeReader final : public SchemaVisitor {
 public:
  NodeReader(const std::string& source, const std::vector<OverriddenNode>& overridden,
             std::map<std::string, std::string>& origins)
      : source_(source), overridden_(overridden), origins_(origins) {}

  // Reads one map (or an absent/null one: every key keeps its default) through `body`.
  void read_map(const YAML::Node& map, const Origin& origin, const std::string& prefix,
                const std::function<void(SchemaVisitor&)>& body) {
    NodeReader reader(source_, overridden_, origins_);
    reader.origin_ = origin;
    reader.prefix_ = prefix;
    if (map.IsDefined() && !map.IsNull()) {
      if (!map.IsMap()) fail(origin, prefix, "expected a section of keys, got " + found_text(map));
      KeyCollector known;
      body(known);
      for (const auto& item : map) reader.add_entry(item.first, item.second, known.keys);
    }
    body(reader);
  }

  void field(const char* key, std::string& value, const Rule<std::string>& rule) override {
    read_field(key, value, rule, [](const YAML::Node& n) { return std::optional<std::string>(n.Scalar()); });
  }
  void field(const char* key, double& value, const Rule<double>& rule) override {
    read_field(key, value, rule, number);
  }
  void field(const char* key, int64_t& value, const Rule<int64_t>& rule) override {
    read_field(key, value, rule, integer);
  }
  void field(const char* key, bool& value) override {
    const Entry* entry = find(key);
    if (!entry) return;
    value = read_value(entry->value, entry->origin, path(key), Rule<bool>{"true or false", {}, false, {}},
                       boolean);
  }
  void field(const char* key, std::vector<double>& value, const ListRule<double>& rule) override {
    read_list(key, value, rule, number);
  }
  void field(const char* key, std::vector<int64_t>& value, const ListRule<int64_t>& rule) override {
    read_list(key, value, rule, integer);
  }
  void field(const char* key, std::vector<std::string>& value, const ListRule<std::string>& rule) override {
    read_list(key, value, rule, [](const YAML::Node& n) { return std::optional<std::string>(n.Scalar()); });
  }
  void field(const char* key, std::vector<LayerConfig>& value, const ItemListRule& rule) override {
    if (const Entry* entry = find(key)) value = read_layers(entry->value, entry->origin, path(key), rule);
  }
  void section(const char* key, const std::function<void(SchemaVisitor&)>& body) override {
    const Entry* entry = find(key);
    // An absent section is read as empty so its required keys are still reported.
    if (entry) {
      read_map(entry->value, entry->origin, path(key), body);
    } else {
      read_map(YAML::Node(), origin_, path(key), body);
    }
  }
  void section_list(const char* key, const SectionList& list) override {
    const Entry* entry = find(key);
    if (!entry || entry->value.IsNull()) return;
    const YAML::Node& node = entry->value;
    if (!node.IsSequence())
      fail(entry->origin, path(key), "expected a list of sections, got " + found_text(node));
    list.resize(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node element = node[i];
      read_map(element, origin_of(element, entry->origin), fmt::format("{}[{}]", path(key), i),
               [&list, i](SchemaVisitor& inner) { list.element(i, inner); });
    }
  }
  void check(const char* key, bool ok, const std::string& message) override {
    if (ok) return;
    const Entry* entry = find(key);
    fail(entry ? entry->origin : origin_, path(key), message);
  }

 private:
  static std::optional<double> number(const YAML::Node& n) {
    return is_plain(n) ? parse_number(n.Scalar()) : std::nullopt;
  }
  static std::optional<int64_t> integer(const YAML::Node& n) {
    return is_plain(n) ? parse_integer(n.Scalar()) : std::nullopt;
  }
  static std::optional<bool> boolean(const YAML::Node& n) {
    return is_plain(n) ? parse_boolean(n.Scalar()) : std::nullopt;
  }

  std::string path(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

  const Entry* find(const char* key) const {
    for (const auto& entry : entries_)
      if (entry.key == key) return &entry;
    return nullptr;
  }

  // The latest override that placed `node` names it; otherwise it inherits an override from
  // its parent (elements of an overridden list), or is a position in the file.
  Origin origin_of(const YAML::Node& node, const Origin& parent) const {
    for (auto it = overridden_.rbegin(); it != overridden_.rend(); ++it)
      if (it->node.is(node)) return it->origin;
    if (parent.line < 0 && parent.source != source_) return parent;
    return Origin{source_, node.Mark().line, node.Mark().column};
  }

  void add_entry(const YAML::Node& key_node, const YAML::Node& value, const std::vector<std::string>& known) {
    Origin value_origin = origin_of(value, origin_);
    // Keys an override created have no position; the override names them instead.
    const Origin key_origin = value_origin.source != source_ || key_node.Mark().line < 0
                                  ? value_origin
                                  : Origin{source_, key_node.Mark().line, key_node.Mark().column};
    // yaml-cpp places an empty value ("output:") at the start of the next line; the key is clearer.
    if (value.IsNull() && value_origin.source == source_) value_origin = key_origin;
    if (!key_node.IsScalar()) fail(key_origin, prefix_, "expected a key name, got " + found_text(key_node));
    const std::string key = key_node.Scalar();
    if (const Entry* first = find(key.c_str()))
      fail(key_origin, path(key), fmt::format("duplicate key (first given at {})", first->origin.text()));
    bool is_known = false;
    for (const auto& name : known) is_known = is_known || name == key;
    if (!is_known) fail(key_origin, path(key), "unknown key" + did_you_mean(key, known));
    entries_.push_back({key, value, value_origin});
    origins_[path(key)] = value_origin.text();
  }

  template <class T, class Parse>
  T read_value(const YAML::Node& node, const Origin& where, const std::string& key_path, const Rule<T>& rule,
               Parse parse) const {
    std::optional<T> parsed = node.IsScalar() ? parse(node) : std::nullopt;
    if (!parsed || !rule.ok(*parsed)) {
      const std::string hint = node.IsScalar() ? did_you_mean(node.Scalar(), rule.choices) : "";
      fail(where, key_path, "expected " + rule.expected + ", got " + found_text(node) + hint);
    }
    return *parsed;
  }

  template <class T, class Parse>
  void read_field(const char* key, T& value, const Rule<T>& rule, Parse parse) const {
    if (const Entry* entry = find(key)) {
      value = read_value(entry->value, entry->origin, path(key), rule, parse);
      return;
    }
    if (rule.required) fail(origin_, path(key), "missing required key; expected " + rule.expected);
    // Defaults computed at load time (the name from the file's stem) must pass the rule too.
    if (!rule.ok(value))
      fail(origin_, path(key), "expected " + rule.expected + ", got " + value_text(value) + " (the default)");
  }

  // A list of named option maps (layers, augment ops). Only the shape is checked here (maps, a
  // name, scalar options, nested `layers`); the module owning the vocabulary reports against these origins.
  std::vector<LayerConfig> read_layers(const YAML::Node& node, const Origin& where, const std::string& key_path,
                                       const ItemListRule& rule) const {
    if (!node.IsSequence())
      fail(where, key_path, fmt::format("expected a list of {}s such as [{}], got {}", rule.noun, rule.example, found_text(node)));
    std::vector<LayerConfig> layers;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      const Origin item_origin = origin_of(item, where);
      const std::string item_path = fmt::format("{}[{}]", key_path, i);
      origins_[item_path] = item_origin.text();
      if (!item.IsMap())
        fail(item_origin, item_path,
             fmt::format("expected {} {} such as {}, got {}", std::string("aeiou").find(rule.noun[0]) == std::string::npos ? "a" : "an",
                         rule.noun, rule.example, found_text(item)));
      LayerConfig layer;
      std::vector<std::string> seen;
      for (const auto& option : item) {
        const Origin value_origin = origin_of(option.second, item_origin);
        if (!option.first.IsScalar())
          fail(value_origin, item_path, "expected an option name, got " + found_text(option.first));
        const std::string key = option.first.Scalar();
        const std::string option_path = item_path + "." + key;
        for (const auto& earlier : seen)
          if (earlier == key) fail(value_origin, option_path, "duplicate key");
        seen.push_back(key);
        origins_[option_path] = value_origin.text();
        if (key == "layers") {
          layer.layers = read_layers(option.second, value_origin, option_path, rule);
          continue;
        }
        if (!option.second.IsScalar())
          fail(value_origin, option_path, "expected a single value, got " + found_text(option.second));
        if (key == rule.name_key) {
          layer.type = option.second.Scalar();
        } else {
          layer.options.emplace_back(key, option.second.Scalar());
        }
      }
      if (layer.type.empty())
        fail(item_origin, item_path, fmt::format("missing the {}'s {}, e.g. {}", rule.noun, rule.name_key, rule.example));
      layers.push_back(std::move(layer));
    }
    return layers;
  }

  template <class T, class Parse>
  void read_list(const char* key, std::vector<T>& value, const ListRule<T>& rule, Parse parse) const {
    const Entry* entry = find(key);
    if (!entry) return;
    const YAML::Node& node = entry->value;
    if (!node.IsSequence()) fail(entry->origin, path(key), "expected " + rule.expected + ", got " + found_text(node));
    if (rule.size != 0 && node.size() != rule.size)
      fail(entry->origin, path(key),
           fmt::format("expected {}, got {} value{}", rule.expected, node.size(), node.size() == 1 ? "" : "s"));
    std::vector<T> elements;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node element = node[i];
      elements.push_back(read_value(element, origin_of(element, entry->origin),
                                    fmt::format("{}[{}]", path(key), i), rule.element, parse));
    }
    value = std::move(elements);
  }

  const std::string& source_;
  const std::vector<OverriddenNode>& overridden_;
  std::map<std::string, std::string>& origins_;  // every given key's origin, for later errors
  Origin origin_;
  std::string prefix_;
  std::vector<Entry> entries_;
};

}  // namespace

std::string found_text(const YAML::Node& node) {
  if (!node.IsDefined()) return "nothing";
  if (node.IsNull()) return "null";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a map";
  const std::string& text = node.Scalar();
  // Plain numbers and booleans read best bare (got 1.5); anything else is quoted (got "fast").
  if (is_plain(node) && (parse_number(text) || parse_boolean(text))) return text;
  return quoted(text);
}

void read_config(const YAML::Node& root, const std::string& source,
                 const std::vector<OverriddenNode>& overridden, ExperimentConfig& config) {
  NodeReader reader(source, overridden, config.origins);
  const Origin origin{source, root.Mark().line, root.Mark().column};
  reader.read_map(root, origin, "", [&config](SchemaVisitor& v) { describe(v, config); });
}

}  // namespace dltrain::config
