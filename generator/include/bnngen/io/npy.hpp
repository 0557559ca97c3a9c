// numpy .npy format, versions 1.0, 2.0 and 3.0: integer, bool and float dtypes in either byte order,
// C or Fortran order, as numpy.save writes them.
// Reference: numpy/lib/format.py.
#pragma once

#include "bnngen/io/array.hpp"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace bnngen::io {

// Parses the bytes of one .npy file. `origin` names it in errors (a path, or "weights.npz: conv1.weight").
// Big-endian values are byte-swapped and a Fortran-order array is rearranged, so Array::data is
// always row-major (C order). Throws InputError (code "bad-npy") on a malformed header, an
// unsupported dtype, a uint64 value above INT64_MAX, or data shorter than the header promises.
Array parse_npy(std::span<const uint8_t> bytes, const std::string& origin);
Array read_npy(const std::filesystem::path& path);

// Serialises an array as .npy version 1.0 with the given integer dtype (values must fit).
std::vector<uint8_t> encode_npy(const Array& array);

}  // namespace bnngen::io
