// A zip writer for tests and the fuzzer: stored (uncompressed) members with correct CRCs, as
// numpy.savez writes without zip64, enough to wrap hand-built .npy bytes in an .npz.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace bnngen::test {

inline std::vector<uint8_t> stored_zip(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members) {
    std::vector<uint8_t> out;
    std::vector<uint8_t> central;
    const auto put = [](std::vector<uint8_t>& v, uint64_t x, int bytes) {
        for (int i = 0; i < bytes; ++i) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
    };
    for (const auto& [name, data] : members) {
        const auto crc = static_cast<uint32_t>(crc32_z(0, data.data(), data.size()));
        const uint64_t offset = out.size();
        for (std::vector<uint8_t>* v : {&out, &central}) {
            const bool local = v == &out;
            put(*v, local ? 0x04034b50 : 0x02014b50, 4);
            if (!local) put(*v, 20, 2);  // version made by
            put(*v, 20, 2);              // version needed
            put(*v, 0, 2);               // flags
            put(*v, 0, 2);               // method: stored
            put(*v, 0, 4);               // time and date
            put(*v, crc, 4);
            put(*v, data.size(), 4);
            put(*v, data.size(), 4);
            put(*v, name.size(), 2);
            put(*v, 0, 2);  // extra length
            if (!local) {
                put(*v, 0, 6);  // comment length, disk, internal attributes
                put(*v, 0, 4);  // external attributes
                put(*v, offset, 4);
            }
            v->insert(v->end(), name.begin(), name.end());
            if (local) v->insert(v->end(), data.begin(), data.end());
        }
    }
    const uint64_t directory_at = out.size();
    out.insert(out.end(), central.begin(), central.end());
    put(out, 0x06054b50, 4);
    put(out, 0, 4);  // disk numbers
    put(out, members.size(), 2);
    put(out, members.size(), 2);
    put(out, central.size(), 4);
    put(out, directory_at, 4);
    put(out, 0, 2);  // comment length
    return out;
}

}  // namespace bnngen::test
