// The LUTs a layer's arithmetic needs at its folding: a floor to hold synthesis results against,
// so that logic that does not follow the arithmetic (wide registers and multiplexers, memories
// mapped to logic) shows up as the distance from it. The formula is in docs/report.md.
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>

namespace bnngen::report {

// Compute layers (conv, dense, with their technique's unit): per PE, one LUT per input bit of
// the XNOR-popcount (binary) or per bit of every second (bits + 1)-bit term of the signed sum
// (integer input: ternary adders), plus two LUTs per accumulator bit (accumulate, then compare
// or add the bias). A layer of one fold step has constant weights and thresholds: half a LUT per
// input bit (binary), one per bit of every second term after the first (integer), nothing else.
// Max-pool: one LUT per 5 more taps OR-ed per channel (a LUT6 chain). Never 0 for a layer.
int64_t lut_lower_bound(const Network& net, const Layer& layer);

}  // namespace bnngen::report
