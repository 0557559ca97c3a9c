#include "io_detail.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace bnngen::io::detail {

void fail(const std::string& code, const std::string& file, std::string message) {
    throw InputError(code, file, std::move(message));
}

std::string os_reason(int err) {
    std::string s = std::strerror(err);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) fail("read-failed", path.string(), "expected a file, found a directory");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("read-failed", path.string(), "cannot open file: " + os_reason(errno != 0 ? errno : ENOENT));
    std::vector<uint8_t> bytes;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        const auto n = static_cast<std::size_t>(in.gcount());
        bytes.insert(bytes.end(), buffer, buffer + n);
    }
    if (in.bad()) fail("read-failed", path.string(), "cannot read file: " + os_reason(errno != 0 ? errno : EIO));
    return bytes;
}

std::string quote_prefix(std::span<const uint8_t> bytes, std::size_t max_bytes) {
    if (bytes.empty()) return "an empty file";
    std::string out = "'";
    const std::size_t n = std::min(bytes.size(), max_bytes);
    for (std::size_t i = 0; i < n; ++i) {
        const uint8_t c = bytes[i];
        if (c == '\\' || c == '\'') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("\\x{:02x}", c);
        }
    }
    if (bytes.size() > n) out += "...";
    out += '\'';
    return out;
}

}  // namespace bnngen::io::detail
