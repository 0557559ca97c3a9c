// Spelling suggestions for unknown names, as compilers give them.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bnngen {

// Levenshtein distance between two strings.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo
// (distance at most a third of the word's length, and at least 1 and at most 3).
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace bnngen
