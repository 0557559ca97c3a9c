#include "bnngen/golden/similarity_reuse.hpp"

#include "bnngen/golden/background.hpp"

#include <algorithm>

namespace bnngen::golden {

ReuseCount& ReuseCount::operator+=(const ReuseCount& other) {
    positions += other.positions;
    skipped += other.skipped;
    window_bits += other.window_bits;
    changed_bits += other.changed_bits;
    operations += other.operations;
    ideal_operations += other.ideal_operations;
    chunks += other.chunks;
    changed_chunks += other.changed_chunks;
    computed_steps += other.computed_steps;
    unit_cycles += other.unit_cycles;
    return *this;
}

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

}  // namespace

ReuseCounter::ReuseCounter(const Network& net) : ReuseCounter(net, layers_with_reuse(net)) {}

ReuseCounter::ReuseCounter(const Network& net, const std::vector<size_t>& layers)
    : net_(net), counts_(net.layers.size()) {
    const bool spatial = std::any_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.spatial.has_value(); });
    if (spatial) {
        backgrounds_ = background_vectors(net);
    }
    for (size_t index : layers) {
        Layered l;
        l.index = index;
        l.plan = hw::plan_similarity_reuse(net.layers[index]);
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
    std::vector<uint8_t> changed(static_cast<size_t>(plan.chunks));
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
            std::fill(changed.begin(), changed.end(), uint8_t{0});
            for (int64_t e = 0; e < plan.window_bits; ++e) {
                const bool differs = state.fresh || window[static_cast<size_t>(e)] != state.reference[static_cast<size_t>(e)];
                if (differs) {
                    ++count.changed_bits;
                    count.ideal_operations += plan.channel_users[static_cast<size_t>(plan.channel_of(e))];
                    changed[static_cast<size_t>(e / plan.simd)] = 1;
                }
            }
            count.changed_chunks += std::count(changed.begin(), changed.end(), uint8_t{1});
            for (const std::vector<uint8_t>& kept : plan.kept_chunks) {
                int64_t steps = 0;
                for (int64_t q = 0; q < plan.chunks; ++q) {
                    steps += (changed[static_cast<size_t>(q)] & kept[static_cast<size_t>(q)]) != 0 ? 1 : 0;
                }
                count.computed_steps += steps;
                count.unit_cycles += std::max<int64_t>(1, steps);
            }
            state.reference = window;
            state.fresh = false;
        }
    }
}

}  // namespace bnngen::golden
