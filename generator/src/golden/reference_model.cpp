#include "bnngen/golden/reference_model.hpp"

#include "bnngen/golden/background.hpp"

#include <algorithm>

namespace bnngen::golden {
namespace {

// The value a layer multiplies with a weight: the integer itself for the first layer's input,
// -1 or +1 for a bit.
int64_t input_value(const Layer& layer, int64_t stored) {
    if (layer.integer_input) {
        return stored;
    }
    return stored != 0 ? 1 : -1;
}

int64_t activate(const Layer& layer, int output, int64_t s) {
    auto o = static_cast<size_t>(output);
    if (layer.activation == Activation::Threshold) {
        return s >= layer.threshold[o] ? 1 : 0;
    }
    return s + layer.bias[o];
}

// Dynamic spatial pruning (DESIGN.md 4.2): the number of taps of the window at (oy, ox) that differ
// from the input background in at least one channel. A padding tap differs unless pad_value equals
// the background in every channel.
int differing_taps(const Layer& layer, const Tensor& in, const Tensor& background, int oy, int ox) {
    const Shape& is = layer.in;
    int differing = 0;
    for (int ky = 0; ky < layer.kernel; ++ky) {
        for (int kx = 0; kx < layer.kernel; ++kx) {
            int iy = oy * layer.stride - layer.padding + ky;
            int ix = ox * layer.stride - layer.padding + kx;
            bool inside = iy >= 0 && iy < is.height && ix >= 0 && ix < is.width;
            bool differs = false;
            for (int c = 0; c < is.channels; ++c) {
                int64_t value = inside ? in[static_cast<size_t>((c * is.height + iy) * is.width + ix)]
                                       : (layer.pad_value > 0 ? 1 : 0);
                differs = differs || value != background[static_cast<size_t>(c)];
            }
            differing += differs ? 1 : 0;
        }
    }
    return differing;
}

Tensor conv(const Layer& layer, const Tensor& in, const Tensor& in_background, const Tensor& out_background) {
    const Shape& is = layer.in;
    const Shape& os = layer.out;
    Tensor out(static_cast<size_t>(os.size()));
    for (int o = 0; o < os.channels; ++o) {
        for (int oy = 0; oy < os.height; ++oy) {
            for (int ox = 0; ox < os.width; ++ox) {
                if (layer.spatial && differing_taps(layer, in, in_background, oy, ox) <= layer.spatial->tolerance) {
                    out[static_cast<size_t>((o * os.height + oy) * os.width + ox)] =
                        out_background[static_cast<size_t>(o)];
                    continue;
                }
                int64_t s = 0;
                for (int c = 0; c < is.channels; ++c) {
                    if (layer.kernel_mask[static_cast<size_t>(o * is.channels + c)] == 0) {
                        continue;  // a pruned kernel contributes nothing
                    }
                    for (int ky = 0; ky < layer.kernel; ++ky) {
                        for (int kx = 0; kx < layer.kernel; ++kx) {
                            int iy = oy * layer.stride - layer.padding + ky;
                            int ix = ox * layer.stride - layer.padding + kx;
                            int64_t x = 0;
                            if (iy < 0 || iy >= is.height || ix < 0 || ix >= is.width) {
                                x = layer.pad_value;  // 0 for the integer first layer
                            } else {
                                x = input_value(layer, in[static_cast<size_t>((c * is.height + iy) * is.width + ix)]);
                            }
                            size_t wi = static_cast<size_t>(((o * is.channels + c) * layer.kernel + ky) * layer.kernel + kx);
                            s += layer.weight[wi] * x;
                        }
                    }
                }
                out[static_cast<size_t>((o * os.height + oy) * os.width + ox)] = activate(layer, o, s);
            }
        }
    }
    return out;
}

Tensor maxpool(const Layer& layer, const Tensor& in) {
    const Shape& is = layer.in;
    const Shape& os = layer.out;
    Tensor out(static_cast<size_t>(os.size()));
    for (int c = 0; c < os.channels; ++c) {
        for (int oy = 0; oy < os.height; ++oy) {
            for (int ox = 0; ox < os.width; ++ox) {
                int64_t m = 0;
                for (int ky = 0; ky < layer.kernel; ++ky) {
                    for (int kx = 0; kx < layer.kernel; ++kx) {
                        int iy = oy * layer.stride + ky;
                        int ix = ox * layer.stride + kx;
                        m = std::max(m, in[static_cast<size_t>((c * is.height + iy) * is.width + ix)]);
                    }
                }
                out[static_cast<size_t>((c * os.height + oy) * os.width + ox)] = m;
            }
        }
    }
    return out;
}

Tensor dense(const Layer& layer, const Tensor& in) {
    // The input tensor is already in (C, H, W) order, which is PyTorch's flatten order.
    Tensor out(static_cast<size_t>(layer.outputs));
    int64_t features = layer.in.size();
    for (int o = 0; o < layer.outputs; ++o) {
        int64_t s = 0;
        for (int64_t i = 0; i < features; ++i) {
            s += layer.weight[static_cast<size_t>(o * features + i)] * input_value(layer, in[static_cast<size_t>(i)]);
        }
        out[static_cast<size_t>(o)] = activate(layer, o, s);
    }
    return out;
}

}  // namespace

ReferenceModel::ReferenceModel(const Network& net) : net_(net), backgrounds_(background_vectors(net)) {}

std::vector<Tensor> ReferenceModel::run_layers(const uint16_t* image) const {
    Tensor current(image, image + net_.input_shape().size());
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < net_.layers.size(); ++i) {
        const Layer& layer = net_.layers[i];
        switch (layer.kind) {
        case LayerKind::Conv:
            current = conv(layer, current, input_background(net_, backgrounds_, i), backgrounds_[i]);
            break;
        case LayerKind::MaxPool: current = maxpool(layer, current); break;
        case LayerKind::Dense: current = dense(layer, current); break;
        }
        outputs.push_back(current);
    }
    return outputs;
}

Prediction ReferenceModel::predict(const uint16_t* image) const {
    std::vector<Tensor> outputs = run_layers(image);
    Prediction p;
    p.scores = outputs.back();
    p.predicted_class = argmax(p.scores);
    return p;
}

}  // namespace bnngen::golden
