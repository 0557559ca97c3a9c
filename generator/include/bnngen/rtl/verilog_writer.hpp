// An indentation-aware writer for generated Verilog-2005: lines, blocks, and identifiers checked
// against Verilog keywords so that a layer named like a keyword cannot break the output.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace bnngen::rtl {

class VerilogWriter {
public:
    template <typename... Args>
    void line(fmt::format_string<Args...> format, Args&&... args) {
        text_.append(static_cast<size_t>(depth_) * 4, ' ');
        text_ += fmt::format(format, std::forward<Args>(args)...);
        text_ += '\n';
    }
    void blank() { text_ += '\n'; }
    void indent() { ++depth_; }
    void dedent() { --depth_; }
    [[nodiscard]] const std::string& text() const { return text_; }

private:
    std::string text_;
    int depth_ = 0;
};

// A Verilog identifier for a name from network.yaml: names are already [A-Za-z_][A-Za-z0-9_]*, so
// only keywords (and names that could collide with generated ones) need a change: a suffix.
std::string verilog_identifier(std::string_view name);

}  // namespace bnngen::rtl
