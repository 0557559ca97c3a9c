// $readmemh images of the reuse unit's memories (templates/reuse_unit/reuse_unit.v) from a
// hw::ReusePlan: one hex word per line, most significant digit first. Elements are in the unit's
// order (plan.kernel_major: c*k*k + t, else t*C + c), every input channel.
#pragma once

#include "bnngen/hw/similarity_reuse.hpp"
#include "bnngen/net/network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bnngen::rtl {

// [outputs][window bits]: the weight (1 = +1) or the kept flag (1 = the kernel is kept) of each
// output channel on each element of the unit's order.
std::vector<std::vector<uint8_t>> reuse_weight_matrix(const Layer& layer, const hw::ReusePlan& plan);
std::vector<std::vector<uint8_t>> reuse_keep_matrix(const Layer& layer, const hw::ReusePlan& plan);

// STEP_FILE: outputs/pe words of `chunks` bits; bit q of word nf = plan.kept_chunks[nf][q].
std::string reuse_step_image(const hw::ReusePlan& plan);

}  // namespace bnngen::rtl
