// The fast golden model. Each layer is lowered once, at construction, into a plan whose weights
// are packed in the order its inputs are gathered:
//   binary conv:  window bits tap-major (ky, kx), then channel; s = N - 2 * mismatches over kept bits
//   binary dense: input bits in (C, H, W) flatten order; same popcount
//   integer input (first layer): an int32 dot product over the window, pruned kernels' weights zeroed
//   max-pool:     OR of the window's pixel words
#include "bnngen/golden/fast_model.hpp"

#include "bit_map.hpp"
#include "popcount_kernels.hpp"
#include "bnngen/golden/background.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <optional>
#include <variant>

namespace bnngen::golden {
namespace {

// A layer's output: packed bits (threshold activation) or integer scores (activation none).
struct Activations {
    BitMap bits;
    std::vector<int64_t> scores;  // [C][H][W], used after activation none
    bool is_scores = false;
};


// Dynamic spatial pruning of one binary conv layer (DESIGN.md 4.2).
struct SpatialPlan {
    int tolerance = 0;
    std::vector<uint64_t> input_background;  // packed like an input pixel
    bool padding_differs = false;            // does a padding tap differ from the background?
    Tensor output_background;                // one value per output channel
    std::vector<uint8_t> differs;            // scratch: per input pixel, does it differ?
};

struct BinaryConvPlan {
    PopcountWeights w;
    std::vector<uint64_t> pad_pixel;  // every channel at pad_value
    std::vector<uint64_t> window;     // scratch
    std::optional<SpatialPlan> spatial;
};

struct BinaryDensePlan {
    PopcountWeights w;
    std::vector<uint64_t> input;  // scratch: (C, H, W) bits
};

struct IntegerPlan {
    int64_t taps = 0;                 // per output: C*k*k (conv) or in_features (dense)
    std::vector<int32_t> weight_t;    // [taps][outputs], 0 where a kernel is pruned: outputs innermost
    bool wide = false;                // may a sum overflow int32?
    std::vector<int32_t> window;      // scratch: the window's pixels, (c, ky, kx) order
    std::vector<int32_t> sums32;      // scratch
    std::vector<int64_t> sums64;      // scratch
};

struct PoolPlan {};

using Plan = std::variant<BinaryConvPlan, BinaryDensePlan, IntegerPlan, PoolPlan>;

bool is_kept(const Layer& layer, int output, int channel) {
    return layer.kernel_mask[static_cast<size_t>(output * layer.in.channels + channel)] != 0;
}

BinaryConvPlan lower_binary_conv(const Layer& layer, const Tensor& in_background, const Tensor& out_background) {
    const int channels = layer.in.channels;
    const int k = layer.kernel;
    BinaryConvPlan plan;
    plan.w.words = words_for(int64_t{k} * k * channels);
    plan.w.kept_taps = layer.taps_per_output();
    plan.w.weight.assign(static_cast<size_t>(layer.outputs * plan.w.words), 0);
    plan.w.kept.assign(plan.w.weight.size(), 0);
    for (int o = 0; o < layer.outputs; ++o) {
        uint64_t* weight = plan.w.weight.data() + o * plan.w.words;
        uint64_t* kept = plan.w.kept.data() + o * plan.w.words;
        for (int c = 0; c < channels; ++c) {
            for (int ky = 0; ky < k; ++ky) {
                for (int kx = 0; kx < k; ++kx) {
                    int64_t bit = int64_t{ky * k + kx} * channels + c;
                    if (layer.weight[static_cast<size_t>(((o * channels + c) * k + ky) * k + kx)] > 0) {
                        set_bit(weight, bit);
                    }
                    if (is_kept(layer, o, c)) {
                        set_bit(kept, bit);
                    }
                }
            }
        }
    }
    plan.w.pruned = layer.kept_channels() < channels;
    plan.w.max_mismatches = popcount_thresholds(layer, plan.w.kept_taps);
    plan.pad_pixel.assign(static_cast<size_t>(words_for(channels)), 0);
    if (layer.pad_value > 0) {
        for (int c = 0; c < channels; ++c) {
            set_bit(plan.pad_pixel.data(), c);
        }
    }
    plan.window.assign(static_cast<size_t>(plan.w.words) + 1, 0);  // +1: append_bits may touch one past
    if (layer.spatial) {
        SpatialPlan sp;
        sp.tolerance = layer.spatial->tolerance;
        sp.input_background.assign(plan.pad_pixel.size(), 0);
        for (int c = 0; c < channels; ++c) {
            if (in_background[static_cast<size_t>(c)] != 0) {
                set_bit(sp.input_background.data(), c);
            }
        }
        sp.padding_differs = sp.input_background != plan.pad_pixel;
        sp.output_background = out_background;
        plan.spatial = std::move(sp);
    }
    return plan;
}

BinaryDensePlan lower_binary_dense(const Layer& layer) {
    const int64_t features = layer.in.size();
    BinaryDensePlan plan;
    plan.w.words = words_for(features);
    plan.w.kept_taps = features;
    plan.w.weight.assign(static_cast<size_t>(layer.outputs * plan.w.words), 0);
    plan.w.kept.assign(plan.w.weight.size(), 0);
    for (int o = 0; o < layer.outputs; ++o) {
        for (int64_t i = 0; i < features; ++i) {
            if (layer.weight[static_cast<size_t>(o * features + i)] > 0) {
                set_bit(plan.w.weight.data() + o * plan.w.words, i);
            }
            set_bit(plan.w.kept.data() + o * plan.w.words, i);
        }
    }
    plan.w.max_mismatches = popcount_thresholds(layer, plan.w.kept_taps);
    plan.input.assign(static_cast<size_t>(plan.w.words), 0);
    return plan;
}

IntegerPlan lower_integer(const Layer& layer, int bits) {
    IntegerPlan plan;
    bool conv = layer.kind == LayerKind::Conv;
    plan.taps = conv ? int64_t{layer.in.channels} * layer.kernel * layer.kernel : layer.in.size();
    const auto outputs = static_cast<size_t>(layer.outputs);
    plan.weight_t.resize(outputs * static_cast<size_t>(plan.taps));
    int64_t per_channel = conv ? int64_t{layer.kernel} * layer.kernel : plan.taps;
    for (int o = 0; o < layer.outputs; ++o) {
        for (int64_t t = 0; t < plan.taps; ++t) {
            auto channel = static_cast<int>(t / per_channel);
            bool kept = !conv || is_kept(layer, o, channel);
            plan.weight_t[static_cast<size_t>(t) * outputs + static_cast<size_t>(o)] =
                kept ? layer.weight[static_cast<size_t>(o * plan.taps + t)] : 0;
        }
    }
    int64_t max_sum = plan.taps * ((int64_t{1} << bits) - 1);
    plan.wide = max_sum > std::numeric_limits<int32_t>::max();
    plan.window.resize(static_cast<size_t>(plan.taps));
    plan.sums32.resize(outputs);
    plan.sums64.resize(outputs);
    return plan;
}

// sums[o] = sum over taps t of weight_t[t][o] * window[t]; the inner loop runs over outputs so it
// vectorises.
template <typename Acc>
void integer_sums(const IntegerPlan& plan, std::vector<Acc>& sums) {
    const size_t outputs = sums.size();
    std::fill(sums.begin(), sums.end(), Acc{0});
    for (size_t t = 0; t < static_cast<size_t>(plan.taps); ++t) {
        const Acc x = plan.window[t];
        const int32_t* w = plan.weight_t.data() + t * outputs;
        for (size_t o = 0; o < outputs; ++o) {
            sums[o] += static_cast<Acc>(w[o]) * x;
        }
    }
}

}  // namespace

struct FastModel::Impl {
    const Network& net;
    std::vector<Plan> plans;
    std::vector<Activations> layer_outputs;  // one per layer, reused across images
    std::vector<int64_t> sums;  // scratch: one position's pre-activations

