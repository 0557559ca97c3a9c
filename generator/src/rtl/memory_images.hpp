// $readmemh images of the matrix-vector-activation unit's memories, in the layout of
// templates/mvau/mvau.v: one hex word per line (line = address), most significant digit first.
#pragma once

#include "mvau_plan.hpp"

#include <string>
#include <vector>

namespace bnngen::rtl {

// FOLD = (outputs/pe) * (taps/simd) words of pe*simd bits: word nf*SF + sf, bit p*simd + i holds
// the weight (1 = +1) of output nf*pe + p on element sf*simd + i.
std::string weight_image(const MvauPlan& plan, int pe, int simd);
// The kept-tap mask in the same layout (1 = kept), for a pruned layer's KEEP_FILE.
std::string keep_image(const MvauPlan& plan, int pe, int simd);

// outputs/pe words of pe*width bits: word nf, bits [p*width +: width] hold values[nf*pe + p] in
// two's complement.
std::string parameter_image(const std::vector<int64_t>& values, int pe, int width);

}  // namespace bnngen::rtl
