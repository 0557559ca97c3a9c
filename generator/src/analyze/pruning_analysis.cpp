#include "bnngen/analyze/pruning_analysis.hpp"

#include "bnngen/golden/background.hpp"
#include "bnngen/golden/early_decision.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/similarity_reuse.hpp"
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/hw/result_sharing.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bnngen::analyze {
namespace {

int64_t positions(const Layer& l) { return l.kind == LayerKind::Conv ? int64_t{l.out.height} * l.out.width : 1; }

// Operations (one weight times one input value) of a layer per image when nothing is pruned.
double dense_ops(const Layer& l) {
    if (l.kind == LayerKind::MaxPool) {
        return 0;
    }
    int64_t per_output = l.kind == LayerKind::Dense ? l.in.size() : int64_t{l.in.channels} * l.kernel * l.kernel;
    return static_cast<double>(positions(l) * l.outputs * per_output);
}

double mvau_cycles(const hw::CycleModel& model, const std::string& layer) {
    for (const hw::LayerCycles& lc : model.layers) {
        if (lc.layer != layer) {
            continue;
        }
        for (const hw::StageCycles& s : lc.stages) {
            if (s.stage == "mvau" || s.stage == "share" || s.stage == "reuse") {
                return static_cast<double>(s.cycles);
            }
        }
    }
    return 0;
}

void accumulate(LayerAnalysis& total, const LayerAnalysis& l) {
    total.dense_ops += l.dense_ops;
    total.kernel_pruned_ops += l.kernel_pruned_ops;
    total.spatial_pruned_ops += l.spatial_pruned_ops;
    total.remaining_ops += l.remaining_ops;
    total.cycles_unpruned += l.cycles_unpruned;
    total.cycles_pruned += l.cycles_pruned;
    total.early_removed_ops += l.early_removed_ops;
    total.early_removed_cycles += l.early_removed_cycles;
    total.share_removed_ops += l.share_removed_ops;
    total.share_unit_removed_ops += l.share_unit_removed_ops;
    if (l.cycles_rtl) {
        total.cycles_rtl = total.cycles_rtl.value_or(0) + *l.cycles_rtl;
    }
}

std::string percent(double part, double whole) { return whole > 0 ? fmt::format("{:.1f}%", 100.0 * part / whole) : "-"; }

std::string optional_number(const std::optional<double>& v, const char* format_missing) {
    return v ? fmt::format("{:.1f}", *v) : std::string(format_missing);
}

}  // namespace

Network unpruned(const Network& net) {
    Network copy = net;
    for (Layer& l : copy.layers) {
        l.keep.reset();
        l.spatial.reset();
        l.early.reset();
        l.share.reset();
        l.reuse.reset();
        if (l.kind == LayerKind::Conv) {
            std::fill(l.kernel_mask.begin(), l.kernel_mask.end(), uint8_t{1});
        }
    }
    return copy;
}

Analysis analyze_pruning(const Network& net, const io::ImageSet& images) {
    Analysis a;
    a.network = net.name;
    a.images = images.count;
    golden::FastModel model(net);
    // Early decision is counted on each layer's input, so those networks keep every layer's output.
    std::vector<golden::EarlyDecisionCount> early(net.layers.size());
    const bool any_early = std::any_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.early.has_value(); });
    const std::vector<golden::Tensor> backgrounds = any_early ? golden::background_vectors(net) : std::vector<golden::Tensor>{};
    // Similarity reuse is counted for every layer that could take it (the recommendation), in
    // stream order from a reset, as the reuse unit sees the images.
    const std::vector<size_t> reuse_layers = reuse_candidates(net);
    golden::ReuseCounter reuse(net, reuse_layers, /*smaller_chunks=*/true);
    for (int64_t i = 0; i < images.count; ++i) {
        if (!any_early && reuse_layers.empty()) {
            model.predict(images.image(i));
            continue;
        }
        const std::vector<golden::Tensor> outputs = model.run_layers(images.image(i));
        if (any_early) {
            golden::add_early_decision_counts(net, outputs, backgrounds, early);
        }
        reuse.add_image(outputs);
    }
    const double n = static_cast<double>(std::max<int64_t>(1, images.count));
    std::vector<double> computed_share(net.layers.size(), 1.0);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        if (l.spatial && images.count > 0) {
            computed_share[i] = 1.0 - static_cast<double>(model.skipped_positions()[i]) /
                                          (static_cast<double>(positions(l)) * n);
        }
        if (l.reuse && !l.reuse->weights && images.count > 0) {  // the reuse unit's share of its worst case
            computed_share[i] = static_cast<double>(reuse.counts()[i].unit_cycles) /
                                (static_cast<double>(positions(l) * hw::fold_steps(l)) * n);
        }
    }
    const Network baseline = unpruned(net);
    const hw::CycleModel before = hw::predict_cycles(baseline);
    // The units' cycles with kernel and spatial pruning (mvau at the same folding), the columns that
    // early decision's removed cycles are counted against ...
    Network without_early = net;
    for (Layer& l : without_early.layers) {
        l.early.reset();
    }
    const hw::CycleModel after = hw::predict_cycles(without_early, computed_share);
    // ... and the pipeline with early decision too: each early unit at its busiest lane's share of
    // its worst case (hw/cycle_model.hpp).
    std::vector<double> share_with_early = computed_share;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.layers[i].early) {
            share_with_early[i] = static_cast<double>(early[i].busiest_lane_steps()) /
                                  (n * static_cast<double>(hw::early_worst_cycles(net, i)));
        }
    }
    a.interval_unpruned = before.interval;
    a.interval_pruned = hw::predict_cycles(net, share_with_early).interval;
    a.total.layer = "total";
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        LayerAnalysis la;
        la.layer = l.name;
        la.kind = std::string(layer_kind_name(l.kind));
        la.in_channels = l.in.channels;
        la.kept_channels = l.kind == LayerKind::Conv ? l.kept_channels() : l.in.channels;
        la.skipped_share = 1.0 - computed_share[i];
        la.shared = l.share.has_value();
        la.dense_ops = dense_ops(l);
        if (l.kind == LayerKind::Conv) {
            la.kernel_pruned_ops = la.dense_ops * static_cast<double>(l.in.channels - l.kept_channels()) /
                                   static_cast<double>(l.in.channels);
        }
        la.remaining_ops = static_cast<double>(model.operations()[i]) / n;
        la.spatial_pruned_ops = std::max(0.0, la.dense_ops - la.kernel_pruned_ops - la.remaining_ops);
        la.cycles_unpruned = mvau_cycles(before, l.name);
        la.cycles_pruned = mvau_cycles(after, l.name);
        if (l.early) {
            la.early_removed_ops = static_cast<double>(early[i].operations - early[i].ideal_operations) / n;
            la.early_removed_cycles = static_cast<double>(early[i].unit_cycles - early[i].decoupled_cycles) / n;
        }
        if (l.share) {
            const hw::SharePlan plan = hw::plan_result_sharing(l);
            const double kept = static_cast<double>(std::max<int64_t>(1, plan.kept_kernels));
            la.share_removed_ops = la.remaining_ops * static_cast<double>(plan.kept_kernels - plan.layer_classes) / kept;
            la.share_unit_removed_ops =
                la.remaining_ops * static_cast<double>(plan.kept_kernels - plan.fold_classes) / kept;
        }
        accumulate(a.total, la);
        a.layers.push_back(std::move(la));
    }
    for (size_t i : reuse_layers) {
        a.reuse.push_back(analyze_reuse_layer(net.layers[i], reuse.counts()[i], *reuse.plan(i), reuse.alternatives(i), n));
    }
    return a;
}

