// Small hand-built networks for golden-model tests.
#pragma once

#include "bnngen/net/load.hpp"
#include "bnngen/net/network.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace bnngen::test {

inline Layer conv(std::string name, int outputs, int kernel, int stride = 1, int padding = 0, int pad_value = 0) {
    Layer l;
    l.name = std::move(name);
    l.kind = LayerKind::Conv;
    l.outputs = outputs;
    l.kernel = kernel;
    l.stride = stride;
    l.padding = padding;
    l.pad_value = pad_value;
    return l;
}

inline Layer pool(std::string name, int kernel, int stride) {
    Layer l;
    l.name = std::move(name);
    l.kind = LayerKind::MaxPool;
    l.kernel = kernel;
    l.stride = stride;
    return l;
}

inline Layer dense(std::string name, int outputs, Activation activation = Activation::None) {
    Layer l;
    l.name = std::move(name);
    l.kind = LayerKind::Dense;
    l.outputs = outputs;
    l.activation = activation;
    return l;
}

inline Layer& with_threshold(Layer& l, std::vector<int64_t> t) {
    l.activation = Activation::Threshold;
    l.threshold = std::move(t);
    return l;
}

// Shapes computed, unpruned masks filled where the test did not give one; the caller sets weights.
inline Network build(InputSpec input, std::vector<Layer> layers) {
    Network net;
    net.name = "fixture";
    net.input = input;
    net.layers = std::move(layers);
    DiagnosticBag bag;
    REQUIRE(check_structure(net, bag));
    for (Layer& l : net.layers) {
        if (l.kind == LayerKind::Conv && l.kernel_mask.empty()) {
            l.kernel_mask.assign(static_cast<size_t>(l.outputs * l.in.channels), 1);
        }
        if (l.is_compute() && l.activation == Activation::None && l.bias.empty()) {
            l.bias.assign(static_cast<size_t>(l.outputs), 0);
        }
    }
    return net;
}

// A first layer that copies 1-bit input channels to its output bits: a 1x1 conv where output
// channel c keeps only input channel c, with weight +1 and threshold 1 (s = x in {0, 1}).
inline Layer identity_first_layer(int channels) {
    Layer l = conv("copy", channels, 1);
    l.keep = 1;
    l.activation = Activation::Threshold;
    l.threshold.assign(static_cast<size_t>(channels), 1);
    l.weight.assign(static_cast<size_t>(channels * channels), 1);
    l.kernel_mask.assign(static_cast<size_t>(channels * channels), 0);
    for (int c = 0; c < channels; ++c) {
        l.kernel_mask[static_cast<size_t>(c * channels + c)] = 1;
    }
    return l;
}

}  // namespace bnngen::test
