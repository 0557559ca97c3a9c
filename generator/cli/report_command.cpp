// `bnngen report NET.yaml [--json FILE] [--markdown FILE] [--work DIR] [--keep-work]`: the design's
// FPGA resources per layer (Yosys synth_xilinx) and the cycle model's throughput, as Markdown on
// stdout and optionally as JSON / Markdown files.
#include "cli_common.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/io/atomic_file.hpp"
#include "bnngen/report/resource_report.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace bnngen::cli {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the system's temporary directory, removed when the command ends unless
// the user asked to keep it (it holds the design, Yosys's script, log and statistics).
class WorkFolder {
public:
    WorkFolder(const std::string& requested, bool keep) : keep_(keep || !requested.empty()) {
        if (!requested.empty()) {
            path_ = requested;
            return;
        }
        std::string pattern = (fs::temp_directory_path() / "bnngen-report-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw InputError("write-failed", pattern,
                             fmt::format("cannot create a temporary work folder: {}", std::strerror(errno)));
        }
        path_ = pattern;
    }
    ~WorkFolder() {
        if (keep_) {
            fmt::print(stderr, "report: work folder kept: {}\n", path_.string());
            return;
        }
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    WorkFolder(const WorkFolder&) = delete;
    WorkFolder& operator=(const WorkFolder&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
    bool keep_;
};

}  // namespace

int run_report(const ReportCommandOptions& opt) {
    auto net = load_or_report(opt.yaml);
    if (!net) {
        return kExitInputError;
    }
    DiagnosticBag bag;
    const bool supported = rtl::check_hardware_support(*net, bag);
    print_diagnostics(bag);
    if (!supported) {
        return kExitInputError;
    }
    WorkFolder work(opt.work, opt.keep_work);
    report::ReportOptions options;
    options.work_dir = work.path();
    options.generate.regenerate_command =
        fmt::format("bnngen generate {} -o {}", opt.yaml, (work.path() / "design").string());
    // Synthesis takes minutes on CNV-sized networks: say so before the silence.
    options.before_synthesis = [](const report::ResourceReport& r) {
        fmt::print(stderr, "report: Yosys {} for {} (minutes for CNV-sized networks)\n", r.synth_command, r.part);
    };
    const report::ResourceReport result = report::make_resource_report(*net, options);
    const std::string markdown = report::format_markdown(result);
    fmt::print("{}", markdown);
    if (!opt.json.empty()) {
        io::write_file_atomic(opt.json, report::format_json(result));
    }
    if (!opt.markdown.empty()) {
        io::write_file_atomic(opt.markdown, markdown);
    }
    fmt::print(stderr, "report: Yosys ran {:.0f} s\n", result.synth_seconds);
    return 0;
}

}  // namespace bnngen::cli
