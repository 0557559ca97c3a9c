#include "bnngen/io/npy.hpp"

#include "io_detail.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

namespace bnngen::io {

namespace {

using detail::fail;

constexpr std::string_view kMagic = "\x93NUMPY";

// One value of the header dictionary. numpy writes the header with repr(), so only string,
// bool and tuple-of-int literals occur; anything else (a structured dtype list) is kept as text.
struct HeaderValue {
    enum class Kind { String, Bool, Tuple, Other } kind = Kind::Other;
    std::string text;
    bool flag = false;
    std::vector<int64_t> dims;
};

// A parser for the Python dict literal of a .npy header, e.g.
// {'descr': '<i4', 'fortran_order': False, 'shape': (100, 10), }
class HeaderParser {
public:
    HeaderParser(std::string_view text, const std::string& origin) : s_(text), origin_(origin) {}

    std::vector<std::pair<std::string, HeaderValue>> parse() {
        std::vector<std::pair<std::string, HeaderValue>> items;
        skip_ws();
        expect('{', "'{' at the start of the header");
        for (;;) {
            skip_ws();
            if (peek() == '}') break;
            std::string key = parse_string("a quoted key");
            skip_ws();
            expect(':', fmt::format("':' after key '{}'", key));
            skip_ws();
            HeaderValue value = parse_value(key);
            items.emplace_back(std::move(key), std::move(value));
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() != '}') error("',' or '}' after a value");
        }
        ++pos_;
        skip_ws();
        if (pos_ != s_.size()) error("the end of the header after '}'");
        return items;
    }

private:
    [[nodiscard]] char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
            ++pos_;
    }

    [[noreturn]] void error(const std::string& expected) const {
        const std::string_view rest = s_.substr(pos_, 20);
        const std::string found = pos_ >= s_.size() ? "the end of the header" : fmt::format("'{}'", rest);
        fail("bad-npy", origin_, fmt::format("malformed .npy header: expected {}, found {}", expected, found));
    }

    void expect(char c, const std::string& what) {
        if (peek() != c) error(what);
        ++pos_;
    }

    std::string parse_string(const std::string& what) {
        const char quote = peek();
        if (quote != '\'' && quote != '"') error(what);
        const std::size_t end = s_.find(quote, pos_ + 1);
        if (end == std::string_view::npos) error("a closing quote");
        std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
        return out;
    }

    HeaderValue parse_value(const std::string& key) {
        HeaderValue v;
        if (peek() == '\'' || peek() == '"') {
            v.kind = HeaderValue::Kind::String;
            v.text = parse_string("a string");
        } else if (s_.substr(pos_, 4) == "True" || s_.substr(pos_, 5) == "False") {
            v.kind = HeaderValue::Kind::Bool;
            v.flag = s_[pos_] == 'T';
            pos_ += v.flag ? 4 : 5;
        } else if (peek() == '(') {
            v.kind = HeaderValue::Kind::Tuple;
            v.dims = parse_tuple(key);
        } else {
            v.text = parse_other();
        }
        return v;
    }

    std::vector<int64_t> parse_tuple(const std::string& key) {
        std::vector<int64_t> dims;
        const std::string what = fmt::format("a non-negative integer or ')' in '{}'", key);
        ++pos_;
        for (;;) {
            skip_ws();
            if (peek() == ')') break;
            if (peek() < '0' || peek() > '9') error(what);
            int64_t d = 0;
            while (peek() >= '0' && peek() <= '9') {
                const int digit = s_[pos_] - '0';
                if (d > (std::numeric_limits<int64_t>::max() - digit) / 10) error("a dimension that fits in int64");
                d = d * 10 + digit;
                ++pos_;
            }
            if (peek() == 'L') ++pos_;  // Python 2 long literal, in files written by old numpy
            dims.push_back(d);
            skip_ws();
            if (peek() == ',') {
                ++pos_;
            } else if (peek() != ')') {
                error(fmt::format("',' or ')' in '{}'", key));
            }
        }
        ++pos_;
        return dims;
    }

    // Any other literal, up to the ',' or '}' that ends it at bracket depth 0.
    std::string parse_other() {
        const std::size_t start = pos_;
        int depth = 0;
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '\'' || c == '"') {
                parse_string("a string");
                continue;
            }
            if (c == '(' || c == '[' || c == '{') ++depth;
            if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) break;
                --depth;
            }
            if (c == ',' && depth == 0) break;
            ++pos_;
        }
        if (pos_ == start) error("a value");
        return std::string(s_.substr(start, pos_ - start));
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    const std::string& origin_;
};

