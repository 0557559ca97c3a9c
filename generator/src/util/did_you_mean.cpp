#include "bnngen/util/did_you_mean.hpp"

#include <algorithm>
#include <vector>

namespace bnngen {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("widht" -> "width") each cost 1.
size_t edit_distance(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    const size_t m = b.size();
    std::vector<size_t> d((n + 1) * (m + 1));
    auto at = [m, &d](size_t i, size_t j) -> size_t& { return d[i * (m + 1) + j]; };
    for (size_t i = 0; i <= n; ++i) {
        at(i, 0) = i;
    }
    for (size_t j = 0; j <= m; ++j) {
        at(0, j) = j;
    }
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
            }
        }
    }
    return at(n, m);
}

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates) {
    size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
    std::optional<std::string> best;
    size_t best_distance = limit + 1;
    for (std::string_view candidate : candidates) {
        size_t d = edit_distance(word, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(candidate);
        }
    }
    return best;
}

}  // namespace bnngen
