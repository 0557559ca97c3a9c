// Building a Verilator model with Verilator's runtime compiled once per cache folder.
//
// `verilator --build` compiles the runtime (verilated.cpp, verilated_threads.cpp, verilated_dpi.cpp,
// and the trace writer when tracing) into every model: about 7 s of a 14 s build of a small design.
// Those objects depend only on Verilator and the compiler flags, so the build here is: verilate;
// copy in the runtime objects an earlier build with the same Verilator and flags left in the cache
// and tell make not to remake them; make; keep the runtime objects this build made for the next.
#pragma once

#include "bnngen/util/shell_command.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace bnngen::sim {

struct VerilatorBuild {
    std::filesystem::path dir;         // the build runs here; the model goes to dir/obj
    std::string top;                   // the top module
    std::string options;               // verilator options (shell words), e.g. -O3 -CFLAGS '...'
    std::vector<std::string> sources;  // relative to dir
    // What, besides Verilator's version, the runtime objects' compilation depends on (the compiler
    // flags and tracing, not per-design include paths).
    std::string runtime_key;
    std::filesystem::path runtime_cache;  // shared between builds; empty: no sharing
    int jobs = 2;
};

// Verilates and compiles; the result of the step that failed, or of make.
CommandResult build_verilator_model(const VerilatorBuild& build);

}  // namespace bnngen::sim
