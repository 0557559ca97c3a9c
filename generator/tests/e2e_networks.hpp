// The networks of verif/e2e/<name>/network.yaml (with their weights and images), loaded for tests
// that need a real, checked network.
#pragma once

#include "bnngen/net/load.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

namespace bnngen::test {

inline std::filesystem::path e2e_dir(const std::string& name) {
    return std::filesystem::path(BNNGEN_SOURCE_DIR) / "verif/e2e" / name;
}

inline Network load_e2e(const std::string& name) {
    DiagnosticBag bag;
    auto net = load_network(e2e_dir(name) / "network.yaml", bag);
    REQUIRE(net.has_value());
    return *net;
}

}  // namespace bnngen::test
