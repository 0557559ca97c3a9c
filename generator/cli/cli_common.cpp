#include "cli_common.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/diag/render.hpp"
#include "bnngen/hw/auto_fold.hpp"
#include "bnngen/net/load.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace bnngen::cli {
namespace {

// `fold: auto` layers folded for the target without images (the data-independent worst case), the
// choice as a note at each layer's `fold`; a missed target is a warning: the network still works.
void fold_auto_layers(bnngen::Network& net, bnngen::DiagnosticBag& bag) {
    std::vector<size_t> autos;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.layers[i].fold_auto) {
            autos.push_back(i);
        }
    }
    if (autos.empty()) {
        return;
    }
    const bnngen::hw::FoldPlan plan = bnngen::hw::plan_folding(net);
    for (const bnngen::hw::LayerFold& lf : plan.layers) {
        if (lf.was_auto) {
            bag.add(bnngen::Diagnostic{bnngen::Severity::Note, "fold-auto", net.layers[lf.index].location_of("fold"), {},
                                       fmt::format("fold: auto of layer '{}': pe {}, simd {} ({} cycles/image at the "
                                                   "worst case; target {} cycles/image: {})",
                                                   lf.layer, lf.chosen.pe, lf.chosen.simd, lf.worst_cycles,
                                                   plan.target_interval, plan.target_source),
                                       {}});
        }
    }
    for (const std::string& problem : plan.problems) {
        bag.warning("target-not-met", net.layers[autos.front()].location_of("fold"), problem);
    }
}

}  // namespace

void print_diagnostics(const bnngen::DiagnosticBag& bag) {
    std::string text = bnngen::render_all(bag);
    std::fputs(text.c_str(), stderr);
}

std::optional<bnngen::Network> load_or_report(const std::string& yaml, bool resolve_auto_folds) {
    bnngen::DiagnosticBag bag;
    auto net = bnngen::load_network(yaml, bag);
    if (net && resolve_auto_folds) {
        fold_auto_layers(*net, bag);
    }
    print_diagnostics(bag);
    if (net) {
        return net;
    }
    fmt::print(stderr, "{}: {} error{} found\n", yaml, bag.error_count(), bag.error_count() == 1 ? "" : "s");
    return std::nullopt;
}

bool load_inputs(const InferOptions& opt, const bnngen::Network& net, bnngen::io::ImageSet& images,
                 std::vector<int>& labels) {
    try {
        images = bnngen::io::load_images(opt.images, net.input.channels, net.input.height, net.input.width,
                                         net.input.bits, opt.limit);
        if (!opt.labels.empty()) {
            labels = bnngen::io::load_labels(opt.labels, net.classes(), opt.limit);
            if (static_cast<int64_t>(labels.size()) < images.count) {
                fmt::print(stderr, "{}: error: expected at least {} labels (one per image), found {} [label-count]\n",
                           opt.labels, images.count, labels.size());
                return false;
            }
            labels.resize(static_cast<size_t>(images.count));
        }
    } catch (const bnngen::InputError& e) {
        std::fputs(bnngen::render(e.diagnostic()).c_str(), stderr);
        return false;
    }
    return true;
}

std::string default_design_dir(const bnngen::Network& net) { return "rtl_out/" + net.name; }

std::optional<bnngen::rtl::GeneratedDesign> generate_into(const bnngen::Network& net, const std::string& yaml,
                                                         const std::string& dir) {
    bnngen::DiagnosticBag bag;
    bool supported = bnngen::rtl::check_hardware_support(net, bag);
    print_diagnostics(bag);
    if (!supported) {
        return std::nullopt;
    }
    bnngen::rtl::GenerateOptions options;
    options.regenerate_command = fmt::format("bnngen generate {} -o {}", yaml, dir);
    auto design = bnngen::rtl::generate_design(net, options);
    bnngen::rtl::write_design(design, dir);
    return design;
}

bnngen::sim::CosimOptions cosim_options(const std::string& dir, const std::string& build_dir, double stall,
                                        uint64_t seed, uint64_t timeout) {
    bnngen::sim::CosimOptions cosim;
    cosim.design_dir = dir;
    cosim.build_dir = build_dir.empty() ? std::filesystem::path(dir).parent_path() / ".sim-cache"
                                        : std::filesystem::path(build_dir);
    cosim.stall_in = stall;
    cosim.stall_out = stall;
    cosim.seed = seed;
    cosim.timeout_cycles = timeout;
    return cosim;
}

}  // namespace bnngen::cli
