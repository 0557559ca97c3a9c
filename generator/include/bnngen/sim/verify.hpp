// `bnngen verify`: what the RTL produced (cosim.hpp) against the fast golden model, image by image,
// plus the measured timing against the cycle model.
#pragma once

#include "bnngen/io/dataset.hpp"
#include "bnngen/net/network.hpp"
#include "bnngen/sim/cosim.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnngen::sim {

struct Mismatch {
    int64_t image = 0;
    std::vector<int64_t> expected_scores;
    std::vector<int64_t> actual_scores;
    int expected_class = 0;
    int actual_class = 0;
};

// One compute layer's activity over the run: what the golden model says the hardware must do, and
// what the design's performance counters say it did (rtl::Counter).
struct LayerActivity {
    std::string layer;
    int64_t positions = 0;         // output positions (vectors) of the returned images
    int64_t skipped = 0;           // of those, skipped by spatial pruning (golden model)
    int64_t expected_unit_cycles = 0;  // (positions - skipped) * fold steps per vector
    std::optional<int64_t> rtl_positions;  // counters (only layers with spatial pruning have the first two)
    std::optional<int64_t> rtl_skipped;
    std::optional<int64_t> rtl_unit_cycles;
    // Early decision (golden::count_early_decision): positions and skipped count the groups'
    // positions; the lanes' steps are exact, while the unit's busy cycles depend on how the lanes
    // overlap: at least the busiest lane's steps (expected_unit_cycles), at most all lanes' steps.
    bool early = false;
    int64_t expected_lane_steps = 0;
    std::optional<int64_t> rtl_lane_steps;
    // Result sharing (hw::SharePlan): distinct-kernel evaluations of the sharing unit, per computed
    // position the plan's fold_classes.
    int64_t expected_evaluations = 0;
    std::optional<int64_t> rtl_evaluations;
    // Similarity reuse (golden::ReuseCounter, images in stream order from the reset): the reuse
    // unit's chunk steps; its busy cycles are expected_unit_cycles.
    int64_t expected_computed_chunks = 0;
    std::optional<int64_t> rtl_computed_chunks;

    // The counters are 32 bits and wrap: a long run compares modulo 2^32 (early decision's busy
    // cycles, a range, only before the first wrap).
    [[nodiscard]] bool counters_match() const {
        auto same = [](const std::optional<int64_t>& rtl, int64_t expected) {
            return !rtl || static_cast<uint32_t>(*rtl) == static_cast<uint32_t>(expected);
        };
        if (early) {
            const bool busy_in_range = !rtl_unit_cycles || expected_lane_steps >= (int64_t{1} << 32) ||
                                       (*rtl_unit_cycles >= expected_unit_cycles && *rtl_unit_cycles <= expected_lane_steps);
            return same(rtl_positions, positions) && same(rtl_skipped, skipped) &&
                   same(rtl_lane_steps, expected_lane_steps) && busy_in_range;
        }
        return same(rtl_positions, positions) && same(rtl_skipped, skipped) &&
               same(rtl_unit_cycles, expected_unit_cycles) && same(rtl_evaluations, expected_evaluations) &&
               same(rtl_computed_chunks, expected_computed_chunks);
    }
};

struct VerifyReport {
    int64_t images_sent = 0;
    int64_t images_returned = 0;
    std::vector<Mismatch> mismatches;   // every image whose scores or class differ
    std::optional<int64_t> correct;     // RTL predictions equal to the labels, when labels were given
    std::vector<int64_t> scores;        // [images_returned][classes] as the RTL produced them
    // Steady-state cycles between consecutive images' last output beats (second half of the run),
    // and first-input-to-last-output cycles of the first image; 0 when too few images came back.
    double measured_interval = 0.0;
    int64_t measured_latency = 0;
    // The cycle model with each spatially pruned layer's computed share as measured on these images.
    int64_t predicted_interval = 0;
    std::vector<LayerActivity> layers;  // compute layers, in order

    [[nodiscard]] bool counters_match() const {
        for (const LayerActivity& l : layers) {
            if (!l.counters_match()) {
                return false;
            }
        }
        return true;
    }
    // The s_axi_ctrl registers against the harness's own counts (empty without AXI-Lite).
    std::vector<RegisterCheck> registers;
    [[nodiscard]] bool registers_match() const {
        for (const RegisterCheck& r : registers) {
            if (!r.ok()) {
                return false;
            }
        }
        return true;
    }
    [[nodiscard]] bool passed() const {
        return mismatches.empty() && images_returned == images_sent && counters_match() && registers_match();
    }
};

VerifyReport compare_with_golden(const Network& net, const io::ImageSet& images, const std::vector<int>& labels,
                                 const CosimResult& rtl);

}  // namespace bnngen::sim
