#include "bnngen/report/lut_bound.hpp"

#include "bnngen/hw/cycle_model.hpp"

#include <algorithm>
#include <bit>

namespace bnngen::report {
namespace {

// Bits of an unsigned count up to `max`.
int64_t bits_for(int64_t max) {
    return std::max<int64_t>(1, static_cast<int64_t>(std::bit_width(static_cast<uint64_t>(max))));
}

}  // namespace

int64_t lut_lower_bound(const Network& net, const Layer& layer) {
    if (layer.kind == LayerKind::MaxPool) {
        const int64_t taps = int64_t{layer.kernel} * layer.kernel;
        return int64_t{layer.in.channels} * std::max<int64_t>(1, (taps - 1 + 4) / 5);
    }
    const int64_t pe = layer.fold.pe;
    const int64_t simd = layer.fold.simd;
    const int64_t taps = layer.taps_per_output();
    // A fully parallel layer (one fold step) has its weights and thresholds as constants: no
    // XNOR, no accumulator, the comparison folded into the sum.
    const bool constants = hw::fold_steps(layer) == 1;
    if (layer.integer_input) {
        const int64_t term_bits = int64_t{net.input.bits} + 1;  // +-x
        if (constants) {
            return pe * std::max<int64_t>(1, simd / 2 * term_bits);  // ceil((simd - 1) / 2) additions
        }
        const int64_t max_sum = taps * ((int64_t{1} << net.input.bits) - 1);
        const int64_t acc_bits = bits_for(max_sum) + 1;  // signed
        return pe * ((simd + 1) / 2 * term_bits + 2 * acc_bits);
    }
    if (constants) {
        return pe * std::max<int64_t>(1, (simd + 1) / 2);
    }
    const int64_t acc_bits = bits_for(taps);
    return pe * (simd + 2 * acc_bits);
}

}  // namespace bnngen::report
