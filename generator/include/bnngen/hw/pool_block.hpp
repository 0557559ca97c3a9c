#pragma once

#include "bnngen/net/network.hpp"

namespace bnngen::hw {

// A max-pool whose windows do not overlap (stride = kernel; pools have no padding) is ORed on the
// pixel stream as it passes (templates/maxpool_stream: one row of partial results); any other
// (windows that overlap, or gaps between them) goes through the window generator and maxpool_or.
// Both take one pixel per cycle.
inline bool pool_streams(const Layer& l) { return l.kind == LayerKind::MaxPool && l.stride == l.kernel; }

}  // namespace bnngen::hw
