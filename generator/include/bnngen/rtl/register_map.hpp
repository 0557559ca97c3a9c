// The AXI4-Lite register map of a generated accelerator (templates/axi_lite_ctrl, docs/soc.md):
// fixed control/status registers, then one read-only register per performance counter of the
// design. One description feeds the top's instance parameters, the Markdown table and the C
// header for driver writers, and the co-simulation harness, so they cannot disagree.
#pragma once

#include "bnngen/net/network.hpp"
#include "bnngen/rtl/design.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bnngen::rtl {

enum class RegisterAccess { ReadOnly, ReadWrite, WriteOneToClear };

struct RegisterField {
    std::string name;  // "ENABLE"
    int bit = 0;
    std::string meaning;
};

struct Register {
    std::string name;  // "IMAGES_IN", or "CONV2_SKIPPED" for a counter
    uint32_t offset = 0;
    RegisterAccess access = RegisterAccess::ReadOnly;
    std::string reset;  // "0", "0x1", or what the value is ("cycles since reset")
    std::string meaning;
    std::vector<RegisterField> fields;
};

constexpr uint32_t kRegisterId = 0x424E4E47U;  // "BNNG"
constexpr uint32_t kFirstCounterOffset = 0x40;

// major << 16 | minor << 8 | patch of BNNGEN_VERSION.
uint32_t generator_version_word();

// FNV-1a (32 bits) over everything that decides what the accelerator computes: the input, every
// layer's structure, folding, pruning and parameters. Two designs with the same hash compute the
// same function with the same schedule.
uint32_t network_hash(const Network& net);

// Byte address bits of s_axi_ctrl for `counters` counter registers: at least 7.
int control_address_width(size_t counters);

// Fixed registers then the design's counters in order (COUNTER_i at 0x40 + 4 i).
std::vector<Register> register_map(const GeneratedDesign& design);

// The prefix of every macro of the C header: the top module's name in upper case.
std::string register_macro_prefix(const GeneratedDesign& design);

// "<top>_regs.md": the register table for a reader; "<top>_regs.h": C99 macros for a driver.
std::string register_map_markdown(const GeneratedDesign& design, const Network& net);
std::string register_map_header(const GeneratedDesign& design, const Network& net);

}  // namespace bnngen::rtl
