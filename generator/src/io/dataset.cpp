#include "bnngen/io/dataset.hpp"

#include "bnngen/io/idx.hpp"
#include "bnngen/io/npy.hpp"
#include "io_detail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace bnngen::io {

namespace {

using detail::fail;

// Dispatches on content, not on the file name: "t10k-images.npy.gz" and "images.bin" both work.
Array read_array(const std::filesystem::path& path, const std::string& code) {
    const std::vector<uint8_t> bytes = read_maybe_gzip(path);
    if (bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0) return parse_npy(bytes, path.string());
    if (bytes.size() >= 2 && bytes[0] == 0 && bytes[1] == 0) return detail::parse_idx(bytes, path.string());
    fail(code, path.string(),
         fmt::format("expected an idx file, a gzip idx file or a numpy .npy file, found {}", detail::quote_prefix(bytes)));
}

int64_t take(int64_t available, int64_t limit) { return limit < 0 ? available : std::min(available, limit); }

}  // namespace

ImageSet load_images(const std::filesystem::path& path, int channels, int height, int width, int bits, int64_t limit) {
    const std::string file = path.string();
    if (bits < 1 || bits > 16)
        fail("bad-images", file, fmt::format("cannot check pixels of {} bits; expected 1 to 16 bits", bits));
    const Array a = read_array(path, "bad-images");
    if (a.dtype == DType::Float32 || a.dtype == DType::Float64)
        fail("bad-images", file,
             fmt::format("images have dtype {}; expected integer pixel values 0 to {}", dtype_name(a.dtype),
                         (1 << bits) - 1));

    // A 3-D array is a single-channel [N, H, W] stack, as in MNIST.
    const std::vector<int64_t> expected = {channels, height, width};
    std::vector<int64_t> found(a.shape.begin() + (a.shape.empty() ? 0 : 1), a.shape.end());
    if (a.shape.size() == 3) found.insert(found.begin(), 1);
    if ((a.shape.size() != 3 && a.shape.size() != 4) || found != expected) {
        const bool missing_channels = a.shape.size() == 3 && channels != 1 && a.shape[1] == height && a.shape[2] == width;
        fail("bad-images", file,
             fmt::format("images have shape {} but the network's input is {} x {} x {}{}", a.shape_string(), channels,
                         height, width, missing_channels ? " (a 3-D array holds single-channel [N, H, W] images)" : ""));
    }

    ImageSet set;
    set.count = take(a.shape[0], limit);
    set.channels = channels;
    set.height = height;
    set.width = width;
    const auto n = static_cast<std::size_t>(set.count * set.image_size());
    set.pixels.resize(n);
    const int64_t max_value = (int64_t{1} << bits) - 1;
    for (std::size_t i = 0; i < n; ++i) {
        const int64_t v = a.data[i];
        if (v < 0 || v > max_value) {
            const auto j = static_cast<int64_t>(i);
            const int64_t x = j % width;
            const int64_t y = j / width % height;
            const int64_t c = j / width / height % channels;
            const int64_t image = j / set.image_size();
            fail("bad-images", file,
                 fmt::format("value {} of image {} (channel {}, row {}, column {}) does not fit in {} unsigned bit{}", v,
                             image, c, y, x, bits, bits == 1 ? "" : "s"));
        }
        set.pixels[i] = static_cast<uint16_t>(v);
    }
    return set;
}

std::vector<int> load_labels(const std::filesystem::path& path, int classes, int64_t limit) {
    const std::string file = path.string();
    const Array a = read_array(path, "bad-labels");
    if (a.dtype == DType::Float32 || a.dtype == DType::Float64)
        fail("bad-labels", file,
             fmt::format("labels have dtype {}; expected integer classes 0 to {}", dtype_name(a.dtype), classes - 1));
    if (a.shape.size() != 1)
        fail("bad-labels", file, fmt::format("labels have shape {}; expected a 1-D array [N]", a.shape_string()));

    std::vector<int> labels(static_cast<std::size_t>(take(a.shape[0], limit)));
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const int64_t v = a.data[i];
        if (v < 0 || v >= classes)
            fail("bad-labels", file,
                 fmt::format("label {} of image {} is out of range; expected a class 0 to {}", v, i, classes - 1));
        labels[i] = static_cast<int>(v);
    }
    return labels;
}

}  // namespace bnngen::io
