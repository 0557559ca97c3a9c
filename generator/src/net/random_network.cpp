#include "bnngen/net/random_network.hpp"

#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/net/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace bnngen {
namespace {

// Early decision: at most this many (lane, window bit) pairs, pe x pool positions x window bits.
constexpr int64_t kMaxEarlyLaneReads = int64_t{1} << 16;
// Foldings that keep a co-simulation of a few images quick: at most kMaxLaneBits input bits per
// cycle (where a cheap folding exists) and at most kMaxUnitCycles cycles per image.
constexpr int64_t kMaxLaneBits = 2048;
constexpr int64_t kMaxUnitCycles = 400000;

class Dice {
public:
    explicit Dice(uint64_t seed) : rng_(seed) {}
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
    std::mt19937_64& engine() { return rng_; }

private:
    std::mt19937_64 rng_;
};

// Mostly small channel counts, with odd primes and counts that cross a 64-bit word, where
// folding and bit packing have their edge cases.
int channel_count(Dice& dice) {
    static constexpr int kPrimes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 61, 67};
    if (dice.chance(0.15)) {
        return dice.between(60, 70);
    }
    if (dice.chance(0.3)) {
        return kPrimes[dice.between(0, static_cast<int>(std::size(kPrimes)) - 1)];
    }
    return dice.between(1, 24);
}

struct MapSize {
    int height = 0;
    int width = 0;
    [[nodiscard]] int smaller() const { return std::min(height, width); }
};

int window_output(int size, int padding, int kernel, int stride) { return (size + 2 * padding - kernel) / stride + 1; }

// Kernels 1 to 7 (odd ones most often), stride 1 to 3, any padding below the kernel that still
// leaves a window on the map.
Layer conv_layer(Dice& dice, const std::string& name, MapSize& size, bool first) {
    static constexpr int kKernels[] = {1, 1, 2, 3, 3, 3, 4, 5, 5, 7};
    Layer l;
    l.name = name;
    l.kind = LayerKind::Conv;
    l.outputs = channel_count(dice);
    l.kernel = kKernels[dice.between(0, static_cast<int>(std::size(kKernels)) - 1)];
    const int min_padding = std::max(0, (l.kernel - size.smaller() + 1) / 2);
    l.padding = dice.between(min_padding, l.kernel - 1);
    l.stride = dice.chance(0.6) ? 1 : dice.between(2, 3);
    l.pad_value = first ? 0 : (dice.chance(0.5) ? 1 : -1);
    size = MapSize{window_output(size.height, l.padding, l.kernel, l.stride),
                   window_output(size.width, l.padding, l.kernel, l.stride)};
    return l;
}

// A conv layer whose one window covers the whole map (stride past its end): a 1 x 1 output, so it
// can end the network like a dense layer.
Layer whole_map_conv(Dice& dice, const std::string& name, MapSize& size, bool first) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Conv;
    l.outputs = dice.between(2, 12);
    l.kernel = size.smaller();
    l.stride = std::max(size.height, size.width);
    l.pad_value = first ? 0 : (dice.chance(0.5) ? 1 : -1);
    size = MapSize{1, 1};
    return l;
}

Layer pool_layer(Dice& dice, const std::string& name, MapSize& size) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::MaxPool;
    l.kernel = dice.between(1, std::min(3, size.smaller()));
    l.stride = dice.between(1, 3);
    size = MapSize{window_output(size.height, 0, l.kernel, l.stride), window_output(size.width, 0, l.kernel, l.stride)};
    return l;
}

Layer dense_layer(Dice& dice, const std::string& name, int outputs) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Dense;
    l.outputs = outputs > 0 ? outputs : dice.between(1, 80);
    return l;
}

Activation classifier_activation(Dice& dice) { return dice.chance(0.8) ? Activation::None : Activation::Threshold; }

