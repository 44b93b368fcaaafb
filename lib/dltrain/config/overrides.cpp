// Applying --set overrides to a yaml-cpp tree. yaml-cpp's Node::operator= rebinds the *target
// node's contents*, so walking the tree uses reset(), and writes go through operator[] + '='.
#include "dltrain/config/overrides.h"

#include <fmt/format.h>

#include <cctype>
#include <optional>

namespace dltrain::config {
namespace {

struct Step {
  std::string key;               // a map key, or empty for a list index
  std::optional<std::size_t> index;
};

std::string path_text(const std::vector<Step>& steps, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (steps[i].index) {
      text += fmt::format("[{}]", *steps[i].index);
    } else {
      text += (text.empty() ? "" : ".") + steps[i].key;
    }
  }
  return text;
}

// "data.augment[1].p" -> data, augment, [1], p. Every dotted segment is a name followed by
// zero or more [N]; anything else is malformed.
std::vector<Step> parse_path(const std::string& path, const Origin& where) {
  auto malformed = [&](const std::string& why) {
    fail(where, "", fmt::format("malformed key path \"{}\": {}", path, why));
  };
  if (path.empty()) malformed("it is empty; expected --set key.path=value");
  std::vector<Step> steps;
  std::size_t i = 0;
  while (true) {
    std::size_t name_end = path.find_first_of(".[]", i);
    if (name_end == std::string::npos) name_end = path.size();
    if (name_end == i) malformed(fmt::format("expected a key name at position {}", i + 1));
    steps.push_back({path.substr(i, name_end - i), std::nullopt});
    i = name_end;
    while (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos) malformed("'[' without ']'");
      const std::string digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 ||
          digits.find_first_not_of("0123456789") != std::string::npos)
        malformed(fmt::format("list index \"[{}]\" is not a number", digits));
      steps.push_back({"", static_cast<std::size_t>(std::stoul(digits))});
      i = close + 1;
    }
    if (i == path.size()) return steps;
    if (path[i] != '.') malformed(fmt::format("unexpected '{}' at position {}", path[i], i + 1));
    ++i;
  }
}

std::string kind(const YAML::Node& node) {
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a section";
  if (node.IsNull()) return "null";
  return "a single value";
}

// The map entry for `key`, looked up without operator[] so nothing is inserted by looking.
std::optional<YAML::Node> find_key(const YAML::Node& map, const std::string& key) {
  for (const auto& entry : map)
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
  return std::nullopt;
}

YAML::Node parse_value(const std::string& text, const Origin& where) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(where, "", fmt::format("the value is not valid YAML: {}", e.msg));
  }
}

void apply_one(YAML::Node root, const std::string& override_text, const YAML::Node& defaults,
               std::vector<OverriddenNode>& overridden) {
  const Origin where{"--set " + override_text, -1, -1};
  const std::size_t equals = override_text.find('=');
  if (equals == std::string::npos) fail(where, "", "expected key.path=value");
  const std::vector<Step> steps = parse_path(override_text.substr(0, equals), where);
  YAML::Node value = parse_value(override_text.substr(equals + 1), where);

  YAML::Node node = root;
  YAML::Node default_node = defaults;  // the same place in the default config, if it has one
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    const bool last = i + 1 == steps.size();
    const bool next_is_index = !last && steps[i + 1].index.has_value();
    if (step.index) {
      if (!node.IsSequence())
        fail(where, path_text(steps, i), fmt::format("cannot index {}: it is not a list", kind(node)));
      if (*step.index >= node.size())
        fail(where, path_text(steps, i + 1),
             fmt::format("index out of range: the list has {} element{}", node.size(),
                         node.size() == 1 ? "" : "s"));
      if (last) {
        node[*step.index] = value;
        overridden.push_back({value, where});
        return;
      }
      YAML::Node element = node[*step.index];
      node.reset(element);
      default_node = YAML::Node();
      continue;
    }
    if (node.IsNull()) {  // "optimizer:" with nothing under it is an empty section
      node = YAML::Node(YAML::NodeType::Map);
      overridden.push_back({node, where});
    }
    if (!node.IsMap())
      fail(where, path_text(steps, i),
           fmt::format("cannot set \"{}\" inside {}: it is not a section", step.key, kind(node)));
    YAML::Node default_child;
    if (default_node.IsMap()) {
      if (auto found = find_key(default_node, step.key)) default_child = *found;
    }
    if (last) {
      node[step.key] = value;
      overridden.push_back({value, where});
      return;
    }
    if (!find_key(node, step.key)) {
      // Indexing a key the file leaves out means indexing its default list.
      YAML::Node created = next_is_index && default_child.IsSequence() ? YAML::Clone(default_child)
                                                                        : YAML::Node(YAML::NodeType::Map);
      if (next_is_index && !created.IsSequence())
        fail(where, path_text(steps, i + 1), "cannot index it: the key is not set and has no list default");
      node[step.key] = created;
      overridden.push_back({created, where});
    }
    YAML::Node child = node[step.key];
    node.reset(child);
    default_node.reset(default_child);
  }
}

}  // namespace

std::vector<OverriddenNode> apply_overrides(YAML::Node root, const std::vector<std::string>& overrides,
                                            const YAML::Node& defaults) {
  std::vector<OverriddenNode> overridden;
  for (const auto& override_text : overrides) apply_one(root, override_text, defaults, overridden);
  return overridden;
}

}  // namespace dltrain::config
