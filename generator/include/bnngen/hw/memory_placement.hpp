// Where a read-only memory of the generated design (a unit's weights) should live on a Xilinx
// FPGA. Left alone, synthesis builds a wide memory of a few dozen words from LUTs (a LUT6 holds 64
// words of one bit): at CNV foldings that is a thousand LUTs or more per layer, where a handful of
// block RAM tiles would do. The rule asks for block RAM when every tile it takes replaces at
// least kLutsPerBramTile LUTs; otherwise synthesis chooses (it still picks block RAM for deep
// memories on its own).
#pragma once

#include <cstdint>

namespace bnngen::hw {

// LUTs a 36 Kb block RAM tile must save to be used for a memory (docs/hardware.md).
inline constexpr int64_t kLutsPerBramTile = 64;

// LUT6 cells a depth x width ROM costs in logic: width * ceil(depth / 64) (one LUT6 per bit per
// 64 words; the multiplexers joining them are MUXF7/F8 cells).
int64_t rom_lut_cost(int64_t depth, int64_t width);

// 36 Kb tiles (RAMB36, or two RAMB18) a depth x width ROM needs in the best aspect ratio:
// 512 x 72, 1K x 36, 2K x 18, 4K x 9, 8K x 4, 16K x 2, 32K x 1 per tile.
int64_t bram_tiles(int64_t depth, int64_t width);

// True if the memory should be in block RAM: rom_lut_cost >= kLutsPerBramTile * bram_tiles.
bool weights_in_block_ram(int64_t depth, int64_t width);

}  // namespace bnngen::hw
