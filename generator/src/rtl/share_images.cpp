#include "share_images.hpp"

#include "memory_images.hpp"

namespace bnngen::rtl {
namespace {

void put(std::vector<uint8_t>& word, size_t at, uint64_t value, int bits) {
    for (int b = 0; b < bits; ++b) {
        word[at + static_cast<size_t>(b)] = static_cast<uint8_t>((value >> b) & 1U);
    }
}

}  // namespace

int share_select_width(const hw::SharePlan& plan) {
    int bits = 1;
    while ((1 << bits) < plan.engines + 1) {
        ++bits;
    }
    return bits;
}

std::string share_kernel_image(const hw::SharePlan& plan, int csimd) {
    const int field = plan.kernel_taps + 1;
    const int synapse_folds = plan.channels / csimd;
    std::string image;
    for (int nf = 0; nf < plan.folds; ++nf) {
        for (int sf = 0; sf < synapse_folds; ++sf) {
            std::vector<uint8_t> word(static_cast<size_t>(csimd * plan.engines * field), 0);
            for (int q = 0; q < csimd; ++q) {
                const auto& kernels =
                    plan.fold_kernels[static_cast<size_t>(nf) * static_cast<size_t>(plan.channels) +
                                      static_cast<size_t>(sf * csimd + q)];
                for (size_t b = 0; b < kernels.size(); ++b) {
                    const size_t at = (static_cast<size_t>(q * plan.engines) + b) * static_cast<size_t>(field);
                    put(word, at, kernels[b], plan.kernel_taps);
                    word[at + static_cast<size_t>(plan.kernel_taps)] = 1;
                }
            }
            image += hex_digits(word) + "\n";
        }
    }
    return image;
}

std::string share_select_image(const hw::SharePlan& plan, int csimd, bool inverse) {
    const int engine_bits = share_select_width(plan);
    const int field = engine_bits + (inverse ? 1 : 0);
    const int synapse_folds = plan.channels / csimd;
    std::string image;
    for (int nf = 0; nf < plan.folds; ++nf) {
        for (int sf = 0; sf < synapse_folds; ++sf) {
            std::vector<uint8_t> word(static_cast<size_t>(plan.pe * csimd * field), 0);
            for (int p = 0; p < plan.pe; ++p) {
                for (int q = 0; q < csimd; ++q) {
                    const hw::ShareCode& code = plan.code(nf * plan.pe + p, sf * csimd + q);
                    const size_t at = static_cast<size_t>((p * csimd + q) * field);
                    put(word, at, static_cast<uint64_t>(code.engine < 0 ? plan.engines : code.engine), engine_bits);
                    if (inverse) {
                        word[at + static_cast<size_t>(engine_bits)] = code.inverse ? 1 : 0;
                    }
                }
            }
            image += hex_digits(word) + "\n";
        }
    }
    return image;
}

}  // namespace bnngen::rtl
