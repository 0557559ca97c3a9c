// `bnngen fold NET.yaml [--images F] [--rule fewest-luts|finn] [--all] [-o OUT.yaml]`: chooses
// the foldings of the layers with `fold: auto` (or of every layer) for the network's target,
// prints them with the predicted interval and LUTs, and writes the folded description.
#include "cli_common.hpp"

#include "bnngen/analyze/fold_measurement.hpp"
#include "bnngen/hw/auto_fold.hpp"
#include "bnngen/io/atomic_file.hpp"
#include "bnngen/net/folded_yaml.hpp"

#include <fmt/format.h>

#include <optional>

namespace bnngen::cli {

int run_fold(const FoldCommandOptions& opt) {
    auto net = load_or_report(opt.data.yaml, /*resolve_auto_folds=*/false);
    if (!net) {
        return kExitInputError;
    }
    if (opt.images_per_second > 0) {
        net->target.images_per_second = opt.images_per_second;
        net->target.luts = 0;
    }
    if (opt.luts > 0) {
        net->target.luts = opt.luts;
        net->target.images_per_second = 0;
    }
    hw::FoldOptions options;
    options.rule = opt.rule == "finn" ? hw::FoldRule::Finn : hw::FoldRule::FewestLuts;
    options.all_layers = opt.all;
    std::optional<analyze::FoldMeasurement> measurement;
    if (!opt.data.images.empty()) {
        io::ImageSet images;
        std::vector<int> labels;
        if (!load_inputs(opt.data, *net, images, labels)) {
            return kExitInputError;
        }
        measurement.emplace(*net, images);
        options.measured_share = [&measurement](const Network& n, size_t index) { return measurement->share(n, index); };
        fmt::print("measured on {} images\n", images.count);
    }
    const hw::FoldPlan plan = hw::plan_folding(*net, options);
    fmt::print("rule: {}\n", opt.rule == "finn" ? "FINN's (smallest pe*simd meeting the target, every kernel counted)"
                                                 : "fewest predicted LUTs meeting the target");
    fmt::print("{}", hw::format_fold_plan(*net, plan));
    if (!plan.met()) {
        for (const std::string& problem : plan.problems) {
            fmt::print(stderr, "{}: error: target not met: {} [target-not-met]\n", opt.data.yaml, problem);
        }
        return kExitInputError;  // nothing written: a folding that misses its target is not the one asked for
    }
    if (!opt.out.empty()) {
        const std::string header = fmt::format(
            "Folded by `bnngen fold` ({} rule{}{}) from {}.\nTarget: {} cycles/image ({}); predicted interval {} "
            "cycles/image, {:.0f} LUT.",
            opt.rule, opt.all ? ", every layer" : "", opt.data.images.empty() ? "" : ", measured on " + opt.data.images,
            opt.data.yaml, plan.target_interval, plan.target_source, plan.interval, plan.luts);
        io::write_file_atomic(opt.out, folded_network_yaml(*net, opt.out, header));
        fmt::print("wrote {}\n", opt.out);
    }
    return 0;
}

}  // namespace bnngen::cli
