// The .npy reader against files numpy wrote (generator/tests/data/make_io_fixtures.py), the
// writer against numpy's exact bytes, and the atomic file writer.
#include "bnngen/diag/error.hpp"
#include "bnngen/io/array.hpp"
#include "bnngen/io/atomic_file.hpp"
#include "bnngen/io/npy.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include "io_test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

using namespace bnngen;
using namespace bnngen::io;
using bnngen::test::error_of;
using bnngen::test::Shape;
using bnngen::test::Values;
namespace fs = std::filesystem;

namespace {

const fs::path kData = test::kIoData;

std::vector<uint8_t> file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

// A .npy file with a hand-written header, for malformed headers numpy itself would never write.
std::vector<uint8_t> npy_with_header(std::string_view header) {
    std::vector<uint8_t> out = bytes_of(std::string_view("\x93NUMPY\x01\x00", 8));
    out.push_back(static_cast<uint8_t>(header.size()));
    out.push_back(0);
    out.insert(out.end(), header.begin(), header.end());
    return out;
}

// A scratch directory removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("bnngen-test-" + std::to_string(::getpid()) + "-" +
                                            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

}  // namespace

TEST_CASE("dtype names, shapes and element counts follow numpy") {
    CHECK(dtype_name(DType::UInt16) == "uint16");
    CHECK(dtype_name(DType::Float32) == "float32");
    CHECK(dtype_name(DType::Bool) == "bool");
    CHECK(is_integer(DType::Int8));
    CHECK(is_integer(DType::UInt64));
    CHECK_FALSE(is_integer(DType::Bool));
    CHECK_FALSE(is_integer(DType::Float64));

    Array a;
    a.shape = {32, 1, 3, 3};
    CHECK(a.shape_string() == "[32, 1, 3, 3]");
    CHECK(a.element_count() == 288);
    a.shape = {};
    CHECK(a.shape_string() == "[]");
    CHECK(a.element_count() == 1);
    a.shape = {0, 3};
    CHECK(a.element_count() == 0);
}

TEST_CASE("a version 1.0 npy file reads with its dtype, shape and values") {
    const Array a = read_npy(kData / "v1.npy");
    CHECK(a.dtype == DType::Int16);
    CHECK(a.shape == std::vector<int64_t>{2, 3});
    CHECK(a.data == std::vector<int64_t>{1, -2, 3, -4, 5, -6});
}

TEST_CASE("version 2.0 and 3.0 npy headers read the same array as version 1.0") {
    for (const char* name : {"v2.npy", "v3.npy"}) {
        CAPTURE(name);
        const std::vector<uint8_t> bytes = file_bytes(kData / name);
        REQUIRE(bytes.size() > 7);
        CHECK(bytes[6] == (name[1] - '0'));
        const Array a = read_npy(kData / name);
        CHECK(a.dtype == DType::Int16);
        CHECK(a.shape == std::vector<int64_t>{2, 3});
        CHECK(a.data == std::vector<int64_t>{1, -2, 3, -4, 5, -6});
    }
}

TEST_CASE("a float npy file reads its dtype and shape but no data") {
    const Array a = read_npy(kData / "float64.npy");
    CHECK(a.dtype == DType::Float64);
    CHECK(a.shape == std::vector<int64_t>{1, 2});
    CHECK(a.data.empty());
}

TEST_CASE("a fortran-order npy file written by numpy reads in C order") {
    const Array a = read_npy(kData / "fortran.npy");  // numpy.asfortranarray(arange(6).reshape(2, 3))
    CHECK(a.dtype == DType::Int32);
    CHECK(a.shape == Shape{2, 3});
    CHECK(a.data == Values{0, 1, 2, 3, 4, 5});
}

TEST_CASE("a big-endian npy file written by numpy reads byte-swapped") {
    const Array a = read_npy(kData / "bigendian.npy");  // arange(4, dtype='>i4')
    CHECK(a.dtype == DType::Int32);
    CHECK(a.shape == Shape{4});
    CHECK(a.data == Values{0, 1, 2, 3});
}