std::vector<Layer> random_layers(Dice& dice, int height, int width) {
    std::vector<Layer> layers;
    MapSize size{height, width};
    if (dice.chance(0.08)) {  // one-layer networks: a lone classifier
        layers.push_back(dice.chance(0.5) ? dense_layer(dice, "classifier", dice.between(2, 12))
                                          : whole_map_conv(dice, "classifier", size, true));
        layers.back().activation = classifier_activation(dice);
        return layers;
    }
    int convs = dice.chance(0.15) ? 0 : dice.between(1, 3);
    for (int i = 0; i < convs && size.smaller() >= 1; ++i) {
        layers.push_back(conv_layer(dice, fmt::format("conv{}", i + 1), size, layers.empty()));
        if (size.smaller() >= 2 && dice.chance(0.5)) {
            layers.push_back(pool_layer(dice, fmt::format("pool{}", i + 1), size));
        }
    }
    if (!layers.empty() && dice.chance(0.1)) {  // a conv classifier over the whole remaining map
        layers.push_back(whole_map_conv(dice, "classifier", size, false));
        layers.back().activation = classifier_activation(dice);
        return layers;
    }
    int hidden = dice.between(0, 2);
    if (layers.empty() && hidden == 0) {
        hidden = 1;  // at least one layer besides the classifier keeps dense-first networks interesting
    }
    for (int i = 0; i < hidden; ++i) {
        layers.push_back(dense_layer(dice, fmt::format("fc{}", i + 1), 0));
    }
    Layer classifier = dense_layer(dice, "classifier", dice.between(2, 12));
    classifier.activation = classifier_activation(dice);
    layers.push_back(classifier);
    return layers;
}

std::vector<int64_t> divisors(int64_t n) {
    std::vector<int64_t> out;
    for (int64_t d = 1; d <= n; ++d) {
        if (n % d == 0) {
            out.push_back(d);
        }
    }
    return out;
}

// One of n's divisors: 1 (slowest), n (fastest) or any between, never more than `at_most` unless
// 1 is. The lane cap keeps one unit's XNOR-popcount tree small enough to build in seconds.
int64_t random_divisor(Dice& dice, int64_t n, int64_t at_most) {
    std::vector<int64_t> choices;
    for (int64_t d : divisors(n)) {
        if (d <= std::max<int64_t>(1, at_most)) {
            choices.push_back(d);
        }
    }
    if (dice.chance(0.25)) {
        return choices.front();
    }
    if (dice.chance(0.35)) {
        return choices.back();
    }
    return choices[static_cast<size_t>(dice.between(0, static_cast<int>(choices.size()) - 1))];
}

// Any folding that divides, from one lane (pe 1, simd 1) to a whole layer per cycle, within the
// two bounds above.
void randomize_fold(Dice& dice, Layer& l, int bits_per_tap) {
    const int64_t taps = l.taps_per_output();
    l.fold.pe = static_cast<int>(random_divisor(dice, l.outputs, kMaxLaneBits / bits_per_tap));
    l.fold.simd = static_cast<int>(random_divisor(dice, taps, kMaxLaneBits / (int64_t{bits_per_tap} * l.fold.pe)));
    const int64_t vectors = l.kind == LayerKind::Conv ? int64_t{l.out.height} * l.out.width : 1;
    auto next_divisor = [](int64_t n, int64_t d) {
        for (int64_t next = d + 1; next <= n; ++next) {
            if (n % next == 0) {
                return next;
            }
        }
        return d;
    };
    while (vectors * (l.outputs / l.fold.pe) * (taps / l.fold.simd) > kMaxUnitCycles) {
        if (l.fold.simd < taps) {
            l.fold.simd = static_cast<int>(next_divisor(taps, l.fold.simd));
        } else {
            l.fold.pe = static_cast<int>(next_divisor(l.outputs, l.fold.pe));
        }
    }
}

