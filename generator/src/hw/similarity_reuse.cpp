#include "bnngen/hw/similarity_reuse.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace bnngen::hw {

bool reuse_kernel_major(const Layer& layer) { if (std::getenv("KM")) return true; return layer.keep.has_value() && *layer.keep < layer.in.channels; }

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

int64_t weight_reuse_operations(const Layer& layer) {
    const int channels = layer.in.channels;
    const int taps = layer.kernel * layer.kernel;
    const auto n = static_cast<size_t>(layer.outputs);
    // distance(a, b): the kept weight bits of b that must be computed when b is derived from a: its
    // kept taps where a's weight differs or a does not keep the kernel.
    auto distance = [&](size_t a, size_t b) {
        int64_t d = 0;
        for (int c = 0; c < channels; ++c) {
            if (layer.kernel_mask[b * static_cast<size_t>(channels) + static_cast<size_t>(c)] == 0) {
                continue;
            }
            const bool a_keeps = layer.kernel_mask[a * static_cast<size_t>(channels) + static_cast<size_t>(c)] != 0;
            const size_t base_a = (a * static_cast<size_t>(channels) + static_cast<size_t>(c)) * static_cast<size_t>(taps);
            const size_t base_b = (b * static_cast<size_t>(channels) + static_cast<size_t>(c)) * static_cast<size_t>(taps);
            for (int t = 0; t < taps; ++t) {
                d += (!a_keeps || layer.weight[base_a + static_cast<size_t>(t)] != layer.weight[base_b + static_cast<size_t>(t)]) ? 1 : 0;
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
    int64_t best = std::numeric_limits<int64_t>::max();
    for (size_t start = 0; start < n; ++start) {
        std::vector<uint8_t> used(n, 0);
        used[start] = 1;
        int64_t total = 0;
        for (int c = 0; c < channels; ++c) {
            total += layer.kernel_mask[start * static_cast<size_t>(channels) + static_cast<size_t>(c)] != 0 ? taps : 0;
        }
        size_t at = start;
        for (size_t step = 1; step < n; ++step) {
            size_t next = n;
            int64_t nearest = std::numeric_limits<int64_t>::max();
            for (size_t b = 0; b < n; ++b) {
                if (used[b] == 0 && d[at * n + b] < nearest) {
                    nearest = d[at * n + b];
                    next = b;
                }
            }
            used[next] = 1;
            total += nearest;
            at = next;
        }
        best = std::min(best, total);
    }
    return n == 0 ? 0 : best;
}

}  // namespace bnngen::hw
