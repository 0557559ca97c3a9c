#include "bnngen/golden/early_decision.hpp"

#include "bnngen/golden/background.hpp"

#include <algorithm>
#include <stdexcept>

namespace bnngen::golden {
namespace {

int64_t ceil_half(int64_t v) { return v >= 0 ? (v + 1) / 2 : -((-v) / 2); }

// One output position's input elements in the unit's kernel-major order (every input channel;
// each neuron reads the kernels it keeps): element c*k*k + ky*k + kx, a padding tap as pad_value.
// A dense layer's one vector in streaming order: element (y*W + x)*C + c.
class Window {
public:
    Window(const Layer& layer, const Tensor& input) : layer_(layer), input_(input) {
        const Shape& in = layer.in;
        per_channel_ = layer.kind == LayerKind::Conv ? layer.kernel * layer.kernel : in.height * in.width;
        bits_.resize(static_cast<size_t>(int64_t{in.channels} * per_channel_));
    }

    void gather(int oy, int ox) {
        const Shape& in = layer_.in;
        if (layer_.kind == LayerKind::Dense) {
            for (int c = 0; c < in.channels; ++c) {
                for (int p = 0; p < per_channel_; ++p) {
                    bits_[static_cast<size_t>(int64_t{p} * in.channels + c)] =
                        input_[static_cast<size_t>(int64_t{c} * per_channel_ + p)] != 0 ? 1 : 0;
                }
            }
            return;
        }
        const int k = layer_.kernel;
        const uint8_t pad = layer_.pad_value > 0 ? 1 : 0;
        for (int c = 0; c < in.channels; ++c) {
            for (int ky = 0; ky < k; ++ky) {
                for (int kx = 0; kx < k; ++kx) {
                    const int iy = oy * layer_.stride - layer_.padding + ky;
                    const int ix = ox * layer_.stride - layer_.padding + kx;
                    const bool inside = iy >= 0 && iy < in.height && ix >= 0 && ix < in.width;
                    bits_[static_cast<size_t>((int64_t{c} * k + ky) * k + kx)] =
                        inside ? (input_[static_cast<size_t>((int64_t{c} * in.height + iy) * in.width + ix)] != 0 ? 1 : 0)
                               : pad;
                }
            }
        }
    }

