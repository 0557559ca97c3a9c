// The whole hardware flow on random networks: for each seed, random_network(seed) (the schema's
// every option, net/random_network.hpp) is checked for hardware support, generated, built in
// Verilator, fed random images with random stalls on both streams, and compared with the golden
// model: scores, classes, per-layer counters and AXI-Lite registers, under the cycle model's hang
// timeout. Layers drawn with `fold: auto` are first folded by hw::plan_folding, which must meet the
// drawn target (verdict AUTO FOLD otherwise). One line per seed: the network and the verdict.
//
//   bnngen_random_flow --first S --count N [--work DIR] [--images N] [--jobs J] [--with F[+F...]] [--list]
//
// --with runs only the seeds whose network has one layer with all the named features (early,
// threshold, pooling, spatial, keep, stride, pool-stride, dense, share, inverse, reuse, wide-input,
// auto; no-F for its absence); --list
// prints those networks and runs nothing, to plan a soak.
//
// Exit status 0 when every seed passed (or was rejected by check_hardware_support with a located
// error), 1 when any seed failed, 2 on a bad command line.
#include "bnngen/diag/error.hpp"
#include "bnngen/hw/auto_fold.hpp"
#include "bnngen/net/random_network.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/cosim.hpp"
#include "bnngen/sim/verify.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace bnngen;
namespace fs = std::filesystem;

std::string fold_text(const Layer& l, bool was_auto) {
    return fmt::format("fold {}{}/{}", was_auto ? "auto->" : "", l.fold.pe, l.fold.simd);
}

// "in 3x7x9 12b | conv1 17 k5 s2 p1 pad-1 keep3 spatial2 fold 17/15 | ..." — enough to rebuild the
// network by hand from the line alone.
std::string describe(const Network& net, const std::vector<std::string>& auto_layers) {
    std::string text = fmt::format("in {}x{}x{} {}b{}{}", net.input.channels, net.input.height, net.input.width,
                                   net.input.bits,
                                   net.input.pixels_per_beat > 1 ? fmt::format(" {} px/beat", net.input.pixels_per_beat) : "",
                                   net.soc.axi_lite ? "" : " (no AXI-Lite)");
    for (const Layer& l : net.layers) {
        text += " | " + l.name;
        switch (l.kind) {
        case LayerKind::Conv:
            text += fmt::format(" conv {} k{} s{} p{}", l.outputs, l.kernel, l.stride, l.padding);
            if (!l.integer_input) {
                text += fmt::format(" pad{:+}", l.pad_value);
            }
            if (l.keep) {
                text += fmt::format(" keep{}/{}", *l.keep, l.in.channels);
            }
            if (l.spatial) {
                text += fmt::format(" spatial{}", l.spatial->tolerance);
            }
            break;
        case LayerKind::MaxPool: text += fmt::format(" pool k{} s{}", l.kernel, l.stride); break;
        case LayerKind::Dense: text += fmt::format(" dense {}", l.outputs); break;
        }
        if (l.early) {
            text += fmt::format(" early{}{}", l.early->threshold ? " threshold" : "", l.early->pooling ? " pooling" : "");
        }
        if (l.share) {
            text += fmt::format(" share {}", l.share->inverse ? "inverse" : "repeated");
        }
        if (l.reuse) {
            text += fmt::format(" reuse {}", l.reuse->weights ? "weights" : "inputs");
        }
        if (l.is_compute()) {
            const bool was_auto = std::find(auto_layers.begin(), auto_layers.end(), l.name) != auto_layers.end();
            text += fmt::format("{} {}", l.activation == Activation::None ? " scores" : "", fold_text(l, was_auto));
        }
    }
    return text;
}

struct Options {
    uint64_t first = 1;
    uint64_t count = 20;
    fs::path work = fs::temp_directory_path() / "bnngen_random_flow";
    int images = 0;  // 0: as many as fit in about 600 000 cycles, 3 to 12
    int jobs = 2;
    std::string with;  // run only the seeds whose network has a layer with these features (a+b+...)
    std::vector<std::string> features;  // `with`, split
    bool list = false;  // print the networks of the selected seeds, run nothing
};

// A soak aimed at one technique, or at a combination of them on one layer, runs only the seeds whose
// network has a layer with every named feature (--with early+keep+no-stride: an early-decision layer
// with kernel pruning and stride 1).
constexpr std::string_view kFeatures[] = {"early", "threshold", "pooling", "spatial", "keep", "stride", "pool-stride",
                                          "dense", "share", "inverse", "reuse", "wide-input", "auto"};