struct DTypeInfo {
    DType dtype;
    int size;
    bool is_signed;
};

std::optional<DTypeInfo> dtype_from_code(char kind, int size) {
    switch (kind) {
    case 'i':
        if (size == 1) return DTypeInfo{DType::Int8, 1, true};
        if (size == 2) return DTypeInfo{DType::Int16, 2, true};
        if (size == 4) return DTypeInfo{DType::Int32, 4, true};
        if (size == 8) return DTypeInfo{DType::Int64, 8, true};
        break;
    case 'u':
        if (size == 1) return DTypeInfo{DType::UInt8, 1, false};
        if (size == 2) return DTypeInfo{DType::UInt16, 2, false};
        if (size == 4) return DTypeInfo{DType::UInt32, 4, false};
        if (size == 8) return DTypeInfo{DType::UInt64, 8, false};
        break;
    case 'b':
        if (size == 1) return DTypeInfo{DType::Bool, 1, false};
        break;
    case 'f':
        if (size == 4) return DTypeInfo{DType::Float32, 4, true};
        if (size == 8) return DTypeInfo{DType::Float64, 8, true};
        break;
    default: break;
    }
    return std::nullopt;
}

// descr is '<i4', '>u2', '|u1', '|b1', '<f8', ...: byte order, kind, item size. numpy writes '<'
// or '>' for every multi-byte dtype ('=' would be native order, little-endian on every host bnngen
// runs on) and '|' for single bytes.
DTypeInfo parse_descr(const std::string& descr, const std::string& origin, bool& big_endian) {
    const auto unsupported = [&] {
        fail("bad-npy", origin, fmt::format("unsupported dtype '{}'; expected an integer, bool or float dtype", descr));
    };
    if (descr.size() < 3 || descr.size() > 4 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos)
        unsupported();
    int size = 0;
    for (std::size_t i = 2; i < descr.size(); ++i) {
        if (descr[i] < '0' || descr[i] > '9') unsupported();
        size = size * 10 + (descr[i] - '0');
    }
    const auto info = dtype_from_code(descr[1], size);
    if (!info) unsupported();
    big_endian = descr[0] == '>' && size > 1;
    return *info;
}

// The element bytes of a Fortran-order (column-major) array rearranged into C order: element
// (i0, ..., in-1) sits at offset i0 + d0 * (i1 + d1 * (...)) in the file and at the row-major
// offset in the result.
std::vector<uint8_t> fortran_to_c(const uint8_t* data, const std::vector<int64_t>& shape, int64_t count, int size) {
    const auto item = static_cast<std::size_t>(size);
    std::vector<uint8_t> out(static_cast<std::size_t>(count) * item);
    // Index arithmetic per element, with no index vectors: GCC 12 at -O3 warned about freeing
    // those (-Wfree-nonheap-object, a false positive that -Werror turned into a failed build).
    for (int64_t to = 0; to < count; ++to) {
        int64_t rest = to;      // the C-order offset, consumed from the last axis (fastest) on
        int64_t suffix = 1;     // product of the axes after k
        int64_t from = 0;
        for (std::size_t k = shape.size(); k-- > 0;) {
            const int64_t extent = shape[k];
            const int64_t index = rest % extent;
            rest /= extent;
            suffix *= extent;
            from += index * (count / suffix);  // the Fortran stride of axis k: product of the axes before it
        }
        std::memcpy(out.data() + static_cast<std::size_t>(to) * item, data + static_cast<std::size_t>(from) * item,
                    item);
    }
    return out;
}

template <int Size, bool Signed>
void decode(const uint8_t* p, int64_t count, bool big_endian, DType dtype, std::vector<int64_t>& out,
            const std::string& origin) {
    out.resize(static_cast<std::size_t>(count));
    for (int64_t i = 0; i < count; ++i, p += Size) {
        const uint64_t raw = big_endian ? detail::load_be(p, Size) : detail::load_le(p, Size);
        int64_t v = 0;
        if constexpr (Signed) {
            v = detail::sign_extend(raw, Size);
        } else {
            if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                fail("bad-npy", origin,
                     fmt::format("value {} (element {}) of a uint64 array does not fit in int64; expected at most {}",
                                 raw, i, std::numeric_limits<int64_t>::max()));
            v = static_cast<int64_t>(raw);
        }
        if (dtype == DType::Bool) v = v != 0 ? 1 : 0;
        out[static_cast<std::size_t>(i)] = v;
    }
}

