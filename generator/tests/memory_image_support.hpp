// For tests that read a generated design the way the hardware does: a network of the source tree,
// and $readmemh images decoded line by line and bit by bit.
#pragma once

#include "bnngen/net/load.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace bnngen::test {

// A network description of the source tree (path relative to its root), checked.
inline Network load_source_network(const std::string& relative) {
    DiagnosticBag bag;
    auto net = load_network(std::filesystem::path(BNNGEN_SOURCE_DIR) / relative, bag);
    REQUIRE(net.has_value());
    return *net;
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// Bits [from, from + width) of a hex word as $readmemh reads it (most significant digit first).
inline unsigned field(const std::string& word, int from, int width) {
    unsigned value = 0;
    for (int b = 0; b < width; ++b) {
        const int bit = from + b;
        const int digit = static_cast<int>(word.size()) - 1 - bit / 4;
        REQUIRE(digit >= 0);
        const int nibble = std::stoi(word.substr(static_cast<size_t>(digit), 1), nullptr, 16);
        value |= static_cast<unsigned>((nibble >> (bit % 4)) & 1) << b;
    }
    return value;
}

}  // namespace bnngen::test