// Result sharing, from a stream of its own (every seed's other draws stay as they were): about a
// third of the binary threshold conv layers without early decision. simd becomes c*k*k, c a
// divisor of the input channels, within the lane bound of randomize_fold; in half of them the
// kernels of each input channel are redrawn from a pool of one to three, some inverted, so that
// they repeat as trained and clustered kernels do.
void add_result_sharing(Network& net, uint64_t seed) {
    Dice dice(seed * 0xD1B54A32D192ED03ULL + 0x5A);
    for (Layer& l : net.layers) {
        if (l.kind != LayerKind::Conv || l.integer_input || l.activation != Activation::Threshold || l.early ||
            l.kernel > 8 || !dice.chance(0.35)) {
            continue;
        }
        const int taps = l.kernel * l.kernel;
        const int64_t positions = int64_t{l.out.height} * l.out.width;
        int channels = static_cast<int>(random_divisor(dice, l.in.channels, kMaxLaneBits / (int64_t{taps} * l.fold.pe)));
        while (positions * (l.outputs / l.fold.pe) * (l.in.channels / channels) > kMaxUnitCycles && channels < l.in.channels) {
            do {
                ++channels;
            } while (l.in.channels % channels != 0);
        }
        l.fold.simd = channels * taps;
        l.share = ResultSharing{dice.chance(0.5)};
        if (!dice.chance(0.5)) {
            continue;
        }
        for (int i = 0; i < l.in.channels; ++i) {
            std::vector<std::vector<int8_t>> pool(static_cast<size_t>(dice.between(1, 3)));
            for (auto& kernel : pool) {
                for (int t = 0; t < taps; ++t) {
                    kernel.push_back(dice.chance(0.5) ? 1 : -1);
                }
            }
            for (int o = 0; o < l.outputs; ++o) {
                const auto& kernel = pool[static_cast<size_t>(dice.between(0, static_cast<int>(pool.size()) - 1))];
                const int8_t sign = dice.chance(0.3) ? -1 : 1;
                for (int t = 0; t < taps; ++t) {
                    l.weight[static_cast<size_t>((o * l.in.channels + i) * taps + t)] =
                        static_cast<int8_t>(sign * kernel[static_cast<size_t>(t)]);
                }
            }
        }
    }
}

