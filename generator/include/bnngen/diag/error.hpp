// The exception the library throws when a file cannot be used at all (missing, truncated, corrupt).
// Stages that can go on after a problem record a Diagnostic instead; this is for the ones that cannot.
#pragma once

#include "bnngen/diag/diagnostic.hpp"

#include <stdexcept>

namespace bnngen {

class InputError : public std::runtime_error {
public:
    explicit InputError(Diagnostic d) : std::runtime_error(d.message), diagnostic_(std::move(d)) {}
    InputError(std::string code, std::string file, std::string message)
        : InputError(Diagnostic{Severity::Error, std::move(code), SourceLocation{std::move(file), 0, 0}, {},
                                std::move(message), {}}) {}
    [[nodiscard]] const Diagnostic& diagnostic() const { return diagnostic_; }

private:
    Diagnostic diagnostic_;
};

}  // namespace bnngen