    explicit Impl(const Network& n) : net(n) {
        const std::vector<Tensor> backgrounds = background_vectors(net);
        for (size_t i = 0; i < net.layers.size(); ++i) {
            const Layer& layer = net.layers[i];
            if (layer.kind == LayerKind::MaxPool) {
                plans.emplace_back(PoolPlan{});
            } else if (layer.integer_input) {
                plans.emplace_back(lower_integer(layer, net.input.bits));
            } else if (layer.kind == LayerKind::Conv) {
                plans.emplace_back(lower_binary_conv(layer, input_background(net, backgrounds, i), backgrounds[i]));
            } else {
                plans.emplace_back(lower_binary_dense(layer));
            }
        }
        layer_outputs.resize(net.layers.size());
        size_t widest = 0;
        for (const Layer& layer : net.layers) {
            widest = std::max(widest, static_cast<size_t>(layer.outputs));
        }
        sums.resize(widest);
    }

    // Applies the activation to the pre-activations of every output channel at pixel (y, x).
    static void emit_all(const Layer& layer, Activations& out, int y, int x, const int64_t* s) {
        const auto outputs = static_cast<size_t>(layer.outputs);
        if (layer.activation == Activation::Threshold) {
            uint64_t* pixel = out.bits.pixel(y, x);
            const int64_t* threshold = layer.threshold.data();
            for (size_t o = 0; o < outputs; ++o) {
                pixel[o / 64] |= static_cast<uint64_t>(s[o] >= threshold[o]) << (o % 64);
            }
        } else {
            const auto plane = static_cast<size_t>(layer.out.height) * static_cast<size_t>(layer.out.width);
            const size_t offset = static_cast<size_t>(y) * static_cast<size_t>(layer.out.width) + static_cast<size_t>(x);
            for (size_t o = 0; o < outputs; ++o) {
                out.scores[o * plane + offset] = s[o] + layer.bias[o];
            }
        }
    }

