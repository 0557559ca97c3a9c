// numpy .npz archives as numpy.savez (stored) and numpy.savez_compressed (deflate) write them:
// a zip file, possibly with zip64 records, of one .npy member per array.
#pragma once

#include "bnngen/io/array.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>

namespace bnngen::io {

// Every array of the archive, keyed by its name without the ".npy" suffix. Throws InputError
// (code "bad-npz") for a file that is not a zip, a member that fails its CRC, an unsupported
// compression method, or a member that is not valid .npy (code "bad-npy", naming the member).
std::map<std::string, Array> read_npz(const std::filesystem::path& path);
// The same for an archive already in memory; `file` names it in errors.
std::map<std::string, Array> parse_npz(std::span<const uint8_t> bytes, const std::string& file);

}  // namespace bnngen::io