TEST_CASE("big-endian npy data of every integer width is byte-swapped") {
    struct Case {
        const char* descr;
        std::vector<uint8_t> data;
        DType dtype;
        Values values;
    };
    const std::vector<Case> cases = {
        {">i2", {0x80, 0x00, 0xff, 0xfe, 0x01, 0x02}, DType::Int16, {-32768, -2, 258}},
        {">u2", {0xff, 0xff, 0x12, 0x34}, DType::UInt16, {65535, 0x1234}},
        {">i4", {0x80, 0, 0, 0, 0, 0, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff}, DType::Int32, {-2147483648, 256, -1}},
        {">u4", {0xff, 0xff, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04}, DType::UInt32, {4294967294, 0x01020304}},
        {">i8",
         {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
         DType::Int64,
         {-2, std::numeric_limits<int64_t>::max()}},
        {">u8", {0, 0, 0, 0x01, 0, 0, 0x01, 0x00}, DType::UInt64, {(int64_t{1} << 32) + 256}},
        // '|' and single bytes have no byte order; '=' is the writer's native order (little here).
        {"|i1", {0x80, 0x7f}, DType::Int8, {-128, 127}},
        {"=i2", {0x01, 0x02}, DType::Int16, {0x0201}},
        {"<u2", {0x01, 0x02}, DType::UInt16, {0x0201}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.descr);
        const std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({},), }}", c.descr,
                                               c.values.size());
        std::vector<uint8_t> bytes = npy_with_header(header);
        bytes.insert(bytes.end(), c.data.begin(), c.data.end());
        const Array a = parse_npy(bytes, "x.npy");
        CHECK(a.dtype == c.dtype);
        CHECK(a.shape == Shape{static_cast<int64_t>(c.values.size())});
        CHECK(a.data == c.values);
    }
}

TEST_CASE("a bool npy array reads as 0 and 1, any nonzero byte being true") {
    std::vector<uint8_t> bytes = npy_with_header("{'descr': '|b1', 'fortran_order': False, 'shape': (5,), }");
    for (int v : {0, 1, 2, 255, 0}) bytes.push_back(static_cast<uint8_t>(v));
    const Array a = parse_npy(bytes, "mask.npy");
    CHECK(a.dtype == DType::Bool);
    CHECK(a.data == Values{0, 1, 1, 1, 0});
}

