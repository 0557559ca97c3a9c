// The fast golden model. Each layer is lowered once, at construction, into a plan whose weights
// are packed in the order its inputs are gathered:
//   binary conv:  window bits tap-major (ky, kx), then channel; s = N - 2 * mismatches over kept bits
//   binary dense: input bits in (C, H, W) flatten order; same popcount
//   integer input (first layer): an int32 dot product over the window, pruned kernels' weights zeroed
//   max-pool:     OR of the window's pixel words
#include "bnngen/golden/fast_model.hpp"

#include "bit_map.hpp"

#include <limits>
#include <variant>

namespace bnngen::golden {
namespace {

// A layer's output: packed bits (threshold activation) or integer scores (activation none).
struct Activations {
    BitMap bits;
    std::vector<int64_t> scores;  // [C][H][W], used after activation none
    bool is_scores = false;
};

struct PopcountWeights {
    int words = 0;  // per output
    int64_t kept_taps = 0;
    std::vector<uint64_t> weight;  // [outputs][words], bit = (w == +1)
    std::vector<uint64_t> kept;    // [outputs][words], bit = tap is kept
};

struct BinaryConvPlan {
    PopcountWeights w;
    std::vector<uint64_t> pad_pixel;  // every channel at pad_value
    std::vector<uint64_t> window;     // scratch
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

BinaryConvPlan lower_binary_conv(const Layer& layer) {
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
    plan.pad_pixel.assign(static_cast<size_t>(words_for(channels)), 0);
    if (layer.pad_value > 0) {
        for (int c = 0; c < channels; ++c) {
            set_bit(plan.pad_pixel.data(), c);
        }
    }
    plan.window.assign(static_cast<size_t>(plan.w.words) + 1, 0);  // +1: append_bits may touch one past
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
    std::vector<Activations> outputs;  // one per layer, reused across images
    std::vector<int64_t>* operations = nullptr;

    explicit Impl(const Network& n) : net(n) {
        for (const Layer& layer : net.layers) {
            if (layer.kind == LayerKind::MaxPool) {
                plans.emplace_back(PoolPlan{});
            } else if (layer.integer_input) {
                plans.emplace_back(lower_integer(layer, net.input.bits));
            } else if (layer.kind == LayerKind::Conv) {
                plans.emplace_back(lower_binary_conv(layer));
            } else {
                plans.emplace_back(lower_binary_dense(layer));
            }
        }
        outputs.resize(net.layers.size());
    }

    // Stores output o at pixel (y, x) of the layer's output.
    static void emit(const Layer& layer, Activations& out, int o, int y, int x, int64_t s) {
        auto oi = static_cast<size_t>(o);
        if (layer.activation == Activation::Threshold) {
            if (s >= layer.threshold[oi]) {
                set_bit(out.bits.pixel(y, x), o);
            }
        } else {
            out.scores[static_cast<size_t>((o * layer.out.height + y) * layer.out.width + x)] = s + layer.bias[oi];
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
                } else {
                    integer_sums(plan, plan.sums32);
                }
                for (int o = 0; o < layer.outputs; ++o) {
                    auto oi = static_cast<size_t>(o);
                    emit(layer, out, o, oy, ox, plan.wide ? plan.sums64[oi] : int64_t{plan.sums32[oi]});
                }
                ops += kept_taps * layer.outputs;
            }
        }
    }

    void run_binary_conv(const Layer& layer, BinaryConvPlan& plan, const BitMap& in, Activations& out, int64_t& ops) {
        const int channels = layer.in.channels;
        const int k = layer.kernel;
        const PopcountWeights& w = plan.w;
        for (int oy = 0; oy < layer.out.height; ++oy) {
            for (int ox = 0; ox < layer.out.width; ++ox) {
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
                for (int o = 0; o < layer.outputs; ++o) {
                    int mismatches = masked_mismatches(w.weight.data() + o * w.words, plan.window.data(),
                                                       w.kept.data() + o * w.words, w.words);
                    emit(layer, out, o, oy, ox, w.kept_taps - 2 * int64_t{mismatches});
                }
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
        for (int o = 0; o < layer.outputs; ++o) {
            int mismatches = masked_mismatches(w.weight.data() + o * w.words, plan.input.data(),
                                               w.kept.data() + o * w.words, w.words);
            emit(layer, out, o, 0, 0, w.kept_taps - 2 * int64_t{mismatches});
        }
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

    void run(const uint16_t* image, std::vector<int64_t>& ops) {
        for (size_t i = 0; i < net.layers.size(); ++i) {
            const Layer& layer = net.layers[i];
            Activations& out = outputs[i];
            prepare(layer, out);
            // Only the first compute layer reads the image; every later layer reads bits.
            const BitMap* in = i == 0 ? nullptr : &outputs[i - 1].bits;
            std::visit(
                [&](auto& plan) {
                    using P = std::decay_t<decltype(plan)>;
                    if constexpr (std::is_same_v<P, IntegerPlan>) {
                        run_integer(layer, plan, image, out, ops[i]);
                    } else if constexpr (std::is_same_v<P, BinaryConvPlan>) {
                        run_binary_conv(layer, plan, *in, out, ops[i]);
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
        const Activations& a = outputs[index];
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
    : impl_(std::make_unique<Impl>(net)), operations_(net.layers.size(), 0) {}
FastModel::~FastModel() = default;
FastModel::FastModel(FastModel&&) noexcept = default;
FastModel& FastModel::operator=(FastModel&&) noexcept = default;

void FastModel::reset_operations() { std::fill(operations_.begin(), operations_.end(), 0); }

Prediction FastModel::predict(const uint16_t* image) {
    impl_->run(image, operations_);
    Prediction p;
    p.scores = impl_->unpack(impl_->net.layers.size() - 1);
    p.predicted_class = argmax(p.scores);
    return p;
}

std::vector<Tensor> FastModel::run_layers(const uint16_t* image) {
    impl_->run(image, operations_);
    std::vector<Tensor> result;
    for (size_t i = 0; i < impl_->net.layers.size(); ++i) {
        result.push_back(impl_->unpack(i));
    }
    return result;
}

}  // namespace bnngen::golden
