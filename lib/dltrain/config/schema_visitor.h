// The vocabulary of the config schema: what a key may hold (Rule, ListRule) and the visitor
// that every schema consumer implements (reading YAML, dumping it, comparing configs).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dltrain::config {

struct LayerConfig;
class SchemaVisitor;

// What a key accepts. `expected` completes "expected ..." in every message about the key,
// type errors and range errors alike, so users see one description of the key.
template <class T>
struct Rule {
  std::string expected;
  std::function<bool(const T&)> accepts;  // empty: any value of the type
  bool required = false;                  // the key must be given; its default is a placeholder
  std::vector<std::string> choices;       // names worth suggesting when a value is rejected

  bool ok(const T& value) const { return !accepts || accepts(value); }
};

template <class T>
struct ListRule {
  std::string expected;    // e.g. "a list of 2 values"
  Rule<T> element;         // checked on each element, reported as key[i]
  std::size_t size = 0;    // exact length; 0 = any length
};

// A list of named option maps (model.layers, data.augment): which key names an item, and an
// example item for messages.
struct ItemListRule {
  const char* name_key;  // "type" | "op"
  const char* noun;      // "layer" | "augment op"
  const char* example;   // "{type: linear, out: 64}"
};

// A list of sections (optimizer.param_groups): the schema's view of a std::vector<Section>.
struct SectionList {
  std::function<std::size_t()> size;
  std::function<void(std::size_t)> resize;
  std::function<void(std::size_t, SchemaVisitor&)> element;  // visits element i's keys
};

// A consumer of the schema. The schema calls field() for each key in the order it is dumped,
// section() for each nested map, and check() for rules that span several keys (called after
// the fields they read, so a reader sees the values it has just parsed).
class SchemaVisitor {
 public:
  virtual ~SchemaVisitor() = default;
  virtual void field(const char* key, std::string& value, const Rule<std::string>& rule) = 0;
  virtual void field(const char* key, double& value, const Rule<double>& rule) = 0;
  virtual void field(const char* key, int64_t& value, const Rule<int64_t>& rule) = 0;
  virtual void field(const char* key, bool& value) = 0;
  virtual void field(const char* key, std::vector<double>& value, const ListRule<double>& rule) = 0;
  virtual void field(const char* key, std::vector<int64_t>& value, const ListRule<int64_t>& rule) = 0;
  virtual void field(const char* key, std::vector<std::string>& value, const ListRule<std::string>& rule) = 0;
  virtual void field(const char* key, std::vector<LayerConfig>& value, const ItemListRule& rule) = 0;
  virtual void section(const char* key, const std::function<void(SchemaVisitor&)>& body) = 0;
  virtual void section_list(const char* key, const SectionList& list) = 0;
  // `ok` is false when the rule is broken; the message is reported against `key`.
  virtual void check(const char* key, bool ok, const std::string& message) = 0;
};

}  // namespace dltrain::config
