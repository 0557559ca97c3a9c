// What one conv or dense layer needs from its matrix-vector-activation unit, in the order the
// hardware streams its inputs: weights, kept taps, thresholds in the domain the unit compares in,
// and the widths of its numbers.
//
// Hardware element order (element j of the unit's input vector):
//   conv:  j = (ky*k + kx)*C + c   (sliding_window: tap-major, then channel)
//   dense: j = (y*W + x)*C + c     (stream_collect of the raster-order pixels)
// while PyTorch orders conv weights [o][c][ky][kx] and dense inputs (c, h, w).
//
// A conv layer with structured kernel pruning (keep < in_channels) runs the unit in kernel-select
// mode (templates/mvau/README.md): the unit reorders its window kernel-major (element c*k*k + tap),
// cuts it into chunks of `chunk` elements, and each output channel works only through the chunks
// of its kept kernels (its *compact* vector, keep*k*k elements), so it spends keep*k*k/simd
// instead of C*k*k/simd cycles per neuron fold. Weights are then stored in compact order.
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace bnngen::rtl {

struct KernelSelect {
    int kernel_taps = 1;     // k*k: the unit's KERNEL_TAPS
    int chunk = 1;           // elements per chunk: gcd(simd, k*k), so a chunk never straddles kernels
    int64_t kept_taps = 0;   // keep*k*k elements per output channel (the compact vector)
    int span = 1;            // candidate chunks per slot: dropped chunks + 1
    bool shared = false;     // every neuron fold's pe channels keep the same kernels: one choice per fold step
    // offsets[o][q]: compact chunk q of output channel o is the unit's chunk q + offsets[o][q]
    // (0 <= offset < span; kept chunks are a subsequence, so the offset is the chunks dropped before).
    std::vector<std::vector<int>> offsets;
};

struct MvauPlan {
    int outputs = 0;
    int64_t taps = 0;        // elements per input vector (all input channels)
    int elem_width = 1;      // bits per element: 1, or input.bits for the integer first layer
    bool integer_input = false;
    bool score_mode = false;  // activation none: the unit outputs s + bias
    std::optional<KernelSelect> select;  // structured kernel pruning, cycles skipped
    // Elements each output channel is computed over: the compact vector with `select`, else all taps.
    std::vector<std::vector<uint8_t>> weight;  // [outputs][work()], 1 = +1, in hardware element order
    // Threshold mode: binary layers compare the popcount P of XNOR(w, x) over kept taps,
    // y = 1 iff P >= ceil((T + N) / 2) (clamped to [0, N + 1]); integer layers compare s >= T
    // (T clamped into [-max|s|, max|s| + 1]). Score mode: the biases.
    // Binary score mode computes 2P - TAPS + B, so a pruned layer's biases carry TAPS - N.
    std::vector<int64_t> params;
    int param_width = 2;  // signed bits that hold every entry of params
    int score_width = 0;  // signed bits that hold every reachable s + bias (score mode)

    // Elements per output channel the unit steps through: kept_taps in select mode, else taps.
    [[nodiscard]] int64_t work() const { return select ? select->kept_taps : taps; }
};

MvauPlan plan_mvau(const Network& net, const Layer& layer);

}  // namespace bnngen::rtl
