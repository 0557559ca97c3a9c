#include "bnngen/rtl/register_map.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

namespace bnngen::rtl {
namespace {

uint32_t fnv1a(uint32_t hash, const void* data, size_t size) {
    const auto* bytes = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < size; ++i) {
        hash ^= bytes[i];
        hash *= 16777619U;
    }
    return hash;
}

uint32_t fnv1a(uint32_t hash, int64_t value) { return fnv1a(hash, &value, sizeof value); }
uint32_t fnv1a(uint32_t hash, size_t value) { return fnv1a(hash, static_cast<int64_t>(value)); }
uint32_t fnv1a(uint32_t hash, const std::string& text) {
    return fnv1a(fnv1a(hash, text.size()), text.data(), text.size());
}

template <typename T>
uint32_t fnv1a(uint32_t hash, const std::vector<T>& values) {
    hash = fnv1a(hash, values.size());
    for (const T& v : values) {
        const auto wide = static_cast<int64_t>(v);  // the same bytes whatever the element type
        hash = fnv1a(hash, &wide, sizeof wide);
    }
    return hash;
}

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
    return text;
}

std::string counter_meaning(const Counter& c) {
    if (c.kind == "unit_cycles") {
        return fmt::format("cycles in which layer '{}''s matrix-vector unit issued a fold step", c.layer);
    }
    if (c.kind == "positions") {
        return fmt::format("output positions (windows) of layer '{}' seen by spatial pruning", c.layer);
    }
    if (c.kind == "evaluations") {
        return fmt::format("distinct-kernel evaluations layer '{}''s sharing unit performed", c.layer);
    }
    if (c.kind == "computed_chunks") {
        return fmt::format("chunk steps layer '{}''s reuse unit computed (changed chunks; placeholders not counted)",
                           c.layer);
    }
    if (c.kind == "lane_steps") {
        return fmt::format("fold steps layer '{}''s early-decision lanes issued, summed over lanes", c.layer);
    }
    return fmt::format("of those, positions of layer '{}' skipped (background emitted, no unit cycles)", c.layer);
}

std::string access_name(RegisterAccess a) {
    switch (a) {
    case RegisterAccess::ReadOnly: return "RO";
    case RegisterAccess::ReadWrite: return "RW";
    case RegisterAccess::WriteOneToClear: return "RW1C";
    }
    return "";
}

}  // namespace

std::string register_macro_prefix(const GeneratedDesign& design) { return upper(design.top); }

uint32_t generator_version_word() {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;
    // BNNGEN_VERSION is CMake's PROJECT_VERSION, "major.minor.patch".
    if (std::sscanf(BNNGEN_VERSION, "%u.%u.%u", &major, &minor, &patch) != 3) {
        return 0;
    }
    return (major & 0xFFFFU) << 16 | (minor & 0xFFU) << 8 | (patch & 0xFFU);
}

uint32_t network_hash(const Network& net) {
    uint32_t h = 2166136261U;
    h = fnv1a(h, net.name);
    h = fnv1a(fnv1a(fnv1a(fnv1a(h, int64_t{net.input.channels}), int64_t{net.input.height}), int64_t{net.input.width}),
              int64_t{net.input.bits});
    if (net.input.pixels_per_beat > 1) {  // only then: a one-pixel-per-beat network's hash is as it was
        h = fnv1a(h, int64_t{1000 + net.input.pixels_per_beat});
    }
    for (const Layer& l : net.layers) {
        h = fnv1a(h, l.name);
        for (int64_t v : {int64_t{static_cast<int>(l.kind)}, int64_t{l.kernel}, int64_t{l.stride}, int64_t{l.padding},
                          int64_t{l.pad_value}, int64_t{l.outputs}, int64_t{static_cast<int>(l.activation)},
                          int64_t{l.fold.pe}, int64_t{l.fold.simd}, int64_t{l.keep.value_or(0)},
                          int64_t{l.spatial ? 1 + l.spatial->tolerance : 0}}) {
            h = fnv1a(h, v);
        }
        h = fnv1a(fnv1a(fnv1a(fnv1a(h, l.weight), l.threshold), l.bias), l.kernel_mask);
        if (l.early) {  // only then: the hash of a network without early decision is as it was
            h = fnv1a(h, int64_t{1 + (l.early->threshold ? 1 : 0) + (l.early->pooling ? 2 : 0)});
        }
        if (l.share) {  // likewise: a different unit, the same weights
            h = fnv1a(h, int64_t{l.share->inverse ? 12 : 11});
        }
        if (l.reuse) {  // likewise
            h = fnv1a(h, int64_t{l.reuse->weights ? 22 : 21});
        }
    }
    return h;
}

