#include "yaml_reader.hpp"

#include "bnngen/util/did_you_mean.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace bnngen {
namespace {

bool is_quoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::optional<int64_t> parse_integer(const YAML::Node& node) {
    if (!node.IsScalar() || is_quoted(node)) {
        return std::nullopt;
    }
    const std::string& text = node.Scalar();
    std::string_view digits = text;
    int base = 10;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
        negative = digits[0] == '-';
        digits.remove_prefix(1);
    }
    if (digits.starts_with("0x") || digits.starts_with("0X")) {
        base = 16;
        digits.remove_prefix(2);
    }
    if (digits.empty()) {
        return std::nullopt;
    }
    uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (ec != std::errc() || end != digits.data() + digits.size() || magnitude > uint64_t{1} << 62) {
        return std::nullopt;
    }
    auto value = static_cast<int64_t>(magnitude);
    return negative ? -value : value;
}

std::optional<double> parse_number(const YAML::Node& node) {
    if (auto i = parse_integer(node)) {
        return static_cast<double>(*i);
    }
    if (!node.IsScalar() || is_quoted(node)) {
        return std::nullopt;
    }
    const std::string& text = node.Scalar();
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

bool is_boolean(const YAML::Node& node) {
    static const std::string_view words[] = {"true", "false", "True", "False", "TRUE", "FALSE",
                                             "yes",  "no",    "Yes",  "No",    "on",   "off"};
    if (!node.IsScalar() || is_quoted(node)) {
        return false;
    }
    for (std::string_view w : words) {
        if (node.Scalar() == w) {
            return true;
        }
    }
    return false;
}

}  // namespace

std::string describe_yaml_value(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) {
        return "nothing (null)";
    }
    if (node.IsMap()) {
        return "a mapping";
    }
    if (node.IsSequence()) {
        return "a sequence";
    }
    if (parse_integer(node)) {
        return fmt::format("integer {}", node.Scalar());
    }
    if (parse_number(node)) {
        return fmt::format("number {}", node.Scalar());
    }
    if (is_boolean(node)) {
        return fmt::format("boolean {}", node.Scalar());
    }
    return fmt::format("string '{}'", node.Scalar());
}

SourceLocation location_of(const std::string& file, const YAML::Node& node) {
    YAML::Mark mark = node.Mark();
    if (mark.is_null()) {
        return SourceLocation{file, 0, 0};
    }
    return SourceLocation{file, mark.line + 1, mark.column + 1};
}

MapReader::MapReader(YAML::Node node, std::string context, std::string file, DiagnosticBag& bag)
    : node_(std::move(node)), context_(std::move(context)), file_(std::move(file)), bag_(&bag) {}

bool MapReader::has(std::string_view key) const {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        if (it->first.Scalar() == key) {
            return true;
        }
    }
    return false;
}

YAML::Node MapReader::get(std::string_view key) const {
    // The first definition wins; check_keys reports the duplicates.
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        if (it->first.Scalar() == key) {
            return it->second;
        }
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

SourceLocation MapReader::key_location(std::string_view key) const {
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        if (it->first.Scalar() == key) {
            return location_of(file_, it->first);
        }
    }
    return location();
}

void MapReader::check_keys(std::span<const std::string_view> known, std::span<const std::string_view> suggest_from) {
    std::map<std::string, YAML::Node> seen;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        std::string key = it->first.Scalar();
        auto [previous, inserted] = seen.emplace(key, it->first);
        if (!inserted) {
            Diagnostic& d = bag_->error("duplicate-key", location_of(file_, it->first),
                                        fmt::format("duplicate key '{}' in {}", key, context_));
            d.notes.push_back(Diagnostic{Severity::Note, {}, location_of(file_, previous->second), {},
                                         "previous definition here", {}});
        }
    }
    if (suggest_from.empty()) {
        suggest_from = known;
    }
    for (auto it = node_.begin(); it != node_.end(); ++it) {
        const std::string& key = it->first.Scalar();
        bool is_known = false;
        for (std::string_view k : known) {
            is_known = is_known || k == key;
        }
        if (is_known) {
            continue;
        }
        std::string message = fmt::format("unknown key '{}' in {}", key, context_);
        if (auto suggestion = closest_match(key, suggest_from)) {
            message += fmt::format("; did you mean '{}'?", *suggestion);
        }
        bag_->error("unknown-key", location_of(file_, it->first), std::move(message));
    }
}

void MapReader::missing(std::string_view key) {
    bag_->error("missing-key", location(), fmt::format("{} is missing required key '{}'", context_, key));
}

void MapReader::error(std::string code, SourceLocation where, std::string message) {
    bag_->error(std::move(code), std::move(where), std::move(message));
}

