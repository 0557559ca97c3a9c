// Writes a file so that readers see either the old content or the complete new one, never a
// half-written file: the bytes go to a temporary file beside it, which is then renamed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

namespace bnngen::io {

// Throws InputError (code "write-failed") naming the path and the OS reason.
void write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> bytes);
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

}  // namespace bnngen::io
