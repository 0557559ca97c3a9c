#include "bnngen/golden/similarity_reuse.hpp"

#include "bnngen/golden/background.hpp"

#include <algorithm>

namespace bnngen::golden {

namespace {

std::vector<size_t> layers_with_reuse(const Network& net) {
    std::vector<size_t> out;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.layers[i].reuse && !net.layers[i].reuse->weights) {
            out.push_back(i);
        }
    }
    return out;
}

// The window of output position (oy, ox) in the plan's element order; a padding tap is pad_value.
void gather(const Layer& layer, const hw::ReusePlan& plan, const Tensor& input, int oy, int ox,
            std::vector<uint8_t>& window) {
    const Shape& in = layer.in;
    const uint8_t pad = layer.pad_value > 0 ? 1 : 0;
    for (int64_t e = 0; e < plan.window_bits; ++e) {
        const int t = plan.tap_of(e);
        const int c = plan.channel_of(e);
        const int iy = oy * layer.stride - layer.padding + t / layer.kernel;
        const int ix = ox * layer.stride - layer.padding + t % layer.kernel;
        const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
        window[static_cast<size_t>(e)] =
            inside ? (input[static_cast<size_t>((int64_t{c} * in.height + iy) * in.width + ix)] != 0 ? 1 : 0) : pad;
    }
}

// The unit's steps for one window whose differing elements are `diff` (in the plan's order), added
// to computed / cycles; returns the changed chunks. `changed` is scratch.
int64_t add_steps(const hw::ReusePlan& plan, const std::vector<uint8_t>& diff, std::vector<uint8_t>& changed,
                  int64_t& computed, int64_t& cycles) {
    changed.assign(static_cast<size_t>(plan.chunks), 0);
    for (int64_t e = 0; e < plan.window_bits; ++e) {
        changed[static_cast<size_t>(e / plan.simd)] |= diff[static_cast<size_t>(e)];
    }
    for (const std::vector<uint8_t>& kept : plan.kept_chunks) {
        int64_t steps = 0;
        for (int64_t q = 0; q < plan.chunks; ++q) {
            steps += (changed[static_cast<size_t>(q)] & kept[static_cast<size_t>(q)]) != 0 ? 1 : 0;
        }
        computed += steps;
        cycles += std::max<int64_t>(1, steps);
    }
    return std::count(changed.begin(), changed.end(), uint8_t{1});
}

// Smaller chunks keep more of the bit-level similarity: the divisors of the window below the
// layer's simd that mvau could run at too (they divide the kept taps), largest first, at most
// kAlternatives of them.
constexpr size_t kAlternatives = 6;
std::vector<int> smaller_simds(const Layer& layer) {
    const int64_t window = int64_t{layer.in.channels} * layer.kernel * layer.kernel;
    std::vector<int> out;
    for (int d = layer.fold.simd - 1; d >= 1 && out.size() < kAlternatives; --d) {
        if (window % d == 0 && layer.taps_per_output() % d == 0) {
            out.push_back(d);
        }
    }
    return out;
}

}  // namespace

ReuseCounter::ReuseCounter(const Network& net) : ReuseCounter(net, layers_with_reuse(net)) {}

ReuseCounter::ReuseCounter(const Network& net, const std::vector<size_t>& layers, bool smaller_chunks)
    : net_(net), counts_(net.layers.size()) {
    const bool spatial = std::any_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.spatial.has_value(); });
    if (spatial) {
        backgrounds_ = background_vectors(net);
    }
    for (size_t index : layers) {
        Layered l;
        l.index = index;
        l.plan = hw::plan_similarity_reuse(net.layers[index]);
        if (smaller_chunks) {
            for (int simd : smaller_simds(net.layers[index])) {
                Layer at = net.layers[index];
                at.fold.simd = simd;
                l.alternatives.push_back(Alternative{hw::plan_similarity_reuse(at), 0});
            }
        }
        layers_.push_back(std::move(l));
    }
}

const hw::ReusePlan* ReuseCounter::plan(size_t index) const {
    for (const Layered& l : layers_) {
        if (l.index == index) {
            return &l.plan;
        }
    }
    return nullptr;
}

std::vector<ReuseAlternative> ReuseCounter::alternatives(size_t index) const {
    std::vector<ReuseAlternative> out;
    for (const Layered& l : layers_) {
        if (l.index == index) {
            for (const Alternative& alt : l.alternatives) {
                out.push_back(ReuseAlternative{alt.plan.simd, alt.unit_cycles});
            }
        }
    }
    return out;
}

void ReuseCounter::reset() {
    for (Layered& l : layers_) {
        l.fresh = true;
        l.reference.clear();
    }
}

void ReuseCounter::add_image(const std::vector<Tensor>& outputs) {
    for (Layered& l : layers_) {
        count_layer(l, outputs.at(l.index - 1));  // a reuse layer is binary: never the first layer
    }
}

void ReuseCounter::count_layer(Layered& state, const Tensor& input) {
    const Layer& layer = net_.layers[state.index];
    const hw::ReusePlan& plan = state.plan;
    ReuseCount& count = counts_[state.index];
    const std::vector<uint8_t> skipped =
        layer.spatial ? spatial_skips(layer, input, input_background(net_, backgrounds_, state.index))
                      : std::vector<uint8_t>(static_cast<size_t>(int64_t{layer.out.height} * layer.out.width), 0);
    int64_t kept_bits_per_window = 0;  // operations of one window without reuse
    for (int c = 0; c < plan.channels; ++c) {
        kept_bits_per_window += plan.channel_users[static_cast<size_t>(c)] * plan.kernel_taps;
    }
    std::vector<uint8_t> window(static_cast<size_t>(plan.window_bits));
    std::vector<uint8_t> diff(static_cast<size_t>(plan.window_bits));
    std::vector<uint8_t> changed;
    for (int oy = 0; oy < layer.out.height; ++oy) {
        for (int ox = 0; ox < layer.out.width; ++ox) {
            ++count.positions;
            if (skipped[static_cast<size_t>(oy * layer.out.width + ox)] != 0) {
                ++count.skipped;
                continue;
            }
            gather(layer, plan, input, oy, ox, window);
            count.window_bits += plan.window_bits;
            count.operations += kept_bits_per_window;
            count.chunks += plan.chunks;
            for (int64_t e = 0; e < plan.window_bits; ++e) {
                const bool differs = state.fresh || window[static_cast<size_t>(e)] != state.reference[static_cast<size_t>(e)];
                diff[static_cast<size_t>(e)] = differs ? 1 : 0;
                if (differs) {
                    ++count.changed_bits;
                    count.ideal_operations += plan.channel_users[static_cast<size_t>(plan.channel_of(e))];
                }
            }
            count.changed_chunks += add_steps(plan, diff, changed, count.computed_steps, count.unit_cycles);
            for (Alternative& alt : state.alternatives) {
                int64_t computed = 0;
                add_steps(alt.plan, diff, changed, computed, alt.unit_cycles);
            }
            state.reference = window;
            state.fresh = false;
        }
    }
}

}  // namespace bnngen::golden