TEST_CASE("fortran-order npy data is rearranged into C order") {
    SUBCASE("a 2 x 3 int8 matrix, column by column in the file") {
        std::vector<uint8_t> bytes = npy_with_header("{'descr': '|i1', 'fortran_order': True, 'shape': (2, 3), }");
        for (int v : {1, 4, 2, 5, 3, 6}) bytes.push_back(static_cast<uint8_t>(v));
        const Array a = parse_npy(bytes, "w.npy");
        CHECK(a.shape == Shape{2, 3});
        CHECK(a.data == Values{1, 2, 3, 4, 5, 6});
    }
    SUBCASE("a 2 x 3 x 4 little-endian int16 array: the first index moves fastest in the file") {
        std::vector<uint8_t> bytes = npy_with_header("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 4), }");
        const auto value = [](int i, int j, int k) { return -(100 * i + 10 * j + k); };
        for (int k = 0; k < 4; ++k)
            for (int j = 0; j < 3; ++j)
                for (int i = 0; i < 2; ++i) {
                    const auto u = static_cast<uint16_t>(value(i, j, k));
                    bytes.push_back(static_cast<uint8_t>(u & 0xff));
                    bytes.push_back(static_cast<uint8_t>(u >> 8));
                }
        Values expected;
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j)
                for (int k = 0; k < 4; ++k) expected.push_back(value(i, j, k));
        const Array a = parse_npy(bytes, "w.npy");
        CHECK(a.shape == Shape{2, 3, 4});
        CHECK(a.data == expected);
    }
    SUBCASE("a big-endian int32 3 x 2 matrix in Fortran order: both conversions") {
        std::vector<uint8_t> bytes = npy_with_header("{'descr': '>i4', 'fortran_order': True, 'shape': (3, 2), }");
        // Columns [10, 20, 30] and [-1, -2, 70000].
        for (int32_t v : {10, 20, 30, -1, -2, 70000}) {
            const auto u = static_cast<uint32_t>(v);
            for (int b = 3; b >= 0; --b) bytes.push_back(static_cast<uint8_t>(u >> (8 * b)));
        }
        const Array a = parse_npy(bytes, "t.npy");
        CHECK(a.dtype == DType::Int32);
        CHECK(a.shape == Shape{3, 2});
        CHECK(a.data == Values{10, -1, 20, -2, 30, 70000});
    }
    SUBCASE("a bool mask in Fortran order") {
        std::vector<uint8_t> bytes = npy_with_header("{'descr': '|b1', 'fortran_order': True, 'shape': (2, 2), }");
        for (int v : {1, 0, 1, 1}) bytes.push_back(static_cast<uint8_t>(v));
        CHECK(parse_npy(bytes, "m.npy").data == Values{1, 1, 0, 1});
    }
    SUBCASE("1-D, 0-d and empty arrays are the same in either order") {
        std::vector<uint8_t> v = npy_with_header("{'descr': '|u1', 'fortran_order': True, 'shape': (3,), }");
        for (int x : {7, 8, 9}) v.push_back(static_cast<uint8_t>(x));
        CHECK(parse_npy(v, "v.npy").data == Values{7, 8, 9});
        std::vector<uint8_t> scalar = npy_with_header("{'descr': '>i2', 'fortran_order': True, 'shape': (), }");
        scalar.push_back(0xff);
        scalar.push_back(0x00);
        CHECK(parse_npy(scalar, "s.npy").data == Values{-256});
        const Array empty =
            parse_npy(npy_with_header("{'descr': '<i4', 'fortran_order': True, 'shape': (0, 3), }"), "e.npy");
        CHECK(empty.shape == Shape{0, 3});
        CHECK(empty.data.empty());
    }
}

TEST_CASE("a big-endian float npy file reads its dtype and shape but no data") {
    std::vector<uint8_t> bytes = npy_with_header("{'descr': '>f4', 'fortran_order': True, 'shape': (1, 2), }");
    bytes.resize(bytes.size() + 8, 0);
    const Array a = parse_npy(bytes, "f.npy");
    CHECK(a.dtype == DType::Float32);
    CHECK(a.shape == Shape{1, 2});
    CHECK(a.data.empty());
}

TEST_CASE("a big-endian uint64 value above INT64_MAX is refused with its C-order element index") {
    // numpy.asfortranarray([[1, 2, 3], [4, 2**63, 6]], dtype='>u8'): 2**63 is element [1, 1], 4 in C order.
    const Diagnostic d = error_of([&] { read_npy(kData / "uint64_big_be_fortran.npy"); });
    CHECK(d.code == "bad-npy");
    CHECK(d.message ==
          "value 9223372036854775808 (element 4) of a uint64 array does not fit in int64; expected at most "
          "9223372036854775807");

    std::vector<uint8_t> bytes = npy_with_header("{'descr': '>u8', 'fortran_order': False, 'shape': (2,), }");
    for (int v : {0, 0, 0, 0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe})
        bytes.push_back(static_cast<uint8_t>(v));
    CHECK(error_of([&] { parse_npy(bytes, "u.npy"); }).message ==
          "value 18446744073709551614 (element 1) of a uint64 array does not fit in int64; expected at most "
          "9223372036854775807");
}

TEST_CASE("a truncated fortran-order or big-endian npy file is refused before any data is read") {
    std::vector<uint8_t> bytes = npy_with_header("{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }");
    bytes.resize(bytes.size() + 23, 0);
    CHECK(error_of([&] { parse_npy(bytes, "t.npy"); }).message == "truncated data: header promises 24 bytes, file has 23");
}