    // One position of a binary layer: threshold layers compare mismatch counts directly.
    void emit_popcount(const Layer& layer, const PopcountWeights& w, const uint64_t* x, Activations& out, int y, int x_pos) {
        const auto outputs = static_cast<size_t>(layer.outputs);
        if (layer.activation == Activation::Threshold) {
            uint64_t* pixel = out.bits.pixel(y, x_pos);
            const int64_t* limit = w.max_mismatches.data();
            for_each_output(w, x, outputs, [pixel, limit](size_t o, int64_t mismatches) {
                pixel[o / 64] |= static_cast<uint64_t>(mismatches <= limit[o]) << (o % 64);
            });
        } else {
            int64_t* s = sums.data();
            const int64_t n = w.kept_taps;
            for_each_output(w, x, outputs, [s, n](size_t o, int64_t mismatches) { s[o] = n - 2 * mismatches; });
            emit_all(layer, out, y, x_pos, s);
        }
    }

    static void prepare(const Layer& layer, Activations& out) {
        out.is_scores = layer.is_compute() && layer.activation == Activation::None;
        if (out.is_scores) {
            out.scores.assign(static_cast<size_t>(layer.out.size()), 0);
        } else {
            out.bits.reset(layer.out.height, layer.out.width, layer.out.channels);
        }
    }

    void run_integer(const Layer& layer, IntegerPlan& plan, const uint16_t* image, Activations& out, int64_t& ops) {
        const Shape& is = layer.in;
        bool conv = layer.kind == LayerKind::Conv;
        int out_h = conv ? layer.out.height : 1;
        int out_w = conv ? layer.out.width : 1;
        const int64_t kept_taps = layer.taps_per_output();
        for (int oy = 0; oy < out_h; ++oy) {
            for (int ox = 0; ox < out_w; ++ox) {
                if (conv) {
                    int32_t* x = plan.window.data();
                    for (int c = 0; c < is.channels; ++c) {
                        for (int ky = 0; ky < layer.kernel; ++ky) {
                            int iy = oy * layer.stride - layer.padding + ky;
                            for (int kx = 0; kx < layer.kernel; ++kx) {
                                int ix = ox * layer.stride - layer.padding + kx;
                                bool inside = iy >= 0 && iy < is.height && ix >= 0 && ix < is.width;
                                *x++ = inside ? image[(c * is.height + iy) * is.width + ix] : 0;
                            }
                        }
                    }
                } else {
                    std::copy(image, image + plan.taps, plan.window.begin());
                }
                if (plan.wide) {
                    integer_sums(plan, plan.sums64);
                    std::copy(plan.sums64.begin(), plan.sums64.end(), sums.begin());
                } else {
                    integer_sums(plan, plan.sums32);
                    std::copy(plan.sums32.begin(), plan.sums32.end(), sums.begin());
                }
                emit_all(layer, out, oy, ox, sums.data());
                ops += kept_taps * layer.outputs;
            }
        }
    }