void add_rtl_measurements(Analysis& analysis, const sim::VerifyReport& report) {
    const double n = static_cast<double>(std::max<int64_t>(1, report.images_returned));
    analysis.total.cycles_rtl.reset();
    for (LayerAnalysis& la : analysis.layers) {
        for (const sim::LayerActivity& activity : report.layers) {
            if (activity.layer == la.layer && activity.rtl_unit_cycles) {
                la.cycles_rtl = static_cast<double>(*activity.rtl_unit_cycles) / n;
            }
        }
        if (la.cycles_rtl) {
            analysis.total.cycles_rtl = analysis.total.cycles_rtl.value_or(0) + *la.cycles_rtl;
        }
    }
    if (report.measured_interval > 0) {
        analysis.interval_rtl = report.measured_interval;
    }
    analysis.rtl_images = report.images_returned;
    analysis.rtl_mismatches = static_cast<int64_t>(report.mismatches.size());
}

std::string format_text(const Analysis& a) {
    std::string out = fmt::format("network: {}, {} images (golden model){}\n", a.network, a.images,
                                  a.rtl_images ? fmt::format(", {} co-simulated", *a.rtl_images) : "");
    const bool any_early = a.total.early_removed_ops > 0 || a.total.early_removed_cycles > 0;
    const bool any_share = std::any_of(a.layers.begin(), a.layers.end(), [](const LayerAnalysis& l) { return l.shared; });
    out += fmt::format("{:<10} {:<7} {:>7} {:>13} {:>12} {:>12} {:>8} {:>13} {:>11} {:>11} {:>11}{}{}\n", "layer",
                       "type", "kernels", "dense ops", "kernel-pr.", "spatial-pr.", "skipped", "remaining ops",
                       "cyc dense", "cyc pruned", "cyc RTL",
                       any_early ? fmt::format(" {:>10} {:>10}", "early ops", "early cyc") : "",
                       any_share ? fmt::format(" {:>10} {:>10}", "share ops", "share unit") : "");
    auto row = [&](const LayerAnalysis& l, bool is_total) {
        std::string kernels = l.kind == "conv" ? fmt::format("{}/{}", l.kept_channels, l.in_channels) : "-";
        std::string skipped = l.kind == "conv" && !is_total ? fmt::format("{:.1f}%", 100.0 * l.skipped_share) : "-";
        out += fmt::format("{:<10} {:<7} {:>7} {:>13.0f} {:>12} {:>12} {:>8} {:>13.0f} {:>11.0f} {:>11.0f} {:>11}{}{}\n",
                           l.layer, is_total ? "" : l.kind, is_total ? "" : kernels, l.dense_ops,
                           percent(l.kernel_pruned_ops, l.dense_ops), percent(l.spatial_pruned_ops, l.dense_ops),
                           is_total ? "" : skipped, l.remaining_ops, l.cycles_unpruned, l.cycles_pruned,
                           optional_number(l.cycles_rtl, "-"),
                           any_early ? fmt::format(" {:>10} {:>10}", percent(l.early_removed_ops, l.remaining_ops),
                                                   percent(l.early_removed_cycles, l.cycles_pruned))
                                     : "",
                           any_share ? fmt::format(" {:>10} {:>10}", percent(l.share_removed_ops, l.remaining_ops),
                                                   percent(l.share_unit_removed_ops, l.remaining_ops))
                                     : "");
    };
    for (const LayerAnalysis& l : a.layers) {
        row(l, false);
    }
    row(a.total, true);
    out += fmt::format("operations: {:.0f} -> {:.0f} per image ({:.2f}x fewer)\n", a.total.dense_ops,
                       a.total.remaining_ops, a.ops_reduction());
    out += fmt::format("matrix-vector unit cycles (sum over layers): {:.0f} -> {:.0f} per image ({:.2f}x fewer){}\n",
                       a.total.cycles_unpruned, a.total.cycles_pruned, a.cycle_speedup(),
                       a.total.cycles_rtl ? fmt::format(", co-simulation {:.0f} ({:.2f}x fewer)", *a.total.cycles_rtl,
                                                        a.total.cycles_unpruned / std::max(1.0, *a.total.cycles_rtl))
                                          : "");
    out += fmt::format("pipeline interval: {} -> {} cycles per image ({:.2f}x){}\n", a.interval_unpruned,
                       a.interval_pruned, a.interval_speedup(),
                       a.interval_rtl ? fmt::format(", co-simulation {:.1f}", *a.interval_rtl) : "");
    if (any_early) {
        out += fmt::format("early decision (prune.early): {:.0f} operations per image "
                           "removed by an ideal per-neuron early exit ({} of the remaining), {:.0f} unit cycles by "
                           "the early-decision unit's decoupled lanes ({} of the pruned cycles)\n",
                           a.total.early_removed_ops, percent(a.total.early_removed_ops, a.total.remaining_ops),
                           a.total.early_removed_cycles, percent(a.total.early_removed_cycles, a.total.cycles_pruned));
    }
    if (any_share) {
        double shared_ops = 0;
        for (const LayerAnalysis& l : a.layers) {
            shared_ops += l.shared ? l.remaining_ops : 0;
        }
        out += fmt::format("result sharing (prune.share): {:.0f} operations per image removed by computing each "
                           "distinct 2-D kernel once per input channel ({} of the shared layers', {} of all remaining), "
                           "{:.0f} by the sharing units, which share among the pe lanes of a fold ({}, {})\n",
                           a.total.share_removed_ops, percent(a.total.share_removed_ops, shared_ops),
                           percent(a.total.share_removed_ops, a.total.remaining_ops), a.total.share_unit_removed_ops,
                           percent(a.total.share_unit_removed_ops, shared_ops),
                           percent(a.total.share_unit_removed_ops, a.total.remaining_ops));
    }
    out += format_reuse_text(a.reuse);
    if (a.rtl_mismatches) {
        out += fmt::format("co-simulation mismatches against the golden model: {} of {} images\n", *a.rtl_mismatches,
                           *a.rtl_images);
    }
    return out;
}

