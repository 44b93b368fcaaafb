// A name -> builder table lookup shared by every registry (optimizers, schedules, ...): a
// registry is a constexpr array of {name, builder}; an unknown name is a config error that
// lists the known ones.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dltrain/core/error.h"

namespace dltrain {

template <class Builder>
struct RegistryEntry {
  const char* name;
  Builder build;
};

template <class Builder, std::size_t N>
std::vector<std::string> registry_names(const RegistryEntry<Builder> (&table)[N]) {
  std::vector<std::string> names;
  for (const auto& entry : table) names.emplace_back(entry.name);
  return names;
}

// The builder registered as `name`; `key` is the config key named in the error ("optimizer.type").
template <class Builder, std::size_t N>
Builder find_builder(const RegistryEntry<Builder> (&table)[N], const std::string& name, const char* key) {
  for (const auto& entry : table)
    if (name == entry.name) return entry.build;
  std::string known;
  for (const auto& entry : table) known += std::string(known.empty() ? "" : ", ") + entry.name;
  throw ConfigError(std::string(key) + ": unknown value \"" + name + "\"; expected one of " + known);
}

}  // namespace dltrain
