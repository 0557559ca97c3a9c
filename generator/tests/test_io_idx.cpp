// The idx reader against hand-written idx bytes (make_io_fixtures.py) and the real Fashion-MNIST files.
#include "bnngen/diag/error.hpp"
#include "bnngen/io/idx.hpp"

#include <doctest/doctest.h>
#include "io_test_support.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
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


Values fixture_images() {
    Values v(60);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * 4 % 256);
    return v;
}

}  // namespace

TEST_CASE("a plain idx file reads as a uint8 [N, H, W] array") {
    const Array a = read_idx(kData / "images.idx3");
    CHECK(a.dtype == DType::UInt8);
    CHECK(a.shape == Shape{3, 4, 5});
    CHECK(a.data == fixture_images());
}

TEST_CASE("a gzip idx file reads the same as the plain one") {
    const Array a = read_idx(kData / "images.idx3.gz");
    CHECK(a.dtype == DType::UInt8);
    CHECK(a.shape == Shape{3, 4, 5});
    CHECK(a.data == fixture_images());

    const Array labels = read_idx(kData / "labels.idx1.gz");
    CHECK(labels.shape == Shape{3});
    CHECK(labels.data == Values{9, 0, 4});
}

TEST_CASE("read_maybe_gzip returns plain files unchanged and gunzips gzip files") {
    std::ifstream in(kData / "labels.idx1", std::ios::binary);
    const std::vector<uint8_t> plain{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    REQUIRE(plain.size() == 11);
    CHECK(read_maybe_gzip(kData / "labels.idx1") == plain);
    CHECK(read_maybe_gzip(kData / "labels.idx1.gz") == plain);
}

TEST_CASE("signed byte, short and int idx files are big-endian and sign-extended") {
    const Array b = read_idx(kData / "bytes.idx");
    CHECK(b.dtype == DType::Int8);
    CHECK(b.data == Values{-128, -1, 0, 127});

    const Array s = read_idx(kData / "shorts.idx");
    CHECK(s.dtype == DType::Int16);
    CHECK(s.shape == Shape{2, 2});
    CHECK(s.data == Values{-2, 300, -32768, 32767});

    const Array i = read_idx(kData / "ints.idx");
    CHECK(i.dtype == DType::Int32);
    CHECK(i.data == Values{-1, 65536, 2147483647});
}

TEST_CASE("a float idx file reads its shape but no data") {
    const Array a = read_idx(kData / "floats.idx");
    CHECK(a.dtype == DType::Float32);
    CHECK(a.shape == Shape{2});
    CHECK(a.data.empty());
}

TEST_CASE("a 4-D idx file keeps its four dimensions") {
    const Array a = read_idx(kData / "images4d.idx");
    CHECK(a.shape == Shape{2, 3, 2, 2});
    REQUIRE(a.data.size() == 24);
    CHECK(a.data.front() == 0);
    CHECK(a.data.back() == 23);
}

TEST_CASE("an unknown idx type byte is refused") {
    const fs::path p = kData / "badtype.idx";
    const Diagnostic d = error_of([&] { read_idx(p); });
    CHECK(d.code == "bad-idx");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "unknown idx type byte 0x07; expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e");
}

TEST_CASE("an idx file shorter than its header promises is refused") {
    const Diagnostic d = error_of([&] { read_idx(kData / "truncated.idx3"); });
    CHECK(d.code == "bad-idx");
    CHECK(d.message == "truncated data: header promises 60 bytes, file has 50");
}

TEST_CASE("a truncated gzip file is refused") {
    const fs::path p = kData / "truncated.idx3.gz";
    const Diagnostic d = error_of([&] { read_idx(p); });
    CHECK(d.code == "bad-gzip");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "truncated gzip data: the stream ends after 40 compressed bytes, before its end marker");
}

TEST_CASE("a file that is not idx says what it found") {
    const Diagnostic d = error_of([&] { read_idx(kData / "v1.npy"); });
    CHECK(d.code == "bad-idx");
    CHECK(d.message ==
          "expected an idx file (magic: two zero bytes, a type byte, a rank byte), found '\\x93NUM...'");
}

TEST_CASE("the Fashion-MNIST test set reads as 10000 images of 28 x 28 with labels") {
    const fs::path images = kFashion / "t10k-images-idx3-ubyte.gz";
    const fs::path labels = kFashion / "t10k-labels-idx1-ubyte.gz";
    if (!fs::exists(images) || !fs::exists(labels)) {
        MESSAGE("skipped: " << images.string() << " is not installed");
        return;
    }
    const Array a = read_idx(images);
    CHECK(a.dtype == DType::UInt8);
    CHECK(a.shape == Shape{10000, 28, 28});
    int64_t first = 0;
    for (std::size_t i = 0; i < 28 * 28; ++i) first += a.data[i];
    CHECK(first == 33456);

    const Array l = read_idx(labels);
    CHECK(l.shape == Shape{10000});
    CHECK(l.data[0] == 9);
    CHECK(l.data[1] == 2);
}
