// `bnngen analyze`: what structured kernel pruning, dynamic spatial pruning, early decision and
// result sharing remove, layer by layer, on real images (DESIGN.md section 4): XNOR-popcount operations of the
// dense network, those removed by each technique (spatial pruning and early decision as measured by
// the golden model), and the
// matrix-vector units' cycles per image of the same network unpruned at the same folding against
// the pruned one, optionally next to the cycles measured in co-simulation.
#pragma once

#include "bnngen/analyze/reuse_analysis.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/net/network.hpp"
#include "bnngen/sim/verify.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnngen::analyze {

struct LayerAnalysis {
    std::string layer;
    std::string kind;           // conv, maxpool, dense
    int kept_channels = 0;      // kernels kept per output channel (conv), in_channels when unpruned
    int in_channels = 0;
    double skipped_share = 0;   // share of output positions skipped by spatial pruning (measured)
    bool shared = false;        // prune.share (result sharing) on this layer
    // Per image (averages over the images):
    double dense_ops = 0;           // every kernel, every position
    double kernel_pruned_ops = 0;   // removed by structured kernel pruning
    double spatial_pruned_ops = 0;  // removed by spatial pruning (measured)
    double remaining_ops = 0;       // what the golden model computed
    double cycles_unpruned = 0;     // the layer's matrix-vector unit, same folding, no pruning
    double cycles_pruned = 0;       // cycle model with the kept kernels and the measured skipped share
    std::optional<double> cycles_rtl;  // the unit's cycle counter in co-simulation
    // Early decision (layers with prune.early; golden/early_decision.hpp), per image: operations an
    // ideal per-neuron early exit removes from remaining_ops, and the cycles the early-decision
    // unit's lanes (decoupled, at the layer's folding) remove from cycles_pruned.
    double early_removed_ops = 0;
    double early_removed_cycles = 0;
    // Result sharing (layers with prune.share; hw/result_sharing.hpp), per image: operations that
    // computing each distinct 2-D kernel once per input channel and position removes from
    // remaining_ops (ideal), and those the sharing unit removes (a result shared among the pe lanes
    // of one neuron fold).
    double share_removed_ops = 0;
    double share_unit_removed_ops = 0;
};

struct Analysis {
    std::string network;
    int64_t images = 0;
    std::vector<LayerAnalysis> layers;  // every layer (max-pool rows have no operations or cycles)
    LayerAnalysis total;                // sums (layer = "total")
    int64_t interval_unpruned = 0;      // pipeline initiation interval, cycles per image
    int64_t interval_pruned = 0;        // with the measured skipped shares
    std::optional<double> interval_rtl;  // measured in co-simulation (steady state)
    std::optional<int64_t> rtl_images;
    std::optional<int64_t> rtl_mismatches;
    // Similarity reuse of every layer that can take it (reuse_analysis.hpp); the cycles of layers
    // with prune.reuse in cycles_pruned are their reuse unit's.
    std::vector<ReuseLayerAnalysis> reuse;

    [[nodiscard]] double ops_reduction() const { return total.remaining_ops > 0 ? total.dense_ops / total.remaining_ops : 0; }
    [[nodiscard]] double cycle_speedup() const { return total.cycles_pruned > 0 ? total.cycles_unpruned / total.cycles_pruned : 0; }
    [[nodiscard]] double interval_speedup() const {
        return interval_pruned > 0 ? static_cast<double>(interval_unpruned) / static_cast<double>(interval_pruned) : 0;
    }
};

// The same network with every kernel kept, no spatial pruning, early decision, sharing or reuse (weights of pruned kernels as
// stored; they do not change operation or cycle counts).
Network unpruned(const Network& net);

// Runs the golden model over the images and fills everything but the co-simulation figures.
Analysis analyze_pruning(const Network& net, const io::ImageSet& images);

// Adds the co-simulation's per-layer cycle counters and measured interval.
void add_rtl_measurements(Analysis& analysis, const sim::VerifyReport& report);

std::string format_text(const Analysis& analysis);
std::string format_json(const Analysis& analysis);
std::string format_csv(const Analysis& analysis);

}  // namespace bnngen::analyze
