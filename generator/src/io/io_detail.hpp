// Helpers shared by the readers in src/io; not part of the public API.
#pragma once

#include "bnngen/diag/error.hpp"
#include "bnngen/io/array.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace bnngen::io::detail {

[[noreturn]] void fail(const std::string& code, const std::string& file, std::string message);

// strerror(err), starting lowercase like every bnngen message.
std::string os_reason(int err);

// The whole file; throws InputError (code "read-failed") naming the OS reason.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path);

// The first bytes of a file as a quoted Python-style literal, e.g. 'PK\x03\x04...', so an error
// can show what the file really is ("an empty file" when there are none).
std::string quote_prefix(std::span<const uint8_t> bytes, std::size_t max_bytes = 4);

// An idx file already in memory (gunzipped); `origin` names it in errors.
Array parse_idx(std::span<const uint8_t> bytes, const std::string& origin);

inline uint64_t load_le(const uint8_t* p, int size) {
    uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

inline uint64_t load_be(const uint8_t* p, int size) {
    uint64_t v = 0;
    for (int i = 0; i < size; ++i) v = (v << 8) | p[i];
    return v;
}

// Reinterprets the low `size` bytes of `v` as a two's-complement signed value.
inline int64_t sign_extend(uint64_t v, int size) {
    if (size >= 8) return static_cast<int64_t>(v);
    const uint64_t sign = uint64_t{1} << (size * 8 - 1);
    return static_cast<int64_t>(v ^ sign) - static_cast<int64_t>(sign);
}

}  // namespace bnngen::io::detail
