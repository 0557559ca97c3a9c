#include "mvau_plan.hpp"

#include <algorithm>
#include <cstdlib>

namespace bnngen::rtl {
namespace {

// Bits of a two's-complement number that holds every value in [lo, hi].
int signed_width(int64_t lo, int64_t hi) {
    int bits = 1;
    while (lo < -(int64_t{1} << (bits - 1)) || hi > (int64_t{1} << (bits - 1)) - 1) {
        ++bits;
    }
    return bits;
}

int64_t ceil_half(int64_t v) { return v >= 0 ? (v + 1) / 2 : -((-v) / 2); }

}  // namespace

MvauPlan plan_mvau(const Network& net, const Layer& layer) {
    MvauPlan plan;
    plan.outputs = layer.outputs;
    plan.integer_input = layer.integer_input;
    plan.elem_width = layer.integer_input ? net.input.bits : 1;
    plan.score_mode = layer.activation == Activation::None;
    const int channels = layer.in.channels;
    const bool conv = layer.kind == LayerKind::Conv;
    const int spatial = conv ? layer.kernel * layer.kernel : layer.in.height * layer.in.width;
    plan.taps = int64_t{spatial} * channels;

    plan.weight.assign(static_cast<size_t>(layer.outputs), std::vector<uint8_t>(static_cast<size_t>(plan.taps)));
    plan.kept = plan.weight;
    for (int o = 0; o < layer.outputs; ++o) {
        for (int p = 0; p < spatial; ++p) {  // p = ky*k + kx (conv) or y*W + x (dense)
            for (int c = 0; c < channels; ++c) {
                size_t source = static_cast<size_t>((int64_t{o} * channels + c) * spatial + p);
                size_t element = static_cast<size_t>(int64_t{p} * channels + c);
                bool kept = !conv || layer.kernel_mask[static_cast<size_t>(o * channels + c)] != 0;
                plan.pruned = plan.pruned || !kept;
                plan.weight[static_cast<size_t>(o)][element] = layer.weight[source] > 0 ? 1 : 0;
                plan.kept[static_cast<size_t>(o)][element] = kept ? 1 : 0;
            }
        }
    }

    const int64_t n = layer.taps_per_output();
    const int64_t max_value = layer.integer_input ? (int64_t{1} << net.input.bits) - 1 : 1;
    const int64_t s_max = n * max_value;  // |s| never exceeds this
    if (plan.score_mode) {
        plan.params = layer.bias;
        if (!layer.integer_input) {
            for (int64_t& b : plan.params) {
                b += plan.taps - n;  // the unit subtracts TAPS where the contract subtracts N
            }
        }
        int64_t lo = -s_max;
        int64_t hi = s_max;
        for (int64_t b : layer.bias) {
            lo = std::min(lo, -s_max + b);
            hi = std::max(hi, s_max + b);
        }
        plan.score_width = std::max(2, signed_width(lo, hi));
    } else {
        for (int64_t t : layer.threshold) {
            plan.params.push_back(layer.integer_input ? std::clamp(t, -s_max, s_max + 1)
                                                      : std::clamp(ceil_half(t + n), int64_t{0}, n + 1));
        }
    }
    for (int64_t v : plan.params) {  // signed_width of one value
        plan.param_width = std::max(plan.param_width, signed_width(v, v));
    }
    return plan;
}

}  // namespace bnngen::rtl
