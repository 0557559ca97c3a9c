// `bnngen verify`: what the RTL produced (cosim.hpp) against the fast golden model, image by image,
// plus the measured timing against the cycle model.
#pragma once

#include "bnngen/io/dataset.hpp"
#include "bnngen/net/network.hpp"
#include "bnngen/sim/cosim.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace bnngen::sim {

struct Mismatch {
    int64_t image = 0;
    std::vector<int64_t> expected_scores;
    std::vector<int64_t> actual_scores;
    int expected_class = 0;
    int actual_class = 0;
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

    [[nodiscard]] bool passed() const { return mismatches.empty() && images_returned == images_sent; }
};

VerifyReport compare_with_golden(const Network& net, const io::ImageSet& images, const std::vector<int>& labels,
                                 const CosimResult& rtl);

}  // namespace bnngen::sim