std::string shape_repr(const std::vector<int64_t>& shape) {
    if (shape.size() == 1) return fmt::format("({},)", shape[0]);
    return fmt::format("({})", fmt::join(shape, ", "));
}

}  // namespace

Array parse_npy(std::span<const uint8_t> bytes, const std::string& origin) {
    if (bytes.size() < kMagic.size() || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0)
        fail("bad-npy", origin,
             fmt::format("expected a numpy .npy file (magic \\x93NUMPY), found {}", detail::quote_prefix(bytes)));
    if (bytes.size() < 10) fail("bad-npy", origin, fmt::format("truncated header: file has only {} bytes", bytes.size()));

    const int major = bytes[6];
    const int minor = bytes[7];
    if (major < 1 || major > 3 || minor != 0)
        fail("bad-npy", origin, fmt::format("unsupported .npy version {}.{}; expected 1.0, 2.0 or 3.0", major, minor));
    const std::size_t len_size = major == 1 ? 2 : 4;
    const std::size_t header_start = 8 + len_size;
    if (bytes.size() < header_start)
        fail("bad-npy", origin, fmt::format("truncated header: file has only {} bytes", bytes.size()));
    const auto header_len = static_cast<std::size_t>(detail::load_le(bytes.data() + 8, static_cast<int>(len_size)));
    if (bytes.size() - header_start < header_len)
        fail("bad-npy", origin,
             fmt::format("truncated header: header length is {} bytes, file has {} after the length field", header_len,
                         bytes.size() - header_start));

    const std::string_view header(reinterpret_cast<const char*>(bytes.data() + header_start), header_len);
    std::optional<HeaderValue> descr, fortran, shape;
    for (auto& [key, value] : HeaderParser(header, origin).parse()) {
        if (key == "descr") {
            descr = std::move(value);
        } else if (key == "fortran_order") {
            fortran = std::move(value);
        } else if (key == "shape") {
            shape = std::move(value);
        } else {
            fail("bad-npy", origin,
                 fmt::format("unexpected key '{}' in the .npy header; expected only 'descr', 'fortran_order' and 'shape'",
                             key));
        }
    }
    if (!descr || !fortran || !shape)
        fail("bad-npy", origin,
             fmt::format("the .npy header lacks '{}'; expected 'descr', 'fortran_order' and 'shape'",
                         !descr ? "descr" : !fortran ? "fortran_order" : "shape"));
    if (descr->kind != HeaderValue::Kind::String)
        fail("bad-npy", origin,
             fmt::format("unsupported structured dtype {}; expected an integer, bool or float dtype",
                         descr->text));
    if (fortran->kind != HeaderValue::Kind::Bool)
        fail("bad-npy", origin, "malformed .npy header: expected True or False for 'fortran_order'");
    if (shape->kind != HeaderValue::Kind::Tuple)
        fail("bad-npy", origin, fmt::format("malformed .npy header: expected a tuple for 'shape', found '{}'", shape->text));

    bool big_endian = false;
    const DTypeInfo info = parse_descr(descr->text, origin, big_endian);

    Array array;
    array.dtype = info.dtype;
    array.shape = shape->dims;
    int64_t count = 1;
    for (int64_t d : array.shape) {
        if (d != 0 && count > std::numeric_limits<int64_t>::max() / info.size / d)
            fail("bad-npy", origin, fmt::format("shape {} is too large", array.shape_string()));
        count *= d;
    }
    const auto data_bytes = static_cast<std::size_t>(count) * static_cast<std::size_t>(info.size);
    const std::size_t available = bytes.size() - header_start - header_len;
    if (available < data_bytes)
        fail("bad-npy", origin, fmt::format("truncated data: header promises {} bytes, file has {}", data_bytes, available));

    const uint8_t* p = bytes.data() + header_start + header_len;
    if (info.dtype == DType::Float32 || info.dtype == DType::Float64) return array;  // never used as floats
    // Fortran order (numpy.save of a transpose, or of numpy.asfortranarray(a)) is rearranged into
    // C order first, so every element index below and in callers' messages is a C-order index.
    std::vector<uint8_t> c_order;
    if (fortran->flag && array.shape.size() > 1) {
        c_order = fortran_to_c(p, array.shape, count, info.size);
        p = c_order.data();
    }
    switch (info.dtype) {
    case DType::Int8: decode<1, true>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::Int16: decode<2, true>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::Int32: decode<4, true>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::Int64: decode<8, true>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::UInt8:
    case DType::Bool: decode<1, false>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::UInt16: decode<2, false>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::UInt32: decode<4, false>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::UInt64: decode<8, false>(p, count, big_endian, info.dtype, array.data, origin); break;
    case DType::Float32:
    case DType::Float64: break;
    }
    return array;
}