// Similarity reuse, from a stream of its own (every seed's other draws stay as they were): about
// a third of the binary threshold conv layers without early decision or sharing. simd becomes a
// divisor of the whole window (C*k*k, kept kernels or not) within the lane bound; in half of them
// the weights stay and the images decide how often chunks repeat, in the other half the previous
// layer's thresholds are raised so that its output is mostly one value and windows repeat.
void add_similarity_reuse(Network& net, uint64_t seed) {
    Dice dice(seed * 0x9E3779B97F4A7C15ULL + 0x7E);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        Layer& l = net.layers[i];
        if (l.kind != LayerKind::Conv || l.integer_input || l.activation != Activation::Threshold || l.early || l.share ||
            !dice.chance(0.35)) {
            continue;
        }
        const int64_t window = int64_t{l.in.channels} * l.kernel * l.kernel;
        const int64_t positions = int64_t{l.out.height} * l.out.width;
        int64_t simd = random_divisor(dice, window, kMaxLaneBits / l.fold.pe);
        while (positions * (l.outputs / l.fold.pe) * (window / simd) > kMaxUnitCycles && simd < window) {
            do {
                ++simd;
            } while (window % simd != 0);
        }
        l.fold.simd = static_cast<int>(simd);
        l.reuse = SimilarityReuse{false};
        if (dice.chance(0.5) || i == 0) {
            continue;
        }
        for (size_t p = i; p-- > 0;) {  // the compute layer before: mostly 0 (or mostly 1) out
            Layer& before = net.layers[p];
            if (!before.is_compute()) {
                continue;
            }
            const int64_t big = before.integer_input ? (int64_t{1} << 20) : before.taps_per_output() + 1;
            const int64_t extreme = dice.chance(0.5) ? big : -big;
            for (int64_t& t : before.threshold) {
                if (dice.chance(0.8)) {
                    t = extreme;
                }
            }
            break;
        }
    }
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
    const int bits = dice.chance(0.5) ? (dice.chance(0.5) ? 1 : 8) : dice.between(1, 16);
    net.input = InputSpec{dice.between(1, 4), dice.between(3, 12), dice.between(3, 12), bits};
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
        if (l.is_compute()) {
            randomize_fold(dice, l, l.integer_input ? net.input.bits : 1);
        }
    }
    randomize_weights(net, dice.engine()());
    net.soc.axi_lite = dice.chance(0.8);  // drawn last: the layers of a seed do not depend on it
    // Early decision from a stream of its own, so that adding it left every seed's layers, folding
    // and weights as they were: about a third of the layers that can take it, any combination.
    // Each of its pe lanes reads its own simd bits out of the buffered pool window, so the unit
    // grows with pe x (window bits): bounded like the lanes above, to keep a build quick.
    Dice early_dice(seed * 0x9E3779B97F4A7C15ULL + 0x45);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.can_decide_early(i) && early_dice.chance(0.35)) {
            const Layer& l = net.layers[i];
            const int64_t pool = net.can_prune_pooling(i) ? int64_t{net.layers[i + 1].kernel} * net.layers[i + 1].kernel : 1;
            const int64_t window_bits = l.kind == LayerKind::Conv ? int64_t{l.in.channels} * l.kernel * l.kernel : l.in.size();
            if (l.fold.pe * window_bits > kMaxEarlyLaneReads) {
                continue;
            }
            const bool pooling = net.can_prune_pooling(i) && l.fold.pe * pool * window_bits <= kMaxEarlyLaneReads && early_dice.chance(0.6);
            const bool threshold = !pooling || early_dice.chance(0.6);
            net.layers[i].early = EarlyDecision{threshold, pooling};
        }
    }
    add_result_sharing(net, seed);
    add_similarity_reuse(net, seed);
    // Several pixels per s_axis beat, from a stream of its own (every seed's layers as they were):
    // about a third of the networks, as many as a 4096-bit beat holds, up to a whole image.
    Dice beat_dice(seed * 0xD1B54A32D192ED03ULL + 0x77);
    if (beat_dice.chance(0.35)) {
        const int64_t most = std::min<int64_t>(net.input.pixels(), InputSpec::kMaxBeatBits / net.input.pixel_bits());
        if (most >= 2) {
            net.input.pixels_per_beat = static_cast<int>(beat_dice.between(2, static_cast<int>(most)));
        }
    }
    // `fold: auto` from a stream of its own (every seed's layers, foldings and weights as they were):
    // in about a quarter of the networks some conv and dense layers say `fold: auto` (keeping the
    // drawn folding, which a description with `fold: auto` would not give; unused until folded),
    // with target.images_per_second at 1 to 3 times the drawn folding's interval, so that a folding
    // meeting the target exists (the drawn one) and the chosen lanes stay about as small.
    Dice auto_dice(seed * 0x94D049BB133111EBULL + 0x99);
    if (auto_dice.chance(0.25)) {
        bool any = false;
        for (Layer& l : net.layers) {
            if (l.is_compute() && auto_dice.chance(0.6)) {
                l.fold_auto = true;
                any = true;
            }
        }
        if (any) {
            const double slower = auto_dice.chance(0.5) ? 1.0 : 1.0 + auto_dice.between(1, 20) / 10.0;
            // + 0.5: images per second back to an interval rounds down; this one rounds to the
            // drawn interval or above.
            const double interval = static_cast<double>(hw::predict_cycles(net).interval) * slower + 0.5;
            net.target.images_per_second = net.target.clock_mhz * 1e6 / interval;
        }
    }
    if (!check_structure(net, bag) || !check_weight_values(net, bag) || bag.has_errors()) {
        throw std::logic_error(fmt::format("random_network({}) built an invalid network", seed));
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
