#include "bnngen/diag/error.hpp"
#include "bnngen/rtl/design.hpp"

#include <fmt/format.h>

#include <fstream>
#include <system_error>

namespace bnngen::rtl {

namespace fs = std::filesystem;

void write_design(const GeneratedDesign& design, const fs::path& dir) {
    std::error_code ec;
    const fs::path target = fs::absolute(dir, ec);
    const fs::path parent = target.parent_path();
    fs::create_directories(parent, ec);
    if (ec) {
        throw InputError("write-failed", parent.string(), fmt::format("cannot create the folder: {}", ec.message()));
    }
    const fs::path staging = parent / fmt::format(".{}.bnngen-new", target.filename().string());
    const fs::path retired = parent / fmt::format(".{}.bnngen-old", target.filename().string());
    fs::remove_all(staging, ec);
    fs::remove_all(retired, ec);
    fs::create_directory(staging, ec);
    if (ec) {
        throw InputError("write-failed", staging.string(), fmt::format("cannot create the folder: {}", ec.message()));
    }
    for (const auto& [name, content] : design.files) {
        std::ofstream out(staging / name, std::ios::binary);
        out << content;
        if (!out) {
            fs::remove_all(staging, ec);
            throw InputError("write-failed", (target / name).string(), "cannot write the file");
        }
    }
    // Swap the folders: the old design stays whole until the new one is complete.
    if (fs::exists(target)) {
        fs::rename(target, retired, ec);
        if (ec) {
            fs::remove_all(staging, ec);
            throw InputError("write-failed", target.string(), fmt::format("cannot replace the folder: {}", ec.message()));
        }
    }
    fs::rename(staging, target, ec);
    if (ec) {
        std::string reason = ec.message();
        std::error_code ignored;
        fs::rename(retired, target, ignored);  // put the old design back
        fs::remove_all(staging, ignored);
        throw InputError("write-failed", target.string(), fmt::format("cannot move the new design into place: {}", reason));
    }
    fs::remove_all(retired, ec);
}

}  // namespace bnngen::rtl
