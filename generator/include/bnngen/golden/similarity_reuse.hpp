// Similarity reuse of input windows (DESIGN.md 4.5): what reusing the previous computed window's
// popcounts saves on a binary conv layer, counted as the reuse unit (templates/reuse_unit) works.
//
// The unit keeps one reference: the last window it computed, in stream order. The reference
// carries over from one image to the next (the first window of an image is compared with the last
// computed window of the image before), and a reset leaves none: the first window after it is
// *fresh* (every chunk computed from zero). Positions skipped by spatial pruning are never
// computed, so they are never a reference either.
//
// Per computed window, against the reference:
//   ideal operations: the kept window bits that differ, once per output channel that keeps them
//                     (a fresh window: every kept bit), against every kept bit without reuse;
//   unit steps:       per neuron fold, the changed chunks the fold keeps (hw::ReusePlan), at least
//                     one per fold; `computed_steps` counts only chunk steps (the unit's counter
//                     `computed`), `unit_cycles` the placeholders too (its busy cycles).
#pragma once

#include "bnngen/golden/prediction.hpp"
#include "bnngen/hw/similarity_reuse.hpp"
#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen::golden {

struct ReuseCount {
    int64_t positions = 0;         // output positions
    int64_t skipped = 0;           // of those, skipped by spatial pruning (not computed)
    int64_t window_bits = 0;       // bits of the computed windows
    int64_t changed_bits = 0;      // of those, differing from the reference (a fresh window: all)
    int64_t operations = 0;        // XNOR-popcount operations without reuse: kept bits x output channels
    int64_t ideal_operations = 0;  // with reuse bit by bit: changed kept bits x output channels
    int64_t chunks = 0;            // computed windows x chunks of the window
    int64_t changed_chunks = 0;    // of those, differing from the reference
    int64_t computed_steps = 0;    // the unit's chunk steps (counter `computed`)
    int64_t unit_cycles = 0;       // the unit's busy cycles: chunk steps plus one placeholder per empty fold
};

// The same layer's unit cycles at a smaller fold.simd (same pe, same element order).
struct ReuseAlternative {
    int simd = 0;
    int64_t unit_cycles = 0;
};

class ReuseCounter {
public:
    // Counts the layers with prune.reuse (mode inputs) at their folding.
    explicit ReuseCounter(const Network& net);
    // Counts the given layers (binary conv layers whose fold.simd divides the window) as if they
    // had prune.reuse mode inputs (in the order hw::reuse_kernel_major gives them); with
    // `smaller_chunks` also their unit cycles at a few smaller simd (alternatives()).
    ReuseCounter(const Network& net, const std::vector<size_t>& layers, bool smaller_chunks = false);

    // One image, in stream order: every layer's output (FastModel::run_layers).
    void add_image(const std::vector<Tensor>& outputs);
    // As a reset of the design: no reference, the next window of every layer is fresh.
    void reset();

    // Indexed like Network::layers; zero for layers not counted.
    [[nodiscard]] const std::vector<ReuseCount>& counts() const { return counts_; }
    [[nodiscard]] const hw::ReusePlan* plan(size_t index) const;
    // Layer `index`'s counts at smaller simd, largest first (empty unless asked for).
    [[nodiscard]] std::vector<ReuseAlternative> alternatives(size_t index) const;

private:
    struct Alternative {
        hw::ReusePlan plan;
        int64_t unit_cycles = 0;
    };
    struct Layered {
        size_t index = 0;
        hw::ReusePlan plan;
        std::vector<Alternative> alternatives;
        std::vector<uint8_t> reference;  // the last computed window, in the plan's order
        bool fresh = true;
    };
    void count_layer(Layered& state, const Tensor& input);

    const Network& net_;
    std::vector<Tensor> backgrounds_;
    std::vector<Layered> layers_;
    std::vector<ReuseCount> counts_;
};

}  // namespace bnngen::golden
