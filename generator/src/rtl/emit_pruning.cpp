// The parts of the top that structured pruning and spatial pruning add: the spatial_skip block
// in front of a layer's unit with the layer's background constants, and the 32-bit performance
// counters that simulation and the AXI4-Lite registers read (rtl::Counter).
#include "bnngen/hw/cycle_model.hpp"
#include "top_emitter.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bnngen::rtl {
namespace {

// Computed windows, and results, that spatial pruning queues (spatial_skip WINDOW_DEPTH and
// RESULT_DEPTH): two output rows of the layer. The window generator passes skipped windows at one
// per cycle, and a skipped position leaves at one per cycle; through a run of them (background
// rows, the gap between two images) the unit keeps computing only while the window queue holds work
// and the result queue has room. On fmnist_cnv_pruned_lossy the interval is 2.7% above its
// bottleneck's unit cycles with two rows, 4.5% with one, 2.4% with four or more (docs/hardware.md).
int spatial_skip_queue_depth(const Layer& layer) { return std::max(2, 2 * layer.out.width); }

// Decisions kept in order (1 bit each): every position accepted and not yet output, i.e. the
// queued windows, the unit's (up to 3) and the queued results, FOLD cycles each, plus the skipped
// positions scanned meanwhile (one per cycle).
int spatial_skip_order_depth(const Layer& layer) {
    return static_cast<int>((2 * spatial_skip_queue_depth(layer) + 3) * hw::fold_steps(layer) + 6);
}

}  // namespace

void TopEmitter::counter_register(const std::string& layer, const std::string& kind, const std::string& signal,
                                  const std::string& enable) {
    w_.line("// performance counter (wraps): cycles in which {}", enable);
    w_.line("reg [31:0] {} /* verilator public_flat_rd */;", signal);
    w_.line("always @(posedge aclk) begin");
    w_.indent();
    w_.line("if (!core_rst_n) {} <= 32'd0;", signal);
    w_.line("else if ({0}) {1} <= {1} + 32'd1;", enable, signal);
    w_.dedent();
    w_.line("end");
    design_.counters.push_back(Counter{layer, kind, signal});
}

void TopEmitter::emit_spatial_skip(const Layer& layer, size_t index, const std::string& name, const Stream& window,
                                   const Stream& computed, const Stream& result, const Stream& out) {
    const golden::Tensor in_background = golden::input_background(net_, backgrounds_, index);
    const golden::Tensor& out_background = backgrounds_[index];
    std::vector<uint8_t> in_bits(in_background.size());
    for (size_t c = 0; c < in_bits.size(); ++c) {
        in_bits[c] = in_background[c] != 0 ? 1 : 0;
    }
    // The unit's output beat for the background: one bit per channel, or scores of score_width bits.
    const auto per_channel = static_cast<size_t>(result.width / layer.outputs);
    std::vector<uint8_t> out_bits(static_cast<size_t>(result.width));
    for (size_t o = 0; o < out_background.size(); ++o) {
        auto value = static_cast<uint64_t>(out_background[o]);
        for (size_t b = 0; b < per_channel; ++b) {
            out_bits[o * per_channel + b] = static_cast<uint8_t>(b < 64 ? (value >> b) & 1U : value >> 63);
        }
    }
    const std::string positions = name + "_positions";
    const std::string skipped = name + "_skipped_positions";
    w_.line("// spatial pruning: windows with at most {} taps differing from the background are skipped",
            layer.spatial->tolerance);
    w_.line("wire [31:0] {} /* verilator public_flat_rd */;  // windows seen (wraps)", positions);
    w_.line("wire [31:0] {} /* verilator public_flat_rd */;  // of those, skipped (wraps)", skipped);
    instance_head(w_, "spatial_skip",
                  {fmt::format(".PIXEL_WIDTH({})", layer.in.channels),
                   fmt::format(".TAPS({})", layer.kernel * layer.kernel),
                   fmt::format(".TOLERANCE({})", layer.spatial->tolerance),
                   fmt::format(".RESULT_WIDTH({})", result.width), fmt::format(".BACKGROUND_IN({})", bits_literal(in_bits)),
                   fmt::format(".BACKGROUND_OUT({})", bits_literal(out_bits)),
                   fmt::format(".WINDOW_DEPTH({})", spatial_skip_queue_depth(layer)),
                   fmt::format(".RESULT_DEPTH({})", spatial_skip_queue_depth(layer)),
                   fmt::format(".DEPTH({})", spatial_skip_order_depth(layer))},
                  name + "_spatial_skip");
    connect(w_, "in", window, false);
    connect(w_, "unit", computed, false);
    connect(w_, "result", result, false);
    connect(w_, "out", out, false);
    w_.line(".positions({}),", positions);
    w_.line(".skipped({})", skipped);
    instance_tail(w_);
    used_blocks.insert("spatial_skip");
    design_.counters.push_back(Counter{layer.name, "positions", positions});
    design_.counters.push_back(Counter{layer.name, "skipped", skipped});
}

}  // namespace bnngen::rtl
