#include "bnngen/diag/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <vector>

namespace bnngen {
namespace {

// The lines of the files diagnostics point into, each file read once per rendering (a file with
// thousands of problems would otherwise be reread from the start for every one of them).
class SourceLines {
public:
    const std::string& line(const std::string& file, int line) {
        auto it = files_.find(file);
        if (it == files_.end()) {
            std::vector<std::string> lines;
            std::ifstream in(file);
            for (std::string text; std::getline(in, text);) lines.push_back(std::move(text));
            it = files_.emplace(file, std::move(lines)).first;
        }
        static const std::string none;
        const auto& lines = it->second;
        return line >= 1 && static_cast<size_t>(line) <= lines.size() ? lines[static_cast<size_t>(line - 1)] : none;
    }

private:
    std::map<std::string, std::vector<std::string>> files_;
};

// At most this many characters of a source line are quoted, around the caret; a longer line (a
// whole network in one flow sequence) is cut with "..." at either end.
constexpr size_t kMaxQuoted = 120;

std::string render_one(const Diagnostic& d, bool show_source, SourceLines& sources) {
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
        const std::string& full = sources.line(d.where.file, d.where.line);
        if (!full.empty()) {
            const size_t column = d.where.column > 1 ? static_cast<size_t>(d.where.column - 1) : 0;
            size_t begin = 0;
            if (full.size() > kMaxQuoted && column > kMaxQuoted / 2) {
                begin = std::min(column - kMaxQuoted / 2, full.size() - kMaxQuoted);
            }
            std::string text = full.substr(begin, kMaxQuoted);
            std::string caret = begin > 0 ? "   " : "";
            if (begin > 0) {
                text = "..." + text;
            }
            if (begin + kMaxQuoted < full.size()) {
                text += "...";
            }
            // Tabs are kept in the caret line so the caret sits under the right character.
            for (size_t i = begin; i < column && i < full.size() && i < begin + kMaxQuoted; ++i) {
                caret += full[i] == '\t' ? '\t' : ' ';
            }
            out += fmt::format("  {}\n  {}^\n", text, caret);
        }
    }
    return out;
}

std::string render_with(const Diagnostic& d, bool show_source, SourceLines& sources) {
    std::string out = render_one(d, show_source, sources);
    for (const Diagnostic& note : d.notes) {
        out += render_one(note, show_source, sources);
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
    SourceLines sources;
    return render_with(d, show_source, sources);
}

std::string render_all(const DiagnosticBag& bag, bool show_source) {
    SourceLines sources;
    std::string out;
    for (const Diagnostic& d : bag.all()) {
        out += render_with(d, show_source, sources);
    }
    return out;
}

}  // namespace bnngen
