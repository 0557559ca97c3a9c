// Test images and labels for `infer` and `verify`, in any of the formats DESIGN.md section 2 names:
// idx (3-D [N,H,W] or 4-D [N,C,H,W]), gzip idx, or .npy [N,C,H,W] (a 3-D .npy is [N,H,W]).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace bnngen::io {

struct ImageSet {
    int64_t count = 0;
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<uint16_t> pixels;  // [count][channels][height][width]

    [[nodiscard]] int64_t image_size() const { return int64_t{channels} * height * width; }
    [[nodiscard]] const uint16_t* image(int64_t i) const { return pixels.data() + i * image_size(); }
};

// Loads at most `limit` images (all when limit < 0) and checks them against the network's input:
// the shape must be channels x height x width and every value must fit in `bits` unsigned bits.
// Throws InputError naming the file, the expected and the found shape or the first bad value
// (image index, channel, row, column).
ImageSet load_images(const std::filesystem::path& path, int channels, int height, int width, int bits,
                     int64_t limit = -1);

// Labels: idx [N] or .npy [N] of integers in 0..classes-1. Throws InputError otherwise.
std::vector<int> load_labels(const std::filesystem::path& path, int classes, int64_t limit = -1);

}  // namespace bnngen::io
