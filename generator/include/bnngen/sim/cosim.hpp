// Co-simulation: builds a Verilator model of a generated design with the harness of verif/harness/,
// streams images through it and returns what came out, with cycle stamps. Comparing against the
// golden model is the caller's job (verify.hpp). The Verilator build is cached by the hash of
// everything that goes into it, so re-running on an unchanged design reuses it.
#pragma once

#include "bnngen/io/dataset.hpp"
#include "bnngen/rtl/design.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace bnngen::sim {

struct CosimOptions {
    std::filesystem::path design_dir;  // where the design's files are (the sim runs there: $readmemh)
    std::filesystem::path build_dir;   // Verilator build cache
    double stall_in = 0.0;             // probability that the source withholds a beat in a cycle
    double stall_out = 0.0;            // probability that the sink drops tready in a cycle
    uint64_t seed = 1;
    // No output beat for this long = the pipeline hung. 0: hang_timeout_cycles() of the design.
    uint64_t timeout_cycles = 0;
    std::filesystem::path trace;       // FST waveform, when not empty
    // A design with s_axi_ctrl: soft-reset it after this many input beats, abandon that stream and
    // stream all images again (0: no soft reset). The results are the second stream's.
    uint64_t soft_reset_after = 0;
    int jobs = 2;
};

struct ImageOutput {
    std::vector<int64_t> scores;
    int predicted_class = 0;
    uint64_t first_input_cycle = 0;
    uint64_t last_output_cycle = 0;
};

// A performance counter's value at the end of the run (rtl::Counter; layer names have no spaces).
struct CounterValue {
    std::string layer;
    std::string kind;
    uint64_t value = 0;
};

// A register of s_axi_ctrl read at the end of the run, against the harness's own count of the same
// thing (sim_main.cpp): ID and hash, CONTROL/STATUS, images in/out, cycles, busy and stall cycles,
// the interrupt line before and after clearing IRQ_STATUS.
struct RegisterCheck {
    std::string name;
    uint64_t value = 0;
    uint64_t expected = 0;
    [[nodiscard]] bool ok() const { return value == expected; }
};

struct CosimResult {
    std::vector<ImageOutput> images;  // as many as came back
    int exit_status = 0;              // the simulation's: 0 ok, 2 hung (timeout), 3 framing error
    std::string log;                  // what the simulation printed
    std::vector<CounterValue> counters;  // every counter of the design, in its order
    std::vector<RegisterCheck> registers;  // empty for a design without s_axi_ctrl
    uint64_t timeout_cycles = 0;      // the hang timeout the simulation ran with
    bool rebuilt = false;             // false: the cached Verilator build was reused
    double build_seconds = 0.0;
    double run_seconds = 0.0;
};

// How long a working design can go without an output beat, from the cycle model's worst case (every
// position computed): the latency bound of the first image plus one interval, slowed by the stall
// probabilities of both streams, with a margin of 4 and at least 20 000 cycles. Only a pipeline that
// has really stopped exceeds it.
uint64_t hang_timeout_cycles(const Network& net, double stall_in, double stall_out);

// Throws InputError ("verilator-failed", "simulation-failed") with the tool's output when the
// Verilator build or the simulation cannot run at all.
CosimResult run_cosim(const rtl::GeneratedDesign& design, const Network& net, const io::ImageSet& images,
                      const CosimOptions& options);

}  // namespace bnngen::sim
