#include "bnngen/hw/similarity_reuse.hpp"

#include <algorithm>
#include <limits>

namespace bnngen::hw {

bool reuse_kernel_major(const Layer& layer) { return layer.keep.has_value() && *layer.keep < layer.in.channels; }

ReusePlan plan_similarity_reuse(const Layer& layer, bool kernel_major) {
    ReusePlan plan;
    plan.kernel_major = kernel_major;
    plan.kernel_taps = layer.kernel * layer.kernel;
    plan.channels = layer.in.channels;
    plan.window_bits = int64_t{plan.channels} * plan.kernel_taps;
    plan.simd = layer.fold.simd;
    plan.chunks = plan.window_bits / plan.simd;
    plan.folds = layer.outputs / layer.fold.pe;
    plan.channel_users.assign(static_cast<size_t>(plan.channels), 0);
    for (int o = 0; o < layer.outputs; ++o) {
        for (int c = 0; c < plan.channels; ++c) {
            plan.channel_users[static_cast<size_t>(c)] += layer.kernel_mask[static_cast<size_t>(o * plan.channels + c)];
        }
    }
    plan.kept_chunks.assign(static_cast<size_t>(plan.folds), std::vector<uint8_t>(static_cast<size_t>(plan.chunks), 0));
    for (int nf = 0; nf < plan.folds; ++nf) {
        std::vector<uint8_t>& kept = plan.kept_chunks[static_cast<size_t>(nf)];
        for (int64_t q = 0; q < plan.chunks; ++q) {
            for (int64_t e = q * plan.simd; e < (q + 1) * plan.simd && kept[static_cast<size_t>(q)] == 0; ++e) {
                const int c = plan.channel_of(e);
                for (int p = 0; p < layer.fold.pe; ++p) {
                    const int o = nf * layer.fold.pe + p;
                    if (layer.kernel_mask[static_cast<size_t>(o * plan.channels + c)] != 0) {
                        kept[static_cast<size_t>(q)] = 1;
                        break;
                    }
                }
            }
        }
        const auto steps = static_cast<int64_t>(std::count(kept.begin(), kept.end(), uint8_t{1}));
        plan.worst_steps += std::max<int64_t>(1, steps);
    }
    return plan;
}

WeightReuse weight_reuse(const Layer& layer, const ReusePlan& plan) {
    const int channels = layer.in.channels;
    const int taps = layer.kernel * layer.kernel;
    const auto n = static_cast<size_t>(layer.outputs);
    auto kept = [&](size_t o, int c) { return layer.kernel_mask[o * static_cast<size_t>(channels) + static_cast<size_t>(c)] != 0; };
    auto weight = [&](size_t o, int c, int t) {
        return layer.weight[(o * static_cast<size_t>(channels) + static_cast<size_t>(c)) * static_cast<size_t>(taps) + static_cast<size_t>(t)];
    };
    // distance(a, b): the kept weight bits of b that must be computed when b is derived from a: its
    // kept taps where a's weight differs or a does not keep the kernel.
    auto distance = [&](size_t a, size_t b) {
        int64_t d = 0;
        for (int c = 0; c < channels; ++c) {
            if (!kept(b, c)) {
                continue;
            }
            for (int t = 0; t < taps; ++t) {
                d += (!kept(a, c) || weight(a, c, t) != weight(b, c, t)) ? 1 : 0;
            }
        }
        return d;
    };
    std::vector<int64_t> d(n * n, 0);
    for (size_t a = 0; a < n; ++a) {
        for (size_t b = 0; b < n; ++b) {
            d[a * n + b] = a == b ? 0 : distance(a, b);
        }
    }
    // Greedy walk from every start channel: the cheapest tour found.
    WeightReuse best;
    best.operations = std::numeric_limits<int64_t>::max();
    for (size_t start = 0; start < n; ++start) {
        std::vector<size_t> order = {start};
        std::vector<uint8_t> used(n, 0);
        used[start] = 1;
        int64_t total = 0;
        for (int c = 0; c < channels; ++c) {
            total += kept(start, c) ? taps : 0;
        }
        for (size_t step = 1; step < n; ++step) {
            size_t next = n;
            int64_t nearest = std::numeric_limits<int64_t>::max();
            for (size_t b = 0; b < n; ++b) {
                if (used[b] == 0 && d[order.back() * n + b] < nearest) {
                    nearest = d[order.back() * n + b];
                    next = b;
                }
            }
            used[next] = 1;
            total += nearest;
            order.push_back(next);
        }
        if (total < best.operations) {
            best.operations = total;
            best.order = std::move(order);
        }
    }
    // Along that order, the chunks of the unit's order a channel could take from its predecessor:
    // of the chunks it keeps a bit of, those whose kept bits all equal (and are kept by) the
    // predecessor's. The first channel takes none.
    for (size_t i = 0; i < best.order.size(); ++i) {
        const size_t b = best.order[i];
        for (int64_t q = 0; q < plan.chunks; ++q) {
            bool keeps = false;
            bool same = i > 0;
            for (int64_t e = q * plan.simd; e < (q + 1) * plan.simd; ++e) {
                const int c = plan.channel_of(e);
                if (!kept(b, c)) {
                    continue;
                }
                keeps = true;
                const size_t a = i > 0 ? best.order[i - 1] : b;
                same = same && kept(a, c) && weight(a, c, plan.tap_of(e)) == weight(b, c, plan.tap_of(e));
            }
            best.chunks += keeps ? 1 : 0;
            best.identical_chunks += keeps && same ? 1 : 0;
        }
    }
    if (n == 0) {
        best.operations = 0;
    }
    return best;
}

}  // namespace bnngen::hw
