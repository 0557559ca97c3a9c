// Text rendering of diagnostics in the compiler style users' editors understand:
//   file:line:col: error: message [code]
//     <source line>
//     ^
#pragma once

#include "bnngen/diag/diagnostic.hpp"

#include <string>

namespace bnngen {

// Renders one diagnostic and its notes. With show_source, the offending line of the file is
// quoted with a caret under the column (when the file can be read).
std::string render(const Diagnostic& d, bool show_source = true);
std::string render_all(const DiagnosticBag& bag, bool show_source = true);
std::string_view severity_name(Severity s);

}  // namespace bnngen
