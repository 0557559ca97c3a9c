// What one conv or dense layer needs from its matrix-vector-activation unit, in the order the
// hardware streams its inputs: weights, kept taps, thresholds in the domain the unit compares in,
// and the widths of its numbers.
//
// Hardware element order (element j of the unit's input vector):
//   conv:  j = (ky*k + kx)*C + c   (sliding_window: tap-major, then channel)
//   dense: j = (y*W + x)*C + c     (stream_collect of the raster-order pixels)
// while PyTorch orders conv weights [o][c][ky][kx] and dense inputs (c, h, w).
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen::rtl {

struct MvauPlan {
    int outputs = 0;
    int64_t taps = 0;        // elements per input vector (all input channels: pruned ones are masked)
    int elem_width = 1;      // bits per element: 1, or input.bits for the integer first layer
    bool integer_input = false;
    bool score_mode = false;  // activation none: the unit outputs s + bias
    bool pruned = false;      // some tap is masked out: the unit needs its keep mask
    std::vector<std::vector<uint8_t>> weight;  // [outputs][taps], 1 = +1, in hardware element order
    std::vector<std::vector<uint8_t>> kept;    // [outputs][taps], 1 = tap kept (all 1 when unpruned)
    // Threshold mode: binary layers compare the popcount P of XNOR(w, x) over kept taps,
    // y = 1 iff P >= ceil((T + N) / 2) (clamped to [0, N + 1]); integer layers compare s >= T
    // (T clamped into [-max|s|, max|s| + 1]). Score mode: the biases.
    // Binary score mode computes 2P - TAPS + B, so a pruned layer's biases carry TAPS - N.
    std::vector<int64_t> params;
    int param_width = 2;  // signed bits that hold every entry of params
    int score_width = 0;  // signed bits that hold every reachable s + bias (score mode)
};

MvauPlan plan_mvau(const Network& net, const Layer& layer);

}  // namespace bnngen::rtl
