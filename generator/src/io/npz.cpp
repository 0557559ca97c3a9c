// A zip reader just large enough for numpy's archives: one disk, no encryption, stored or deflate
// members. Sizes come from the central directory, because numpy writes its members with
// force_zip64, which leaves 0xFFFFFFFF in the local headers' size fields.
#include "bnngen/io/npz.hpp"

#include "bnngen/io/npy.hpp"
#include "io_detail.hpp"

#include <fmt/format.h>
#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <limits>

namespace bnngen::io {

namespace {

using detail::fail;

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDir = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDir = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr std::size_t kEocdSize = 22;
constexpr std::size_t kLocatorSize = 20;
constexpr std::size_t kZip64EocdSize = 56;
constexpr std::size_t kCentralSize = 46;
constexpr std::size_t kLocalSize = 30;

struct Member {
    std::string name;
    uint16_t flags = 0;
    uint16_t method = 0;
    uint32_t crc = 0;
    uint64_t compressed_size = 0;
    uint64_t size = 0;
    uint64_t local_offset = 0;
};

// Bounds-checked little-endian access to the archive; every read past the end is a truncated file.
class Reader {
public:
    Reader(std::span<const uint8_t> bytes, const std::string& file) : bytes_(bytes), file_(file) {}

    [[nodiscard]] std::size_t size() const { return bytes_.size(); }
    [[nodiscard]] bool fits(uint64_t offset, uint64_t length) const {
        return offset <= bytes_.size() && length <= bytes_.size() - offset;
    }
    void need(uint64_t offset, uint64_t length, std::string_view what) const {
        if (!fits(offset, length))
            fail("bad-npz", file_,
                 fmt::format("truncated zip archive: {} at offset {} needs {} bytes, file has {}", what, offset, length,
                             bytes_.size()));
    }
    [[nodiscard]] uint64_t u(uint64_t offset, int width) const {
        return detail::load_le(bytes_.data() + offset, width);
    }
    [[nodiscard]] uint16_t u16(uint64_t offset) const { return static_cast<uint16_t>(u(offset, 2)); }
    [[nodiscard]] uint32_t u32(uint64_t offset) const { return static_cast<uint32_t>(u(offset, 4)); }
    [[nodiscard]] uint64_t u64(uint64_t offset) const { return u(offset, 8); }
    [[nodiscard]] std::span<const uint8_t> sub(uint64_t offset, uint64_t length) const {
        return bytes_.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    }

private:
    std::span<const uint8_t> bytes_;
    const std::string& file_;
};

struct Directory {
    uint64_t entries = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
};

Directory find_directory(const Reader& r, const std::string& file) {
    // The end record sits at the very end, followed only by a comment of at most 65535 bytes.
    const std::size_t lowest = r.size() > kEocdSize + 0xFFFF ? r.size() - kEocdSize - 0xFFFF : 0;
    std::size_t eocd = std::numeric_limits<std::size_t>::max();
    for (std::size_t pos = r.size() >= kEocdSize ? r.size() - kEocdSize + 1 : 0; pos-- > lowest;) {
        if (r.u32(pos) == kEndOfCentralDir && pos + kEocdSize + r.u16(pos + 20) <= r.size()) {
            eocd = pos;
            break;
        }
    }
    if (eocd == std::numeric_limits<std::size_t>::max())
        fail("bad-npz", file,
             "truncated or corrupt zip archive: expected an end-of-central-directory record near the end of the file, "
             "found none");

    Directory d{r.u16(eocd + 10), r.u32(eocd + 16), r.u32(eocd + 12)};
    uint64_t disk = r.u16(eocd + 4);
    uint64_t directory_disk = r.u16(eocd + 6);

    // Zip64: a locator right before the end record points at the zip64 end record, whose fields
    // replace the 16- and 32-bit ones (which then hold 0xFFFF / 0xFFFFFFFF).
    if (eocd >= kLocatorSize && r.u32(eocd - kLocatorSize) == kZip64Locator) {
        const uint64_t at = r.u64(eocd - kLocatorSize + 8);
        r.need(at, kZip64EocdSize, "the zip64 end-of-central-directory record");
        if (r.u32(at) != kZip64EndOfCentralDir)
            fail("bad-npz", file,
                 fmt::format("corrupt zip archive: expected a zip64 end-of-central-directory record at offset {}", at));
        d = Directory{r.u64(at + 32), r.u64(at + 48), r.u64(at + 40)};
        disk = r.u32(at + 16);
        directory_disk = r.u32(at + 20);
    }
    if (disk != 0 || directory_disk != 0)
        fail("bad-npz", file, "multi-disk zip archive; expected a single-file archive");
    r.need(d.offset, d.size, "the central directory");
    return d;
}

std::vector<Member> read_directory(const Reader& r, const Directory& d, const std::string& file) {
    std::vector<Member> members;
    uint64_t pos = d.offset;
    for (uint64_t i = 0; i < d.entries; ++i) {
        r.need(pos, kCentralSize, "a central directory entry");
        if (r.u32(pos) != kCentralHeader)
            fail("bad-npz", file, fmt::format("corrupt zip archive: expected central directory entry {} at offset {}", i, pos));
        Member m;
        m.flags = r.u16(pos + 8);
        m.method = r.u16(pos + 10);
        m.crc = r.u32(pos + 16);
        m.compressed_size = r.u32(pos + 20);
        m.size = r.u32(pos + 24);
        const uint16_t name_len = r.u16(pos + 28);
        const uint16_t extra_len = r.u16(pos + 30);
        const uint16_t comment_len = r.u16(pos + 32);
        m.local_offset = r.u32(pos + 42);
        r.need(pos + kCentralSize, uint64_t{name_len} + extra_len + comment_len, "a central directory entry");
        const auto name = r.sub(pos + kCentralSize, name_len);
        m.name.assign(name.begin(), name.end());

        // The zip64 extra field holds, in this order, only the values whose 32-bit field is saturated.
        uint64_t x = pos + kCentralSize + name_len;
        const uint64_t x_end = x + extra_len;
        while (x + 4 <= x_end) {
            const uint16_t id = r.u16(x);
            const uint16_t len = r.u16(x + 2);
            uint64_t f = x + 4;
            const uint64_t f_end = std::min(f + len, x_end);
            if (id == 0x0001) {
                for (uint64_t* field : {&m.size, &m.compressed_size, &m.local_offset}) {
                    if (*field != 0xFFFFFFFF) continue;
                    if (f + 8 > f_end)
                        fail("bad-npz", file, fmt::format("corrupt zip archive: short zip64 extra field for '{}'", m.name));
                    *field = r.u64(f);
                    f += 8;
                }
            }
            x += 4 + uint64_t{len};
        }
        members.push_back(std::move(m));
        pos += kCentralSize + uint64_t{name_len} + extra_len + comment_len;
    }
    return members;
}

[[noreturn]] void fail_member(const std::string& file, const std::string& subject, std::string message) {
    throw InputError(Diagnostic{Severity::Error, "bad-npz", SourceLocation{file, 0, 0}, subject, std::move(message), {}});
}

// Raw deflate (no zlib or gzip wrapper), as zip stores it; the size is known from the directory.
std::vector<uint8_t> inflate_member(std::span<const uint8_t> in, uint64_t size, const std::string& file,
                                    const std::string& subject) {
    // Deflate cannot expand data more than about 1032:1, so a larger claim is a corrupt directory,
    // and refusing it avoids a huge allocation.
    if (size > 1100 * static_cast<uint64_t>(in.size()) + 1024)
        fail_member(file, subject,
                    fmt::format("corrupt zip archive: {} compressed bytes cannot inflate to the {} the directory claims",
                                in.size(), size));
    // One spare byte: data that inflates to more than the directory claims is caught, and next_out
    // is never null (zlib rejects that) even for an empty member.
    std::vector<uint8_t> out(static_cast<std::size_t>(size) + 1);
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) fail_member(file, subject, "cannot initialise zlib");
    std::size_t in_pos = 0;
    std::size_t out_pos = 0;
    int rc = Z_OK;
    constexpr std::size_t kChunk = 1u << 30;  // z_stream counts in 32-bit uInt
    while (rc == Z_OK) {
        const std::size_t in_n = std::min(kChunk, in.size() - in_pos);
        const std::size_t out_n = std::min(kChunk, out.size() - out_pos);
        z.next_in = in.data() + in_pos;
        z.avail_in = static_cast<uInt>(in_n);
        z.next_out = out.data() + out_pos;
        z.avail_out = static_cast<uInt>(out_n);
        rc = inflate(&z, Z_NO_FLUSH);
        in_pos += in_n - z.avail_in;
        out_pos += out_n - z.avail_out;
        if (rc == Z_OK && in_n == z.avail_in && out_n == z.avail_out) break;  // no progress possible
    }
    const std::string reason = z.msg != nullptr ? z.msg : "";
    inflateEnd(&z);
    if (rc == Z_STREAM_END && out_pos == size) {
        out.pop_back();
        return out;
    }
    if (rc == Z_STREAM_END || out_pos > size)
        fail_member(file, subject,
                    fmt::format("corrupt deflate data: the directory promises {} bytes, the data inflates to {}{}",
                                size, out_pos, rc == Z_STREAM_END ? "" : " or more"));
    if (rc == Z_DATA_ERROR) fail_member(file, subject, fmt::format("corrupt deflate data: {}", reason));
    fail_member(file, subject,
                fmt::format("truncated deflate data: inflated {} of {} bytes before the input ended", out_pos, size));
}

uint32_t crc_of(std::span<const uint8_t> data) {
    return static_cast<uint32_t>(crc32_z(0, data.data(), data.size()));
}

std::string_view method_name(uint16_t method) {
    switch (method) {
    case 1: return " (shrink)";
    case 6: return " (implode)";
    case 9: return " (deflate64)";
    case 12: return " (bzip2)";
    case 14: return " (lzma)";
    case 93: return " (zstandard)";
    case 95: return " (xz)";
    default: return "";
    }
}

}  // namespace

