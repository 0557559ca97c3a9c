#include "yosys_run.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/util/shell_command.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bnngen::report::detail {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

fs::path find_yosys(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        if (::access(program.c_str(), X_OK) == 0) {
            return program;
        }
    } else if (const char* path = std::getenv("PATH"); path != nullptr) {
        std::istringstream dirs(path);
        for (std::string dir; std::getline(dirs, dir, ':');) {
            const fs::path candidate = fs::path(dir.empty() ? "." : dir) / program;
            std::error_code ec;
            if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
    }
    const std::string where = program.find('/') != std::string::npos ? "at '" + program + "'" : "on PATH";
    throw InputError("yosys-not-found", program,
                     fmt::format("Yosys was not found {}; the report synthesises the design with it. Install it with "
                                 "'apt-get install yosys' (Debian/Ubuntu, 0.23 or later) or run scripts/setup.sh",
                                 where));
}

double run_yosys(const fs::path& yosys, const fs::path& working_dir, const fs::path& script, const fs::path& log) {
    // -q keeps the console for warnings and errors only; the log gets everything.
    const std::string command =
        fmt::format("cd {} && {} -q -l {} -s {}", shell_quote(working_dir.string()), shell_quote(yosys.string()),
                    shell_quote(log.string()), shell_quote(script.string()));
    const auto start = std::chrono::steady_clock::now();
    const CommandResult ran = run_shell(command);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (ran.status == -1) {
        throw InputError("yosys-failed", yosys.string(), "cannot start Yosys (popen failed)");
    }
    const int exit_code = ran.status;
    const std::string& output = ran.output;
    if (exit_code != 0) {
        // The log ends with Yosys's ERROR line; without a log (Yosys did not start) the console says why.
        std::string text = read_text(log);
        if (text.empty()) {
            text = output;
        }
        throw InputError("yosys-failed", log.string(),
                         fmt::format("Yosys synthesis failed (exit {}); the end of its log:\n{}", exit_code,
                                     last_lines(text, 25)));
    }
    return seconds;
}

std::string last_lines(std::string_view text, int count) {
    while (!text.empty() && text.back() == '\n') {
        text.remove_suffix(1);
    }
    size_t start = text.size();
    for (int lines = 0; start > 0; --start) {
        if (text[start - 1] == '\n' && ++lines == count) {
            break;
        }
    }
    return std::string(text.substr(start)) + "\n";
}

}  // namespace bnngen::report::detail
