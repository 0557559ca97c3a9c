// Parsers of the two files Yosys writes for the report: `stat -json` (cells per module) and the
// top module's `write_rtlil` (which instance is of which module).
#include "bnngen/report/yosys_netlist.hpp"

#include "bnngen/diag/error.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <sstream>

namespace bnngen::report {
namespace {

[[noreturn]] void bad_output(const std::string& file, const std::string& message) {
    throw InputError("yosys-output", file, message);
}

// A line JSON can contain: one with a string in it, or only brackets, braces, commas and blanks.
// Yosys 0.23's `stat -json -top` also logs the hierarchy's "  <module>  <count>" lines into the
// same output; they have neither, and are dropped.
bool json_line(std::string_view line) {
    if (line.find('"') != std::string_view::npos) {
        return true;
    }
    return line.find_first_not_of(" \t\r{}[],") == std::string_view::npos;
}

// The cells by type of a module or of the design: {"<type>": <count>, ...}.
CellCounts cell_counts(const YAML::Node& node, const std::string& what, const std::string& file) {
    if (!node || !node.IsMap()) {
        bad_output(file, fmt::format("{}: expected a 'num_cells_by_type' object", what));
    }
    CellCounts counts;
    for (const auto& entry : node) {
        const std::string type = entry.first.as<std::string>();
        try {
            counts[type] = entry.second.as<int64_t>();
        } catch (const YAML::Exception&) {
            bad_output(file, fmt::format("{}: expected a cell count for '{}', found '{}'", what, type,
                                         entry.second.IsScalar() ? entry.second.Scalar() : std::string("an object")));
        }
    }
    return counts;
}

std::string unescape_id(std::string_view id) {
    return std::string(!id.empty() && id.front() == '\\' ? id.substr(1) : id);
}

}  // namespace

YosysStat parse_stat_json(std::string_view text, const std::string& file) {
    std::string json;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        if (json_line(line)) {
            json += line;
            json += '\n';
        }
    }
    // JSON is YAML 1.2 flow syntax, so the YAML parser the project already uses reads it.
    YAML::Node root;
    try {
        root = YAML::Load(json);
    } catch (const YAML::Exception& e) {
        bad_output(file, fmt::format("expected the JSON output of Yosys 'stat -json', found a syntax error: {}", e.what()));
    }
    if (!root.IsMap() || !root["modules"] || !root["modules"].IsMap()) {
        bad_output(file, "expected the JSON output of Yosys 'stat -json' (an object with 'modules'), found something else");
    }
    YosysStat stat;
    if (root["creator"] && root["creator"].IsScalar()) {
        stat.creator = root["creator"].Scalar();
    }
    for (const auto& module : root["modules"]) {
        const std::string name = unescape_id(module.first.as<std::string>());
        stat.modules[name] = cell_counts(module.second["num_cells_by_type"], fmt::format("module '{}'", name), file);
    }
    if (root["design"]) {
        stat.design = cell_counts(root["design"]["num_cells_by_type"], "the design total", file);
    }
    if (stat.modules.empty()) {
        bad_output(file, "expected the statistics of at least one module, found none");
    }
    return stat;
}

std::map<std::string, int64_t> parse_ltp(std::string_view text, const std::string& file) {
    static const std::string kHead = "Longest topological path in ";
    std::map<std::string, int64_t> lengths;
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(kHead, 0) != 0) {
            continue;
        }
        const size_t open = line.rfind(" (length=");
        const size_t close = line.rfind(')');
        if (open == std::string::npos || close == std::string::npos || close < open) {
            bad_output(file, fmt::format("expected 'Longest topological path in <module> (length=<n>):', found '{}'", line));
        }
        const std::string number = line.substr(open + 9, close - open - 9);
        int64_t length = 0;
        const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), length);
        if (ec != std::errc{} || end != number.data() + number.size()) {
            bad_output(file, fmt::format("expected a path length, found '{}' in '{}'", number, line));
        }
        lengths[unescape_id(line.substr(kHead.size(), open - kHead.size()))] = length;
    }
    if (lengths.empty()) {
        bad_output(file, "expected Yosys 'ltp' output ('Longest topological path in ...'), found none");
    }
    return lengths;
}

std::vector<CellInstance> parse_rtlil_cells(std::string_view rtlil, const std::string& module, const std::string& file) {
    std::vector<CellInstance> cells;
    bool inside = false;
    bool found = false;
    std::istringstream lines{std::string(rtlil)};
    for (std::string line; std::getline(lines, line);) {
        line.erase(line.find_last_not_of(" \t\r") + 1);
        std::istringstream words(line);
        std::string keyword;
        words >> keyword;
        // A module and its "end" start in column 0; the cells' own "end"s are indented.
        if (keyword == "module") {
            std::string name;
            words >> name;
            inside = unescape_id(name) == module;
            found = found || inside;
        } else if (line == "end") {
            inside = false;
        } else if (inside && keyword == "cell") {
            std::string type;
            std::string name;
            words >> type >> name;
            if (name.empty()) {
                bad_output(file, fmt::format("expected 'cell <type> <name>', found '{}'", line));
            }
            cells.push_back({unescape_id(type), unescape_id(name)});
        }
    }
    if (!found) {
        bad_output(file, fmt::format("expected the RTLIL of module '{}', found no such module", module));
    }
    return cells;
}

}  // namespace bnngen::report