Array read_npy(const std::filesystem::path& path) {
    const std::vector<uint8_t> bytes = detail::read_file_bytes(path);
    return parse_npy(bytes, path.string());
}

std::vector<uint8_t> encode_npy(const Array& array) {
    struct Target {
        std::string_view descr;
        int size;
        int64_t min, max;
    };
    const auto target = [&]() -> Target {
        constexpr int64_t i64max = std::numeric_limits<int64_t>::max();
        switch (array.dtype) {
        case DType::Int8: return {"|i1", 1, -128, 127};
        case DType::UInt8: return {"|u1", 1, 0, 255};
        case DType::Int16: return {"<i2", 2, -32768, 32767};
        case DType::UInt16: return {"<u2", 2, 0, 65535};
        case DType::Int32: return {"<i4", 4, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
        case DType::UInt32: return {"<u4", 4, 0, std::numeric_limits<uint32_t>::max()};
        case DType::Int64: return {"<i8", 8, std::numeric_limits<int64_t>::min(), i64max};
        case DType::UInt64: return {"<u8", 8, 0, i64max};
        case DType::Bool: return {"|b1", 1, 0, 1};
        case DType::Float32:
        case DType::Float64: break;
        }
        fail("bad-array", "",
             fmt::format("cannot encode dtype {} as .npy; expected an integer or bool dtype", dtype_name(array.dtype)));
    }();

    int64_t count = 1;
    for (int64_t d : array.shape) {
        if (d < 0) fail("bad-array", "", fmt::format("cannot encode shape {}: negative dimension", array.shape_string()));
        count *= d;
    }
    if (static_cast<int64_t>(array.data.size()) != count)
        fail("bad-array", "",
             fmt::format("array has {} values but its shape {} has {} elements", array.data.size(),
                         array.shape_string(), count));

    // The header exactly as numpy.save writes it: keys sorted, spare room so the first dimension
    // can grow in place (GROWTH_AXIS_MAX_DIGITS = 21), padded with spaces so the data is 64-aligned.
    std::string header =
        fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", target.descr, shape_repr(array.shape));
    if (!array.shape.empty()) header.append(21 - fmt::formatted_size("{}", array.shape[0]), ' ');
    int version = 1;
    std::size_t prefix = 10;
    if ((prefix + header.size() + 1 + 63) / 64 * 64 - prefix > 0xFFFF) {
        version = 2;
        prefix = 12;
    }
    const std::size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
    header.append(total - prefix - header.size() - 1, ' ');
    header += '\n';

    std::vector<uint8_t> out(kMagic.begin(), kMagic.end());
    out.push_back(static_cast<uint8_t>(version));
    out.push_back(0);
    const std::size_t hlen = header.size();
    for (std::size_t i = 0; i < prefix - 8; ++i) out.push_back(static_cast<uint8_t>(hlen >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());

    out.reserve(out.size() + array.data.size() * static_cast<std::size_t>(target.size));
    for (std::size_t i = 0; i < array.data.size(); ++i) {
        const int64_t v = array.data[i];
        if (v < target.min || v > target.max)
            fail("bad-array", "",
                 fmt::format("value {} (element {}) does not fit in dtype {}", v, i, dtype_name(array.dtype)));
        const auto u = static_cast<uint64_t>(v);
        for (int b = 0; b < target.size; ++b) out.push_back(static_cast<uint8_t>(u >> (8 * b)));
    }
    return out;
}

}  // namespace bnngen::io
