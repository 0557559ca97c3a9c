// Shared by the io tests: where the fixtures are, and catching the InputError a reader throws.
#pragma once

#include "bnngen/diag/error.hpp"
#include "zip_test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

namespace bnngen::test {

inline const std::filesystem::path kIoData = std::filesystem::path(BNNGEN_TEST_DATA) / "io";

// The diagnostic of the InputError that `f` throws; a test failure if it throws none.
inline Diagnostic error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.diagnostic();
    }
    FAIL("expected an InputError");
    return {};
}

using Shape = std::vector<int64_t>;
using Values = std::vector<int64_t>;

}  // namespace bnngen::test
