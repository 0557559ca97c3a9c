// The Vivado side of a generated design (docs/vivado.md): a Tcl script that creates a project with
// out-of-context synthesis and packages the accelerator as an IP-XACT IP for IP Integrator, and
// the out-of-context clock constraint it uses. Both are written next to the RTL.
#pragma once

#include "bnngen/net/network.hpp"
#include "bnngen/rtl/design.hpp"

#include <map>
#include <string>
#include <string_view>

namespace bnngen::rtl {

// The top's interrupt output (emit_soc.cpp), packaged as the interrupt interface of the same name.
inline constexpr std::string_view kInterruptPort = "irq";

// Files for Vivado, keyed by file name: "<top>_vivado.tcl" and "<top>.xdc". Call once
// design.files and design.verilog_sources are complete: the script adds every Verilog source (in
// compile order) and every memory image (*.hex) of design.files, and nothing else. The headers
// carry options.regenerate_command like the Verilog files do. Pure and deterministic.
std::map<std::string, std::string> vivado_files(const GeneratedDesign& design, const Network& net,
                                                const GenerateOptions& options = {});

}  // namespace bnngen::rtl
