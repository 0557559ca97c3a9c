// Finding Yosys and running a script with it, for the report; not part of the public API.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace bnngen::report::detail {

// `program` itself when it contains a '/', else the first executable of that name on PATH.
// Throws InputError ("yosys-not-found") saying how to install Yosys.
std::filesystem::path find_yosys(const std::string& program);

// Runs `yosys -q -l <log> -s <script>` with `working_dir` as the current directory (the memory
// images are read by relative paths). Throws InputError ("yosys-failed") naming the log and
// showing its last lines when Yosys exits with an error. Returns the wall-clock seconds.
double run_yosys(const std::filesystem::path& yosys, const std::filesystem::path& working_dir,
                 const std::filesystem::path& script, const std::filesystem::path& log);

// The last `count` lines of a text.
std::string last_lines(std::string_view text, int count);

}  // namespace bnngen::report::detail
