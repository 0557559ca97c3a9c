// What skipping saves at a candidate folding, measured on real images, for `bnngen fold --images`
// (hw::FoldOptions::measured_share). Spatial pruning's share of computed positions does not
// depend on the folding; early decision's busiest lane and similarity reuse's changed chunks do,
// so those are counted again, by the golden model's counters, at each folding asked about.
#pragma once

#include "bnngen/golden/prediction.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen::analyze {

class FoldMeasurement {
public:
    // Runs the golden model once over the images and keeps every layer's output of each.
    FoldMeasurement(const Network& net, const io::ImageSet& images);

    // The share of layer `index`'s worst-case unit cycles spent on these images at the folding
    // net.layers[index].fold (the cycle model's `computed_share`, hw/cycle_model.hpp); 1 for a
    // layer that skips nothing. `net` is the measured network with possibly other foldings.
    [[nodiscard]] double share(const Network& net, size_t index) const;

private:
    std::vector<std::vector<golden::Tensor>> outputs_;  // [image][layer]
    std::vector<golden::Tensor> backgrounds_;
    std::vector<int64_t> skipped_positions_;  // per layer, summed over the images
};

}  // namespace bnngen::analyze
