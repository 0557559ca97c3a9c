// What the subcommands of the bnngen CLI share: exit codes, loading with diagnostics printed,
// image and label loading, and generating a design folder.
#pragma once

#include "bnngen/diag/diagnostic.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/net/network.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/cosim.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bnngen::cli {

constexpr int kExitInputError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternalError = 3;

void print_diagnostics(const bnngen::DiagnosticBag& bag);

// Loads and checks a description, diagnostics printed. Layers with `fold: auto` are folded for the
// network's target (hw::plan_folding, worst case: no images) and the choice printed as notes,
// unless `resolve_auto_folds` is false (`bnngen fold`, which folds them itself).
std::optional<bnngen::Network> load_or_report(const std::string& yaml, bool resolve_auto_folds = true);

struct InferOptions {
    std::string yaml;
    std::string images;
    std::string labels;
    int64_t limit = -1;
    std::string out;
};

// Images (and labels, when given: at least one per image) for infer and verify; prints the
// diagnostic and returns false on bad input.
bool load_inputs(const InferOptions& opt, const bnngen::Network& net, bnngen::io::ImageSet& images,
                 std::vector<int>& labels);

std::string default_design_dir(const bnngen::Network& net);

// Checks hardware support, generates and writes the design (diagnostics printed).
std::optional<bnngen::rtl::GeneratedDesign> generate_into(const bnngen::Network& net, const std::string& yaml,
                                                         const std::string& dir);

// Co-simulation settings for a design in `dir` (Verilator cache: `build_dir`, default
// <dir>/../.sim-cache), with the same stall probability on both streams.
bnngen::sim::CosimOptions cosim_options(const std::string& dir, const std::string& build_dir, double stall,
                                        uint64_t seed, uint64_t timeout);

// `bnngen analyze` (analyze_command.cpp).
struct AnalyzeOptions {
    InferOptions data;
    bool rtl = false;
    int64_t rtl_limit = 100;
    double stall = 0.0;
    std::string dir;
    std::string build_dir;
    std::string json;
    std::string csv;
};
int run_analyze(const AnalyzeOptions& opt);

// `bnngen report` (report_command.cpp).
struct ReportCommandOptions {
    std::string yaml;
    std::string json;
    std::string markdown;
    std::string work;  // empty: a temporary folder, removed afterwards unless keep_work
    bool keep_work = false;
};
int run_report(const ReportCommandOptions& opt);

// `bnngen fold` (fold_command.cpp).
struct FoldCommandOptions {
    InferOptions data;  // images optional: measured skipping
    std::string rule = "fewest-luts";  // or "finn"
    bool all = false;
    double images_per_second = 0;  // > 0: overrides target
    int64_t luts = 0;               // > 0: overrides target
    std::string out;
};
int run_fold(const FoldCommandOptions& opt);

}  // namespace bnngen::cli
