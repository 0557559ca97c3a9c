// Typed, located access to one YAML mapping of network.yaml. Every problem becomes a diagnostic
// at the offending key or value, and reading goes on, so one run reports every mistake.
#pragma once

#include "bnngen/diag/diagnostic.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bnngen {

// "integer", "string 'abc'", "mapping", ... : how a value is described in "found ..." messages.
std::string describe_yaml_value(const YAML::Node& node);
SourceLocation location_of(const std::string& file, const YAML::Node& node);

class MapReader {
public:
    // `context` names the mapping in messages, e.g. "layer 'conv1'" or "'input'".
    MapReader(YAML::Node node, std::string context, std::string file, DiagnosticBag& bag);
    void set_context(std::string context) { context_ = std::move(context); }

    [[nodiscard]] bool has(std::string_view key) const;
    [[nodiscard]] YAML::Node get(std::string_view key) const;
    [[nodiscard]] SourceLocation key_location(std::string_view key) const;
    [[nodiscard]] SourceLocation location() const { return location_of(file_, node_); }
    [[nodiscard]] const std::string& context() const { return context_; }
    [[nodiscard]] const std::string& file() const { return file_; }

    // Duplicate keys get an error; keys that are not in `known` get an unknown-key error, with a
    // suggestion from `suggest_from` (defaults to `known`).
    void check_keys(std::span<const std::string_view> known, std::span<const std::string_view> suggest_from = {});
    void missing(std::string_view key);

    // Typed getters: nullopt when absent (a missing-key error if `required`) or ill-typed/out of range
    // (an error is recorded).
    std::optional<int64_t> integer(std::string_view key, bool required, int64_t min, int64_t max);
    std::optional<double> number(std::string_view key, bool required, double min, double max);
    std::optional<std::string> string(std::string_view key, bool required);
    // true/false (YAML 1.2 core schema spellings only: true, false, True, False, TRUE, FALSE).
    std::optional<bool> boolean(std::string_view key, bool required);
    // A string that must be one of `choices`.
    std::optional<std::string> choice(std::string_view key, bool required, std::span<const std::string_view> choices);
    // A nested mapping; nullopt if absent or not a mapping (error recorded).
    std::optional<MapReader> map(std::string_view key, bool required, std::string nested_context);

    void error(std::string code, SourceLocation where, std::string message);

private:
    YAML::Node node_;
    std::string context_;
    std::string file_;
    DiagnosticBag* bag_;
};

// A mapping node given where a mapping is required; records an error and returns nullopt otherwise.
std::optional<MapReader> as_map(const YAML::Node& node, std::string context, const std::string& file,
                                DiagnosticBag& bag);

}  // namespace bnngen