bool layer_has(const Network& net, size_t i, std::string_view feature) {
    if (feature.starts_with("no-")) {
        return !layer_has(net, i, feature.substr(3));
    }
    const Layer& l = net.layers[i];
    const bool pool_follows = i + 1 < net.layers.size() && net.layers[i + 1].kind == LayerKind::MaxPool;
    if (feature == "early") return l.early.has_value();
    if (feature == "threshold") return l.early.has_value() && l.early->threshold;
    if (feature == "pooling") return l.early.has_value() && l.early->pooling;
    if (feature == "spatial") return l.spatial.has_value();
    if (feature == "keep") return l.keep.has_value() && *l.keep < l.in.channels;
    if (feature == "stride") return l.kind == LayerKind::Conv && l.stride > 1;
    if (feature == "pool-stride") return pool_follows && net.layers[i + 1].stride != net.layers[i + 1].kernel;
    if (feature == "dense") return l.kind == LayerKind::Dense;
    if (feature == "share") return l.share.has_value();
    if (feature == "inverse") return l.share.has_value() && l.share->inverse;
    if (feature == "reuse") return l.reuse.has_value();
    // the first layer reads several pixels per s_axis beat
    if (feature == "wide-input") return i == 0 && net.input.pixels_per_beat > 1;
    if (feature == "auto") return l.fold_auto;
    return false;
}

// "early+keep+no-stride" -> {"early", "keep", "no-stride"}; empty when a feature is unknown.
std::vector<std::string> parse_features(std::string_view with) {
    std::vector<std::string> features;
    while (true) {
        const size_t plus = with.find('+');
        const std::string_view feature = with.substr(0, plus);
        const std::string_view bare = feature.starts_with("no-") ? feature.substr(3) : feature;
        if (std::find(std::begin(kFeatures), std::end(kFeatures), bare) == std::end(kFeatures)) return {};
        features.emplace_back(feature);
        if (plus == std::string_view::npos) return features;
        with.remove_prefix(plus + 1);
    }
}

bool has_features(const Network& net, const std::vector<std::string>& features) {
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (std::all_of(features.begin(), features.end(), [&](const std::string& f) { return layer_has(net, i, f); })) {
            return true;
        }
    }
    return false;
}

// What one seed came to; `detail` says what went wrong.
struct Verdict {
    bool passed = false;
    std::string what;
    std::string detail;
};

// The layers that say `fold: auto`.
std::vector<std::string> auto_folded(const Network& net) {
    std::vector<std::string> names;
    for (const Layer& l : net.layers) {
        if (l.fold_auto) {
            names.push_back(l.name);
        }
    }
    return names;
}

// Folds the `fold: auto` layers as every command does on loading (worst case, no images). The
// drawn network met its target with the foldings it had, so a plan that misses it, or predicts an
// interval above it, is a planner bug.
Verdict fold_automatically(Network& net) {
    const hw::FoldPlan plan = hw::plan_folding(net);
    const std::string what = fmt::format("auto-folded to {} cycles for a target of {}", plan.interval,
                                         plan.target_interval);
    if (!plan.met() || plan.interval > plan.target_interval) {
        return Verdict{false, "AUTO FOLD", fmt::format("{}: {}", what, fmt::join(plan.problems, "; "))};
    }
    return Verdict{true, "ok", what};
}

Verdict run_seed(uint64_t seed, const Network& net, const Options& opt) {
    DiagnosticBag bag;
    if (!rtl::check_hardware_support(net, bag)) {
        return Verdict{true, "rejected by check (hardware support)", bag.all().front().message};
    }
    const rtl::GeneratedDesign design = rtl::generate_design(net, {});
    const fs::path dir = opt.work / fmt::format("seed{}", seed);
    rtl::write_design(design, dir);

    const int64_t interval = std::max<int64_t>(1, design.cycles.interval);
    const int64_t count = opt.images > 0 ? opt.images : std::clamp<int64_t>(600000 / interval, 3, 12);
    io::ImageSet images{count, net.input.channels, net.input.height, net.input.width,
                        random_images(net, count, seed * 7919)};
    sim::CosimOptions cosim;
    cosim.design_dir = dir;
    cosim.build_dir = opt.work / "cache";
    constexpr double kStalls[] = {0.0, 0.1, 0.3, 0.5};
    cosim.stall_in = kStalls[seed % 4];
    cosim.stall_out = kStalls[(seed / 4) % 4];
    cosim.seed = seed;
    cosim.jobs = opt.jobs;
    const sim::CosimResult rtl = sim::run_cosim(design, net, images, cosim);
    const sim::VerifyReport report = sim::compare_with_golden(net, images, {}, rtl);
    std::string stats = fmt::format("{} images, stall {}/{}, interval {} predicted", count, cosim.stall_in,
                                    cosim.stall_out, design.cycles.interval);
    if (rtl.exit_status == 2) {
        return Verdict{false, "HUNG", fmt::format("no output beat for {} cycles ({}): {}", rtl.timeout_cycles, stats, rtl.log)};
    }
    if (rtl.exit_status == 3) {
        return Verdict{false, "FRAMING ERROR", rtl.log};
    }
    if (!report.mismatches.empty()) {
        const sim::Mismatch& m = report.mismatches.front();
        return Verdict{false, "MISMATCH",
                       fmt::format("{} of {} images differ; first: image {}, class {} expected, {} from the RTL ({})",
                                   report.mismatches.size(), report.images_returned, m.image, m.expected_class,
                                   m.actual_class, stats)};
    }
    if (report.images_returned != report.images_sent) {
        return Verdict{false, "LOST IMAGES", fmt::format("{} of {} came back", report.images_returned, report.images_sent)};
    }
    if (!report.counters_match()) {
        std::string which;
        for (const sim::LayerActivity& l : report.layers) {
            if (!l.counters_match()) {
                which += fmt::format(" {}: unit cycles {} expected {}{}, skipped {} expected {};", l.layer,
                                     l.rtl_unit_cycles.value_or(-1), l.early ? ">= " : "", l.expected_unit_cycles,
                                     l.rtl_skipped.value_or(-1), l.skipped);
                if (l.early) {
                    which += fmt::format(" lane steps {} expected {}, positions {} expected {};",
                                         l.rtl_lane_steps.value_or(-1), l.expected_lane_steps,
                                         l.rtl_positions.value_or(-1), l.positions);
                }
            }
        }
        return Verdict{false, "COUNTERS", which};
    }
    if (!report.registers_match()) {
        std::string which;
        for (const sim::RegisterCheck& r : report.registers) {
            if (!r.ok()) {
                which += fmt::format(" {} read {} expected {};", r.name, r.value, r.expected);
            }
        }
        return Verdict{false, "REGISTERS", which};
    }
    return Verdict{true, "ok", stats};
}