TEST_CASE("a complex npy file is refused naming its dtype") {
    const Diagnostic d = error_of([&] { read_npy(kData / "complex.npy"); });
    CHECK(d.message == "unsupported dtype '<c8'; expected an integer, bool or float dtype");
}

TEST_CASE("uint64 values above INT64_MAX are refused") {
    const Diagnostic d = error_of([&] { read_npy(kData / "uint64_big.npy"); });
    CHECK(d.code == "bad-npy");
    CHECK(d.message ==
          "value 18446744073709551615 (element 1) of a uint64 array does not fit in int64; expected at most "
          "9223372036854775807");
}

TEST_CASE("an npy file shorter than its header promises is refused") {
    const Diagnostic d = error_of([&] { read_npy(kData / "truncated.npy"); });
    CHECK(d.code == "bad-npy");
    CHECK(d.message == "truncated data: header promises 40 bytes, file has 32");
}

TEST_CASE("a file that is not npy says what it found") {
    const std::vector<uint8_t> zip = bytes_of(std::string_view("PK\x03\x04\x14\x00\x00\x00", 8));
    Diagnostic d = error_of([&] { parse_npy(zip, "weights.npy"); });
    CHECK(d.code == "bad-npy");
    CHECK(d.where.file == "weights.npy");
    CHECK(d.message == "expected a numpy .npy file (magic \\x93NUMPY), found 'PK\\x03\\x04...'");

    d = error_of([&] { parse_npy({}, "empty.npy"); });
    CHECK(d.message == "expected a numpy .npy file (magic \\x93NUMPY), found an empty file");
}

TEST_CASE("malformed npy headers are refused with what was expected") {
    const auto message = [](std::string_view header) {
        const std::vector<uint8_t> bytes = npy_with_header(header);
        return error_of([&] { parse_npy(bytes, "x.npy"); }).message;
    };
    CHECK(message("{'descr': '<i4', 'fortran_order': False}\n") ==
          "the .npy header lacks 'shape'; expected 'descr', 'fortran_order' and 'shape'");
    CHECK(message("{'descr': '<i4', 'fortran_order': False, 'shape': (2, x), }") ==
          "malformed .npy header: expected a non-negative integer or ')' in 'shape', found 'x), }'");
    CHECK(message("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), 'extra': 1}") ==
          "unexpected key 'extra' in the .npy header; expected only 'descr', 'fortran_order' and 'shape'");
    CHECK(message("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,)}") ==
          "unsupported structured dtype [('a', '<i4')]; expected an integer, bool or float dtype");
    CHECK(message("{'descr': '<i4', 'fortran_order': False, 'shape': (2,)") ==
          "malformed .npy header: expected ',' or '}' after a value, found the end of the header");

    // Python 2 numpy wrote longs as 3L; such files still load in numpy today.
    std::vector<uint8_t> old = npy_with_header("{'descr': '|u1', 'fortran_order': False, 'shape': (3L,), }");
    for (int v : {7, 8, 9}) old.push_back(static_cast<uint8_t>(v));
    CHECK(parse_npy(old, "old.npy").data == std::vector<int64_t>{7, 8, 9});
}

TEST_CASE("a missing npy file is reported as a read failure naming the file") {
    const fs::path p = kData / "no-such-file.npy";
    const Diagnostic d = error_of([&] { read_npy(p); });
    CHECK(d.code == "read-failed");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "cannot open file: no such file or directory");
}

