#include "bnngen/analyze/reuse_analysis.hpp"

#include "bnngen/hw/cycle_model.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace bnngen::analyze {
namespace {

// The reuse unit must save at least this share of mvau's cycles to pay for its change detection,
// chunk multiplexers and state memory (docs/hardware.md, its LUT cost beside mvau).
constexpr double kInputsPays = 1.25;
// Weight reuse is recommended (no unit yet) when this much larger a share of its chunks repeat
// along the kernel order than of the windows' chunks: what a chunk-stepping unit would realize.
constexpr double kWeightsMargin = 0.10;

double ratio(int64_t part, int64_t whole) { return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0; }

}  // namespace

std::vector<size_t> reuse_candidates(const Network& net) {
    std::vector<size_t> out;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        const int64_t window = int64_t{l.in.channels} * l.kernel * l.kernel;
        if (l.kind == LayerKind::Conv && !l.integer_input && l.activation == Activation::Threshold && !l.early &&
            !l.share && window % l.fold.simd == 0) {
            out.push_back(i);
        }
    }
    return out;
}

ReuseLayerAnalysis analyze_reuse_layer(const Layer& layer, const golden::ReuseCount& count, const hw::ReusePlan& plan,
                                       const std::vector<golden::ReuseAlternative>& smaller, double images) {
    ReuseLayerAnalysis r;
    r.layer = layer.name;
    r.enabled = layer.reuse && !layer.reuse->weights;
    r.kernel_major = plan.kernel_major;
    r.simd = plan.simd;
    r.identical_bits = 1.0 - ratio(count.changed_bits, count.window_bits);
    r.identical_chunks = 1.0 - ratio(count.changed_chunks, count.chunks);
    r.inputs_removed = 1.0 - ratio(count.ideal_operations, count.operations);
    const int64_t per_position = int64_t{layer.outputs} * layer.taps_per_output();
    const hw::WeightReuse weights = hw::weight_reuse(layer, plan);
    r.weights_removed = 1.0 - ratio(weights.operations, per_position);
    r.weights_identical_chunks = ratio(weights.identical_chunks, weights.chunks);
    Layer plain = layer;
    plain.reuse.reset();
    const double computed = static_cast<double>(count.positions - count.skipped) / images;
    r.mvau_cycles = computed * static_cast<double>(hw::fold_steps(plain));
    r.unit_cycles = static_cast<double>(count.unit_cycles) / images;
    for (const golden::ReuseAlternative& alt : smaller) {  // largest first: the first that pays
        Layer at = plain;
        at.fold.simd = alt.simd;
        const double speedup = computed * static_cast<double>(hw::fold_steps(at)) /
                               std::max(1.0, static_cast<double>(alt.unit_cycles) / images);
        if (speedup >= kInputsPays) {
            r.pays_at_simd = alt.simd;
            r.pays_speedup = speedup;
            break;
        }
    }
    if (r.realized_speedup() >= kInputsPays) {
        r.recommendation = fmt::format("inputs ({:.2f}x fewer unit cycles at simd {})", r.realized_speedup(), r.simd);
    } else if (r.weights_identical_chunks > r.identical_chunks + kWeightsMargin) {
        r.recommendation = fmt::format("weights ({:.0f}% of chunks repeat along the kernel order against {:.0f}% of "
                                       "windows'; no weights unit yet)",
                                       100.0 * r.weights_identical_chunks, 100.0 * r.identical_chunks);
    } else {
        r.recommendation = fmt::format("none (inputs realizes {:.2f}x at simd {}, below {:.2f}x{})", r.realized_speedup(),
                                       r.simd, kInputsPays,
                                       r.pays_at_simd > 0
                                           ? fmt::format("; at simd {} it would realize {:.2f}x", r.pays_at_simd, r.pays_speedup)
                                           : "");
    }
    return r;
}

std::string format_reuse_text(const std::vector<ReuseLayerAnalysis>& layers) {
    if (layers.empty()) {
        return "";
    }
    std::string out = "similarity reuse (prune.reuse; consecutive computed windows, SimBNN's rule):\n";
    out += fmt::format("{:<10} {:>6} {:<12} {:>9} {:>10} {:>10} {:>10} {:>10} {:>11} {:>11} {:>8}  {}\n", "layer",
                       "simd", "order", "same bits", "same chnk", "inputs ops", "weight ops", "w. chunks", "cyc mvau",
                       "cyc reuse", "speedup", "recommendation");
    for (const ReuseLayerAnalysis& r : layers) {
        out += fmt::format("{:<10} {:>6} {:<12} {:>8.1f}% {:>9.1f}% {:>9.1f}% {:>9.1f}% {:>9.1f}% {:>11.0f} {:>11.0f} "
                           "{:>7.2f}x  {}{}\n",
                           r.layer, r.simd, r.kernel_major ? "kernel-major" : "tap-major", 100.0 * r.identical_bits,
                           100.0 * r.identical_chunks, 100.0 * r.inputs_removed, 100.0 * r.weights_removed,
                           100.0 * r.weights_identical_chunks, r.mvau_cycles, r.unit_cycles, r.realized_speedup(), r.recommendation,
                           r.enabled ? " [enabled]" : "");
    }
    return out;
}

std::string format_reuse_json(const std::vector<ReuseLayerAnalysis>& layers) {
    std::string out = "[";
    for (size_t i = 0; i < layers.size(); ++i) {
        const ReuseLayerAnalysis& r = layers[i];
        out += fmt::format(
            "{}\n    {{\"layer\": \"{}\", \"enabled\": {}, \"order\": \"{}\", \"simd\": {}, \"identical_bits\": {}, "
            "\"identical_chunks\": {}, \"inputs_removed\": {}, \"weights_removed\": {}, "
            "\"weights_identical_chunks\": {}, \"pays_at_simd\": {}, \"pays_speedup\": {}, \"cycles_mvau\": {}, "
            "\"cycles_reuse\": {}, \"recommendation\": \"{}\"}}",
            i == 0 ? "" : ",", r.layer, r.enabled ? "true" : "false", r.kernel_major ? "kernel-major" : "tap-major",
            r.simd, r.identical_bits, r.identical_chunks, r.inputs_removed, r.weights_removed,
            r.weights_identical_chunks, r.pays_at_simd, r.pays_speedup, r.mvau_cycles,
            r.unit_cycles, r.recommendation);
    }
    return out + (layers.empty() ? "]" : "\n  ]");
}

}  // namespace bnngen::analyze
