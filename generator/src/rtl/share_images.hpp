// $readmemh images of the sharing unit's memories (templates/share_unit/share_unit.v) from a
// hw::SharePlan: one hex word per line (line = fold step nf*SF + sf), most significant digit first.
#pragma once

#include "bnngen/hw/result_sharing.hpp"

#include <string>

namespace bnngen::rtl {

// Bits of a selection code's engine field: clog2(engines + 1), at least 1 (value `engines` = none).
int share_select_width(const hw::SharePlan& plan);

// KERNEL_FILE: FOLD words of csimd*engines*(k*k+1) bits; word nf*SF + sf, field
// [((q*E + b)*(KT+1)) +: KT+1] = {used, kernel} of engine b of slot q (channel sf*csimd + q).
std::string share_kernel_image(const hw::SharePlan& plan, int csimd);

// SELECT_FILE: FOLD words of pe*csimd*CW bits, CW = select width + (inverse ? 1 : 0); word
// nf*SF + sf, field [((p*csimd + q)*CW) +: CW] = {inv, engine} of output nf*pe + p on channel
// sf*csimd + q (engine = engines for a pruned kernel).
std::string share_select_image(const hw::SharePlan& plan, int csimd, bool inverse);

}  // namespace bnngen::rtl