namespace {

// Shortest text that reads back as the same double (integral counts print as integers).
std::string json_number(double v) { return fmt::format("{}", v); }

std::string json_layer(const LayerAnalysis& l) {
    return fmt::format(
        "{{\"layer\": \"{}\", \"type\": \"{}\", \"kept_kernels\": {}, \"in_channels\": {}, \"skipped_share\": {}, "
        "\"dense_ops\": {}, \"kernel_pruned_ops\": {}, \"spatial_pruned_ops\": {}, \"remaining_ops\": {}, "
        "\"cycles_unpruned\": {}, \"cycles_pruned\": {}, \"cycles_rtl\": {}, \"early_removed_ops\": {}, "
        "\"early_removed_cycles\": {}, \"share_removed_ops\": {}, \"share_unit_removed_ops\": {}}}",
        l.layer, l.kind, l.kept_channels, l.in_channels, json_number(l.skipped_share), json_number(l.dense_ops),
        json_number(l.kernel_pruned_ops), json_number(l.spatial_pruned_ops), json_number(l.remaining_ops),
        json_number(l.cycles_unpruned), json_number(l.cycles_pruned), l.cycles_rtl ? json_number(*l.cycles_rtl) : "null",
        json_number(l.early_removed_ops), json_number(l.early_removed_cycles), json_number(l.share_removed_ops),
        json_number(l.share_unit_removed_ops));
}

}  // namespace

