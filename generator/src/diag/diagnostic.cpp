#include "bnngen/diag/diagnostic.hpp"

#include <algorithm>
#include <utility>

namespace bnngen {

Diagnostic& DiagnosticBag::add(Diagnostic d) {
    items_.push_back(std::move(d));
    return items_.back();
}

Diagnostic& DiagnosticBag::error(std::string code, SourceLocation where, std::string message) {
    return add(Diagnostic{Severity::Error, std::move(code), std::move(where), {}, std::move(message), {}});
}

Diagnostic& DiagnosticBag::warning(std::string code, SourceLocation where, std::string message) {
    return add(Diagnostic{Severity::Warning, std::move(code), std::move(where), {}, std::move(message), {}});
}

void DiagnosticBag::append(const DiagnosticBag& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void DiagnosticBag::sort_by_location(size_t first) {
    if (first >= items_.size()) {
        return;
    }
    std::stable_sort(items_.begin() + static_cast<std::ptrdiff_t>(first), items_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         if (a.where.file != b.where.file) {
                             return false;  // keep the order between files
                         }
                         return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
                     });
}

bool DiagnosticBag::has_errors() const { return error_count() > 0; }

int DiagnosticBag::error_count() const {
    return static_cast<int>(
        std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

int DiagnosticBag::warning_count() const {
    return static_cast<int>(std::count_if(items_.begin(), items_.end(),
                                          [](const Diagnostic& d) { return d.severity == Severity::Warning; }));
}

}  // namespace bnngen
