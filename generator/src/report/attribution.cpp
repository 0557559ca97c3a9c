// Per-layer attribution: every cell of the hierarchical netlist belongs to exactly one row (a
// layer, or top-level), so the rows add up to the design's total by construction; the checks
// below make sure the netlist and the statistics describe the same design.
#include "bnngen/report/yosys_netlist.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/rtl/verilog_writer.hpp"

#include <fmt/format.h>

#include <functional>

namespace bnngen::report {
namespace {

void add(CellCounts& into, const CellCounts& cells, int64_t times = 1) {
    for (const auto& [type, count] : cells) {
        into[type] += count * times;
    }
}

std::string describe_difference(const CellCounts& ours, const CellCounts& theirs) {
    std::string out;
    CellCounts all = ours;
    add(all, theirs);
    for (const auto& [type, unused] : all) {
        const int64_t a = ours.count(type) != 0 ? ours.at(type) : 0;
        const int64_t b = theirs.count(type) != 0 ? theirs.at(type) : 0;
        if (a != b) {
            out += fmt::format("{}{} {} (rows) vs {} (design)", out.empty() ? "" : ", ", type, a, b);
        }
    }
    return out;
}

}  // namespace

CellCounts expand_module(const YosysStat& stat, const std::string& module, const std::string& file) {
    std::map<std::string, CellCounts> done;
    // Depth-first; Yosys hierarchies are acyclic, the depth bound only turns a corrupt file into an error.
    std::function<const CellCounts&(const std::string&, int)> expand = [&](const std::string& name,
                                                                           int depth) -> const CellCounts& {
        if (auto it = done.find(name); it != done.end()) {
            return it->second;
        }
        if (depth > 64) {
            throw InputError("yosys-output", file, fmt::format("module '{}': expected an acyclic hierarchy, found one "
                                                               "more than 64 levels deep", name));
        }
        CellCounts cells;
        for (const auto& [type, count] : stat.modules.at(name)) {
            if (stat.modules.count(type) != 0) {
                add(cells, expand(type, depth + 1), count);
            } else {
                cells[type] += count;
            }
        }
        return done[name] = std::move(cells);
    };
    if (stat.modules.count(module) == 0) {
        throw InputError("yosys-output", file, fmt::format("expected the statistics of module '{}', found none", module));
    }
    return expand(module, 0);
}

Attribution attribute_cells(const YosysStat& stat, const std::vector<CellInstance>& top_cells, const std::string& top,
                            const std::vector<Layer>& layers, const std::string& file) {
    if (stat.modules.count(top) == 0) {
        throw InputError("yosys-output", file, fmt::format("expected the statistics of the top module '{}', found none", top));
    }
    Attribution a;
    std::vector<std::string> prefixes;
    for (const Layer& l : layers) {
        PartResources row;
        row.name = l.name;
        row.kind = std::string(layer_kind_name(l.kind));
        a.layers.push_back(std::move(row));
        prefixes.push_back(rtl::verilog_identifier(l.name) + "_");
    }
    a.top_level.name = "top-level";
    a.total.name = "total";

    // The row of an instance: the layer with the longest matching `<name>_` prefix, or top-level.
    auto row_of = [&](const std::string& instance) -> PartResources& {
        size_t best = prefixes.size();
        for (size_t i = 0; i < prefixes.size(); ++i) {
            if (instance.rfind(prefixes[i], 0) == 0 && (best == prefixes.size() || prefixes[i].size() > prefixes[best].size())) {
                best = i;
            }
        }
        return best < prefixes.size() ? a.layers[best] : a.top_level;
    };

    const CellCounts& own = stat.modules.at(top);
    CellCounts instances_seen;
    for (const CellInstance& cell : top_cells) {
        if (stat.modules.count(cell.type) == 0) {
            continue;  // a primitive of the top itself: counted below from the statistics
        }
        PartResources& row = row_of(cell.name);
        row.instances.push_back(cell.name);
        add(row.cells, expand_module(stat, cell.type, file));
        instances_seen[cell.type] += 1;
    }
    for (const auto& [type, count] : own) {
        if (stat.modules.count(type) == 0) {
            a.top_level.cells[type] += count;
        } else if (instances_seen[type] != count) {
            throw InputError("yosys-output", file,
                             fmt::format("module '{}': the statistics count {} instance(s) of '{}', the netlist has {}",
                                         top, count, type, instances_seen[type]));
        }
    }
    for (const auto& [type, count] : instances_seen) {
        if (own.count(type) == 0) {
            throw InputError("yosys-output", file,
                             fmt::format("module '{}': the netlist has {} instance(s) of '{}', the statistics none", top,
                                         count, type));
        }
    }

    for (PartResources& row : a.layers) {
        row.resources = resources_of(row.cells);
        add(a.total.cells, row.cells);
    }
    a.top_level.resources = resources_of(a.top_level.cells);
    add(a.total.cells, a.top_level.cells);
    a.total.resources = resources_of(a.total.cells);
    if (stat.design && *stat.design != a.total.cells) {
        throw InputError("yosys-output", file,
                         fmt::format("the per-layer rows do not add up to Yosys's design total: {}",
                                     describe_difference(a.total.cells, *stat.design)));
    }
    return a;
}

}  // namespace bnngen::report