std::string format_json(const Analysis& a) {
    // Layer and network names are identifiers (checked on load): nothing in them needs escaping.
    std::string out = fmt::format("{{\n  \"network\": \"{}\",\n  \"images\": {},\n  \"layers\": [\n", a.network, a.images);
    for (size_t i = 0; i < a.layers.size(); ++i) {
        out += "    " + json_layer(a.layers[i]) + (i + 1 < a.layers.size() ? ",\n" : "\n");
    }
    out += "  ],\n  \"total\": " + json_layer(a.total) + ",\n";
    out += fmt::format("  \"ops_reduction\": {},\n  \"cycle_speedup\": {},\n", json_number(a.ops_reduction()),
                       json_number(a.cycle_speedup()));
    out += fmt::format("  \"interval_unpruned\": {},\n  \"interval_pruned\": {},\n  \"interval_rtl\": {},\n",
                       a.interval_unpruned, a.interval_pruned, a.interval_rtl ? json_number(*a.interval_rtl) : "null");
    out += fmt::format("  \"reuse\": {},\n", format_reuse_json(a.reuse));
    out += fmt::format("  \"rtl_images\": {},\n  \"rtl_mismatches\": {}\n}}\n",
                       a.rtl_images ? fmt::format("{}", *a.rtl_images) : "null",
                       a.rtl_mismatches ? fmt::format("{}", *a.rtl_mismatches) : "null");
    return out;
}

std::string format_csv(const Analysis& a) {
    std::string out = "layer,type,kept_kernels,in_channels,skipped_share,dense_ops,kernel_pruned_ops,spatial_pruned_ops,"
                      "remaining_ops,cycles_unpruned,cycles_pruned,cycles_rtl,early_removed_ops,early_removed_cycles,"
                      "share_removed_ops,share_unit_removed_ops\n";
    auto row = [&](const LayerAnalysis& l) {
        out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", l.layer, l.kind, l.kept_channels, l.in_channels,
                           json_number(l.skipped_share), json_number(l.dense_ops), json_number(l.kernel_pruned_ops),
                           json_number(l.spatial_pruned_ops), json_number(l.remaining_ops),
                           json_number(l.cycles_unpruned), json_number(l.cycles_pruned),
                           l.cycles_rtl ? json_number(*l.cycles_rtl) : "", json_number(l.early_removed_ops),
                           json_number(l.early_removed_cycles), json_number(l.share_removed_ops),
                           json_number(l.share_unit_removed_ops));
    };
    for (const LayerAnalysis& l : a.layers) {
        row(l);
    }
    row(a.total);
    return out;
}

}  // namespace bnngen::analyze
