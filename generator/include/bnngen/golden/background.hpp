// Background vectors for dynamic spatial pruning (DESIGN.md section 4.2), defined inductively:
// the input's background is the integer 0 in every channel; a conv or dense layer's background is
// its output for an input in which every tap (padding taps included) equals the previous
// background; a max-pool passes the background through. Both golden models and the generator use
// this one definition.
#pragma once

#include "bnngen/golden/prediction.hpp"
#include "bnngen/net/network.hpp"

#include <vector>

namespace bnngen::golden {

// One vector per layer: that layer's output background, one value per output channel (bits 0/1
// after a threshold activation, scores after activation none).
std::vector<Tensor> background_vectors(const Network& net);

// The background of layer `index`'s input: the integer 0 per input channel for the first layer,
// otherwise the previous layer's background.
Tensor input_background(const Network& net, const std::vector<Tensor>& backgrounds, size_t index);

// Spatial pruning's decision for every output position of conv layer `layer` (raster order, 1 =
// skipped: at most `tolerance` taps differ from `background`, the layer's input background) on
// the input `input` (C x H x W). All 0 without spatial pruning.
std::vector<uint8_t> spatial_skips(const Layer& layer, const Tensor& input, const Tensor& background);

}  // namespace bnngen::golden