    static void mark_differing_pixels(SpatialPlan& sp, const BitMap& in) {
        sp.differs.resize(static_cast<size_t>(in.height) * static_cast<size_t>(in.width));
        for (int y = 0; y < in.height; ++y) {
            for (int x = 0; x < in.width; ++x) {
                sp.differs[static_cast<size_t>(y * in.width + x)] =
                    std::equal(sp.input_background.begin(), sp.input_background.end(), in.pixel(y, x)) ? 0 : 1;
            }
        }
    }

    static int count_differing_taps(const Layer& layer, const SpatialPlan& sp, const BitMap& in, int oy, int ox) {
        int differing = 0;
        for (int ky = 0; ky < layer.kernel; ++ky) {
            int iy = oy * layer.stride - layer.padding + ky;
            for (int kx = 0; kx < layer.kernel; ++kx) {
                int ix = ox * layer.stride - layer.padding + kx;
                bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
                differing += inside ? sp.differs[static_cast<size_t>(iy * in.width + ix)] : (sp.padding_differs ? 1 : 0);
            }
        }
        return differing;
    }

    // A skipped position outputs the layer's background: bits or, after activation none, scores.
    static void emit_values(const Layer& layer, Activations& out, int y, int x, const int64_t* values) {
        if (layer.activation == Activation::Threshold) {
            uint64_t* pixel = out.bits.pixel(y, x);
            for (size_t o = 0; o < static_cast<size_t>(layer.outputs); ++o) {
                pixel[o / 64] |= static_cast<uint64_t>(values[o] != 0) << (o % 64);
            }
        } else {
            const auto plane = static_cast<size_t>(layer.out.height) * static_cast<size_t>(layer.out.width);
            const size_t offset = static_cast<size_t>(y) * static_cast<size_t>(layer.out.width) + static_cast<size_t>(x);
            for (size_t o = 0; o < static_cast<size_t>(layer.outputs); ++o) {
                out.scores[o * plane + offset] = values[o];
            }
        }
    }

    void run_binary_conv(const Layer& layer, BinaryConvPlan& plan, const BitMap& in, Activations& out, int64_t& ops,
                         int64_t& skipped) {
        const int channels = layer.in.channels;
        const int k = layer.kernel;
        const PopcountWeights& w = plan.w;
        if (plan.spatial) {
            mark_differing_pixels(*plan.spatial, in);
        }
        for (int oy = 0; oy < layer.out.height; ++oy) {
            for (int ox = 0; ox < layer.out.width; ++ox) {
                if (plan.spatial && count_differing_taps(layer, *plan.spatial, in, oy, ox) <= plan.spatial->tolerance) {
                    emit_values(layer, out, oy, ox, plan.spatial->output_background.data());
                    ++skipped;
                    continue;
                }
                std::fill(plan.window.begin(), plan.window.end(), 0);
                for (int ky = 0; ky < k; ++ky) {
                    int iy = oy * layer.stride - layer.padding + ky;
                    for (int kx = 0; kx < k; ++kx) {
                        int ix = ox * layer.stride - layer.padding + kx;
                        bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
                        const uint64_t* src = inside ? in.pixel(iy, ix) : plan.pad_pixel.data();
                        append_bits(plan.window.data(), int64_t{ky * k + kx} * channels, src, channels);
                    }
                }
                emit_popcount(layer, w, plan.window.data(), out, oy, ox);
                ops += w.kept_taps * layer.outputs;
            }
        }
    }

