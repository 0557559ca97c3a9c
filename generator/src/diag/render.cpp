#include "bnngen/diag/render.hpp"

#include <fmt/format.h>

#include <fstream>

namespace bnngen {
namespace {

std::string source_line(const std::string& file, int line) {
    std::ifstream in(file);
    std::string text;
    for (int i = 1; i <= line && std::getline(in, text); ++i) {
        if (i == line) {
            return text;
        }
    }
    return {};
}

std::string render_one(const Diagnostic& d, bool show_source) {
    std::string out;
    if (!d.where.file.empty()) {
        out += d.where.file;
        if (d.where.line > 0) {
            out += fmt::format(":{}:{}", d.where.line, d.where.column);
        }
        out += ": ";
    }
    out += fmt::format("{}: ", severity_name(d.severity));
    if (!d.subject.empty()) {
        out += d.subject + ": ";
    }
    out += d.message;
    if (!d.code.empty()) {
        out += fmt::format(" [{}]", d.code);
    }
    out += '\n';
    if (show_source && d.where.line > 0) {
        std::string text = source_line(d.where.file, d.where.line);
        if (!text.empty()) {
            // Tabs are kept in the caret line so the caret sits under the right character.
            std::string caret;
            for (int i = 0; i + 1 < d.where.column && i < static_cast<int>(text.size()); ++i) {
                caret += text[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
            }
            out += fmt::format("  {}\n  {}^\n", text, caret);
        }
    }
    return out;
}

}  // namespace

std::string_view severity_name(Severity s) {
    switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
    }
    return "error";
}

std::string render(const Diagnostic& d, bool show_source) {
    std::string out = render_one(d, show_source);
    for (const Diagnostic& note : d.notes) {
        out += render_one(note, show_source);
    }
    return out;
}

std::string render_all(const DiagnosticBag& bag, bool show_source) {
    std::string out;
    for (const Diagnostic& d : bag.all()) {
        out += render(d, show_source);
    }
    return out;
}

}  // namespace bnngen
