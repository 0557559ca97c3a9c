// The report's two forms: Markdown for people (and the README), JSON for scripts and tests.
#include "bnngen/report/resource_report.hpp"

#include <fmt/format.h>

namespace bnngen::report {
namespace {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string json_row(const PartResources& row, const std::string& indent) {
    std::string instances;
    for (const std::string& name : row.instances) {
        instances += (instances.empty() ? "" : ", ") + json_string(name);
    }
    std::string cells;
    for (const auto& [type, count] : row.cells) {
        cells += fmt::format("{}{}: {}", cells.empty() ? "" : ", ", json_string(type), count);
    }
    const Resources& r = row.resources;
    return fmt::format("{{\"layer\": {}, \"type\": {}, \"lut\": {}, \"lut_bound\": {}, \"ff\": {}, \"ramb18\": {}, "
                       "\"ramb36\": {}, \"dsp\": {}, \"lutram\": {}, \"logic_levels\": {}, \"estimated_mhz\": {:.0f},\n"
                       "{}  \"instances\": [{}],\n{}  \"cells\": {{{}}}}}",
                       json_string(row.name), json_string(row.kind), r.lut, row.lut_bound, r.ff, r.ramb18, r.ramb36,
                       r.dsp, r.lutram, row.logic_levels, row.estimated_mhz, indent, instances, indent, cells);
}

void markdown_row(std::string& out, const PartResources& row, bool bold) {
    const Resources& r = row.resources;
    const char* b = bold ? "**" : "";
    const std::string bound = row.lut_bound > 0 ? fmt::format("{}", row.lut_bound) : "";
    const std::string ratio =
        row.lut_bound > 0 ? fmt::format("{:.1f}x", static_cast<double>(r.lut) / static_cast<double>(row.lut_bound)) : "";
    const std::string levels = row.logic_levels >= 0 ? fmt::format("{}", row.logic_levels) : "";
    const std::string mhz = row.logic_levels >= 0 ? fmt::format("{:.0f}", row.estimated_mhz) : "";
    out += fmt::format("| {0}{1}{0} | {2} | {0}{3}{0} | {4} | {5} | {0}{6}{0} | {0}{7}{0} | {0}{8}{0} | {0}{9}{0} | "
                       "{0}{10}{0} | {11} | {12} |\n",
                       b, row.name, row.kind, r.lut, bound, ratio, r.ff, r.ramb18, r.ramb36, r.dsp, r.lutram, levels, mhz);
}

// Cells in no column (carry chains, wide multiplexers, inverters, ...), so nothing is hidden.
std::string other_cells(const PartResources& total) {
    std::string out;
    for (const auto& [type, count] : total.cells) {
        if (resources_of(CellCounts{{type, count}}) == Resources{}) {
            out += fmt::format("{}{} {}", out.empty() ? "" : ", ", type, count);
        }
    }
    return out.empty() ? "none" : out;
}

}  // namespace

std::string format_markdown(const ResourceReport& r) {
    std::string out = fmt::format("## {}: resources and throughput\n\n", r.network);
    out += fmt::format("Part `{}`: {} `{}`, each layer's blocks synthesised as one module. Yosys estimates: "
                       "Vivado's figures will differ.\n\n",
                       r.part, r.yosys_version.empty() ? "Yosys" : r.yosys_version, r.synth_command);
    out += "| layer | type | LUT | LUT bound | LUT / bound | FF | RAMB18 | RAMB36 | DSP | LUTRAM | levels | est. MHz |\n";
    out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const PartResources& row : r.layers) {
        markdown_row(out, row, false);
    }
    markdown_row(out, r.top_level, false);
    markdown_row(out, r.total, true);
    out += fmt::format("\nLUT: logic LUTs (LUT1-LUT6); LUT bound: the LUTs of the layer's XNOR-popcount lanes and "
                       "accumulators at its folding (docs/report.md), so LUT / bound is how far the layer is from its "
                       "arithmetic; LUTRAM: LUTs used as distributed RAM or shift registers; levels: cells on the longest "
                       "path between registers (Yosys ltp), est. MHz: the clock that suggests for the family "
                       "(docs/report.md; an estimate, not timing analysis). Cells in no column: {}.\n\n",
                       other_cells(r.total));
    const Throughput& t = r.throughput;
    out += fmt::format("| throughput at {} MHz (cycle model) | |\n|---|---:|\n", t.clock_mhz);
    out += fmt::format("| interval | {} cycles/image (bottleneck: {}) |\n", t.interval_cycles, t.bottleneck);
    out += fmt::format("| images/s | {:.0f} |\n", t.images_per_second);
    out += fmt::format("| latency (bound) | {} cycles = {:.2f} us |\n", t.latency_cycles, t.latency_us);
    const PartResources* deepest = nullptr;
    for (const PartResources& row : r.layers) {
        if (deepest == nullptr || row.logic_levels > deepest->logic_levels) {
            deepest = &row;
        }
    }
    if (deepest == nullptr || r.top_level.logic_levels > deepest->logic_levels) {
        deepest = &r.top_level;
    }
    if (deepest->logic_levels >= 0) {
        out += fmt::format("| clock estimate (logic depth) | {:.0f} MHz ({}: {} levels) |\n", deepest->estimated_mhz,
                           deepest->name, deepest->logic_levels);
    }
    return out;
}

std::string format_json(const ResourceReport& r) {
    std::string out = "{\n";
    out += fmt::format("  \"network\": {},\n  \"part\": {},\n  \"family\": {},\n  \"top\": {},\n", json_string(r.network),
                       json_string(r.part), json_string(r.family), json_string(r.top));
    out += fmt::format("  \"yosys\": {},\n  \"synth_command\": {},\n  \"synth_seconds\": {:.1f},\n",
                       json_string(r.yosys_version), json_string(r.synth_command), r.synth_seconds);
    out += "  \"layers\": [\n";
    for (size_t i = 0; i < r.layers.size(); ++i) {
        out += "    " + json_row(r.layers[i], "    ") + (i + 1 < r.layers.size() ? ",\n" : "\n");
    }
    out += "  ],\n";
    out += "  \"top_level\": " + json_row(r.top_level, "  ") + ",\n";
    out += "  \"total\": " + json_row(r.total, "  ") + ",\n";
    const Throughput& t = r.throughput;
    out += fmt::format("  \"throughput\": {{\"clock_mhz\": {}, \"interval_cycles\": {}, \"images_per_second\": {}, "
                       "\"latency_cycles\": {}, \"latency_us\": {}, \"bottleneck\": {}}}\n",
                       t.clock_mhz, t.interval_cycles, t.images_per_second, t.latency_cycles, t.latency_us,
                       json_string(t.bottleneck));
    out += "}\n";
    return out;
}

}  // namespace bnngen::report
