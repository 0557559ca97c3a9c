// A clock estimate from logic depth, since Yosys does no timing: the longest path between
// registers (and memory and DSP ports) in cells, as Yosys `ltp` counts it on the mapped netlist,
// times a per-family delay per cell plus the register overhead. Every cell on the path counts as a
// level (LUT, MUXF7/8/9, CARRY4/8 alike, though a carry or wide-mux cell is faster than a LUT plus
// its net), so the estimate errs low. docs/report.md states the delays and what they come from.
#pragma once

#include <cstdint>
#include <string>

namespace bnngen::report {

struct LevelDelay {
    double per_level_ns = 0;  // one cell and its net
    double overhead_ns = 0;   // clock to output, setup, clock uncertainty
};

// The delays of a synth_xilinx family ("xc7", "xcu", "xcup", as yosys_family_for_part names them);
// an unknown family gets the 7-series figures (the slowest).
LevelDelay level_delay(const std::string& family);

// 1000 / (overhead + levels * per_level), in MHz; 0 for a negative level count (no path).
double estimated_mhz(int64_t levels, const std::string& family);

}  // namespace bnngen::report
