#include "bnngen/hw/result_sharing.hpp"

#include <algorithm>
#include <set>

namespace bnngen::hw {

uint64_t kernel_word(const Layer& layer, int output, int channel) {
    const int taps = layer.kernel * layer.kernel;
    const size_t base = (static_cast<size_t>(output) * static_cast<size_t>(layer.in.channels) +
                         static_cast<size_t>(channel)) *
                        static_cast<size_t>(taps);
    uint64_t word = 0;
    for (int t = 0; t < taps; ++t) {
        if (layer.weight[base + static_cast<size_t>(t)] > 0) {
            word |= uint64_t{1} << t;
        }
    }
    return word;
}

SharePlan plan_result_sharing(const Layer& layer) {
    SharePlan plan;
    plan.kernel_taps = layer.kernel * layer.kernel;
    plan.channels = layer.in.channels;
    plan.pe = layer.fold.pe;
    plan.folds = layer.outputs / layer.fold.pe;
    plan.codes.assign(static_cast<size_t>(layer.outputs) * static_cast<size_t>(plan.channels), ShareCode{});
    plan.fold_kernels.resize(static_cast<size_t>(plan.folds) * static_cast<size_t>(plan.channels));
    const bool inverse = layer.share && layer.share->inverse;
    const uint64_t all = plan.kernel_taps == 64 ? ~uint64_t{0} : (uint64_t{1} << plan.kernel_taps) - 1;
    auto kept = [&](int o, int i) {
        return layer.kernel_mask[static_cast<size_t>(o) * static_cast<size_t>(plan.channels) + static_cast<size_t>(i)] != 0;
    };
    for (int i = 0; i < plan.channels; ++i) {
        std::set<uint64_t> layer_classes;
        for (int nf = 0; nf < plan.folds; ++nf) {
            std::vector<uint64_t>& engines = plan.fold_kernels[static_cast<size_t>(nf) * static_cast<size_t>(plan.channels) +
                                                               static_cast<size_t>(i)];
            for (int p = 0; p < plan.pe; ++p) {
                const int o = nf * plan.pe + p;
                if (!kept(o, i)) {
                    continue;
                }
                ++plan.kept_kernels;
                const uint64_t word = kernel_word(layer, o, i);
                const uint64_t cls = inverse ? std::min(word, ~word & all) : word;
                layer_classes.insert(cls);
                auto it = std::find(engines.begin(), engines.end(), cls);
                if (it == engines.end()) {
                    engines.push_back(cls);
                    it = engines.end() - 1;
                }
                ShareCode& code = plan.codes[static_cast<size_t>(o) * static_cast<size_t>(plan.channels) + static_cast<size_t>(i)];
                code.engine = static_cast<int>(it - engines.begin());
                code.inverse = word != cls;
            }
            plan.fold_classes += static_cast<int64_t>(engines.size());
            plan.engines = std::max(plan.engines, static_cast<int>(engines.size()));
        }
        plan.layer_classes += static_cast<int64_t>(layer_classes.size());
    }
    return plan;
}

}  // namespace bnngen::hw