    [[nodiscard]] const std::vector<uint8_t>& bits() const { return bits_; }

private:
    const Layer& layer_;
    const Tensor& input_;
    int per_channel_ = 0;
    std::vector<uint8_t> bits_;
};

// Per output channel: the window elements it reads (kept kernels only) and its weight bits, in
// the unit's order, and its popcount-domain threshold.
struct Neuron {
    std::vector<int32_t> element;
    std::vector<uint8_t> weight;
    int64_t threshold = 0;  // T' = ceil((T + N) / 2), clamped to [0, N + 1]
};

std::vector<Neuron> neurons_of(const Layer& layer) {
    const int channels = layer.in.channels;
    const bool conv = layer.kind == LayerKind::Conv;
    const int per_channel = conv ? layer.kernel * layer.kernel : layer.in.height * layer.in.width;
    std::vector<Neuron> neurons(static_cast<size_t>(layer.outputs));
    for (int o = 0; o < layer.outputs; ++o) {
        Neuron& n = neurons[static_cast<size_t>(o)];
        auto add = [&](int c, int p) {
            n.element.push_back(conv ? c * per_channel + p : p * channels + c);
            n.weight.push_back(layer.weight[static_cast<size_t>((int64_t{o} * channels + c) * per_channel + p)] > 0 ? 1 : 0);
        };
        if (conv) {
            for (int c = 0; c < channels; ++c) {
                if (layer.kernel_mask[static_cast<size_t>(o * channels + c)] != 0) {
                    for (int p = 0; p < per_channel; ++p) {
                        add(c, p);
                    }
                }
            }
        } else {
            for (int p = 0; p < per_channel; ++p) {
                for (int c = 0; c < channels; ++c) {
                    add(c, p);
                }
            }
        }
        const auto taps = static_cast<int64_t>(n.element.size());
        n.threshold = std::clamp(ceil_half(layer.threshold[static_cast<size_t>(o)] + taps), int64_t{0}, taps + 1);
    }
    return neurons;
}

// A neuron on one window: its output and the taps consumed until it was decided (all of them
// without threshold pruning).
struct Outcome {
    bool fires = false;
    int64_t taps = 0;
};

Outcome evaluate(const Neuron& n, const std::vector<uint8_t>& window, bool stop_when_decided) {
    const auto total = static_cast<int64_t>(n.element.size());
    int64_t p = 0;
    for (int64_t m = 0; m < total; ++m) {
        p += window[static_cast<size_t>(n.element[static_cast<size_t>(m)])] == n.weight[static_cast<size_t>(m)] ? 1 : 0;
        const int64_t consumed = m + 1;
        if (stop_when_decided && (p >= n.threshold || p + (total - consumed) < n.threshold)) {
            return Outcome{p >= n.threshold, consumed};
        }
    }
    return Outcome{p >= n.threshold, total};
}

struct Position {
    int y = 0;
    int x = 0;
};

// The groups the unit works through: pool windows (their conv positions in raster order) with
// pooling pruning, otherwise single positions in raster order.
std::vector<std::vector<Position>> groups_of(const Network& net, size_t index, bool pooling) {
    const Layer& layer = net.layers[index];
    std::vector<std::vector<Position>> groups;
    if (!pooling) {
        for (int y = 0; y < layer.out.height; ++y) {
            for (int x = 0; x < layer.out.width; ++x) {
                groups.push_back({Position{y, x}});
            }
        }
        return groups;
    }
    const Layer& pool = net.layers.at(index + 1);
    for (int py = 0; py < pool.out.height; ++py) {
        for (int px = 0; px < pool.out.width; ++px) {
            std::vector<Position> group;
            for (int dy = 0; dy < pool.kernel; ++dy) {
                for (int dx = 0; dx < pool.kernel; ++dx) {
                    group.push_back(Position{py * pool.stride + dy, px * pool.stride + dx});
                }
            }
            groups.push_back(std::move(group));
        }
    }
    return groups;
}

}  // namespace

EarlyDecisionCount& EarlyDecisionCount::operator+=(const EarlyDecisionCount& other) {
    operations += other.operations;
    ideal_operations += other.ideal_operations;
    unit_cycles += other.unit_cycles;
    early_steps += other.early_steps;
    early_cycles += other.early_cycles;
    decoupled_cycles += other.decoupled_cycles;
    positions += other.positions;
    skipped += other.skipped;
    if (lane_steps.size() < other.lane_steps.size()) {
        lane_steps.resize(other.lane_steps.size(), 0);
    }
    for (size_t p = 0; p < other.lane_steps.size(); ++p) {
        lane_steps[p] += other.lane_steps[p];
    }
    return *this;
}

int64_t EarlyDecisionCount::busiest_lane_steps() const {
    return lane_steps.empty() ? 0 : *std::max_element(lane_steps.begin(), lane_steps.end());
}

EarlyDecisionResult count_early_decision(const Network& net, size_t index, const Tensor& input,
                                         const std::vector<Tensor>& backgrounds) {
    const Layer& layer = net.layers.at(index);
    if (!net.can_decide_early(index) || (layer.early && layer.early->pooling && !net.can_prune_pooling(index))) {
        throw std::logic_error("count_early_decision: '" + layer.name + "' is not a binary threshold layer (with a max-pool after it for pooling pruning)");
    }
    const EarlyDecision early = layer.early.value_or(EarlyDecision{});
    const std::vector<uint8_t> skipped =
        spatial_skips(layer, input, input_background(net, backgrounds, index));
    const Tensor& background = backgrounds[index];
    const std::vector<Neuron> neurons = neurons_of(layer);
    const int64_t taps = layer.taps_per_output();
    const int pe = layer.fold.pe;
    const int64_t simd = layer.fold.simd;
    const int64_t steps_per_neuron = taps / simd;

    EarlyDecisionResult result;
    EarlyDecisionCount& count = result.count;
    const std::vector<std::vector<Position>> groups = groups_of(net, index, early.pooling);
    // Without pooling a group is one position of this layer's output; with it, one of the pool's.
    const Shape& out = early.pooling ? net.layers[index + 1].out : layer.out;
    result.output.assign(static_cast<size_t>(out.size()), 0);
    const int64_t plane = int64_t{out.height} * out.width;
    const auto computed = std::count(skipped.begin(), skipped.end(), 0);
    count.operations = computed * layer.outputs * taps;
    count.unit_cycles = computed * (layer.outputs / pe) * steps_per_neuron;

    Window window(layer, input);
    std::vector<int64_t> lane_steps(static_cast<size_t>(pe));
    std::vector<int64_t> lane_total(static_cast<size_t>(pe), 0);
    std::vector<uint8_t> decided(static_cast<size_t>(layer.outputs));
    for (size_t g = 0; g < groups.size(); ++g) {
        const std::vector<Position>& group = groups[g];
        std::fill(lane_steps.begin(), lane_steps.end(), 0);
        std::fill(decided.begin(), decided.end(), 0);
        for (const Position& at : group) {
            const bool skip = skipped[static_cast<size_t>(at.y * layer.out.width + at.x)] != 0;
            ++count.positions;
            count.skipped += skip ? 1 : 0;
            if (!skip) {
                window.gather(at.y, at.x);
            }
            for (int o = 0; o < layer.outputs; ++o) {
                if (decided[static_cast<size_t>(o)] != 0) {
                    continue;  // pooling pruning: this channel's window already holds a 1
                }
                bool fires = false;
                if (skip) {
                    fires = background[static_cast<size_t>(o)] != 0;
                } else {
                    const Outcome outcome = evaluate(neurons[static_cast<size_t>(o)], window.bits(), early.threshold);
                    fires = outcome.fires;
                    count.ideal_operations += outcome.taps;
                    const int64_t steps = (outcome.taps + simd - 1) / simd;
                    lane_steps[static_cast<size_t>(o % pe)] += steps;
                    count.early_steps += steps;
                }
                decided[static_cast<size_t>(o)] = early.pooling && fires ? 1 : 0;
                const int64_t at_out = early.pooling ? static_cast<int64_t>(g) : int64_t{at.y} * out.width + at.x;
                result.output[static_cast<size_t>(o * plane + at_out)] |= fires ? 1 : 0;
            }
        }
        count.early_cycles += *std::max_element(lane_steps.begin(), lane_steps.end());
        for (size_t p = 0; p < lane_steps.size(); ++p) {
            lane_total[p] += lane_steps[p];
        }
    }
    count.decoupled_cycles = *std::max_element(lane_total.begin(), lane_total.end());
    count.lane_steps = lane_total;
    return result;
}

void add_early_decision_counts(const Network& net, const std::vector<Tensor>& outputs,
                               const std::vector<Tensor>& backgrounds, std::vector<EarlyDecisionCount>& counts) {
    for (size_t index = 1; index < net.layers.size(); ++index) {  // never the first: integer input
        if (net.layers[index].early) {
            counts[index] += count_early_decision(net, index, outputs[index - 1], backgrounds).count;
        }
    }
}

}  // namespace bnngen::golden
