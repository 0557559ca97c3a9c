#include "memory_images.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {

std::string hex_digits(const std::vector<uint8_t>& bits) {
    std::string digits;
    for (size_t d = (bits.size() + 3) / 4; d-- > 0;) {
        unsigned nibble = 0;
        for (size_t b = 0; b < 4; ++b) {
            size_t index = d * 4 + b;
            if (index < bits.size() && bits[index] != 0) {
                nibble |= 1U << b;
            }
        }
        digits += "0123456789abcdef"[nibble];
    }
    return digits;
}

namespace {

// One line of hex digits for `bits`, as $readmemh reads it.
std::string hex_word(const std::vector<uint8_t>& bits) { return hex_digits(bits) + "\n"; }

}  // namespace

// FOLD words of pe*simd bits: word nf*SF + sf, bit p*simd + i = bits[nf*pe + p][sf*simd + i].
std::string fold_image(const std::vector<std::vector<uint8_t>>& matrix, int64_t taps, int pe, int simd) {
    const auto neuron_folds = static_cast<int64_t>(matrix.size()) / pe;
    const int64_t synapse_folds = taps / simd;
    std::string image;
    std::vector<uint8_t> word(static_cast<size_t>(pe * simd));
    for (int64_t nf = 0; nf < neuron_folds; ++nf) {
        for (int64_t sf = 0; sf < synapse_folds; ++sf) {
            for (int p = 0; p < pe; ++p) {
                for (int i = 0; i < simd; ++i) {
                    word[static_cast<size_t>(p * simd + i)] =
                        matrix[static_cast<size_t>(nf * pe + p)][static_cast<size_t>(sf * simd + i)];
                }
            }
            image += hex_word(word);
        }
    }
    return image;
}

std::string weight_image(const MvauPlan& plan, int pe, int simd) { return fold_image(plan.weight, plan.work(), pe, simd); }

int select_offset_width(const KernelSelect& sel) {
    int bits = 1;
    while ((1 << bits) < sel.span) {
        ++bits;
    }
    return bits;
}

std::string select_image(const MvauPlan& plan, int pe, int simd) {
    const KernelSelect& sel = *plan.select;
    const int slots = simd / sel.chunk;
    const int width = select_offset_width(sel);
    const int sharing = sel.shared ? 1 : pe;
    const int64_t neuron_folds = plan.outputs / pe;
    const int64_t synapse_folds = sel.kept_taps / simd;
    std::string image;
    std::vector<uint8_t> word(static_cast<size_t>(sharing * slots * width));
    for (int64_t nf = 0; nf < neuron_folds; ++nf) {
        for (int64_t sf = 0; sf < synapse_folds; ++sf) {
            for (int p = 0; p < sharing; ++p) {
                const auto& offsets = sel.offsets[static_cast<size_t>(nf * pe + p)];
                for (int s = 0; s < slots; ++s) {
                    auto offset = static_cast<unsigned>(offsets[static_cast<size_t>(sf * slots + s)]);
                    for (int b = 0; b < width; ++b) {
                        word[static_cast<size_t>((p * slots + s) * width + b)] = static_cast<uint8_t>((offset >> b) & 1U);
                    }
                }
            }
            image += hex_word(word);
        }
    }
    return image;
}

std::string parameter_image(const std::vector<int64_t>& values, int pe, int width) {
    std::string image;
    std::vector<uint8_t> word(static_cast<size_t>(pe * width));
    for (size_t nf = 0; nf * static_cast<size_t>(pe) < values.size(); ++nf) {
        for (int p = 0; p < pe; ++p) {
            auto value = static_cast<uint64_t>(values[nf * static_cast<size_t>(pe) + static_cast<size_t>(p)]);
            for (int b = 0; b < width; ++b) {
                word[static_cast<size_t>(p * width + b)] = static_cast<uint8_t>((value >> b) & 1U);
            }
        }
        image += hex_word(word);
    }
    return image;
}

}  // namespace bnngen::rtl