int control_address_width(size_t counters) {
    const uint64_t bytes = kFirstCounterOffset + 4 * static_cast<uint64_t>(counters);
    int bits = 7;
    while ((uint64_t{1} << bits) < bytes) {
        ++bits;
    }
    return bits;
}

std::vector<Register> register_map(const GeneratedDesign& design) {
    using A = RegisterAccess;
    std::vector<Register> map = {
        {"ID", 0x00, A::ReadOnly, "0x424E4E47", "\"BNNG\": a bnngen accelerator", {}},
        {"VERSION", 0x04, A::ReadOnly, fmt::format("0x{:08X}", generator_version_word()),
         "generator version: major << 16 | minor << 8 | patch", {}},
        {"NETWORK_HASH", 0x08, A::ReadOnly, "", "FNV-1a of the network (structure, folding, pruning, weights)", {}},
        {"CONTROL", 0x0C, A::ReadWrite, "0x1", "",
         {{"ENABLE", 0, "input pixels are accepted only while 1"},
          {"SOFT_RESET", 1,
           "while 1 the datapath is held in reset, s_axis beats are accepted and dropped, m_axis is silent, "
           "the status and performance counters are held at 0 and IRQ_STATUS is cleared; write 1, then 0"}}},
        {"STATUS", 0x10, A::ReadOnly, "", "",
         {{"BUSY", 0, "an image is inside: accepted, its result not yet sent"},
          {"SOFT_RESET", 1, "CONTROL.SOFT_RESET"},
          {"ENABLE", 2, "CONTROL.ENABLE"}}},
        {"IMAGES_IN", 0x14, A::ReadOnly, "0", "complete input images accepted", {}},
        {"IMAGES_OUT", 0x18, A::ReadOnly, "0", "results sent (m_axis beats with tlast)", {}},
        {"CYCLES", 0x1C, A::ReadOnly, "0", "clock cycles since reset or soft reset", {}},
        {"BUSY_CYCLES", 0x20, A::ReadOnly, "0", "cycles with STATUS.BUSY = 1", {}},
        {"IN_STALL_CYCLES", 0x24, A::ReadOnly, "0", "cycles with s_axis_tvalid = 1 and s_axis_tready = 0", {}},
        {"OUT_STALL_CYCLES", 0x28, A::ReadOnly, "0", "cycles with m_axis_tvalid = 1 and m_axis_tready = 0", {}},
        {"IRQ_ENABLE", 0x2C, A::ReadWrite, "0", "",
         {{"IMAGE", 0, "interrupt on every finished image"}, {"BATCH", 1, "interrupt every BATCH_SIZE images"}}},
        {"IRQ_STATUS", 0x30, A::WriteOneToClear, "0", "interrupt = |(IRQ_STATUS & IRQ_ENABLE); write 1 to clear",
         {{"IMAGE", 0, "an image finished"}, {"BATCH", 1, "BATCH_SIZE images finished since the last batch event"}}},
        {"BATCH_SIZE", 0x34, A::ReadWrite, "1", "images per batch interrupt (0: never)", {}},
        {"COUNTER_COUNT", 0x38, A::ReadOnly, std::to_string(design.counters.size()),
         "performance counter registers from 0x40", {}},
        {"BEATS_PER_IMAGE", 0x3C, A::ReadOnly, "", "s_axis beats per image (pixels per image / pixels per beat, rounded up)", {}},
    };
    std::set<std::string> names;
    for (const Register& r : map) {
        names.insert(r.name);
    }
    for (size_t i = 0; i < design.counters.size(); ++i) {
        const Counter& c = design.counters[i];
        std::string name = upper(c.layer + "_" + c.kind);
        if (!names.insert(name).second) {
            name += fmt::format("_{}", i);  // layer names that differ only in case
            names.insert(name);
        }
        map.push_back({name, static_cast<uint32_t>(kFirstCounterOffset + 4 * i), A::ReadOnly, "0",
                       counter_meaning(c) + " (wraps)", {}});
    }
    return map;
}

