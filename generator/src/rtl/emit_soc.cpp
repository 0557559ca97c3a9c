// The system-on-chip side of the top (docs/soc.md): the s_axi_ctrl AXI4-Lite port and the irq output,
// the axi_lite_ctrl block that serves the register map (register_map.hpp), and the gating of the
// streams by its ENABLE and SOFT_RESET bits. With soc: {axi_lite: false} only the plain wiring of
// the streams and the reset remains.
#include "bnngen/rtl/register_map.hpp"
#include "top_emitter.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {
namespace {

struct AxiLitePort {
    const char* direction;
    int width;  // 0: the address width
    const char* name;
};

constexpr AxiLitePort kAxiLitePorts[] = {
    {"input ", 0, "awaddr"}, {"input ", 3, "awprot"},  {"input ", 1, "awvalid"}, {"output", 1, "awready"},
    {"input ", 32, "wdata"}, {"input ", 4, "wstrb"},   {"input ", 1, "wvalid"},  {"output", 1, "wready"},
    {"output", 2, "bresp"},  {"output", 1, "bvalid"},  {"input ", 1, "bready"},  {"input ", 0, "araddr"},
    {"input ", 3, "arprot"}, {"input ", 1, "arvalid"}, {"output", 1, "arready"}, {"output", 32, "rdata"},
    {"output", 2, "rresp"},  {"output", 1, "rvalid"},  {"input ", 1, "rready"},
};

std::string range(int width) { return width == 1 ? std::string(9, ' ') : fmt::format("{:<9}", fmt::format("[{}:0]", width - 1)); }

}  // namespace

// After emit_control, which sets the address width.
void TopEmitter::soc_ports() {
    w_.line("// AXI4-Lite control, status and performance counters: {}_regs.md", design_.top);
    for (const AxiLitePort& p : kAxiLitePorts) {
        const int width = p.width == 0 ? design_.ctrl_address_width : p.width;
        w_.line("{} wire {} s_axi_ctrl_{},", p.direction, range(width), p.name);
    }
    w_.line("output wire {} irq  // interrupt: level, high while IRQ_STATUS & IRQ_ENABLE != 0", range(1));
}

void TopEmitter::input_gating() {
    const int64_t beat_bits = net_.input.pixel_bits() * net_.input.pixels_per_beat;
    if (!net_.soc.axi_lite) {
        w_.line("assign core_rst_n = aresetn;");
        w_.line("assign input_pixels_valid = s_axis_tvalid;");
        w_.line("assign s_axis_tready = input_pixels_ready;");
    } else {
        w_.line("wire ctrl_enable;      // CONTROL.ENABLE");
        w_.line("wire ctrl_soft_reset;  // CONTROL.SOFT_RESET");
        w_.line("// Input is taken only while enabled. During a soft reset it is taken and dropped, so that an");
        w_.line("// upstream DMA in the middle of a transfer can finish it instead of hanging.");
        w_.line("assign input_pixels_valid = s_axis_tvalid & ctrl_enable & ~ctrl_soft_reset;");
        w_.line("assign s_axis_tready = ctrl_soft_reset | (ctrl_enable & input_pixels_ready);");
    }
    w_.line("assign input_pixels_data = s_axis_tdata[{}:0];", beat_bits - 1);
    w_.blank();
}

void TopEmitter::emit_control() {
    if (!net_.soc.axi_lite) {
        w_.line("assign m_axis_tvalid = results_valid;");
        w_.line("assign results_ready = m_axis_tready;");
        w_.line("assign m_axis_tdata = results_data;");
        w_.line("assign m_axis_tlast = results_last;");
        return;
    }
    design_.ctrl_address_width = control_address_width(design_.counters.size());  // every counter is emitted
    w_.line("// a soft reset silences m_axis from its first cycle (the blocks clear one edge later)");
    w_.line("assign m_axis_tvalid = results_valid & ~ctrl_soft_reset;");
    w_.line("assign results_ready = m_axis_tready & ~ctrl_soft_reset;");
    w_.line("assign m_axis_tdata = results_data;");
    w_.line("assign m_axis_tlast = results_last;");
    w_.blank();
    const size_t n = design_.counters.size();
    w_.line("// ---- AXI4-Lite registers (templates/axi_lite_ctrl): counter i at 0x{:02X} + 4 i", kFirstCounterOffset);
    w_.line("wire [{}:0] performance_counters = {{", 32 * n - 1);
    w_.indent();
    for (size_t i = n; i-- > 0;) {
        w_.line("{}{}  // 0x{:02X}", design_.counters[i].signal, i > 0 ? "," : "", kFirstCounterOffset + 4 * i);
    }
    w_.dedent();
    w_.line("}};");
    w_.line("axi_lite_ctrl #(");
    w_.indent();
    w_.line(".ADDR_WIDTH({}),", design_.ctrl_address_width);
    w_.line(".COUNTERS({}),", n);
    w_.line(".VERSION(32'h{:08X}),", generator_version_word());
    w_.line(".NETWORK_HASH(32'h{:08X}),", network_hash(net_));
    w_.line(".BEATS_PER_IMAGE({})", net_.input.beats_per_image());
    w_.dedent();
    w_.line(") ctrl (");
    w_.indent();
    w_.line(".clk(aclk),");
    w_.line(".rst_n(aresetn),");
    for (const AxiLitePort& p : kAxiLitePorts) {
        w_.line(".s_axi_ctrl_{0}(s_axi_ctrl_{0}),", p.name);
    }
    w_.line(".in_valid(s_axis_tvalid),");
    w_.line(".in_ready(s_axis_tready),");
    w_.line(".out_valid(m_axis_tvalid),");
    w_.line(".out_ready(m_axis_tready),");
    w_.line(".out_last(m_axis_tlast),");
    w_.line(".counters(performance_counters),");
    w_.line(".enable(ctrl_enable),");
    w_.line(".soft_reset(ctrl_soft_reset),");
    w_.line(".core_rst_n(core_rst_n),");
    w_.line(".irq(irq)");
    w_.dedent();
    w_.line(");");
    used_blocks.insert("axi_lite_ctrl");
}

}  // namespace bnngen::rtl
