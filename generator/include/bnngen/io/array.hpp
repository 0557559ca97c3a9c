// An n-dimensional integer array as numpy and idx files hold it, widened to int64 so every
// consumer checks values against the range it needs instead of trusting the file's dtype.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bnngen::io {

enum class DType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64, Bool, Float32, Float64 };

// numpy-style name: "int8", "uint16", "float32", ...
std::string_view dtype_name(DType t);
bool is_integer(DType t);

struct Array {
    DType dtype = DType::Int64;
    std::vector<int64_t> shape;  // C order
    std::vector<int64_t> data;   // row-major values; empty for float dtypes (never needed as floats)

    [[nodiscard]] int64_t element_count() const;  // product of shape (1 for a 0-d array)
    [[nodiscard]] std::string shape_string() const;  // "[32, 1, 3, 3]"
};

}  // namespace bnngen::io
