// The inner loops of the fast golden model's binary layers: XNOR-popcount over packed words,
// unrolled for the common word counts, and the popcount-domain threshold the hardware also uses.
#pragma once

#include "bnngen/net/network.hpp"

#include <bit>
#include <cstdint>
#include <vector>

namespace bnngen::golden {

struct PopcountWeights {
    int words = 0;  // per output
    int64_t kept_taps = 0;
    std::vector<int64_t> max_mismatches;  // [outputs], threshold layers: output is 1 iff mismatches <= this
    bool pruned = false;  // some tap is masked out; otherwise the AND with `kept` is skipped
    std::vector<uint64_t> weight;  // [outputs][words], bit = (w == +1)
    std::vector<uint64_t> kept;    // [outputs][words], bit = tap is kept
};

// Counts, for every output o, the kept taps where weight and input differ (mismatches), and hands
// (o, mismatches) to `sink`. Bits past the taps are 0 in both weights and inputs, so the unpruned
// case needs no mask. `Words` > 0 fixes the word count at compile time so that the common small
// windows unroll into registers.
template <bool Pruned, int Words, typename Sink>
inline void for_each_mismatch_count(const PopcountWeights& w, const uint64_t* x, size_t outputs, Sink&& sink) {
    const auto words = static_cast<size_t>(Words > 0 ? Words : w.words);
    for (size_t o = 0; o < outputs; ++o) {
        const uint64_t* weight = w.weight.data() + o * words;
        const uint64_t* kept = w.kept.data() + o * words;
        int64_t mismatches = 0;
        for (size_t j = 0; j < words; ++j) {
            uint64_t differ = weight[j] ^ x[j];
            if constexpr (Pruned) {
                differ &= kept[j];
            }
            mismatches += std::popcount(differ);
        }
        sink(o, mismatches);
    }
}

template <bool Pruned, typename Sink>
inline void dispatch_words(const PopcountWeights& w, const uint64_t* x, size_t outputs, Sink&& sink) {
    switch (w.words) {
    case 1: return for_each_mismatch_count<Pruned, 1>(w, x, outputs, sink);
    case 2: return for_each_mismatch_count<Pruned, 2>(w, x, outputs, sink);
    case 3: return for_each_mismatch_count<Pruned, 3>(w, x, outputs, sink);
    case 4: return for_each_mismatch_count<Pruned, 4>(w, x, outputs, sink);
    case 5: return for_each_mismatch_count<Pruned, 5>(w, x, outputs, sink);
    case 9: return for_each_mismatch_count<Pruned, 9>(w, x, outputs, sink);
    case 18: return for_each_mismatch_count<Pruned, 18>(w, x, outputs, sink);
    default: return for_each_mismatch_count<Pruned, 0>(w, x, outputs, sink);
    }
}

template <typename Sink>
inline void for_each_output(const PopcountWeights& w, const uint64_t* x, size_t outputs, Sink&& sink) {
    if (w.pruned) {
        dispatch_words<true>(w, x, outputs, sink);
    } else {
        dispatch_words<false>(w, x, outputs, sink);
    }
}

inline int64_t floor_half(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// y = 1 iff s = N - 2m >= T iff m <= floor((N - T) / 2): the threshold in the popcount domain,
// as the hardware compares it.
inline std::vector<int64_t> popcount_thresholds(const Layer& layer, int64_t kept_taps) {
    std::vector<int64_t> limits;
    if (layer.activation == Activation::Threshold) {
        for (int64_t t : layer.threshold) {
            limits.push_back(floor_half(kept_taps - t));
        }
    }
    return limits;
}

}  // namespace bnngen::golden
