// The Yosys side of the report: the synthesis script, reading what Yosys wrote, and attributing
// its cells to the network's layers. The generator names a layer's block instances
// `<layer>_<block>` (conv2_sliding_window, conv2_mvau, conv2_fifo, ...); the script moves them into
// one module per layer, `<layer>_layer`, which synthesis keeps while it flattens everything else
// (synth_script.cpp says why). `stat -json` then counts each module's own cells, and the top's
// instance names (from `write_rtlil`) say which layer a module belongs to.
#pragma once

#include "bnngen/net/network.hpp"
#include "bnngen/report/resource_report.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bnngen::report {

// The module (and its instance in the top) that holds `layer`'s blocks during synthesis.
std::string layer_group_name(const Layer& layer);

// The Yosys script, run inside the design folder; it writes ../stat.json (`stat -json`), ../ltp.txt
// (`ltp` over the combinational cells: each module's longest path between registers, memories and
// ports) and ../top.il (the top module's RTLIL). `synth_command` is the synth_xilinx line.
std::string synthesis_script(const std::string& top, const std::vector<Layer>& layers,
                             const std::vector<std::string>& sources, const std::string& synth_command);

// What `stat -json` says. Module and cell type names are as Yosys prints them: public names
// without their leading backslash ("fmnist_small", "FDRE"), generated ones as they are
// ("$paramod$<hash>\mvau").
struct YosysStat {
    std::string creator;  // "Yosys 0.23 (git sha1 ...)"
    // Every module's own cells by type; a sub-module instance counts as one cell of the module's type.
    std::map<std::string, CellCounts> modules;
    // The whole design's cells with every sub-module expanded, when Yosys printed it (stat with a
    // top module, which synth_xilinx -top sets).
    std::optional<CellCounts> design;
};

// Parses `stat -json` output; throws InputError ("yosys-output") naming `file` and what was
// expected. Yosys 0.23 also prints the hierarchy's text lines ("  <module>  <count>") into the
// JSON when a top is set: lines that cannot be part of JSON are dropped before parsing.
YosysStat parse_stat_json(std::string_view text, const std::string& file);

// What `ltp` (longest topological path) printed: module -> cells on its longest path, from the
// lines "Longest topological path in <module> (length=<n>):". Throws InputError naming `file`
// when there is no such line.
std::map<std::string, int64_t> parse_ltp(std::string_view text, const std::string& file);

struct CellInstance {
    std::string type;  // as in YosysStat: no leading backslash for public names
    std::string name;
};

// The cells of `module` in an RTLIL file (`write_rtlil`); throws InputError when the module is
// not in it.
std::vector<CellInstance> parse_rtlil_cells(std::string_view rtlil, const std::string& module, const std::string& file);

// `module`'s cells with every sub-module instance replaced by that module's cells, recursively.
CellCounts expand_module(const YosysStat& stat, const std::string& module, const std::string& file);

struct Attribution {
    std::vector<PartResources> layers;  // one per layer, in network order
    PartResources top_level;            // the top's own cells and instances of no layer
    PartResources total;                // the sum of all rows
};

// Attributes the cells of `top` to `layers`: an instance named `<verilog name of a layer>_...`
// belongs to that layer (the longest such name wins, so conv1_a_mvau goes to conv1_a, not conv1);
// every other instance, and the top's own primitive cells, go to "top-level". Checks that the
// instances agree with the statistics and, when Yosys gave a design total, that the rows add up
// to it exactly; throws InputError naming `file` otherwise.
Attribution attribute_cells(const YosysStat& stat, const std::vector<CellInstance>& top_cells, const std::string& top,
                            const std::vector<Layer>& layers, const std::string& file);

}  // namespace bnngen::report
