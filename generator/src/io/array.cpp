#include "bnngen/io/array.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace bnngen::io {

std::string_view dtype_name(DType t) {
    switch (t) {
    case DType::Int8: return "int8";
    case DType::UInt8: return "uint8";
    case DType::Int16: return "int16";
    case DType::UInt16: return "uint16";
    case DType::Int32: return "int32";
    case DType::UInt32: return "uint32";
    case DType::Int64: return "int64";
    case DType::UInt64: return "uint64";
    case DType::Bool: return "bool";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    }
    return "unknown";
}

// Like numpy's issubdtype(t, np.integer): bool is not an integer dtype, although its data is 0/1.
bool is_integer(DType t) {
    switch (t) {
    case DType::Int8:
    case DType::UInt8:
    case DType::Int16:
    case DType::UInt16:
    case DType::Int32:
    case DType::UInt32:
    case DType::Int64:
    case DType::UInt64: return true;
    case DType::Bool:
    case DType::Float32:
    case DType::Float64: return false;
    }
    return false;
}

int64_t Array::element_count() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::string Array::shape_string() const { return fmt::format("[{}]", fmt::join(shape, ", ")); }

}  // namespace bnngen::io