std::map<std::string, Array> read_npz(const std::filesystem::path& path) {
    const std::vector<uint8_t> bytes = detail::read_file_bytes(path);
    return parse_npz(bytes, path.string());
}

std::map<std::string, Array> parse_npz(std::span<const uint8_t> bytes, const std::string& file) {
    const Reader r(bytes, file);

    // Check the leading magic first, so a file that is not a zip at all says so plainly.
    const bool empty_zip = bytes.size() >= 4 && r.u32(0) == kEndOfCentralDir;
    if (bytes.size() < 4 || (r.u32(0) != kLocalHeader && !empty_zip))
        fail("bad-npz", file,
             fmt::format("expected a numpy .npz file (a zip archive, magic PK\\x03\\x04), found {}",
                         detail::quote_prefix(bytes)));

    const Directory dir = find_directory(r, file);
    std::map<std::string, Array> arrays;
    for (const Member& m : read_directory(r, dir, file)) {
        if (!m.name.empty() && m.name.back() == '/') continue;  // a directory entry holds no data
        std::string name = m.name;
        if (name.size() > 4 && name.ends_with(".npy")) name.resize(name.size() - 4);
        const std::string subject = fmt::format("array '{}'", name);
        const auto bad = [&](std::string message) { fail_member(file, subject, std::move(message)); };
        if (arrays.contains(name)) bad("the archive holds two members of this name; expected unique names");
        if ((m.flags & 1) != 0) bad("member is encrypted; expected an unencrypted archive");
        if (m.method != 0 && m.method != 8)
            bad(fmt::format("unsupported compression method {}{}; expected 0 (stored) or 8 (deflate)", m.method,
                            method_name(m.method)));

        r.need(m.local_offset, kLocalSize, "a local file header");
        if (r.u32(m.local_offset) != kLocalHeader)
            bad(fmt::format("corrupt zip archive: expected a local file header at offset {}", m.local_offset));
        const uint64_t data_at = m.local_offset + kLocalSize + r.u16(m.local_offset + 26) + r.u16(m.local_offset + 28);
        if (!r.fits(data_at, m.compressed_size))
            bad(fmt::format("truncated zip archive: member data needs {} bytes at offset {}, file has {}",
                            m.compressed_size, data_at, bytes.size()));
        const auto raw = r.sub(data_at, m.compressed_size);

        std::vector<uint8_t> inflated;
        std::span<const uint8_t> data = raw;
        if (m.method == 8) {
            inflated = inflate_member(raw, m.size, file, subject);
            data = inflated;
        } else if (m.size != m.compressed_size) {
            bad(fmt::format("corrupt zip archive: stored member of {} bytes claims an uncompressed size of {}",
                            m.compressed_size, m.size));
        }
        const uint32_t crc = crc_of(data);
        if (crc != m.crc)
            bad(fmt::format("crc-32 mismatch (corrupt file): the archive records 0x{:08x}, the data has 0x{:08x}", m.crc,
                            crc));

        try {
            arrays.emplace(name, parse_npy(data, file));
        } catch (const InputError& e) {
            Diagnostic d = e.diagnostic();
            d.subject = subject;
            throw InputError(std::move(d));
        }
    }
    return arrays;
}

}  // namespace bnngen::io
