// Automatic folding (`fold: auto`, `bnngen fold`): for each layer to fold, the folding (pe, simd)
// that meets a target interval at the fewest predicted LUTs. The layers of the streaming pipeline
// run concurrently, so the interval is the slowest layer's cycles and each layer is folded on its
// own: among the foldings `check` accepts (pe divides the outputs, simd the kept taps, the rules of
// result sharing and similarity reuse), the cheapest whose cycles per image (hw/cycle_model.hpp:
// kept kernels only, and with images the measured share of skipped work) do not exceed the target.
//
// FINN's rule (FoldRule::Finn), for comparison: each layer the smallest pe * simd whose cycles meet
// the target, simd raised before pe, counted as FINN counts them: every kernel, no skipping.
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bnngen::hw {

enum class FoldRule { FewestLuts, Finn };

struct FoldOptions {
    FoldRule rule = FoldRule::FewestLuts;
    // Fold every conv and dense layer, not only those with `fold: auto`.
    bool all_layers = false;
    // The measured share of layer `index`'s worst-case unit cycles at its current folding (spatial
    // pruning's computed positions, early decision's busiest lane, similarity reuse's changed
    // chunks: analyze/fold_measurement.hpp); empty: the data-independent worst case.
    std::function<double(const Network& net, size_t index)> measured_share;
};

struct LayerFold {
    std::string layer;
    size_t index = 0;
    bool folded = false;       // chosen here; otherwise the layer's own folding is kept
    bool was_auto = false;     // the description said `fold: auto`
    Fold before;               // the folding the description gave ({1, 1} for fold: auto)
    Fold chosen;
    int64_t cycles = 0;        // the layer's cycles per image at `chosen`, measured share applied
    int64_t worst_cycles = 0;  // the same without skipping
    int64_t floor_cycles = 0;  // what no folding goes below: the window scan or the vector collector
    double luts = 0;           // predicted (hw/resource_model.hpp)
    int candidates = 0;        // foldings `check` accepts that were weighed
};

struct FoldPlan {
    int64_t target_interval = 0;  // cycles per image the folded layers must not exceed
    std::string target_source;    // where that came from, for the printout
    int64_t interval = 0;         // the cycle model's interval after folding (measured shares applied)
    double luts = 0;              // predicted LUTs of the whole design
    std::vector<LayerFold> layers;  // every conv and dense layer
    // Why the target is not met (a window scan slower than the target, the fastest folding of a
    // layer too slow, a LUT budget too small); empty when it is.
    std::vector<std::string> problems;
    [[nodiscard]] bool met() const { return problems.empty(); }
};

// The target interval, in order: target.images_per_second at target.clock_mhz; a LUT budget
// (target.luts: the smallest interval whose fewest-LUT folding fits it); otherwise the interval
// the rest of the pipeline sets (input stream, window scans, max-pools, fixed foldings, output),
// so that the folded layers keep up with it at the fewest LUTs.
// Writes the chosen foldings into `net` (fold_auto cleared) and returns the plan.
FoldPlan plan_folding(Network& net, const FoldOptions& options = {});

// Every folding of net.layers[index] that `check` accepts, smallest pe * simd first.
std::vector<Fold> valid_folds(const Network& net, size_t index);

// The plan as a text table (layer, folding before and chosen, cycles, floor, predicted LUTs).
std::string format_fold_plan(const Network& net, const FoldPlan& plan);

}  // namespace bnngen::hw
