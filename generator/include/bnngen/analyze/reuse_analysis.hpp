// `bnngen analyze`, similarity reuse (DESIGN.md 4.5; SimBNN's selection rule): for every binary
// conv layer, how similar consecutive computed windows are (bits and fold.simd chunks), what
// input reuse and weight reuse would remove ideally, what the reuse unit realizes at the layer's
// folding against mvau, and which mode pays.
#pragma once

#include "bnngen/golden/similarity_reuse.hpp"
#include "bnngen/net/network.hpp"

#include <string>
#include <vector>

namespace bnngen::analyze {

struct ReuseLayerAnalysis {
    std::string layer;
    bool enabled = false;          // the layer has prune.reuse (mode inputs)
    bool kernel_major = false;     // the reuse unit's chunk order
    int simd = 0;
    double identical_bits = 0;     // share of the computed windows' bits equal to the reference window
    double identical_chunks = 0;   // share of their fold.simd-bit chunks equal to the reference's
    double inputs_removed = 0;     // share of the layer's operations input reuse removes (ideal, bit by bit)
    double weights_removed = 0;    // share weight reuse removes (ideal, greedy kernel order)
    double weights_identical_chunks = 0;  // share of its chunks equal along that order (one lane)
    double mvau_cycles = 0;        // per image: mvau at this folding (kernel and spatial pruning as given)
    double unit_cycles = 0;        // per image: the reuse unit at this folding (measured on the images)
    int pays_at_simd = 0;          // the largest smaller simd at which the unit would pay (0: none tried pays)
    double pays_speedup = 0;       // mvau's cycles over the unit's there
    std::string recommendation;    // "inputs", "weights", "none", with the reason

    [[nodiscard]] double realized_speedup() const { return unit_cycles > 0 ? mvau_cycles / unit_cycles : 0; }
};

// The analysis of one layer from its counts over `images` images (ReuseCounter, stream order),
// with its unit cycles at smaller simd (largest first).
ReuseLayerAnalysis analyze_reuse_layer(const Layer& layer, const golden::ReuseCount& count, const hw::ReusePlan& plan,
                                       const std::vector<golden::ReuseAlternative>& smaller, double images);

// The layers that can take prune.reuse at their folding (binary conv, threshold, fold.simd divides
// the window, neither early decision nor result sharing).
std::vector<size_t> reuse_candidates(const Network& net);

std::string format_reuse_text(const std::vector<ReuseLayerAnalysis>& layers);
std::string format_reuse_json(const std::vector<ReuseLayerAnalysis>& layers);

}  // namespace bnngen::analyze
