#include "bnngen/golden/prediction.hpp"

namespace bnngen::golden {

int argmax(std::span<const int64_t> scores) {
    int best = 0;
    for (size_t i = 1; i < scores.size(); ++i) {
        if (scores[i] > scores[static_cast<size_t>(best)]) {
            best = static_cast<int>(i);
        }
    }
    return best;
}

}  // namespace bnngen::golden
