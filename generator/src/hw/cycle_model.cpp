#include "bnngen/hw/cycle_model.hpp"

#include "bnngen/hw/similarity_reuse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace bnngen::hw {
namespace {

// One MVAU computes an input vector in (outputs / pe) * (taps / simd) cycles, where taps are the
// elements each output channel is computed over: keep*k*k for a kernel-pruned conv (the unit steps
// only through kept kernels). `computed` of `vectors` are computed on average; the rest are skipped
// by spatial pruning and cost the unit nothing. The average is not rounded to whole vectors before
// it is multiplied: that would put the prediction up to FOLD/2 cycles off the counted mean.
StageCycles mvau_stage(const Layer& l, int64_t vectors, double computed) {
    if (l.reuse && !l.reuse->weights) {
        // `computed` is the measured share of the reuse unit's worst case (every chunk changed).
        const ReusePlan plan = plan_similarity_reuse(l);
        return StageCycles{"reuse", std::llround(computed * static_cast<double>(plan.worst_steps)),
                           fmt::format("{:.1f} of {} worst-case vectors x {} steps ({} folds x {} chunks of {} bits; unchanged "
                                       "chunks skipped)",
                                       computed, vectors, plan.worst_steps, plan.folds, plan.chunks, plan.simd)};
    }
    const int64_t taps = fold_steps(l) / (l.outputs / l.fold.pe) * l.fold.simd;
    std::string pruned = l.kept_channels() < l.in.channels && l.kind == LayerKind::Conv
                             ? fmt::format(" (kernels kept {}/{}{})", l.kept_channels(), l.in.channels,
                                           l.share ? ", every channel stepped" : "")
                             : "";
    std::string positions = computed == static_cast<double>(vectors)
                                ? fmt::format("{} vectors", vectors)
                                : fmt::format("{:.1f} of {} vectors computed", computed, vectors);
    return StageCycles{l.share ? "share" : "mvau", std::llround(computed * static_cast<double>(fold_steps(l))),
                       fmt::format("{} x {}/{} x {}/{}{}", positions, l.outputs, l.fold.pe, taps, l.fold.simd, pruned)};
}

int64_t pixels(const Shape& s) { return int64_t{s.height} * s.width; }

// The sliding-window block scans the image plus the padding rows below and columns to the right
// that its last windows reach, one position per cycle (templates/sliding_window/README.md).
StageCycles window_stage(const Layer& l, int padding, const char* name) {
    auto extra = [&](int in, int out) {
        return std::max(0, (out - 1) * l.stride + l.kernel - padding - in);
    };
    int64_t rows = l.in.height + extra(l.in.height, l.out.height);
    int64_t cols = l.in.width + extra(l.in.width, l.out.width);
    return StageCycles{name, rows * cols, fmt::format("{} x {} scanned positions", rows, cols)};
}

// stream_collect takes one bubble per group: COUNT + 1 cycles; the first layer collects the
// s_axis beats, several pixels each.
StageCycles collect_stage(const Network& net, const Layer& l) {
    const bool first = &l == &net.layers.front();
    if (!first || net.input.pixels_per_beat == 1) {
        return StageCycles{"collect", pixels(l.in) + 1, fmt::format("{} x {} input pixels + 1", l.in.height, l.in.width)};
    }
    return StageCycles{"collect", net.input.beats_per_image() + 1,
                       fmt::format("{} input beats of {} pixels + 1", net.input.beats_per_image(), net.input.pixels_per_beat)};
}

LayerCycles layer_cycles(const Network& net, const Layer& l, double computed_share) {
    LayerCycles lc;
    lc.layer = l.name;
    switch (l.kind) {
    case LayerKind::Conv: {
        lc.stages.push_back(window_stage(l, l.padding, "window"));
        int64_t positions = pixels(l.out);
        const double computed = std::clamp(computed_share, 0.0, 1.0) * static_cast<double>(positions);
        lc.stages.push_back(mvau_stage(l, positions, computed));
        break;
    }
    case LayerKind::MaxPool:
        lc.stages.push_back(window_stage(l, 0, "pool"));
        break;
    case LayerKind::Dense:
        lc.stages.push_back(collect_stage(net, l));
        lc.stages.push_back(mvau_stage(l, 1, 1));
        break;
    }
    for (const StageCycles& s : lc.stages) {
        lc.cycles = std::max(lc.cycles, s.cycles);
    }
    return lc;
}

// Early decision (templates/early_unit): lane p walks its outputs/pe channels through every
// position of every group, (kept taps)/simd steps each at most; decisions end a neuron (threshold)
// or a channel's pool window (pooling) sooner. The worst case, no decision before the last step,
// bounds every data-dependent cost of the unit (an all-skipped group takes one cycle, a channel
// without a position to compute one idle cycle, both less than computing them); `share` is the
// measured share of that worst case the busiest lane spends.
// Groups per image and positions per group of an early-decision unit: pool windows of the max-pool
// after it with pooling pruning, else the layer's positions (one vector for a dense layer).
std::pair<int64_t, int64_t> early_groups(const Network& net, size_t index) {
    const Layer& l = net.layers[index];
    if (l.kind != LayerKind::Conv) {
        return {1, 1};
    }
    if (!l.early->pooling) {
        return {pixels(l.out), 1};
    }
    const Layer& pool = net.layers[index + 1];
    return {pixels(pool.out), int64_t{pool.kernel} * pool.kernel};
}

LayerCycles early_layer_cycles(const Network& net, size_t index, double share) {
    const Layer& l = net.layers[index];
    LayerCycles lc;
    lc.layer = l.name;
    if (l.kind == LayerKind::Conv) {
        const bool pooling = l.early->pooling;
        const Layer* pool = pooling ? &net.layers[index + 1] : nullptr;
        // With pooling the window block scans the pool's super-windows (templates/early_unit/README.md).
        const int kernel = pooling ? (pool->kernel - 1) * l.stride + l.kernel : l.kernel;
        const int stride = pooling ? pool->stride * l.stride : l.stride;
        const Shape& out = pooling ? pool->out : l.out;
        auto extra = [&](int in, int o) { return std::max(0, (o - 1) * stride + kernel - l.padding - in); };
        const int64_t rows = l.in.height + extra(l.in.height, out.height);
        const int64_t cols = l.in.width + extra(l.in.width, out.width);
        lc.stages.push_back(StageCycles{"window", rows * cols, fmt::format("{} x {} scanned positions", rows, cols)});
    } else {
        lc.stages.push_back(collect_stage(net, l));
    }
    const auto [groups, group] = early_groups(net, index);
    const int64_t worst = groups * group * fold_steps(l);
    const double s = std::clamp(share, 0.0, 1.0);
    lc.stages.push_back(StageCycles{
        "early", std::llround(s * static_cast<double>(worst)),
        fmt::format("{}{} groups x {} positions x {}/{} x {}/{} (lanes' worst case)",
                    s < 1.0 ? fmt::format("{:.3f} x ", s) : std::string(), groups, group, l.outputs, l.fold.pe,
                    l.taps_per_output(), l.fold.simd)});
    for (const StageCycles& st : lc.stages) {
        lc.cycles = std::max(lc.cycles, st.cycles);
    }
    return lc;
}

// The stages the input stream's width sets: the input itself and a dense first layer's collector.
bool input_bound_stage(const LayerCycles& lc, const StageCycles& s, const Network& net) {
    return lc.layer == "input" || (s.stage == "collect" && lc.layer == net.layers.front().name);
}

void suggest_pixels_per_beat(const Network& net, CycleModel& model) {
    int64_t rest = 0;  // the interval without the input-bound stages
    bool input_bound = false;
    for (const LayerCycles& lc : model.layers) {
        for (const StageCycles& s : lc.stages) {
            if (input_bound_stage(lc, s, net)) {
                input_bound = input_bound || s.cycles == model.interval;
            } else {
                rest = std::max(rest, s.cycles);
            }
        }
    }
    if (!input_bound || rest >= model.interval) {
        return;
    }
    // beats + 1 <= rest (the collector's bubble), at least one beat per image
    const int64_t beats = std::max<int64_t>(1, rest - 1);
    const int64_t per_beat = (pixels(net.input_shape()) + beats - 1) / beats;
    if (per_beat * net.input.pixel_bits() > InputSpec::kMaxBeatBits || per_beat <= net.input.pixels_per_beat) {
        return;
    }
    model.pixels_per_beat_hint = static_cast<int>(per_beat);
    InputSpec wider = net.input;
    wider.pixels_per_beat = static_cast<int>(per_beat);
    model.interval_with_hint = std::max(rest, wider.beats_per_image() + 1);
}

}  // namespace

