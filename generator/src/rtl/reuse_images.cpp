#include "reuse_images.hpp"

#include "memory_images.hpp"

namespace bnngen::rtl {
namespace {

// matrix[o][e] = value(o, c, t) for element e of the unit's order (input channel c, tap t).
template <typename Value>
std::vector<std::vector<uint8_t>> element_matrix(const Layer& layer, const hw::ReusePlan& plan, Value value) {
    std::vector<std::vector<uint8_t>> m(static_cast<size_t>(layer.outputs),
                                        std::vector<uint8_t>(static_cast<size_t>(plan.window_bits)));
    for (int o = 0; o < layer.outputs; ++o) {
        for (int64_t e = 0; e < plan.window_bits; ++e) {
            m[static_cast<size_t>(o)][static_cast<size_t>(e)] = value(o, plan.channel_of(e), plan.tap_of(e)) ? 1 : 0;
        }
    }
    return m;
}

}  // namespace

std::vector<std::vector<uint8_t>> reuse_weight_matrix(const Layer& layer, const hw::ReusePlan& plan) {
    return element_matrix(layer, plan, [&](int o, int c, int t) {
        return layer.weight[static_cast<size_t>((int64_t{o} * plan.channels + c) * plan.kernel_taps + t)] > 0;
    });
}

std::vector<std::vector<uint8_t>> reuse_keep_matrix(const Layer& layer, const hw::ReusePlan& plan) {
    return element_matrix(layer, plan, [&](int o, int c, int) {
        return layer.kernel_mask[static_cast<size_t>(int64_t{o} * plan.channels + c)] != 0;
    });
}

std::string reuse_step_image(const hw::ReusePlan& plan) {
    std::string image;
    for (const std::vector<uint8_t>& kept : plan.kept_chunks) {
        image += hex_digits(kept) + "\n";
    }
    return image;
}

}  // namespace bnngen::rtl
