// 64-bit FNV-1a: a cheap, stable fingerprint of build inputs (cache folder names), not a
// cryptographic hash.
#pragma once

#include <cstdint>
#include <string_view>

namespace bnngen {

inline constexpr uint64_t kFnv1aBasis = 14695981039346656037ULL;

inline uint64_t fnv1a(uint64_t hash, std::string_view text) {
    for (char c : text) {
        hash ^= static_cast<uint8_t>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

}  // namespace bnngen
