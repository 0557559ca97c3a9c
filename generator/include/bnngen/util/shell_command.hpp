// Running an external tool (Verilator, the simulation, Yosys) through /bin/sh and collecting what
// it printed: one place for the quoting and the exit-status decoding.
#pragma once

#include <string>

namespace bnngen {

struct CommandResult {
    int status = 0;      // exit code; 128 + signal when killed; -1 when the shell could not start
    std::string output;  // stdout and stderr, interleaved
};

// `s` as one single-quoted shell word.
std::string shell_quote(const std::string& s);

// Runs `command` with stderr merged into stdout.
CommandResult run_shell(const std::string& command);

}  // namespace bnngen
