// Test images and labels as `infer` and `verify` load them: idx, gzip idx and .npy, checked
// against the network's input shape and pixel width (fixtures from make_io_fixtures.py).
#include "bnngen/diag/error.hpp"
#include "bnngen/io/dataset.hpp"

#include <doctest/doctest.h>
#include "io_test_support.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace bnngen;
using namespace bnngen::io;
using bnngen::test::error_of;
using bnngen::test::Shape;
using bnngen::test::Values;
namespace fs = std::filesystem;

namespace {

const fs::path kData = test::kIoData;
const fs::path kFashion = "/usr/share/datasets/fashion-mnist";

std::vector<uint16_t> ramp(std::size_t n, unsigned step, unsigned modulo) {
    std::vector<uint16_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<uint16_t>(i * step % modulo);
    return v;
}

}  // namespace

TEST_CASE("idx images load as single-channel images") {
    const ImageSet s = load_images(kData / "images.idx3", 1, 4, 5, 8);
    CHECK(s.count == 3);
    CHECK(s.channels == 1);
    CHECK(s.height == 4);
    CHECK(s.width == 5);
    CHECK(s.image_size() == 20);
    CHECK(s.pixels == ramp(60, 4, 256));
    CHECK(s.image(2)[0] == 160);
}

TEST_CASE("gzip idx images and labels load like plain ones") {
    CHECK(load_images(kData / "images.idx3.gz", 1, 4, 5, 8).pixels == ramp(60, 4, 256));
    CHECK(load_labels(kData / "labels.idx1.gz", 10) == std::vector<int>{9, 0, 4});
    CHECK(load_labels(kData / "labels.idx1", 10) == std::vector<int>{9, 0, 4});
}

TEST_CASE("4-D idx images keep their channels") {
    const ImageSet s = load_images(kData / "images4d.idx", 3, 2, 2, 8);
    CHECK(s.count == 2);
    CHECK(s.channels == 3);
    CHECK(s.pixels == ramp(24, 1, 256));
}

TEST_CASE("npy images in [N, C, H, W] order load with their channels") {
    const ImageSet s = load_images(kData / "images_nchw.npy", 3, 2, 2, 8);
    CHECK(s.count == 2);
    CHECK(s.image_size() == 12);
    CHECK(s.pixels == ramp(24, 10, 65536));
    CHECK(load_labels(kData / "labels.npy", 3) == std::vector<int>{1, 0, 2});
}

TEST_CASE("a gzip 3-D npy file loads as single-channel images") {
    const ImageSet s = load_images(kData / "images_nhw.npy.gz", 1, 4, 5, 7);
    CHECK(s.count == 2);
    CHECK(s.pixels == ramp(40, 3, 256));
}

TEST_CASE("a limit loads only the first images and labels") {
    const ImageSet s = load_images(kData / "images.idx3", 1, 4, 5, 8, 2);
    CHECK(s.count == 2);
    CHECK(s.pixels.size() == 40);
    CHECK(load_images(kData / "images.idx3", 1, 4, 5, 8, 0).count == 0);
    CHECK(load_images(kData / "images.idx3", 1, 4, 5, 8, 100).count == 3);
    CHECK(load_labels(kData / "labels.idx1", 10, 1) == std::vector<int>{9});
}

TEST_CASE("images of the wrong shape are refused naming both shapes") {
    const fs::path p = kData / "images.idx3";
    Diagnostic d = error_of([&] { load_images(p, 1, 32, 32, 8); });
    CHECK(d.code == "bad-images");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "images have shape [3, 4, 5] but the network's input is 1 x 32 x 32");

    d = error_of([&] { load_images(p, 3, 4, 5, 8); });
    CHECK(d.message == "images have shape [3, 4, 5] but the network's input is 3 x 4 x 5 "
                       "(a 3-D array holds single-channel [N, H, W] images)");

    d = error_of([&] { load_images(kData / "labels.idx1", 1, 4, 5, 8); });
    CHECK(d.message == "images have shape [3] but the network's input is 1 x 4 x 5");
}

TEST_CASE("a pixel that does not fit in the input bits is refused naming its position") {
    const fs::path p = kData / "images_wide.npy";
    const Diagnostic d = error_of([&] { load_images(p, 3, 2, 2, 8); });
    CHECK(d.code == "bad-images");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "value 300 of image 1 (channel 2, row 1, column 0) does not fit in 8 unsigned bits");

    // Only the images actually loaded are checked, and 9 bits hold 300.
    CHECK(load_images(p, 3, 2, 2, 8, 1).count == 1);
    CHECK(load_images(p, 3, 2, 2, 9).image(1)[2 * 4 + 1 * 2 + 0] == 300);

    CHECK(error_of([&] { load_images(kData / "images.idx3", 1, 4, 5, 1); }).message ==
          "value 4 of image 0 (channel 0, row 0, column 1) does not fit in 1 unsigned bit");
}

TEST_CASE("float images and labels are refused naming their dtype") {
    CHECK(error_of([&] { load_images(kData / "images_float.npy", 1, 2, 2, 8); }).message ==
          "images have dtype float32; expected integer pixel values 0 to 255");
    CHECK(error_of([&] { load_labels(kData / "floats.idx", 10); }).message ==
          "labels have dtype float32; expected integer classes 0 to 9");
}

TEST_CASE("labels outside the network's classes are refused") {
    const fs::path p = kData / "labels_bad.npy";
    const Diagnostic d = error_of([&] { load_labels(p, 10); });
    CHECK(d.code == "bad-labels");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "label 10 of image 1 is out of range; expected a class 0 to 9");
    CHECK(error_of([&] { load_labels(kData / "labels.npy", 2); }).message ==
          "label 2 of image 2 is out of range; expected a class 0 to 1");
}

TEST_CASE("labels must be a one-dimensional array") {
    CHECK(error_of([&] { load_labels(kData / "images.idx3", 10); }).message ==
          "labels have shape [3, 4, 5]; expected a 1-D array [N]");
}

TEST_CASE("a file that is neither idx nor npy is refused saying what it found") {
    const Diagnostic d = error_of([&] { load_images(kData / "text.npz", 1, 4, 5, 8); });
    CHECK(d.code == "bad-images");
    CHECK(d.message == "expected an idx file, a gzip idx file or a numpy .npy file, found 'this...'");
    CHECK(error_of([&] { load_labels(kData / "text.npz", 10); }).code == "bad-labels");
}

TEST_CASE("the Fashion-MNIST test set loads as 10000 images with their labels") {
    const fs::path images = kFashion / "t10k-images-idx3-ubyte.gz";
    const fs::path labels = kFashion / "t10k-labels-idx1-ubyte.gz";
    if (!fs::exists(images) || !fs::exists(labels)) {
        MESSAGE("skipped: " << images.string() << " is not installed");
        return;
    }
    const ImageSet s = load_images(images, 1, 28, 28, 8);
    CHECK(s.count == 10000);
    CHECK(s.pixels.size() == 10000u * 28 * 28);
    CHECK(s.image(0)[14 * 28 + 14] == 110);

    const std::vector<int> l = load_labels(labels, 10);
    REQUIRE(l.size() == 10000);
    CHECK(l[0] == 9);
    CHECK(std::vector<int>(l.begin(), l.begin() + 10) == std::vector<int>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});

    CHECK(error_of([&] { load_images(images, 1, 32, 32, 8); }).message ==
          "images have shape [10000, 28, 28] but the network's input is 1 x 32 x 32");
    CHECK(error_of([&] { load_images(images, 1, 28, 28, 4); }).message.starts_with("value "));
}
