// The front end: network.yaml + weights -> a checked Network, or diagnostics. Stages:
//   parse_network_yaml  YAML syntax, keys, types, ranges               (parse_yaml.cpp)
//   check_structure     shapes chain, layer order rules, folding       (structure.cpp)
//   attach_weights      weights.npz arrays: names, dtypes, shapes, values, masks (weights.cpp)
// Each stage reports every problem it finds; later stages run only on a structurally sound network.
#pragma once

#include "bnngen/diag/diagnostic.hpp"
#include "bnngen/net/network.hpp"

#include <filesystem>
#include <optional>

namespace bnngen {

// nullopt if any error was reported. Warnings (e.g. unreachable thresholds) leave the network usable.
std::optional<Network> load_network(const std::filesystem::path& yaml_path, DiagnosticBag& bag);

// The stages, for tests and for tools that build a Network in memory.
std::optional<Network> parse_network_yaml(const std::filesystem::path& yaml_path, DiagnosticBag& bag);
bool check_structure(Network& net, DiagnosticBag& bag);  // fills in shapes; false on error
bool attach_weights(Network& net, DiagnosticBag& bag);   // reads net.weights_file; false on error

// Checks on a Network whose weights were filled in by code (tests, random networks): weight
// values, mask structure and threshold ranges, with the array name as the location.
bool check_weight_values(const Network& net, DiagnosticBag& bag);

}  // namespace bnngen
