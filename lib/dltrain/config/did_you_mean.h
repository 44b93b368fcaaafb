// "did you mean ...?" for mistyped names: the closest candidate by edit distance, if any is close.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dltrain::config {

// The candidate closest to `word` (adjacent swaps count as one edit), or nothing when none is
// plausibly what was meant. A candidate that is a prefix of `word`, or has it as a prefix,
// always qualifies ("lr_rate" -> "lr").
std::optional<std::string> closest_match(const std::string& word, const std::vector<std::string>& candidates);

// "; did you mean \"lr\"?" or "" — ready to append to an error message.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace dltrain::config
