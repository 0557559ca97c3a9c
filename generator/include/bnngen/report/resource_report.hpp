// `bnngen report`: what a generated design costs on an FPGA and how fast it streams. The design is
// synthesised by Yosys `synth_xilinx` with each layer's blocks grouped into one module, so that
// every cell can be attributed to its layer (yosys_netlist.hpp); the throughput is the cycle
// model's at the target clock. Yosys's figures are estimates: Vivado's will differ (docs/report.md).
#pragma once

#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/net/network.hpp"
#include "bnngen/rtl/design.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bnngen::report {

// The FPGA resources the report shows, counted from the cells of a synthesised netlist
// (which cell counts as what: cell_resources.cpp and docs/report.md).
struct Resources {
    int64_t lut = 0;     // LUT1..LUT6 cells (logic only)
    int64_t ff = 0;      // flip-flops FDRE/FDSE/FDCE/FDPE (and _1 variants) and latches LDCE/LDPE
    int64_t ramb18 = 0;  // RAMB18E1/E2, FIFO18E1
    int64_t ramb36 = 0;  // RAMB36E1/E2, FIFO36E1
    int64_t dsp = 0;     // DSP48E1/E2
    int64_t lutram = 0;  // LUTs used as memory (distributed RAM, SRL shift registers), in LUTs

    Resources& operator+=(const Resources& other);
    friend bool operator==(const Resources&, const Resources&) = default;
};

// Cell type -> number of cells (primitives only, sub-module instances expanded).
using CellCounts = std::map<std::string, int64_t>;

// The resources of a set of primitive cells; types in no column (CARRY4, MUXF7, INV, ...) count nothing.
Resources resources_of(const CellCounts& cells);

// One row of the report: a layer, the top-level rest, or the total.
struct PartResources {
    std::string name;                    // layer name, "top-level" or "total"
    std::string kind;                    // conv, maxpool, dense; empty for top-level and total
    std::vector<std::string> instances;  // the top module's instances attributed to it
    CellCounts cells;
    Resources resources;
    // The LUTs the layer's arithmetic needs at its folding (lut_bound.hpp); the sum over the
    // layers in the total, 0 for the top-level rest.
    int64_t lut_bound = 0;
    // Cells on the longest path between registers (Yosys ltp; the total: the deepest row), and
    // the clock that suggests for the family (timing_estimate.hpp); -1 and 0 when not measured.
    int64_t logic_levels = -1;
    double estimated_mhz = 0;
};

// The cycle model's figures at a clock.
struct Throughput {
    double clock_mhz = 0;
    int64_t interval_cycles = 0;   // cycles between images in steady state
    double images_per_second = 0;  // clock / interval
    int64_t latency_cycles = 0;    // the model's bound, first pixel in to last result beat out
    double latency_us = 0;
    std::string bottleneck;        // the layer that sets the interval
};

Throughput throughput_at(const hw::CycleModel& model, double clock_mhz);

struct ResourceReport {
    std::string network;
    std::string part;
    std::string family;         // synth_xilinx -family
    std::string top;            // top module
    std::string yosys_version;  // as Yosys names itself ("Yosys 0.23 (git sha1 ...)")
    std::string synth_command;  // the synthesis command run
    std::vector<PartResources> layers;  // every layer of the network, in order
    PartResources top_level;    // cells outside every layer's instances
    PartResources total;        // layers + top-level, equal to Yosys's own design total
    Throughput throughput;
    double synth_seconds = 0;
};

struct ReportOptions {
    // The design is written to <work_dir>/design, Yosys's script, log and statistics beside it.
    std::filesystem::path work_dir;
    std::string yosys = "yosys";  // looked up on PATH unless it contains a '/'
    rtl::GenerateOptions generate;
    // Called once the part and Yosys are known good, just before the (minutes long) synthesis,
    // with the report's network, part, family, top and synth_command filled in.
    std::function<void(const ResourceReport&)> before_synthesis;
};

// Generates the design of a checked network (rtl::check_hardware_support passed), synthesises it
// and attributes the cells. Throws InputError: a part Yosys has no family for (naming network.yaml),
// Yosys not found (how to install it), Yosys failed (the tail of its log), Yosys output that cannot
// be read (naming the file).
ResourceReport make_resource_report(const Network& net, const ReportOptions& options);

// The report as a Markdown table of the layers (LUT, the LUT lower bound and LUT / bound, FF,
// RAMB18, RAMB36, DSP, LUTRAM) and the throughput; and as JSON (every figure, the cells by type of each row).
std::string format_markdown(const ResourceReport& report);
std::string format_json(const ResourceReport& report);

}  // namespace bnngen::report