int64_t early_worst_cycles(const Network& net, size_t index) {
    const auto [groups, group] = early_groups(net, index);
    return groups * group * fold_steps(net.layers[index]);
}

int64_t fold_steps(const Layer& l) {
    if (l.reuse && !l.reuse->weights) {
        return plan_similarity_reuse(l).worst_steps;  // every chunk changed (templates/reuse_unit)
    }
    // The sharing unit steps through every input channel, fold.simd / (k*k) per step, kept or not
    // (templates/share_unit): kernel pruning saves it evaluations, not steps.
    const int64_t taps = l.share ? int64_t{l.in.channels} * l.kernel * l.kernel : l.taps_per_output();
    return int64_t{l.outputs / l.fold.pe} * (taps / l.fold.simd);
}

CycleModel predict_cycles(const Network& net, const std::vector<double>& computed_share) {
    CycleModel model;
    const Shape input = net.input_shape();
    const int64_t beats = net.input.beats_per_image();
    model.layers.push_back(LayerCycles{
        "input",
        {StageCycles{"input", beats,
                     net.input.pixels_per_beat == 1
                         ? std::string("one pixel per beat")
                         : fmt::format("{} pixels, {} per beat", pixels(input), net.input.pixels_per_beat)}},
        beats});
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        const bool measured = (l.spatial || l.early || (l.reuse && !l.reuse->weights)) && i < computed_share.size();
        const double share = measured ? computed_share[i] : 1.0;
        if (l.early) {
            model.layers.push_back(early_layer_cycles(net, i, share));
        } else if (l.kind == LayerKind::MaxPool && i > 0 && net.layers[i - 1].early && net.layers[i - 1].early->pooling) {
            model.layers.push_back(LayerCycles{
                l.name, {StageCycles{"pool", 0, fmt::format("inside '{}' (pooling pruning)", net.layers[i - 1].name)}}, 0});
        } else {
            model.layers.push_back(layer_cycles(net, l, share));
        }
    }
    int64_t classes = net.classes();
    // result_serializer: one beat per score, one for the class, one to accept the next vector.
    model.layers.push_back(LayerCycles{
        "output", {StageCycles{"output", classes + 2, "one beat per score and one for the class, + 1"}}, classes + 2});
    for (const LayerCycles& lc : model.layers) {
        if (lc.cycles > model.interval) {
            model.interval = lc.cycles;
            model.bottleneck = lc.layer;
        }
        for (const StageCycles& s : lc.stages) {
            model.latency_bound += s.cycles;
        }
    }
    suggest_pixels_per_beat(net, model);
    return model;
}

