// Random valid networks for differential testing of the golden models and of the whole hardware
// flow: random layer sequences covering the schema (integer first layer of 1..16 bits; conv with
// kernel 1..7, stride 1..3, any padding and pad_value, odd and prime channel counts, kernel pruning
// with any keep; spatial pruning at any tolerance; early decision (threshold, pooling or both); max-pool of any kernel and stride; dense after
// conv; one-layer networks and conv classifiers; threshold or integer-score last layer; every
// folding that divides, or `fold: auto` with an images-per-second target; with or without the
// AXI-Lite port) with random +-1 weights and thresholds chosen so that outputs actually vary.
// Layers with `fold: auto` are left for hw::plan_folding, as a loaded description's are.
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen {

// Deterministic for a given seed. The result has passed check_structure and check_weight_values.
Network random_network(uint64_t seed);

// Fills in random weights, thresholds, biases and kernel masks for a network whose layers and
// shapes are set (check_structure has run). Thresholds are spread around the middle of each
// channel's pre-activation range.
void randomize_weights(Network& net, uint64_t seed);

// `count` images of random input values in [0, 2^bits), [count][C][H][W]; image i has a share
// of 0, 50% or 90% (i mod 3) zero pixels, so that spatial pruning finds background to skip.
std::vector<uint16_t> random_images(const Network& net, int64_t count, uint64_t seed);

}  // namespace bnngen
