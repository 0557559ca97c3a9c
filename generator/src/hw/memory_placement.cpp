#include "bnngen/hw/memory_placement.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace bnngen::hw {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

int64_t rom_lut_cost(int64_t depth, int64_t width) { return width * ceil_div(depth, 64); }

int64_t bram_tiles(int64_t depth, int64_t width) {
    struct Aspect {
        int64_t depth;
        int64_t width;
    };
    constexpr std::array<Aspect, 7> aspects{{{512, 72}, {1024, 36}, {2048, 18}, {4096, 9},
                                             {8192, 4}, {16384, 2}, {32768, 1}}};
    int64_t best = std::numeric_limits<int64_t>::max();
    for (const Aspect& a : aspects) {
        best = std::min(best, ceil_div(width, a.width) * ceil_div(depth, a.depth));
    }
    return best;
}

bool weights_in_block_ram(int64_t depth, int64_t width) {
    return rom_lut_cost(depth, width) >= kLutsPerBramTile * bram_tiles(depth, width);
}

}  // namespace bnngen::hw
