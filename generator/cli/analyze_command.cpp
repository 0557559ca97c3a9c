// `bnngen analyze NET.yaml --images FILE [--limit N] [--rtl] [--json F] [--csv F]`: the pruning
// table of pruning_analysis.hpp on real images, with co-simulated cycles when asked.
#include "cli_common.hpp"

#include "bnngen/analyze/pruning_analysis.hpp"
#include "bnngen/io/atomic_file.hpp"
#include "bnngen/sim/verify.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bnngen::cli {

int run_analyze(const AnalyzeOptions& opt) {
    auto net = load_or_report(opt.data.yaml);
    if (!net) {
        return kExitInputError;
    }
    io::ImageSet images;
    std::vector<int> labels;
    if (!load_inputs(opt.data, *net, images, labels)) {
        return kExitInputError;
    }
    analyze::Analysis analysis = analyze::analyze_pruning(*net, images);
    bool rtl_ok = true;
    if (opt.rtl) {
        const std::string dir = opt.dir.empty() ? default_design_dir(*net) : opt.dir;
        auto design = generate_into(*net, opt.data.yaml, dir);
        if (!design) {
            return kExitInputError;
        }
        io::ImageSet subset = images;
        subset.count = std::min(images.count, opt.rtl_limit);
        subset.pixels.resize(static_cast<size_t>(subset.count) * static_cast<size_t>(images.image_size()));
        auto rtl = sim::run_cosim(*design, *net, subset, cosim_options(dir, opt.build_dir, opt.stall, 1, 0));
        auto report = sim::compare_with_golden(*net, subset, {}, rtl);
        analyze::add_rtl_measurements(analysis, report);
        rtl_ok = report.passed();
        if (!report.counters_match()) {
            fmt::print(stderr, "error: the design's cycle or position counters differ from the golden model's counts\n");
        }
        if (rtl.exit_status != 0) {
            fmt::print(stderr, "error: the simulation did not finish (exit {}):\n{}", rtl.exit_status, rtl.log);
        }
    }
    fmt::print("{}", analyze::format_text(analysis));
    if (!opt.json.empty()) {
        io::write_file_atomic(opt.json, analyze::format_json(analysis));
    }
    if (!opt.csv.empty()) {
        io::write_file_atomic(opt.csv, analyze::format_csv(analysis));
    }
    return rtl_ok ? 0 : kExitInputError;
}

}  // namespace bnngen::cli
