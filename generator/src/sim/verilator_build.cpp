#include "verilator_build.hpp"

#include "bnngen/util/fnv1a.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <system_error>

namespace bnngen::sim {
namespace {

namespace fs = std::filesystem;

// The runtime classes the model links once (VM_GLOBAL_FAST / VM_GLOBAL_SLOW of V<top>_classes.mk):
// verilated, verilated_threads, ... as Verilator chose them for these options.
std::vector<std::string> global_classes(const fs::path& classes_mk) {
    std::ifstream in(classes_mk);
    std::vector<std::string> names;
    std::string line;
    bool in_list = false;
    while (std::getline(in, line)) {
        if (line.rfind("VM_GLOBAL_FAST +=", 0) == 0 || line.rfind("VM_GLOBAL_SLOW +=", 0) == 0) {
            in_list = true;
            continue;
        }
        if (!in_list) {
            continue;
        }
        std::istringstream words(line);
        std::string name;
        words >> name;
        if (name.empty() || name == "\\" || line[0] != '\t') {
            in_list = false;
            continue;
        }
        names.push_back(name);
    }
    return names;
}

// Copies `from` to `to` through a temporary name, so that a build running beside this one never
// sees half an object.
void publish(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    const fs::path partial = to.string() + fmt::format(".part{}", ::getpid());
    if (fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec)) {
        fs::rename(partial, to, ec);
    }
    fs::remove(partial, ec);
}

}  // namespace

CommandResult build_verilator_model(const VerilatorBuild& build) {
    std::string verilate = fmt::format("cd {} && verilator --cc --exe --top-module {} -Mdir obj {}",
                                       shell_quote(build.dir.string()), build.top, build.options);
    for (const std::string& source : build.sources) {
        verilate.append(" ").append(shell_quote(source));
    }
    CommandResult verilated = run_shell(verilate);
    if (verilated.status != 0) {
        return verilated;
    }
    const fs::path obj = build.dir / "obj";
    std::vector<std::string> cached;  // runtime objects copied in: make must not remake them
    std::vector<std::string> made;    // runtime objects this build compiles: kept for the next
    fs::path runtime;
    if (!build.runtime_cache.empty()) {
        const CommandResult version = run_shell("verilator --version");
        runtime = build.runtime_cache /
                  fmt::format("runtime-{:016x}", fnv1a(fnv1a(kFnv1aBasis, version.output), build.runtime_key));
        std::error_code ec;
        fs::create_directories(runtime, ec);
        for (const std::string& name : global_classes(obj / fmt::format("V{}_classes.mk", build.top))) {
            const std::string object = name + ".o";
            if (!ec && fs::exists(runtime / object) && fs::copy_file(runtime / object, obj / object, ec) && !ec) {
                cached.push_back(object);
            } else {
                made.push_back(object);
            }
        }
    }
    // The evaluation code at -O1: Verilator's default -Os takes 1.7x as long to compile (random
    // network 10: 24.7 s against 14.8 s) and simulates no faster. The code run once at start-up
    // (OPT_SLOW: initial blocks, memory images) at -O0: half of a CNV model's C++, and its build
    // falls from 72 s to 54 s.
    std::string make = fmt::format("make -C {} -f V{}.mk -j {} OPT_FAST=-O1 OPT_SLOW=-O0", shell_quote(obj.string()),
                                   build.top, build.jobs);
    for (const std::string& object : cached) {
        make.append(" -o ").append(object);
    }
    CommandResult result = run_shell(make);
    result.output = verilated.output + result.output;
    if (result.status == 0) {
        for (const std::string& object : made) {
            if (fs::exists(obj / object)) {
                publish(obj / object, runtime / object);
            }
        }
    }
    return result;
}

}  // namespace bnngen::sim
