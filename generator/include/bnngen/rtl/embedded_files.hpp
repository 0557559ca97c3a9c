// The hand-written template blocks (templates/) and the co-simulation harness sources
// (verif/harness/), compiled into bnngen so that generated designs do not depend on where the
// source tree is. Keyed by file name ("sliding_window.v", "sim_main.cpp").
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace bnngen::rtl {

const std::map<std::string, std::string_view>& template_blocks();
const std::map<std::string, std::string_view>& harness_sources();

}  // namespace bnngen::rtl
