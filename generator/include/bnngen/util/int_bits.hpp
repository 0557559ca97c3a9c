// Integer widths and roundings the generated hardware is sized by, shared by the MVAU plan
// (rtl/mvau_plan.cpp) and the resource model that predicts it (hw/resource_model.cpp).
#pragma once

#include <cstdint>

namespace bnngen::util {

// Bits of a two's-complement number that holds every value in [lo, hi].
inline int signed_width(int64_t lo, int64_t hi) {
    int bits = 1;
    while (lo < -(int64_t{1} << (bits - 1)) || hi > (int64_t{1} << (bits - 1)) - 1) {
        ++bits;
    }
    return bits;
}

// ceil(v / 2) for negative v too (a threshold T on s = 2P - N becomes P >= ceil((T + N) / 2)).
inline int64_t ceil_half(int64_t v) { return v >= 0 ? (v + 1) / 2 : -((-v) / 2); }

}  // namespace bnngen::util
