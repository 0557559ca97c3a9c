#include "bnngen/report/lut_bound.hpp"

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
    if (layer.integer_input) {
        const int64_t elem_bits = net.input.bits;
        const int64_t max_sum = taps * ((int64_t{1} << elem_bits) - 1);
        const int64_t acc_bits = bits_for(max_sum) + 1;  // signed
        return pe * (simd * (elem_bits + 1) + 2 * acc_bits);
    }
    const int64_t acc_bits = bits_for(taps);
    return pe * (simd + 2 * acc_bits);
}

}  // namespace bnngen::report
