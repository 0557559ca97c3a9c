#include "bnngen/report/resource_report.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/report/lut_bound.hpp"
#include "bnngen/report/timing_estimate.hpp"
#include "bnngen/report/xilinx_family.hpp"
#include "bnngen/report/yosys_netlist.hpp"
#include "yosys_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bnngen::report {
namespace {

namespace fs = std::filesystem;

std::string read_output(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError("yosys-output", path.string(), "expected Yosys to have written this file, found none");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) {
        throw InputError("write-failed", path.string(), "cannot write the file");
    }
}

}  // namespace

Throughput throughput_at(const hw::CycleModel& model, double clock_mhz) {
    Throughput t;
    t.clock_mhz = clock_mhz;
    t.interval_cycles = model.interval;
    t.images_per_second = model.interval > 0 ? clock_mhz * 1e6 / static_cast<double>(model.interval) : 0.0;
    t.latency_cycles = model.latency_bound;
    t.latency_us = clock_mhz > 0 ? static_cast<double>(model.latency_bound) / clock_mhz : 0.0;
    t.bottleneck = model.bottleneck;
    return t;
}

ResourceReport make_resource_report(const Network& net, const ReportOptions& options) {
    ResourceReport report;
    report.network = net.name;
    report.part = net.target.part;
    // Both checks come before generation so that a setup problem costs nothing.
    report.family = yosys_family_for_part(net.target.part, net.source_file);
    const fs::path yosys = detail::find_yosys(options.yosys);

    const rtl::GeneratedDesign design = rtl::generate_design(net, options.generate);
    report.top = design.top;
    report.throughput = throughput_at(design.cycles, net.target.clock_mhz);

    if (options.work_dir.empty()) {
        throw std::invalid_argument("make_resource_report: no work folder given");
    }
    const fs::path work = fs::absolute(options.work_dir);
    const fs::path design_dir = work / "design";
    std::error_code ec;
    fs::create_directories(work, ec);
    if (ec) {
        throw InputError("write-failed", work.string(), fmt::format("cannot create the work folder: {}", ec.message()));
    }
    rtl::write_design(design, design_dir);

    // Yosys runs inside the design folder ($readmemh paths are relative); its outputs go beside it.
    // No I/O buffers: the accelerator is a core inside a system, synthesised out of context.
    report.synth_command = fmt::format("synth_xilinx -top {} -family {} -noiopad -noclkbuf", design.top, report.family);
    const fs::path script = work / "synth.ys";
    write_text(script, synthesis_script(design.top, net.layers, design.verilog_sources, report.synth_command));
    const fs::path stat_file = work / "stat.json";
    const fs::path rtlil_file = work / "top.il";
    const fs::path ltp_file = work / "ltp.txt";
    fs::remove(stat_file, ec);  // a reused work folder must not report the previous run's figures
    fs::remove(rtlil_file, ec);
    fs::remove(ltp_file, ec);
    if (options.before_synthesis) {
        options.before_synthesis(report);
    }
    report.synth_seconds = detail::run_yosys(yosys, design_dir, script, work / "yosys.log");

    const YosysStat stat = parse_stat_json(read_output(stat_file), stat_file.string());
    const std::vector<CellInstance> cells = parse_rtlil_cells(read_output(rtlil_file), design.top, rtlil_file.string());
    Attribution a = attribute_cells(stat, cells, design.top, net.layers, stat_file.string());
    report.yosys_version = stat.creator;
    report.layers = std::move(a.layers);
    report.top_level = std::move(a.top_level);
    report.total = std::move(a.total);
    const std::map<std::string, int64_t> depth = parse_ltp(read_output(ltp_file), ltp_file.string());
    auto set_depth = [&](PartResources& row, const std::string& module) {
        const auto found = depth.find(module);
        if (found != depth.end()) {
            row.logic_levels = found->second;
            row.estimated_mhz = estimated_mhz(found->second, report.family);
        }
        if (row.logic_levels > report.total.logic_levels) {
            report.total.logic_levels = row.logic_levels;
            report.total.estimated_mhz = row.estimated_mhz;
        }
    };
    for (PartResources& row : report.layers) {
        const auto layer = std::find_if(net.layers.begin(), net.layers.end(),
                                        [&](const Layer& l) { return l.name == row.name; });
        if (layer != net.layers.end()) {
            row.lut_bound = lut_lower_bound(net, *layer);
            report.total.lut_bound += row.lut_bound;
            set_depth(row, layer_group_name(*layer));
        }
    }
    set_depth(report.top_level, design.top);
    return report;
}

}  // namespace bnngen::report
