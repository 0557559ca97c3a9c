// The cycle model of the streaming accelerator: for each layer, the cycles its slowest stage spends
// on one image, from the folding (DESIGN.md section 5), the kept kernels (structured kernel pruning
// removes cycles exactly) and the share of positions spatial pruning skips. The pipeline's initiation interval is the
// largest of these; co-simulation measures the real interval and reports the ratio.
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bnngen::hw {

struct StageCycles {
    std::string stage;        // "window", "mvau", "share", "reuse", "early", "pool", "collect", "input", "output"
    int64_t cycles = 0;       // per image
    std::string formula;      // how `cycles` follows from the shape and folding, for reports
};

struct LayerCycles {
    std::string layer;
    std::vector<StageCycles> stages;
    int64_t cycles = 0;  // the slowest stage: the layer's share of the initiation interval
};

struct CycleModel {
    std::vector<LayerCycles> layers;  // plus an "input" and an "output" entry at the ends
    int64_t interval = 0;             // cycles between images in steady state
    std::string bottleneck;           // the layer whose stage sets the interval
    int64_t latency_bound = 0;        // upper bound on first-pixel-in to last-beat-out cycles
    // When the input stream sets the interval (its beats, or a dense first layer collecting them):
    // the smallest input.pixels_per_beat at which it would not, and the interval then; 0 otherwise
    // (or when no beat of at most 4096 bits is wide enough).
    int pixels_per_beat_hint = 0;
    int64_t interval_with_hint = 0;
};

// `computed_share[i]`: the share of layer i's output positions that spatial pruning does not skip
// (measured by the golden model on real images); for a layer with early decision, the share of its
// lanes' worst-case cycles that the busiest lane spends (measured); for a layer with similarity
// reuse, the share of its worst case (every position computed, every chunk changed) the reuse unit
// spends (measured). Missing entries and layers without any of these count as 1 (the
// data-independent worst case).
CycleModel predict_cycles(const Network& net, const std::vector<double>& computed_share = {});

// Cycles the matrix-vector unit of a conv or dense layer spends on one vector (one output
// position): (outputs / pe) * (taps per output / simd), kept kernels only; with result sharing
// (outputs / pe) * (in_channels * k * k / simd), every input channel; with similarity reuse the
// reuse unit's worst case (hw::ReusePlan::worst_steps).
int64_t fold_steps(const Layer& l);

// The early-decision unit of net.layers[index] in its worst case, no decision before a neuron's
// last step: groups x positions per group x fold steps (cycles per image; the measured share of
// `computed_share` is the busiest lane's steps over this).
int64_t early_worst_cycles(const Network& net, size_t index);

// A text table of the model, as `generate` prints it and writes it to the report file.
std::string format_cycle_model(const CycleModel& model, double clock_mhz);

}  // namespace bnngen::hw
