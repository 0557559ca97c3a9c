// Similarity reuse of input windows (DESIGN.md 4.5; Fu et al. 2019, SimBNN) in the form the reuse
// unit (templates/reuse_unit) steps through it.
//
// The unit sees a window as fold.simd-bit *chunks* of the whole window (every input channel, kept
// kernels or not), in one of two element orders: tap-major (element t*C + c, as sliding_window
// delivers it: a chunk is some channels of one tap) or kernel-major (element c*k*k + t: a chunk is
// whole kernels when simd is a multiple of k*k). A chunk that equals the previous computed
// window's chunk contributes what it contributed then; the unit steps, per neuron fold nf, only
// through the changed chunks in which some lane of the fold keeps a kernel (`kept_chunks`), and at
// least one (placeholder) step per fold.
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen::hw {

struct ReusePlan {
    bool kernel_major = false;  // the unit's chunk order (see above)
    int kernel_taps = 1;        // k*k
    int channels = 0;           // input channels C
    int64_t window_bits = 0;    // C*k*k
    int simd = 1;               // bits per chunk
    int64_t chunks = 0;         // window_bits / simd
    int folds = 0;              // outputs / pe
    // kept_chunks[nf][q] = 1: some output channel nf*pe + p keeps an element of chunk q.
    std::vector<std::vector<uint8_t>> kept_chunks;
    // channel_users[c]: output channels that keep input channel c's kernel (ideal operations).
    std::vector<int64_t> channel_users;
    // Unit cycles of a window in which every chunk changed (and of the first after a reset):
    // sum over the folds of max(1, kept chunks of the fold).
    int64_t worst_steps = 0;

    // The input channel of element `element` of the unit's order.
    [[nodiscard]] int channel_of(int64_t element) const {
        return static_cast<int>(kernel_major ? element / kernel_taps : element % channels);
    }
    // Element `element` of the unit's order as (tap, channel): tap t = ky*k + kx.
    [[nodiscard]] int tap_of(int64_t element) const {
        return static_cast<int>(kernel_major ? element % kernel_taps : element / channels);
    }
};

// The unit's order follows the layer: kernel-major when it has kernel pruning (pruned kernels then
// drop out of whole chunks), tap-major otherwise (finer: a chunk spans one tap).
bool reuse_kernel_major(const Layer& layer);

// The plan of a binary conv layer at its folding, in `kernel_major` order; fold.simd must divide
// the window (check_structure makes sure for layers with prune.reuse).
ReusePlan plan_similarity_reuse(const Layer& layer, bool kernel_major);
inline ReusePlan plan_similarity_reuse(const Layer& layer) {
    return plan_similarity_reuse(layer, reuse_kernel_major(layer));
}

// Weight reuse (mode weights): output channels in an offline order in which each channel's result
// is derived from the previous channel's, computing only the kept weight bits that differ (the
// first channel in full). The order is the best greedy nearest-neighbour walk.
struct WeightReuse {
    int64_t operations = 0;         // XNOR-popcount operations per position (outputs x kept taps without reuse)
    std::vector<size_t> order;      // the output channels in that order
    // Along the order, in the chunks of `plan` (the layer's simd, one lane): of the chunks a channel
    // keeps a bit of, those whose kept bits all equal the predecessor's, which a unit stepping
    // whole chunks could skip.
    int64_t chunks = 0;
    int64_t identical_chunks = 0;
};
WeightReuse weight_reuse(const Layer& layer, const ReusePlan& plan);

}  // namespace bnngen::hw
