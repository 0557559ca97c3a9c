#include "bnngen/io/idx.hpp"

#include "io_detail.hpp"

#include <fmt/format.h>
#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace bnngen::io {

namespace {

using detail::fail;

bool is_gzip(std::span<const uint8_t> bytes) { return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b; }

std::vector<uint8_t> gunzip(std::span<const uint8_t> in, const std::string& file) {
    std::vector<uint8_t> out;
    // The trailer's ISIZE is the size modulo 2^32: a good first guess, never trusted as a bound.
    const auto hint = static_cast<std::size_t>(detail::load_le(in.data() + in.size() - 4, 4));
    out.reserve(std::min<std::size_t>(hint, std::size_t{1} << 28));

    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) fail("bad-gzip", file, "cannot initialise zlib");
    std::size_t in_pos = 0;
    int rc = Z_OK;
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    for (;;) {
        const std::size_t in_n = std::min<std::size_t>(in.size() - in_pos, std::numeric_limits<uInt>::max());
        const std::size_t old_size = out.size();
        out.resize(old_size + kChunk);
        z.next_in = in.data() + in_pos;
        z.avail_in = static_cast<uInt>(in_n);
        z.next_out = out.data() + old_size;
        z.avail_out = static_cast<uInt>(kChunk);
        rc = inflate(&z, Z_NO_FLUSH);
        in_pos += in_n - z.avail_in;
        out.resize(old_size + kChunk - z.avail_out);
        if (rc == Z_STREAM_END) {
            // `gzip a b > c` concatenates members; gzread reads them all, and so do we.
            if (!is_gzip(in.subspan(in_pos))) break;
            inflateReset(&z);
            rc = Z_OK;
            continue;
        }
        if (rc != Z_OK) break;
        if (in_n == z.avail_in && z.avail_out != 0) break;  // input exhausted mid-stream
    }
    const std::string reason = z.msg != nullptr ? z.msg : "";
    inflateEnd(&z);
    if (rc == Z_STREAM_END) return out;
    if (rc == Z_DATA_ERROR) fail("bad-gzip", file, fmt::format("corrupt gzip data: {}", reason));
    if (rc == Z_MEM_ERROR) fail("bad-gzip", file, "out of memory while decompressing");
    fail("bad-gzip", file,
         fmt::format("truncated gzip data: the stream ends after {} compressed bytes, before its end marker", in.size()));
}

struct IdxType {
    DType dtype;
    int size;
};

// The type byte: 0x08 unsigned byte, 0x09 signed byte, 0x0b short, 0x0c int, 0x0d float, 0x0e double.
std::optional<IdxType> idx_type(uint8_t type) {
    switch (type) {
    case 0x08: return IdxType{DType::UInt8, 1};
    case 0x09: return IdxType{DType::Int8, 1};
    case 0x0B: return IdxType{DType::Int16, 2};
    case 0x0C: return IdxType{DType::Int32, 4};
    case 0x0D: return IdxType{DType::Float32, 4};
    case 0x0E: return IdxType{DType::Float64, 8};
    default: return std::nullopt;
    }
}

}  // namespace

namespace detail {

Array parse_idx(std::span<const uint8_t> bytes, const std::string& origin) {
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0)
        fail("bad-idx", origin,
             fmt::format("expected an idx file (magic: two zero bytes, a type byte, a rank byte), found {}",
                         quote_prefix(bytes)));
    const auto type = idx_type(bytes[2]);
    if (!type)
        fail("bad-idx", origin,
             fmt::format("unknown idx type byte 0x{:02x}; expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e", bytes[2]));
    const int rank = bytes[3];
    const int size = type->size;
    Array array;
    array.dtype = type->dtype;
    const std::size_t header = 4 + 4 * static_cast<std::size_t>(rank);
    if (bytes.size() < header)
        fail("bad-idx", origin,
             fmt::format("truncated header: {} dimensions need {} bytes, file has {}", rank, header, bytes.size()));

    int64_t count = 1;
    for (int i = 0; i < rank; ++i) {
        const auto d = static_cast<int64_t>(load_be(bytes.data() + 4 + 4 * i, 4));
        array.shape.push_back(d);
        if (d != 0 && count > std::numeric_limits<int64_t>::max() / size / d)
            fail("bad-idx", origin, fmt::format("shape {} is too large", array.shape_string()));
        count *= d;
    }
    const auto data_bytes = static_cast<std::size_t>(count) * static_cast<std::size_t>(size);
    if (bytes.size() - header < data_bytes)
        fail("bad-idx", origin,
             fmt::format("truncated data: header promises {} bytes, file has {}", data_bytes, bytes.size() - header));
    if (array.dtype == DType::Float32 || array.dtype == DType::Float64) return array;  // callers report the dtype

    array.data.resize(static_cast<std::size_t>(count));
    const uint8_t* p = bytes.data() + header;
    if (array.dtype == DType::UInt8) {
        std::copy(p, p + count, array.data.begin());
    } else {
        for (auto& v : array.data) {
            v = sign_extend(load_be(p, size), size);
            p += size;
        }
    }
    return array;
}

}  // namespace detail

std::vector<uint8_t> read_maybe_gzip(const std::filesystem::path& path) {
    std::vector<uint8_t> bytes = detail::read_file_bytes(path);
    if (!is_gzip(bytes)) return bytes;
    if (bytes.size() < 18)
        fail("bad-gzip", path.string(),
             fmt::format("truncated gzip data: a gzip stream needs at least 18 bytes, file has {}", bytes.size()));
    return gunzip(bytes, path.string());
}

Array read_idx(const std::filesystem::path& path) { return detail::parse_idx(read_maybe_gzip(path), path.string()); }

}  // namespace bnngen::io
