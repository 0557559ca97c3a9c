#include "bnngen/report/xilinx_family.hpp"

#include "bnngen/diag/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace bnngen::report {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// xcku/xcvu device names end their number with 'p' on UltraScale+ (xcku5p, xcvu9p) and not on
// UltraScale (xcku040, xcvu095): the letter after the digits decides.
bool plus_after_number(std::string_view device) {
    size_t i = 0;
    while (i < device.size() && std::isdigit(static_cast<unsigned char>(device[i])) != 0) {
        ++i;
    }
    return i > 0 && i < device.size() && device[i] == 'p';
}

}  // namespace

std::string yosys_family_for_part(const std::string& part, const std::string& file) {
    std::string name = part;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    std::string_view p = name;
    // Automotive (xa) and defence (xq) grades are the same silicon as the xc parts.
    if (starts_with(p, "xa") || starts_with(p, "xq")) {
        name = "xc" + name.substr(2);
        p = name;
    }
    if (starts_with(p, "xczu") || starts_with(p, "xcau") || starts_with(p, "xck26") || starts_with(p, "xck24")) {
        return "xcup";
    }
    if (starts_with(p, "xcku") || starts_with(p, "xcvu")) {
        return plus_after_number(p.substr(4)) ? "xcup" : "xcu";
    }
    if (starts_with(p, "xc7")) {
        return "xc7";
    }
    throw InputError("unsupported-part", file,
                     fmt::format("target.part '{}': expected a Xilinx part of a family Yosys synth_xilinx maps to: "
                                 "UltraScale+ (xczu*, xcku*p, xcvu*p, xcau*, xck26) -> xcup, UltraScale (xcku*, xcvu* "
                                 "without the p) -> xcu, 7 series (xc7*) -> xc7",
                                 part));
}

}  // namespace bnngen::report
