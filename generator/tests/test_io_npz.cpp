// The .npz reader against archives numpy.savez and numpy.savez_compressed wrote, a hand-built
// all-zip64 archive, and damaged files (generator/tests/data/make_io_fixtures.py).
#include "bnngen/diag/error.hpp"
#include "bnngen/io/npz.hpp"

#include <doctest/doctest.h>
#include "io_test_support.hpp"

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
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


// The arrays of make_io_fixtures.py's ARRAYS, as both archives must read them.
void check_fixture_arrays(const std::map<std::string, Array>& arrays) {
    REQUIRE(arrays.size() == 12);
    const auto& w = arrays.at("conv1.weight");
    CHECK(w.dtype == DType::Int8);
    CHECK(w.shape == Shape{2, 1, 3, 3});
    Values expected(18);
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int64_t>(i) - 9;
    CHECK(w.data == expected);

    CHECK(arrays.at("u8").dtype == DType::UInt8);
    CHECK(arrays.at("u8").data == Values{0, 1, 127, 128, 255});
    CHECK(arrays.at("i16").dtype == DType::Int16);
    CHECK(arrays.at("i16").data == Values{-32768, -1, 0, 1, 32767});
    CHECK(arrays.at("u16").dtype == DType::UInt16);
    CHECK(arrays.at("u16").data == Values{0, 1, 65535});
    CHECK(arrays.at("i32").dtype == DType::Int32);
    CHECK(arrays.at("i32").shape == Shape{2, 3});
    CHECK(arrays.at("i32").data == Values{-2147483648, -1, 0, 1, 2, 2147483647});
    CHECK(arrays.at("u32").dtype == DType::UInt32);
    CHECK(arrays.at("u32").data == Values{0, 4294967295});
    CHECK(arrays.at("i64").dtype == DType::Int64);
    CHECK(arrays.at("i64").data ==
          Values{std::numeric_limits<int64_t>::min(), -1, std::numeric_limits<int64_t>::max()});
    CHECK(arrays.at("u64").dtype == DType::UInt64);
    CHECK(arrays.at("u64").data == Values{0, std::numeric_limits<int64_t>::max()});
    CHECK(arrays.at("mask").dtype == DType::Bool);
    CHECK(arrays.at("mask").data == Values{1, 0, 1, 1});

    CHECK(arrays.at("scale").dtype == DType::Float32);
    CHECK(arrays.at("scale").shape == Shape{2});
    CHECK(arrays.at("scale").data.empty());

    const auto& count = arrays.at("count");
    CHECK(count.dtype == DType::Int64);
    CHECK(count.shape.empty());
    CHECK(count.element_count() == 1);
    CHECK(count.data == Values{42});

    const auto& empty = arrays.at("empty");
    CHECK(empty.dtype == DType::Int32);
    CHECK(empty.shape == Shape{0, 3});
    CHECK(empty.data.empty());
}

}  // namespace

TEST_CASE("a numpy.savez archive reads every array with its dtype, shape and values") {
    check_fixture_arrays(read_npz(kData / "arrays.npz"));
}

TEST_CASE("a numpy.savez_compressed archive reads the same arrays as numpy.savez") {
    check_fixture_arrays(read_npz(kData / "arrays_compressed.npz"));
}

TEST_CASE("zip64 sizes and offsets in the central directory and end record are followed") {
    const auto arrays = read_npz(kData / "zip64.npz");
    REQUIRE(arrays.size() == 2);
    CHECK(arrays.at("w").dtype == DType::Int8);
    CHECK(arrays.at("w").shape == Shape{2, 2});
    CHECK(arrays.at("w").data == Values{1, -1, -1, 1});
    const auto& b = arrays.at("b");  // deflated
    CHECK(b.dtype == DType::Int16);
    REQUIRE(b.shape == Shape{1000});
    for (std::size_t i = 0; i < b.data.size(); ++i) REQUIRE(b.data[i] == static_cast<int64_t>(i) - 500);
}

TEST_CASE("a member whose data fails its CRC is refused naming the array") {
    const fs::path p = kData / "crc.npz";
    const Diagnostic d = error_of([&] { read_npz(p); });
    CHECK(d.code == "bad-npz");
    CHECK(d.where.file == p.string());
    CHECK(d.subject == "array 'a'");
    CHECK(d.message == "crc-32 mismatch (corrupt file): the archive records 0x03942160, the data has 0x2e96ceed");
}

TEST_CASE("a truncated npz archive is refused") {
    const Diagnostic d = error_of([&] { read_npz(kData / "truncated.npz"); });
    CHECK(d.code == "bad-npz");
    CHECK(d.message ==
          "truncated or corrupt zip archive: expected an end-of-central-directory record near the end of the file, "
          "found none");
}

