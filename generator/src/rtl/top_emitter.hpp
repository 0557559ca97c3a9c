// The writer of the network-specific top module, shared by the files that emit its parts:
// emit_top.cpp (ports, layers, output), emit_early.cpp, emit_share.cpp and emit_reuse.cpp (the units of
// early decision, result sharing and similarity reuse), emit_pruning.cpp (spatial pruning, performance counters),
// emit_soc.cpp (the AXI4-Lite control block and the gating it needs).
#pragma once

#include "bnngen/hw/cycle_model.hpp"

#include "bnngen/golden/background.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/rtl/verilog_writer.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace bnngen::rtl {

// A valid/ready/data stream between two stages.
struct Stream {
    std::string name;
    int64_t width = 0;
};

void declare(VerilogWriter& w, const Stream& s, const std::string& what);
void connect(VerilogWriter& w, const std::string& port, const Stream& s, bool last);
// "module #(params) name (" plus the clock and the datapath reset (core_rst_n).
void instance_head(VerilogWriter& w, const std::string& module, const std::vector<std::string>& params,
                   const std::string& name);
void instance_tail(VerilogWriter& w);
// A parameter value of bits.size() bits, bit b = bits[b], as a Verilog sized hex literal.
std::string bits_literal(const std::vector<uint8_t>& bits);

class TopEmitter {
public:
    TopEmitter(const Network& net, const GenerateOptions& options, GeneratedDesign& design)
        : net_(net), options_(options), design_(design), cycles_(hw::predict_cycles(net)) {}

    void emit();

    std::set<std::string> used_blocks;

private:
    void header();
    void ports();
    void soc_ports();
    void input_gating();
    Stream emit_layer(const Layer& layer, size_t index, const Stream& in);
    // Several pixels per s_axis beat in front of a window block: one pixel per beat (stream_unpack).
    Stream emit_unpack(const Stream& beats);
    Stream emit_window(const Layer& layer, const std::string& name, const Stream& in, int kernel, int stride, int padding,
                       int pad_value);
    Stream emit_conv(const Layer& layer, size_t index, const std::string& name, const Stream& in);
    Stream emit_pool(const Layer& layer, const std::string& name, const Stream& in);
    Stream emit_dense(const Layer& layer, size_t index, const std::string& name, const Stream& in);
    Stream emit_unit(const Layer& layer, const std::string& name, const Stream& in);
    // A threshold unit beside mvau (share_unit, reuse_unit): the window stream in, output bits out,
    // `issuing` into the layer's unit_cycles counter, and one 32-bit counter port of its own.
    struct UnitCounter {
        std::string port;     // the unit's output port
        std::string kind;     // rtl::Counter::kind, as verify knows it
        std::string meaning;  // for the wire's comment
    };
    Stream threshold_unit(const Layer& layer, const std::string& name, const std::string& module,
                          const std::vector<std::string>& parameters, const Stream& in, const UnitCounter& counter);
    // emit_share.cpp: the sharing unit of a conv layer with result sharing
    Stream emit_share(const Layer& layer, const std::string& name, const Stream& in);
    // emit_reuse.cpp: the reuse unit of a conv layer with similarity reuse of input windows
    Stream emit_reuse(const Layer& layer, const std::string& name, const Stream& in);
    // emit_early.cpp: a layer with early decision (with pooling, the max-pool after it too)
    Stream emit_early(const Layer& layer, size_t index, const std::string& name, const Stream& in);
    void emit_spatial_skip(const Layer& layer, size_t index, const std::string& name, const Stream& window,
                           const Stream& computed, const Stream& result, const Stream& out);
    void counter_register(const std::string& layer, const std::string& kind, const std::string& signal,
                          const std::string& enable);
    void emit_output(const Stream& last);
    void emit_control();

    const Network& net_;
    const GenerateOptions& options_;
    GeneratedDesign& design_;
    hw::CycleModel cycles_;  // every position computed: what the folding and the FIFOs are sized by
    VerilogWriter w_;
    std::vector<golden::Tensor> backgrounds_;  // per layer output (DESIGN.md 4.2)
    bool pooled_by_early_ = false;  // the layer just emitted did the next max-pool (pooling pruning)
};

}  // namespace bnngen::rtl
