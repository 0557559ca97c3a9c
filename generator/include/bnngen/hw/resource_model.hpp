// A resource model of the generated design: what `bnngen report` (Yosys synth_xilinx) would
// measure per layer, predicted from the layer's shape, folding, widths, memories and pruning modes
// without generating Verilog or running synthesis, so that a folding search can compare thousands
// of candidate foldings. Each layer's blocks (window generator, unit, spatial_skip, FIFO, ...)
// are reduced to structural features (XNOR-popcount lanes, accumulator bits, weight ROM words x
// bits left to LUTs, window and line-buffer bits, multiplexer inputs, ...) with the parameters the
// generator would give them; LUTs and flip-flops are a non-negative linear combination of those
// features fitted to Yosys 0.23 on sample networks (bench/fit_resource_model.sh), block RAM follows
// the memory placement rule (hw::weights_in_block_ram) and Yosys's RAMB18/RAMB36 mapping.
// Formulas, fit and measured error: docs/report.md, section "Resource model".
#pragma once

#include "bnngen/net/network.hpp"

#include <cstddef>

namespace bnngen::hw {

struct ResourceEstimate {
    double lut = 0;     // logic LUTs + LUTRAM, as `bnngen report` counts them (columns LUT + LUTRAM)
    double ff = 0;
    double bram36 = 0;  // 36 Kb tiles (a RAMB18 counts 0.5)
    ResourceEstimate& operator+=(const ResourceEstimate& o);
};

// Predicted Yosys synth_xilinx resources of net.layers[index] as `bnngen report` attributes them to
// that layer (its blocks), from its shape, folding, widths, memories and pruning modes. Fast (no
// I/O, no Verilog generation): the folding search calls it thousands of times. A max-pool layer
// that an early-decision unit does inside the conv layer before it (pooling pruning) has no blocks
// of its own: 0.
ResourceEstimate estimate_layer_resources(const Network& net, size_t index);

// Every layer plus the top-level rest (streams, FIFOs or AXI-Lite that the report puts in "top-level").
ResourceEstimate estimate_design_resources(const Network& net);

}  // namespace bnngen::hw