TEST_CASE("a text file named .npz says it is not a zip archive") {
    const fs::path p = kData / "text.npz";
    const Diagnostic d = error_of([&] { read_npz(p); });
    CHECK(d.code == "bad-npz");
    CHECK(d.where.file == p.string());
    CHECK(d.subject.empty());
    CHECK(d.message == "expected a numpy .npz file (a zip archive, magic PK\\x03\\x04), found 'this...'");
}

TEST_CASE("an unsupported compression method is refused naming the method") {
    const Diagnostic d = error_of([&] { read_npz(kData / "method12.npz"); });
    CHECK(d.code == "bad-npz");
    CHECK(d.subject == "array 'w'");
    CHECK(d.message == "unsupported compression method 12 (bzip2); expected 0 (stored) or 8 (deflate)");
}

TEST_CASE("a member that is not a valid npy file is reported as bad-npy naming the array") {
    const fs::path p = kData / "bad_member.npz";
    const Diagnostic d = error_of([&] { read_npz(p); });
    CHECK(d.code == "bad-npy");
    CHECK(d.where.file == p.string());
    CHECK(d.subject == "array 'conv1.weight'");
    CHECK(d.message == "unsupported dtype '<c8'; expected an integer, bool or float dtype");
}

TEST_CASE("a numpy.savez archive of fortran-order, big-endian and bool arrays reads their C-order values") {
    const auto arrays = read_npz(kData / "layouts.npz");
    REQUIRE(arrays.size() == 12);
    const auto check = [&](const char* name, DType dtype, const Shape& shape, const Values& values) {
        CAPTURE(name);
        const Array& a = arrays.at(name);
        CHECK(a.dtype == dtype);
        CHECK(a.shape == shape);
        CHECK(a.data == values);
    };
    Values i8_3d(24);
    for (std::size_t i = 0; i < i8_3d.size(); ++i) i8_3d[i] = static_cast<int64_t>(i) - 12;
    check("fortran_i8_3d", DType::Int8, {2, 3, 4}, i8_3d);
    // W = arange(15).reshape(3, 5) - 7, saved as W.T: row r of W.T is column r of W.
    check("transpose_i8", DType::Int8, {5, 3}, {-7, -2, 3, -6, -1, 4, -5, 0, 5, -4, 1, 6, -3, 2, 7});
    check("be_i2", DType::Int16, {5}, {-32768, -1, 0, 1, 32767});
    check("be_u2", DType::UInt16, {3}, {0, 1, 65535});
    check("be_i4", DType::Int32, {2, 3}, {-2147483648, -1, 0, 1, 2, 2147483647});
    check("be_u4", DType::UInt32, {2}, {0, 4294967295});
    check("be_i8", DType::Int64, {3}, {std::numeric_limits<int64_t>::min(), -1, std::numeric_limits<int64_t>::max()});
    check("be_u8", DType::UInt64, {2}, {0, std::numeric_limits<int64_t>::max()});
    check("fortran_be_i4", DType::Int32, {3, 4}, {-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5});
    Values u2_4d(24);
    for (std::size_t i = 0; i < u2_4d.size(); ++i) u2_4d[i] = static_cast<int64_t>(i) * 1000;
    check("fortran_be_u2_4d", DType::UInt16, {2, 1, 3, 4}, u2_4d);
    check("fortran_bool", DType::Bool, {2, 3}, {1, 0, 1, 0, 0, 1});
    check("be_f4", DType::Float32, {2}, {});
}

TEST_CASE("an archive in memory with a hand-built fortran-order big-endian member reads in C order") {
    std::string header = "{'descr': '>i2', 'fortran_order': True, 'shape': (2, 2), }";
    std::vector<uint8_t> npy = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size()), 0};
    npy.insert(npy.end(), header.begin(), header.end());
    // Columns [1, -2] and [300, 4].
    for (int v : {0x00, 0x01, 0xff, 0xfe, 0x01, 0x2c, 0x00, 0x04}) npy.push_back(static_cast<uint8_t>(v));
    const std::vector<uint8_t> zip = test::stored_zip({{"conv1.threshold.npy", npy}});
    const auto arrays = parse_npz(zip, "mem.npz");
    REQUIRE(arrays.size() == 1);
    const Array& a = arrays.at("conv1.threshold");
    CHECK(a.dtype == DType::Int16);
    CHECK(a.shape == Shape{2, 2});
    CHECK(a.data == Values{1, 300, -2, 4});
}

TEST_CASE("a missing npz file is reported as a read failure") {
    const Diagnostic d = error_of([&] { read_npz(kData / "no-such-file.npz"); });
    CHECK(d.code == "read-failed");
    CHECK(d.message == "cannot open file: no such file or directory");
}
