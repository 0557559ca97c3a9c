// `bnngen generate`: a checked network -> the files of a synthesizable Verilog-2005 accelerator
// (top level, memory images, the template blocks it uses, a file list and a report). Generation
// is pure: the same network gives byte-identical files; writing them is a separate step that
// leaves either the complete new design or the old folder, never a mix.
#pragma once

#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/net/network.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace bnngen::rtl {

struct GenerateOptions {
    std::string regenerate_command;  // written into every file's header ("bnngen generate ...")
};

// A performance counter of the generated top: a 32-bit register (wrapping) that simulation reads by
// name. kind: "unit_cycles" (cycles the layer's matrix-vector unit issued fold steps),
// "positions" (windows seen by spatial pruning), "skipped" (of those, skipped).
struct Counter {
    std::string layer;
    std::string kind;
    std::string signal;  // its name in the top module
};

struct GeneratedDesign {
    std::string top;                           // top module name
    std::map<std::string, std::string> files;  // file name -> content
    std::vector<std::string> verilog_sources;  // .v files in compile order (blocks first, top last)
    hw::CycleModel cycles;
    int score_width = 0;  // bits of each class score inside the design (sign-extended to 32 at m_axis)
    int input_beat_width = 0;  // s_axis_tdata bits
    std::vector<Counter> counters;  // since reset, in layer order
    // AXI4-Lite control port s_axi_ctrl_* (docs/soc.md): its address bits, 0 when the design has
    // none (soc: {axi_lite: false}). With it come the `irq` output and the register map.
    int ctrl_address_width = 0;
};

// What the hardware cannot build yet gets an error at the layer (a warning where the design stays
// bit-exact anyway). Call before generate_design; false on error.
bool check_hardware_support(const Network& net, DiagnosticBag& bag);

GeneratedDesign generate_design(const Network& net, const GenerateOptions& options);

// Writes the design into `dir` (created if needed), replacing what was there. The files are first
// written to a temporary folder beside it, which then takes its place. Throws InputError
// ("write-failed") naming the path.
void write_design(const GeneratedDesign& design, const std::filesystem::path& dir);

}  // namespace bnngen::rtl