bool parse(int argc, char** argv, Options& opt) {
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--list") {
            opt.list = true;
            continue;
        }
        if (i + 1 >= argc) {
            return false;
        }
        const char* value = argv[++i];
        char* end = nullptr;
        const unsigned long long number = std::strtoull(value, &end, 10);
        const bool numeric = end != value && *end == '\0';
        if (flag == "--work") opt.work = value;
        else if (flag == "--first" && numeric) opt.first = number;
        else if (flag == "--count" && numeric) opt.count = number;
        else if (flag == "--images" && numeric) opt.images = static_cast<int>(number);
        else if (flag == "--jobs" && numeric && number > 0) opt.jobs = static_cast<int>(number);
        else if (flag == "--with" && !(opt.features = parse_features(value)).empty()) opt.with = value;
        else return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse(argc, argv, opt)) {
        fmt::print(stderr, "usage: {} --first SEED --count N [--work DIR] [--images N] [--jobs J] "
                           "[--with FEATURE[+FEATURE...]] [--list]\n  features (all on one layer; no-F: without F): {}\n", argv[0],
                   fmt::join(kFeatures, ", "));
        return 2;
    }
    int passed = 0;
    int failed = 0;
    const auto start = std::chrono::steady_clock::now();
    int not_run = 0;
    for (uint64_t seed = opt.first; seed < opt.first + opt.count; ++seed) {
        Verdict verdict;
        Network net = random_network(seed);
        if (!opt.features.empty() && !has_features(net, opt.features)) {
            ++not_run;
            continue;
        }
        const std::vector<std::string> auto_layers = auto_folded(net);
        const std::optional<Verdict> folding =
            auto_layers.empty() ? std::nullopt : std::optional<Verdict>(fold_automatically(net));
        const std::string network = describe(net, auto_layers) + (folding ? " | " + folding->detail : "");
        if (folding && !folding->passed) {
            ++failed;
            fmt::print("seed {}: {}: {}\n", seed, folding->what, network);
            continue;
        }
        if (opt.list) {
            DiagnosticBag bag;
            if (rtl::check_hardware_support(net, bag)) {
                fmt::print("seed {}: {}\n", seed, network);
            }
            continue;
        }
        try {
            verdict = run_seed(seed, net, opt);
        } catch (const InputError& e) {
            verdict = Verdict{false, e.diagnostic().code == "verilator-failed" ? "BUILD FAILED" : "ERROR", e.what()};
        } catch (const std::exception& e) {
            verdict = Verdict{false, "CRASH", e.what()};
        }
        (verdict.passed ? passed : failed) += 1;
        fmt::print("seed {}: {}: {}\n", seed, verdict.what, network);
        if (!verdict.passed || verdict.what != "ok") {
            fmt::print("  {}\n", verdict.detail);
        }
        std::fflush(stdout);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("random flow: seeds {} to {} in {:.0f} s{}\n", opt.first, opt.first + opt.count - 1, seconds,
               opt.with.empty() ? std::string() : fmt::format(" ({} without {} not run)", not_run, opt.with));
    fmt::print("{} passed, {} failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