std::optional<int64_t> MapReader::integer(std::string_view key, bool required, int64_t min, int64_t max) {
    YAML::Node value = get(key);
    if (!value.IsDefined()) {
        if (required) {
            missing(key);
        }
        return std::nullopt;
    }
    auto parsed = parse_integer(value);
    if (!parsed) {
        error("wrong-type", location_of(file_, value),
              fmt::format("'{}' of {} must be an integer, found {}", key, context_, describe_yaml_value(value)));
        return std::nullopt;
    }
    if (*parsed < min || *parsed > max) {
        std::string range = max == INT64_MAX ? fmt::format("at least {}", min)
                                             : fmt::format("between {} and {}", min, max);
        error("out-of-range", location_of(file_, value),
              fmt::format("'{}' of {} must be {}, found {}", key, context_, range, *parsed));
        return std::nullopt;
    }
    return parsed;
}

std::optional<double> MapReader::number(std::string_view key, bool required, double min, double max) {
    YAML::Node value = get(key);
    if (!value.IsDefined()) {
        if (required) {
            missing(key);
        }
        return std::nullopt;
    }
    auto parsed = parse_number(value);
    if (!parsed) {
        error("wrong-type", location_of(file_, value),
              fmt::format("'{}' of {} must be a number, found {}", key, context_, describe_yaml_value(value)));
        return std::nullopt;
    }
    if (!(*parsed > min && *parsed <= max)) {
        error("out-of-range", location_of(file_, value),
              fmt::format("'{}' of {} must be greater than {} and at most {}, found {}", key, context_, min, max,
                          value.Scalar()));
        return std::nullopt;
    }
    return parsed;
}

std::optional<std::string> MapReader::string(std::string_view key, bool required) {
    YAML::Node value = get(key);
    if (!value.IsDefined()) {
        if (required) {
            missing(key);
        }
        return std::nullopt;
    }
    if (!value.IsScalar() || value.Scalar().empty()) {
        error("wrong-type", location_of(file_, value),
              fmt::format("'{}' of {} must be a string, found {}", key, context_, describe_yaml_value(value)));
        return std::nullopt;
    }
    return value.Scalar();
}

std::optional<bool> MapReader::boolean(std::string_view key, bool required) {
    YAML::Node value = get(key);
    if (!value.IsDefined()) {
        if (required) {
            missing(key);
        }
        return std::nullopt;
    }
    if (value.IsScalar()) {
        const std::string& text = value.Scalar();
        if (text == "true" || text == "True" || text == "TRUE") {
            return true;
        }
        if (text == "false" || text == "False" || text == "FALSE") {
            return false;
        }
    }
    error("wrong-type", location_of(file_, value),
          fmt::format("'{}' of {} must be true or false, found {}", key, context_, describe_yaml_value(value)));
    return std::nullopt;
}

std::optional<std::string> MapReader::choice(std::string_view key, bool required,
                                             std::span<const std::string_view> choices) {
    auto text = string(key, required);
    if (!text) {
        return std::nullopt;
    }
    for (std::string_view c : choices) {
        if (c == *text) {
            return text;
        }
    }
    std::string list;
    for (size_t i = 0; i < choices.size(); ++i) {
        list += fmt::format("{}'{}'", i == 0 ? "" : (i + 1 == choices.size() ? " or " : ", "), choices[i]);
    }
    std::string message = fmt::format("'{}' of {} must be {}, found '{}'", key, context_, list, *text);
    if (auto suggestion = closest_match(*text, choices)) {
        message += fmt::format("; did you mean '{}'?", *suggestion);
    }
    error("bad-value", location_of(file_, get(key)), std::move(message));
    return std::nullopt;
}

std::optional<MapReader> MapReader::map(std::string_view key, bool required, std::string nested_context) {
    YAML::Node value = get(key);
    if (!value.IsDefined()) {
        if (required) {
            missing(key);
        }
        return std::nullopt;
    }
    if (!value.IsMap()) {
        error("wrong-type", location_of(file_, value),
              fmt::format("'{}' of {} must be a mapping, found {}", key, context_, describe_yaml_value(value)));
        return std::nullopt;
    }
    return MapReader(value, std::move(nested_context), file_, *bag_);
}

std::optional<MapReader> as_map(const YAML::Node& node, std::string context, const std::string& file,
                                DiagnosticBag& bag) {
    if (!node.IsMap()) {
        bag.error("wrong-type", location_of(file, node),
                  fmt::format("{} must be a mapping, found {}", context, describe_yaml_value(node)));
        return std::nullopt;
    }
    return MapReader(node, std::move(context), file, bag);
}

}  // namespace bnngen
