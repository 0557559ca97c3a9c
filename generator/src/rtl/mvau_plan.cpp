#include "mvau_plan.hpp"

#include "bnngen/util/int_bits.hpp"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace bnngen::rtl {
namespace {

using util::ceil_half;
using util::signed_width;

bool uses_kernel_select(const Layer& layer) {
    return layer.kind == LayerKind::Conv && layer.kept_channels() < layer.in.channels;
}

// The weights of every input element in the unit's streaming order (see the header).
void plan_all_taps(const Layer& layer, MvauPlan& plan) {
    const int channels = layer.in.channels;
    const bool conv = layer.kind == LayerKind::Conv;
    const int spatial = conv ? layer.kernel * layer.kernel : layer.in.height * layer.in.width;
    plan.weight.assign(static_cast<size_t>(layer.outputs), std::vector<uint8_t>(static_cast<size_t>(plan.taps)));
    for (int o = 0; o < layer.outputs; ++o) {
        for (int p = 0; p < spatial; ++p) {  // p = ky*k + kx (conv) or y*W + x (dense)
            for (int c = 0; c < channels; ++c) {
                size_t source = static_cast<size_t>((int64_t{o} * channels + c) * spatial + p);
                size_t element = static_cast<size_t>(int64_t{p} * channels + c);
                plan.weight[static_cast<size_t>(o)][element] = layer.weight[source] > 0 ? 1 : 0;
            }
        }
    }
}

// Kernel-select mode: the compact vector of each output channel is the chunks of its kept kernels,
// in ascending input-channel order, within the unit's kernel-major order (element c*k*k + tap).
void plan_kernel_select(const Layer& layer, MvauPlan& plan) {
    const int channels = layer.in.channels;
    const int kk = layer.kernel * layer.kernel;
    KernelSelect sel;
    sel.kernel_taps = kk;
    sel.chunk = std::gcd(layer.fold.simd, kk);
    sel.kept_taps = int64_t{layer.kept_channels()} * kk;
    const int chunks_per_kernel = kk / sel.chunk;
    sel.span = (channels - layer.kept_channels()) * chunks_per_kernel + 1;
    plan.weight.assign(static_cast<size_t>(layer.outputs), std::vector<uint8_t>(static_cast<size_t>(sel.kept_taps)));
    sel.offsets.assign(static_cast<size_t>(layer.outputs), {});
    for (int o = 0; o < layer.outputs; ++o) {
        auto& weights = plan.weight[static_cast<size_t>(o)];
        auto& offsets = sel.offsets[static_cast<size_t>(o)];
        int q = 0;  // compact chunk
        for (int c = 0; c < channels; ++c) {
            if (layer.kernel_mask[static_cast<size_t>(o * channels + c)] == 0) {
                continue;
            }
            for (int part = 0; part < chunks_per_kernel; ++part, ++q) {
                offsets.push_back(c * chunks_per_kernel + part - q);
                for (int r = 0; r < sel.chunk; ++r) {
                    int tap = part * sel.chunk + r;
                    size_t source = static_cast<size_t>((int64_t{o} * channels + c) * kk + tap);
                    weights[static_cast<size_t>(int64_t{q} * sel.chunk + r)] = layer.weight[source] > 0 ? 1 : 0;
                }
            }
        }
    }
    // The cheaper structure: the pe channels of every neuron fold keep the same kernels.
    const int pe = layer.fold.pe;
    sel.shared = true;
    for (int o = 0; o < layer.outputs && sel.shared; ++o) {
        int leader = o - o % pe;
        sel.shared = std::equal(layer.kernel_mask.begin() + int64_t{o} * channels,
                                layer.kernel_mask.begin() + int64_t{o + 1} * channels,
                                layer.kernel_mask.begin() + int64_t{leader} * channels);
    }
    plan.select = std::move(sel);
}

}  // namespace

MvauPlan plan_mvau(const Network& net, const Layer& layer) {
    MvauPlan plan;
    plan.outputs = layer.outputs;
    plan.integer_input = layer.integer_input;
    plan.elem_width = layer.integer_input ? net.input.bits : 1;
    plan.score_mode = layer.activation == Activation::None;
    const int spatial = layer.kind == LayerKind::Conv ? layer.kernel * layer.kernel : layer.in.height * layer.in.width;
    plan.taps = int64_t{spatial} * layer.in.channels;
    if (uses_kernel_select(layer)) {
        plan_kernel_select(layer, plan);
    } else {
        plan_all_taps(layer, plan);
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