TEST_CASE("encode_npy writes the same bytes as numpy.save") {
    struct Case {
        const char* file;
        Array array;
    };
    std::vector<int64_t> i32(30);
    for (int64_t i = 0; i < 30; ++i) i32[static_cast<std::size_t>(i)] = i - 15;
    std::vector<int64_t> i64(8);
    for (int64_t i = 0; i < 8; ++i) i64[static_cast<std::size_t>(i)] = i * -(int64_t{1} << 40);
    const std::vector<Case> cases = {
        {"save_i32.npy", Array{DType::Int32, {10, 3}, i32}},
        {"save_bool0d.npy", Array{DType::Bool, {}, {1}}},
        {"save_u8.npy", Array{DType::UInt8, {3}, {0, 7, 255}}},
        {"save_i64_4d.npy", Array{DType::Int64, {2, 1, 2, 2}, i64}},
    };
    for (const Case& c : cases) {
        CAPTURE(c.file);
        CHECK(encode_npy(c.array) == file_bytes(kData / c.file));
    }
    const std::vector<uint8_t> header = encode_npy(Array{DType::Int32, {100, 10}, std::vector<int64_t>(1000)});
    const std::string dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (100, 10), }";
    CHECK(std::string(header.begin() + 10, header.begin() + 10 + static_cast<std::ptrdiff_t>(dict.size())) == dict);
    CHECK((header.size() - 4000) % 64 == 0);
}

TEST_CASE("encode_npy round-trips through parse_npy for every integer dtype") {
    const std::vector<Array> arrays = {
        {DType::Int8, {2, 2}, {-128, -1, 0, 127}},
        {DType::UInt8, {2}, {0, 255}},
        {DType::Int16, {3}, {-32768, 0, 32767}},
        {DType::UInt16, {2}, {0, 65535}},
        {DType::Int32, {1, 2}, {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}},
        {DType::UInt32, {2}, {0, std::numeric_limits<uint32_t>::max()}},
        {DType::Int64, {2}, {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}},
        {DType::UInt64, {1}, {std::numeric_limits<int64_t>::max()}},
        {DType::Bool, {3}, {1, 0, 1}},
        {DType::Int32, {0, 4}, {}},
        {DType::Int16, {}, {-7}},
    };
    for (const Array& a : arrays) {
        CAPTURE(dtype_name(a.dtype));
        const Array b = parse_npy(encode_npy(a), "round-trip");
        CHECK(b.dtype == a.dtype);
        CHECK(b.shape == a.shape);
        CHECK(b.data == a.data);
    }
}

TEST_CASE("encode_npy refuses values that do not fit, a wrong value count and float dtypes") {
    Diagnostic d = error_of([] { encode_npy(Array{DType::UInt8, {3}, {0, 256, 1}}); });
    CHECK(d.message == "value 256 (element 1) does not fit in dtype uint8");
    d = error_of([] { encode_npy(Array{DType::Bool, {1}, {2}}); });
    CHECK(d.message == "value 2 (element 0) does not fit in dtype bool");
    d = error_of([] { encode_npy(Array{DType::Int8, {2, 3}, {1, 2}}); });
    CHECK(d.message == "array has 2 values but its shape [2, 3] has 6 elements");
    d = error_of([] { encode_npy(Array{DType::Float32, {1}, {}}); });
    CHECK(d.message == "cannot encode dtype float32 as .npy; expected an integer or bool dtype");
}

TEST_CASE("write_file_atomic replaces the content and leaves no temporary file behind") {
    const TempDir dir;
    const fs::path p = dir.path / "out.v";
    write_file_atomic(p, std::string_view("module a;\nendmodule\n"));
    write_file_atomic(p, std::string_view("module b;\nendmodule\n"));
    CHECK(file_bytes(p) == bytes_of("module b;\nendmodule\n"));

    const std::vector<uint8_t> binary = {0, 1, 2, 255};
    write_file_atomic(dir.path / "out.bin", binary);
    CHECK(file_bytes(dir.path / "out.bin") == binary);

    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.path)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"out.bin", "out.v"});
}

TEST_CASE("write_file_atomic into a missing directory throws write-failed") {
    const TempDir dir;
    const fs::path p = dir.path / "missing" / "out.v";
    const Diagnostic d = error_of([&] { write_file_atomic(p, std::string_view("x")); });
    CHECK(d.code == "write-failed");
    CHECK(d.where.file == p.string());
    CHECK(d.message == "cannot create a temporary file in directory '" + (dir.path / "missing").string() +
                           "': no such file or directory");
    CHECK_FALSE(fs::exists(p));
}
