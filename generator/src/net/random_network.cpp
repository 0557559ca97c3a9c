#include "bnngen/net/random_network.hpp"

#include "bnngen/net/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace bnngen {
namespace {

class Dice {
public:
    explicit Dice(uint64_t seed) : rng_(seed) {}
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    std::mt19937_64& engine() { return rng_; }

private:
    std::mt19937_64 rng_;
};

Layer conv_layer(Dice& dice, const std::string& name, int size, bool first) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Conv;
    l.outputs = dice.chance(0.2) ? dice.between(60, 70) : dice.between(1, 24);  // some cross a 64-bit word
    l.kernel = dice.between(1, std::min(5, size));
    l.stride = dice.chance(0.3) ? 2 : 1;
    l.padding = dice.between(0, l.kernel - 1);
    l.pad_value = first ? 0 : (dice.chance(0.5) ? 1 : -1);
    return l;
}

Layer pool_layer(Dice& dice, const std::string& name, int size) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::MaxPool;
    l.kernel = dice.between(1, std::min(3, size));
    l.stride = dice.between(1, l.kernel);
    return l;
}

Layer dense_layer(Dice& dice, const std::string& name, int outputs) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Dense;
    l.outputs = outputs > 0 ? outputs : dice.between(1, 80);
    return l;
}

std::vector<Layer> random_layers(Dice& dice, int height, int width) {
    std::vector<Layer> layers;
    int size = std::min(height, width);
    int convs = dice.chance(0.15) ? 0 : dice.between(1, 3);
    for (int i = 0; i < convs && size >= 1; ++i) {
        Layer conv = conv_layer(dice, fmt::format("conv{}", i + 1), size, layers.empty());
        size = (size + 2 * conv.padding - conv.kernel) / conv.stride + 1;
        layers.push_back(conv);
        if (size >= 2 && dice.chance(0.5)) {
            Layer pool = pool_layer(dice, fmt::format("pool{}", i + 1), size);
            size = (size - pool.kernel) / pool.stride + 1;
            layers.push_back(pool);
        }
    }
    int hidden = dice.between(0, 2);
    if (layers.empty() && hidden == 0) {
        hidden = 1;  // at least one layer besides the classifier keeps dense-first networks interesting
    }
    for (int i = 0; i < hidden; ++i) {
        layers.push_back(dense_layer(dice, fmt::format("fc{}", i + 1), 0));
    }
    Layer classifier = dense_layer(dice, "classifier", dice.between(2, 12));
    classifier.activation = dice.chance(0.8) ? Activation::None : Activation::Threshold;
    layers.push_back(classifier);
    return layers;
}

}  // namespace

void randomize_weights(Network& net, uint64_t seed) {
    Dice dice(seed);
    for (Layer& l : net.layers) {
        if (!l.is_compute()) {
            continue;
        }
        l.weight.resize(static_cast<size_t>(l.weight_count()));
        for (int8_t& w : l.weight) {
            w = dice.chance(0.5) ? 1 : -1;
        }
        if (l.kind == LayerKind::Conv) {
            l.kernel_mask.assign(static_cast<size_t>(l.outputs * l.in.channels), 1);
            if (l.keep) {
                for (int o = 0; o < l.outputs; ++o) {
                    auto row = l.kernel_mask.begin() + o * l.in.channels;
                    std::fill(row, row + l.in.channels, 0);
                    std::fill(row, row + *l.keep, 1);
                    std::shuffle(row, row + l.in.channels, dice.engine());
                }
            }
        }
        // Spread thresholds over about one standard deviation of the pre-activation, so that both
        // output values occur; a few land outside the reachable range on purpose.
        double spread = std::sqrt(static_cast<double>(l.taps_per_output()));
        if (l.integer_input) {
            spread *= static_cast<double>((1 << net.input.bits) - 1) / 2.0;
        }
        int limit = std::max(1, static_cast<int>(spread));
        if (l.activation == Activation::Threshold) {
            l.threshold.resize(static_cast<size_t>(l.outputs));
            for (int64_t& t : l.threshold) {
                t = dice.between(-limit, limit);
            }
        } else {
            l.bias.resize(static_cast<size_t>(l.outputs));
            for (int64_t& b : l.bias) {
                b = dice.chance(0.5) ? 0 : dice.between(-limit, limit);
            }
        }
    }
}

Network random_network(uint64_t seed) {
    Dice dice(seed);
    Network net;
    net.name = fmt::format("random{}", seed);
    net.source_file = "<random>";
    net.weights_file = "<random>";
    int bits_choices[] = {1, 1, 2, 4, 8, 8, 12, 16};
    net.input = InputSpec{dice.between(1, 4), dice.between(3, 12), dice.between(3, 12), bits_choices[dice.between(0, 7)]};
    net.layers = random_layers(dice, net.input.height, net.input.width);
    // Kernel pruning needs the input channel count, known once shapes are computed.
    DiagnosticBag bag;
    if (!check_structure(net, bag)) {
        throw std::logic_error(fmt::format("random_network({}) built an invalid network", seed));
    }
    bool after_dense = false;
    for (Layer& l : net.layers) {
        if (l.kind == LayerKind::Conv && dice.chance(0.5)) {
            l.keep = dice.between(1, l.in.channels);
        }
        if (l.kind == LayerKind::Conv && !l.integer_input && !after_dense && dice.chance(0.5)) {
            l.spatial = SpatialPrune{dice.chance(0.5) ? 0 : dice.between(0, l.kernel * l.kernel - 1)};
        }
        after_dense = after_dense || l.kind == LayerKind::Dense;
    }
    randomize_weights(net, dice.engine()());
    if (!check_weight_values(net, bag) || bag.has_errors()) {
        throw std::logic_error(fmt::format("random_network({}) built invalid weights", seed));
    }
    return net;
}

std::vector<uint16_t> random_images(const Network& net, int64_t count, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> value(0, (1 << net.input.bits) - 1);
    // Like real images, many have large areas of 0 (the input background), which is what spatial
    // pruning skips: each image gets its own share of zero pixels.
    const double zero_share[] = {0.0, 0.5, 0.9};
    const int64_t size = net.input_shape().size();
    std::vector<uint16_t> pixels(static_cast<size_t>(count * size));
    for (int64_t i = 0; i < count; ++i) {
        std::bernoulli_distribution zero(zero_share[i % 3]);
        for (int64_t p = 0; p < size; ++p) {
            pixels[static_cast<size_t>(i * size + p)] = zero(rng) ? 0 : static_cast<uint16_t>(value(rng));
        }
    }
    return pixels;
}

}  // namespace bnngen
