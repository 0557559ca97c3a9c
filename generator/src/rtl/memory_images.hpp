// $readmemh images of the matrix-vector-activation unit's memories, in the layout of
// templates/mvau/mvau.v: one hex word per line (line = address), most significant digit first.
#pragma once

#include "mvau_plan.hpp"

#include <string>
#include <vector>

namespace bnngen::rtl {

// The hex digits of a bit vector (bit 0 = least significant), most significant digit first,
// ceil(size/4) digits: one line of an image, or a Verilog literal's digits.
std::string hex_digits(const std::vector<uint8_t>& bits);

// FOLD = (outputs/pe) * (work/simd) words of pe*simd bits: word nf*SF + sf, bit p*simd + i holds
// the weight (1 = +1) of output nf*pe + p on element sf*simd + i (of its compact vector in
// kernel-select mode).
std::string weight_image(const MvauPlan& plan, int pe, int simd);

// The layout above for any bit matrix [outputs][taps]: word nf*(taps/simd) + sf, bit p*simd + i =
// matrix[nf*pe + p][sf*simd + i].
std::string fold_image(const std::vector<std::vector<uint8_t>>& matrix, int64_t taps, int pe, int simd);

// Kernel-select mode: bits of one chunk offset, ceil(log2(span)) but at least 1.
int select_offset_width(const KernelSelect& sel);
// Kernel-select mode's SELECT_FILE: FOLD words; word nf*SF + sf, bits [(p*M + s)*SW +: SW] hold
// the offset of compact chunk sf*M + s of output nf*pe + p (p = 0 only when shared), M = simd/chunk.
std::string select_image(const MvauPlan& plan, int pe, int simd);

// outputs/pe words of pe*width bits: word nf, bits [p*width +: width] hold values[nf*pe + p] in
// two's complement.
std::string parameter_image(const std::vector<int64_t>& values, int pe, int width);

}  // namespace bnngen::rtl