std::string format_cycle_model(const CycleModel& model, double clock_mhz) {
    std::string out = fmt::format("{:<12} {:<8} {:>12}  {}\n", "layer", "stage", "cycles/image", "formula");
    for (const LayerCycles& lc : model.layers) {
        for (const StageCycles& s : lc.stages) {
            out += fmt::format("{:<12} {:<8} {:>12}  {}\n", lc.layer, s.stage, s.cycles, s.formula);
        }
    }
    double images_per_second = model.interval > 0 ? clock_mhz * 1e6 / static_cast<double>(model.interval) : 0.0;
    out += fmt::format("initiation interval: {} cycles/image (bottleneck: {}), {:.0f} images/s at {} MHz\n",
                       model.interval, model.bottleneck, images_per_second, clock_mhz);
    out += fmt::format("latency bound: {} cycles ({:.1f} us)\n", model.latency_bound,
                       static_cast<double>(model.latency_bound) / clock_mhz);
    if (model.pixels_per_beat_hint > 0) {
        out += fmt::format("the input stream sets the interval: input: {{pixels_per_beat: {}}} (or more) would make it "
                           "{} cycles/image\n",
                           model.pixels_per_beat_hint, model.interval_with_hint);
    }
    return out;
}

}  // namespace bnngen::hw
