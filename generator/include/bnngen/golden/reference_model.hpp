// The reference golden model: DESIGN.md section 2 written as plainly as possible, one value at a
// time in {-1, +1} or integers, with no packing and no cleverness. It is the oracle the fast model
// and the RTL are tested against, so it favours being obviously right over being quick.
#pragma once

#include "bnngen/golden/prediction.hpp"
#include "bnngen/net/network.hpp"

namespace bnngen::golden {

class ReferenceModel {
public:
    explicit ReferenceModel(const Network& net);

    // Every layer's output for one image (input.channels x height x width values).
    [[nodiscard]] std::vector<Tensor> run_layers(const uint16_t* image) const;
    [[nodiscard]] Prediction predict(const uint16_t* image) const;

private:
    const Network& net_;
    std::vector<Tensor> backgrounds_;  // per layer, for spatial pruning
};

}  // namespace bnngen::golden
