// Which Yosys `synth_xilinx -family` a Xilinx part belongs to, from its name (network.yaml's
// target.part): the family decides the primitives the netlist is mapped to (LUT6 + CARRY4/CARRY8,
// RAMB18E1 or E2, DSP48E1 or E2, RAM64M or RAM64M8), so a wrong one would count the wrong cells.
#pragma once

#include <string>

namespace bnngen::report {

// UltraScale+ (xczu*, xcku*p, xcvu*p, xcau*, the Kria xck24/xck26) -> "xcup"; UltraScale (xcku*,
// xcvu* without the p) -> "xcu"; 7 series (xc7*) -> "xc7". The xa (automotive) and xq (defence)
// grades of these parts map like xc. Case does not matter. Anything else throws InputError
// ("unsupported-part") at `file`, naming the part and the families supported.
std::string yosys_family_for_part(const std::string& part, const std::string& file);

}  // namespace bnngen::report
