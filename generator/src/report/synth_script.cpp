// The Yosys script of the report. Synthesising the generated hierarchy as it is (one module per
// block) optimises nothing across a block's ports, which can cost far more LUTs than the flattened
// design (fmnist_small: +39%, mostly a dense layer's stream_collect -> mvau pair); flattening
// everything loses which layer a cell came from (ABC renames every LUT). So the script first
// moves each layer's block instances into one module per layer (`submod`), keeps those modules
// (the keep_hierarchy attribute) and flattens everything else: a layer's blocks are optimised
// together, only the streams between layers and the top's own logic stay boundaries. The totals
// measured against a flat synthesis are in docs/report.md.
#include "bnngen/report/yosys_netlist.hpp"

#include "bnngen/rtl/verilog_writer.hpp"

#include <fmt/format.h>

namespace bnngen::report {

std::string layer_group_name(const Layer& layer) { return rtl::verilog_identifier(layer.name) + "_layer"; }

std::string synthesis_script(const std::string& top, const std::vector<Layer>& layers,
                             const std::vector<std::string>& sources, const std::string& synth_command) {
    std::string script = "# bnngen report: group each layer's blocks into one module, then synth_xilinx\n";
    script += "read_verilog -defer";
    for (const std::string& source : sources) {
        script += " " + source;
    }
    script += fmt::format("\nhierarchy -top {}\nproc\n", top);
    std::string groups;
    for (const Layer& layer : layers) {
        const std::string prefix = rtl::verilog_identifier(layer.name) + "_";
        // Instances of a layer whose name extends this one (conv1_a_* for conv1) are not conv1's.
        std::string selection = fmt::format("{}/c:{}*", top, prefix);
        for (const Layer& other : layers) {
            const std::string longer = rtl::verilog_identifier(other.name) + "_";
            if (longer.size() > prefix.size() && longer.rfind(prefix, 0) == 0) {
                selection += fmt::format(" {}/c:{}* %d", top, longer);
            }
        }
        script += fmt::format("submod -name {} {}\n", layer_group_name(layer), selection);
        groups += ' ';  // not " " + name: GCC 12 -O3 warns -Wrestrict on that (a false positive)
        groups += layer_group_name(layer);
    }
    script += fmt::format("setattr -mod -set keep_hierarchy 1{}\n", groups);
    script += "flatten\n";
    script += synth_command + "\n";
    script += "tee -q -o ../stat.json stat -json\n";
    // logic depth: the longest path through everything but flip-flops, latches, memories, DSPs and
    // (in the top) the layer modules, which ltp would take for single combinational cells
    script += "tee -q -o ../ltp.txt ltp -noff t:FD* t:LD* t:RAM* t:SRL* t:DSP* t:*_layer %u %u %u %u %u %n\n";
    script += fmt::format("select {}\nwrite_rtlil -selected ../top.il\n", top);
    return script;
}

}  // namespace bnngen::report
