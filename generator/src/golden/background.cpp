#include "bnngen/golden/background.hpp"

namespace bnngen::golden {
namespace {

int64_t as_factor(const Layer& layer, int64_t stored) {
    if (layer.integer_input) {
        return stored;
    }
    return stored != 0 ? 1 : -1;
}

// A window whose taps all equal the background: padding taps included, so every kept tap of
// input channel c contributes w * background[c].
Tensor compute_background(const Layer& layer, const Tensor& in) {
    Tensor out(static_cast<size_t>(layer.outputs));
    const int64_t channels = layer.in.channels;
    const int64_t per_channel = layer.kind == LayerKind::Conv ? int64_t{layer.kernel} * layer.kernel
                                                              : int64_t{layer.in.height} * layer.in.width;
    for (int o = 0; o < layer.outputs; ++o) {
        int64_t s = 0;
        for (int64_t c = 0; c < channels; ++c) {
            if (layer.kind == LayerKind::Conv && layer.kernel_mask[static_cast<size_t>(o * channels + c)] == 0) {
                continue;
            }
            for (int64_t t = 0; t < per_channel; ++t) {
                s += layer.weight[static_cast<size_t>((o * channels + c) * per_channel + t)] *
                     as_factor(layer, in[static_cast<size_t>(c)]);
            }
        }
        auto oi = static_cast<size_t>(o);
        out[oi] = layer.activation == Activation::Threshold ? (s >= layer.threshold[oi] ? 1 : 0) : s + layer.bias[oi];
    }
    return out;
}

}  // namespace

Tensor input_background(const Network& net, const std::vector<Tensor>& backgrounds, size_t index) {
    if (index == 0) {
        return Tensor(static_cast<size_t>(net.input.channels), 0);
    }
    return backgrounds[index - 1];
}

std::vector<Tensor> background_vectors(const Network& net) {
    std::vector<Tensor> backgrounds;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& layer = net.layers[i];
        Tensor in = input_background(net, backgrounds, i);
        backgrounds.push_back(layer.kind == LayerKind::MaxPool ? in : compute_background(layer, in));
    }
    return backgrounds;
}

std::vector<uint8_t> spatial_skips(const Layer& layer, const Tensor& input, const Tensor& background) {
    const Shape& in = layer.in;
    const Shape& out = layer.out;
    std::vector<uint8_t> skipped(static_cast<size_t>(int64_t{out.height} * out.width), 0);
    if (!layer.spatial) {
        return skipped;
    }
    const int64_t pad = layer.pad_value > 0 ? 1 : 0;
    for (int oy = 0; oy < out.height; ++oy) {
        for (int ox = 0; ox < out.width; ++ox) {
            int differing = 0;
            for (int ky = 0; ky < layer.kernel; ++ky) {
                for (int kx = 0; kx < layer.kernel; ++kx) {
                    const int iy = oy * layer.stride - layer.padding + ky;
                    const int ix = ox * layer.stride - layer.padding + kx;
                    const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
                    bool differs = false;
                    for (int c = 0; c < in.channels && !differs; ++c) {
                        const int64_t v = inside ? input[static_cast<size_t>((int64_t{c} * in.height + iy) * in.width + ix)] : pad;
                        differs = v != background[static_cast<size_t>(c)];
                    }
                    differing += differs ? 1 : 0;
                }
            }
            skipped[static_cast<size_t>(oy * out.width + ox)] = differing <= layer.spatial->tolerance ? 1 : 0;
        }
    }
    return skipped;
}

}  // namespace bnngen::golden