    void run_binary_dense(const Layer& layer, BinaryDensePlan& plan, const BitMap& in, Activations& out, int64_t& ops) {
        std::fill(plan.input.begin(), plan.input.end(), 0);
        const Shape& is = layer.in;
        for (int c = 0; c < is.channels; ++c) {
            for (int y = 0; y < is.height; ++y) {
                for (int x = 0; x < is.width; ++x) {
                    if (get_bit(in.pixel(y, x), c)) {
                        set_bit(plan.input.data(), (int64_t{c} * is.height + y) * is.width + x);
                    }
                }
            }
        }
        const PopcountWeights& w = plan.w;
        emit_popcount(layer, w, plan.input.data(), out, 0, 0);
        ops += w.kept_taps * layer.outputs;
    }

    static void run_pool(const Layer& layer, const BitMap& in, Activations& out) {
        for (int oy = 0; oy < layer.out.height; ++oy) {
            for (int ox = 0; ox < layer.out.width; ++ox) {
                uint64_t* dst = out.bits.pixel(oy, ox);
                for (int ky = 0; ky < layer.kernel; ++ky) {
                    for (int kx = 0; kx < layer.kernel; ++kx) {
                        const uint64_t* src = in.pixel(oy * layer.stride + ky, ox * layer.stride + kx);
                        for (int j = 0; j < in.words; ++j) {
                            dst[j] |= src[j];
                        }
                    }
                }
            }
        }
    }

    void run(const uint16_t* image, std::vector<int64_t>& ops, std::vector<int64_t>& skipped) {
        for (size_t i = 0; i < net.layers.size(); ++i) {
            const Layer& layer = net.layers[i];
            Activations& out = layer_outputs[i];
            prepare(layer, out);
            // Only the first compute layer reads the image; every later layer reads bits.
            const BitMap* in = i == 0 ? nullptr : &layer_outputs[i - 1].bits;
            std::visit(
                [&](auto& plan) {
                    using P = std::decay_t<decltype(plan)>;
                    if constexpr (std::is_same_v<P, IntegerPlan>) {
                        run_integer(layer, plan, image, out, ops[i]);
                    } else if constexpr (std::is_same_v<P, BinaryConvPlan>) {
                        run_binary_conv(layer, plan, *in, out, ops[i], skipped[i]);
                    } else if constexpr (std::is_same_v<P, BinaryDensePlan>) {
                        run_binary_dense(layer, plan, *in, out, ops[i]);
                    } else {
                        run_pool(layer, *in, out);
                    }
                },
                plans[i]);
        }
    }

    Tensor unpack(size_t index) const {
        const Layer& layer = net.layers[index];
        const Activations& a = layer_outputs[index];
        if (a.is_scores) {
            return a.scores;
        }
        Tensor t(static_cast<size_t>(layer.out.size()));
        for (int c = 0; c < layer.out.channels; ++c) {
            for (int y = 0; y < layer.out.height; ++y) {
                for (int x = 0; x < layer.out.width; ++x) {
                    t[static_cast<size_t>((c * layer.out.height + y) * layer.out.width + x)] =
                        get_bit(a.bits.pixel(y, x), c) ? 1 : 0;
                }
            }
        }
        return t;
    }
};

FastModel::FastModel(const Network& net)
    : impl_(std::make_unique<Impl>(net)), operations_(net.layers.size(), 0), skipped_positions_(net.layers.size(), 0) {}
FastModel::~FastModel() = default;
FastModel::FastModel(FastModel&&) noexcept = default;
FastModel& FastModel::operator=(FastModel&&) noexcept = default;

void FastModel::reset_operations() {
    std::fill(operations_.begin(), operations_.end(), 0);
    std::fill(skipped_positions_.begin(), skipped_positions_.end(), 0);
}

Prediction FastModel::predict(const uint16_t* image) {
    impl_->run(image, operations_, skipped_positions_);
    Prediction p;
    p.scores = impl_->unpack(impl_->net.layers.size() - 1);
    p.predicted_class = argmax(p.scores);
    return p;
}

std::vector<Tensor> FastModel::run_layers(const uint16_t* image) {
    impl_->run(image, operations_, skipped_positions_);
    std::vector<Tensor> result;
    for (size_t i = 0; i < impl_->net.layers.size(); ++i) {
        result.push_back(impl_->unpack(i));
    }
    return result;
}

}  // namespace bnngen::golden