std::string register_map_markdown(const GeneratedDesign& design, const Network& net) {
    std::string md = fmt::format(
        "# AXI4-Lite registers of `{}`\n\n"
        "Generated by bnngen {} from network '{}': do not edit. Port `s_axi_ctrl` ({} address bits), "
        "32-bit registers, byte offsets. Network hash 0x{:08X}; {} input beats per image ({} pixels, {} per beat). Reads of an unmapped "
        "offset return 0 with SLVERR, writes there SLVERR; writes to read-only registers are ignored. All counters "
        "are 32 bits and wrap. A read returns the value in the cycle its address is accepted. See docs/soc.md.\n\n"
        "| offset | name | access | reset | meaning |\n|---|---|---|---|---|\n",
        design.top, BNNGEN_VERSION, net.name, design.ctrl_address_width, network_hash(net),
        net.input.beats_per_image(), net.input.pixels(), net.input.pixels_per_beat);
    for (const Register& r : register_map(design)) {
        std::string meaning = r.meaning;
        for (const RegisterField& f : r.fields) {
            meaning += fmt::format("{}bit {} {}: {}", meaning.empty() ? "" : "; ", f.bit, f.name, f.meaning);
        }
        std::string reset = r.reset;
        if (r.name == "NETWORK_HASH") {
            reset = fmt::format("0x{:08X}", network_hash(net));
        } else if (r.name == "BEATS_PER_IMAGE") {
            reset = std::to_string(net.input.beats_per_image());
        }
        md += fmt::format("| 0x{:02X} | {} | {} | {} | {} |\n", r.offset, r.name, access_name(r.access),
                          reset.empty() ? "-" : reset, meaning);
    }
    return md;
}

std::string register_map_header(const GeneratedDesign& design, const Network& net) {
    const std::string p = register_macro_prefix(design);
    std::string h = fmt::format(
        "/* Generated by bnngen {} from network '{}': do not edit.\n"
        " * AXI4-Lite register map of the accelerator '{}' (port s_axi_ctrl), byte offsets from its base\n"
        " * address; every register is 32 bits. Table and behaviour: {}_regs.md and docs/soc.md. */\n"
        "#ifndef {}_REGS_H\n#define {}_REGS_H\n\n",
        BNNGEN_VERSION, net.name, design.top, design.top, p, p);
    h += fmt::format("#define {}_ID_VALUE 0x{:08X}u\n", p, kRegisterId);
    h += fmt::format("#define {}_VERSION_VALUE 0x{:08X}u\n", p, generator_version_word());
    h += fmt::format("#define {}_NETWORK_HASH_VALUE 0x{:08X}u\n", p, network_hash(net));
    h += fmt::format("#define {}_ADDRESS_BITS {}\n", p, design.ctrl_address_width);
    h += fmt::format("#define {}_PIXELS_PER_IMAGE {}u\n", p, net.input.pixels());
    h += fmt::format("#define {}_PIXELS_PER_BEAT {}u  /* s_axis: pixel j of a beat at bits [j*{} +: {}] */\n", p,
                     net.input.pixels_per_beat, net.input.pixel_bits(), net.input.pixel_bits());
    h += fmt::format("#define {}_BEATS_PER_IMAGE {}u  /* the last beat holds {} pixels */\n", p,
                     net.input.beats_per_image(), net.input.last_beat_pixels());
    h += fmt::format("#define {}_INPUT_BEAT_BYTES {}u\n", p, design.input_beat_width / 8);
    h += fmt::format("#define {}_CLASSES {}u  /* m_axis: CLASSES score beats, then the class (tlast) */\n\n", p,
                     net.classes());
    for (const Register& r : register_map(design)) {
        h += fmt::format("#define {}_REG_{} 0x{:02X}u  /* {} */\n", p, r.name, r.offset, access_name(r.access));
        for (const RegisterField& f : r.fields) {
            h += fmt::format("#define {}_{}_{} (1u << {})\n", p, r.name, f.name, f.bit);
        }
    }
    h += fmt::format("\n#define {}_COUNTER_COUNT {}u\n", p, design.counters.size());
    h += "/* X(layer, kind, offset) for every performance counter, in register order. */\n";
    h += fmt::format("#define {}_COUNTERS(X)", p);
    for (size_t i = 0; i < design.counters.size(); ++i) {
        h += fmt::format(" \\\n    X(\"{}\", \"{}\", 0x{:02X}u)", design.counters[i].layer, design.counters[i].kind,
                         kFirstCounterOffset + 4 * i);
    }
    h += fmt::format("\n\n#endif /* {}_REGS_H */\n", p);
    return h;
}

}  // namespace bnngen::rtl
