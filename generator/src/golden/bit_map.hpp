// Packed binary feature maps for the fast golden model: H x W pixels, each pixel's C channel bits
// in ceil(C/64) words (channel c is bit c%64 of word c/64; bits past C are always 0).
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace bnngen::golden {

inline int words_for(int64_t bits) { return static_cast<int>((bits + 63) / 64); }

struct BitMap {
    int height = 0;
    int width = 0;
    int words = 0;  // per pixel
    std::vector<uint64_t> data;

    void reset(int h, int w, int channels) {
        height = h;
        width = w;
        words = words_for(channels);
        data.assign(static_cast<size_t>(h) * static_cast<size_t>(w) * static_cast<size_t>(words), 0);
    }
    uint64_t* pixel(int y, int x) { return data.data() + (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * static_cast<size_t>(words); }
    const uint64_t* pixel(int y, int x) const {
        return data.data() + (static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * static_cast<size_t>(words);
    }
};

inline void set_bit(uint64_t* words, int64_t index) {
    words[index / 64] |= uint64_t{1} << (index % 64);
}

inline bool get_bit(const uint64_t* words, int64_t index) { return ((words[index / 64] >> (index % 64)) & 1U) != 0; }

// ORs `count` bits from `src` (whose bits past `count` are 0) into `dst` starting at bit `offset`.
inline void append_bits(uint64_t* dst, int64_t offset, const uint64_t* src, int count) {
    int64_t word = offset / 64;
    int shift = static_cast<int>(offset % 64);
    int src_words = words_for(count);
    if (shift == 0) {
        for (int j = 0; j < src_words; ++j) {
            dst[word + j] |= src[j];
        }
        return;
    }
    for (int j = 0; j < src_words; ++j) {
        int64_t remaining = count - int64_t{j} * 64;
        dst[word + j] |= src[j] << shift;
        if (shift + remaining > 64) {
            dst[word + j + 1] |= src[j] >> (64 - shift);
        }
    }
}

}  // namespace bnngen::golden
