// Diagnostics are data: a severity, a stable code, where the problem is, and the message.
// Reporting (DiagnosticBag) is separate from rendering (render.hpp), so the library never prints.
#pragma once

#include <string>
#include <vector>

namespace bnngen {

enum class Severity { Note, Warning, Error };

// A position in a text file; line and column count from 1. An empty file means "no location".
struct SourceLocation {
    std::string file;
    int line = 0;
    int column = 0;
};

struct Diagnostic {
    Severity severity = Severity::Error;
    std::string code;      // stable kebab-case identifier, e.g. "unknown-key"
    SourceLocation where;  // a file position (YAML), or only a file (weights, images)
    std::string subject;   // what the location cannot say, e.g. "array 'conv1.weight'"
    std::string message;   // lowercase, no final period; says what was expected and what was found
    std::vector<Diagnostic> notes;
};

// Collects every diagnostic a stage finds, so a check reports all problems, not just the first.
class DiagnosticBag {
public:
    Diagnostic& add(Diagnostic d);
    Diagnostic& error(std::string code, SourceLocation where, std::string message);
    Diagnostic& warning(std::string code, SourceLocation where, std::string message);
    void append(const DiagnosticBag& other);
    // Orders the diagnostics from index `first` on by file position (stable), so a stage that
    // checks keys in its own order still reports them as they appear in the file.
    void sort_by_location(size_t first);
    [[nodiscard]] size_t size() const { return items_.size(); }

    [[nodiscard]] bool has_errors() const;
    [[nodiscard]] int error_count() const;
    [[nodiscard]] int warning_count() const;
    [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
    [[nodiscard]] bool empty() const { return items_.empty(); }

private:
    std::vector<Diagnostic> items_;
};

}  // namespace bnngen
