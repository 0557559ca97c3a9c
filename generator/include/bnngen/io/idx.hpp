// The idx format of MNIST and Fashion-MNIST (big-endian header: 0, 0, type byte, rank byte, then
// one uint32 per dimension), plain or gzip-compressed (detected by content, not by file name).
#pragma once

#include "bnngen/io/array.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace bnngen::io {

// Throws InputError (code "bad-idx") on a bad magic, an unknown type byte, or truncated data.
Array read_idx(const std::filesystem::path& path);

// The whole content of a file, gunzipped if it starts with the gzip magic.
std::vector<uint8_t> read_maybe_gzip(const std::filesystem::path& path);

}  // namespace bnngen::io
