// bnngen: the command-line driver. It declares options, calls the library and turns results into
// output and exit codes; everything else lives in the library.
//   exit 0: success; 1: the input has errors (diagnostics printed); 2: bad command line;
//   3: internal error (a bug in bnngen).
#include "bnngen/diag/error.hpp"
#include "bnngen/diag/render.hpp"
#include "bnngen/golden/batch.hpp"
#include "bnngen/io/atomic_file.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/io/npy.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/cosim.hpp"
#include "bnngen/sim/verify.hpp"

#include "cli_common.hpp"
#include "import_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>

using namespace bnngen::cli;

namespace {

int run_check(const std::string& yaml) {
    auto net = load_or_report(yaml);
    if (!net) {
        return kExitInputError;
    }
    // What check accepts, generate builds: the hardware's own limits are checked here too.
    bnngen::DiagnosticBag hardware;
    if (!bnngen::rtl::check_hardware_support(*net, hardware)) {
        print_diagnostics(hardware);
        fmt::print(stderr, "{}: {} error{} found\n", yaml, hardware.error_count(), hardware.error_count() == 1 ? "" : "s");
        return kExitInputError;
    }
    print_diagnostics(hardware);
    int64_t weights = 0;
    for (const auto& layer : net->layers) {
        weights += layer.is_compute() ? layer.weight_count() : 0;
    }
    fmt::print("{}: ok: network '{}', {} layers, input {} x {} x {} ({}-bit), {} classes, {} weights\n", yaml,
               net->name, net->layers.size(), net->input.channels, net->input.height, net->input.width,
               net->input.bits, net->classes(), weights);
    return 0;
}

int run_infer(const InferOptions& opt) {
    auto net = load_or_report(opt.yaml);
    if (!net) {
        return kExitInputError;
    }
    bnngen::io::ImageSet images;
    std::vector<int> labels;
    if (!load_inputs(opt, *net, images, labels)) {
        return kExitInputError;
    }

    const bool show_progress = isatty(fileno(stderr)) != 0;
    auto start = std::chrono::steady_clock::now();
    auto result = bnngen::golden::run_batch(*net, images, labels, [&](int64_t done) {
        if (show_progress) {
            fmt::print(stderr, "\rinfer: {}/{} images", done, images.count);
        }
    });
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (show_progress) {
        fmt::print(stderr, "\n");
    }

    if (!opt.out.empty()) {
        bnngen::io::Array scores{bnngen::io::DType::Int32, {result.images, result.classes}, result.scores};
        try {
            bnngen::io::write_file_atomic(opt.out, bnngen::io::encode_npy(scores));
        } catch (const bnngen::InputError& e) {
            std::fputs(bnngen::render(e.diagnostic()).c_str(), stderr);
            return kExitInputError;
        }
    }

    fmt::print("network: {} ({} layers), images: {}\n", net->name, net->layers.size(), result.images);
    // Per-image averages; "skipped" is the share of output positions spatial pruning skipped.
    fmt::print("{:<12} {:<8} {:>12} {:>14} {:>9}\n", "layer", "type", "output", "ops/image", "skipped");
    const double images_done = static_cast<double>(std::max<int64_t>(1, result.images));
    double total_ops = 0;
    for (size_t i = 0; i < net->layers.size(); ++i) {
        const auto& layer = net->layers[i];
        double ops = static_cast<double>(result.operations[i]) / images_done;
        total_ops += ops;
        std::string skipped = "-";
        if (layer.spatial) {
            double positions = static_cast<double>(layer.out.height * layer.out.width) * images_done;
            skipped = fmt::format("{:.1f}%", 100.0 * static_cast<double>(result.skipped_positions[i]) / positions);
        }
        fmt::print("{:<12} {:<8} {:>12} {:>14.0f} {:>9}\n", layer.name, bnngen::layer_kind_name(layer.kind),
                   fmt::format("{}x{}x{}", layer.out.channels, layer.out.height, layer.out.width), ops, skipped);
    }
    fmt::print("{:<12} {:<8} {:>12} {:>14.0f}\n", "total", "", "", total_ops);
    if (result.correct) {
        fmt::print("accuracy: {:.2f}% ({}/{})\n", 100.0 * result.accuracy(), *result.correct, result.images);
    }
    fmt::print("throughput: {:.0f} images/s (fast golden model, 1 thread, {:.3f} s)\n",
               seconds > 0 ? static_cast<double>(result.images) / seconds : 0.0, seconds);
    if (!opt.out.empty()) {
        fmt::print("scores: {} (int32 [{}, {}])\n", opt.out, result.images, result.classes);
    }
    return 0;
}

int run_generate(const std::string& yaml, std::string dir) {
    auto net = load_or_report(yaml);
    if (!net) {
        return kExitInputError;
    }
    if (dir.empty()) {
        dir = default_design_dir(*net);
    }
    auto design = generate_into(*net, yaml, dir);
    if (!design) {
        return kExitInputError;
    }
    fmt::print("{}", bnngen::hw::format_cycle_model(design->cycles, net->target.clock_mhz));
    fmt::print("wrote {} files to {} (top module '{}', report {}_report.txt)\n", design->files.size(), dir, design->top,
               design->top);
    return 0;
}

struct VerifyOptions {
    InferOptions data;
    std::string dir;
    std::string build_dir;
    std::string trace;
    double stall = 0.0;
    uint64_t seed = 1;
    uint64_t timeout = 0;  // 0: from the cycle model (sim::hang_timeout_cycles)
    int max_mismatches_shown = 5;
};

std::string join(const std::vector<int64_t>& values) {
    std::string s;
    for (int64_t v : values) {
        s += fmt::format("{}{}", s.empty() ? "" : " ", v);
    }
    return s;
}

// Per compute layer: what the golden model says each unit had to do and what the design's
// counters say it did.
void print_layer_activity(const bnngen::sim::VerifyReport& report) {
    const double images = static_cast<double>(std::max<int64_t>(1, report.images_returned));
    fmt::print("{:<12} {:>10} {:>18} {:>24} {:>24}  {}\n", "layer", "positions", "skipped (golden)", "unit cycles/image",
               "lane steps|evals|chunks", "counters");
    for (const auto& l : report.layers) {
        std::string skipped = l.rtl_skipped ? fmt::format("{:.1f}% ({:.1f}%)", 100.0 * static_cast<double>(*l.rtl_skipped) /
                                                              static_cast<double>(std::max<int64_t>(1, l.positions)),
                                                          100.0 * static_cast<double>(l.skipped) /
                                                              static_cast<double>(std::max<int64_t>(1, l.positions)))
                                            : std::string("-");
        std::string cycles = l.rtl_unit_cycles ? fmt::format("{:.1f} ({:.1f})", static_cast<double>(*l.rtl_unit_cycles) / images,
                                                             static_cast<double>(l.expected_unit_cycles) / images)
                                               : std::string("-");
        // early decision: busy cycles against the busiest lane's steps (a lower bound), and all lanes' steps (exact)
        // result sharing: the sharing unit's distinct-kernel evaluations (exact)
        // similarity reuse: the reuse unit's computed chunk steps (exact)
        auto per_image = [&](const std::optional<int64_t>& rtl, int64_t expected) {
            return fmt::format("{:.1f} ({:.1f})", static_cast<double>(*rtl) / images, static_cast<double>(expected) / images);
        };
        std::string steps = l.rtl_lane_steps    ? per_image(l.rtl_lane_steps, l.expected_lane_steps)
                            : l.rtl_evaluations ? per_image(l.rtl_evaluations, l.expected_evaluations)
                            : l.rtl_computed_chunks ? per_image(l.rtl_computed_chunks, l.expected_computed_chunks)
                                                    : std::string("-");
        fmt::print("{:<12} {:>10} {:>18} {:>24} {:>24}  {}\n", l.layer, l.positions, skipped, cycles, steps,
                   l.counters_match() ? "match" : "MISMATCH");
    }
}

int run_verify(const VerifyOptions& opt) {
    auto net = load_or_report(opt.data.yaml);
    if (!net) {
        return kExitInputError;
    }
    bnngen::io::ImageSet images;
    std::vector<int> labels;
    if (!load_inputs(opt.data, *net, images, labels)) {
        return kExitInputError;
    }
    const std::string dir = opt.dir.empty() ? default_design_dir(*net) : opt.dir;
    auto design = generate_into(*net, opt.data.yaml, dir);
    if (!design) {
        return kExitInputError;
    }
    auto cosim = cosim_options(dir, opt.build_dir, opt.stall, opt.seed, opt.timeout);
    cosim.trace = opt.trace;
    auto rtl = bnngen::sim::run_cosim(*design, *net, images, cosim);
    auto report = bnngen::sim::compare_with_golden(*net, images, labels, rtl);

    fmt::print("verilator model: {}\n",
               rtl.rebuilt ? fmt::format("built in {:.1f} s", rtl.build_seconds) : std::string("reused (unchanged design)"));
    fmt::print("simulation: {} of {} images in {:.1f} s ({:.1f} images/s), stall probability {}\n",
               report.images_returned, report.images_sent, rtl.run_seconds,
               rtl.run_seconds > 0 ? static_cast<double>(report.images_returned) / rtl.run_seconds : 0.0, opt.stall);
    for (size_t i = 0; i < report.mismatches.size() && static_cast<int>(i) < opt.max_mismatches_shown; ++i) {
        const auto& m = report.mismatches[i];
        fmt::print(stderr, "mismatch: image {}: expected scores [{}] class {}, RTL gave [{}] class {}\n", m.image,
                   join(m.expected_scores), m.expected_class, join(m.actual_scores), m.actual_class);
    }
    fmt::print("mismatches: {} of {} images\n", report.mismatches.size(), report.images_returned);
    if (!report.counters_match()) {
        fmt::print(stderr, "error: the performance counters differ from the golden model's counts (table below)\n");
    }
    if (report.correct) {
        fmt::print("accuracy (RTL): {:.2f}% ({}/{})\n", 100.0 * static_cast<double>(*report.correct) /
                   static_cast<double>(std::max<int64_t>(1, report.images_returned)), *report.correct, report.images_returned);
    }
    print_layer_activity(report);
    if (!report.registers.empty()) {
        const auto equal = std::count_if(report.registers.begin(), report.registers.end(),
                                         [](const bnngen::sim::RegisterCheck& r) { return r.ok(); });
        fmt::print("AXI-Lite registers (s_axi_ctrl): {} of {} checks equal to the harness's own counts\n", equal,
                   report.registers.size());
        for (const auto& r : report.registers) {
            if (!r.ok()) {
                fmt::print(stderr, "error: register check {}: read {}, expected {}\n", r.name, r.value, r.expected);
            }
        }
    }
    const double predicted = static_cast<double>(report.predicted_interval);
    if (report.measured_interval > 0) {
        fmt::print("cycles per image (steady state): measured {:.1f}, predicted {} (ratio {:.3f}){}\n",
                   report.measured_interval, report.predicted_interval, report.measured_interval / predicted,
                   opt.stall > 0 ? ", inflated by the random stalls" : "");
    }
    fmt::print("latency (first image, first pixel in to result out): {} cycles\n", report.measured_latency);
    if (!opt.data.out.empty()) {
        bnngen::io::Array scores{bnngen::io::DType::Int32, {report.images_returned, net->classes()}, report.scores};
        bnngen::io::write_file_atomic(opt.data.out, bnngen::io::encode_npy(scores));
    }
    if (rtl.exit_status == 2 || rtl.exit_status == 3) {
        if (rtl.exit_status == 2) {
            fmt::print(stderr,
                       "error: the simulation timed out: no output beat for {} cycles ({}); the pipeline hung:\n{}",
                       rtl.timeout_cycles,
                       opt.timeout > 0 ? "--timeout"
                                       : "4x the cycle model's worst-case latency and interval at this stall rate; "
                                         "--timeout sets another limit",
                       rtl.log);
        } else {
            fmt::print(stderr, "error: the simulation saw a framing error:\n{}", rtl.log);
        }
        return kExitInputError;
    }
    return report.passed() ? 0 : kExitInputError;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"bnngen: binarized neural network accelerator generator"};
    app.set_version_flag("--version", fmt::format("bnngen {}", BNNGEN_VERSION));
    app.require_subcommand(1);

    std::string check_yaml;
    auto* check = app.add_subcommand("check", "Check a network description and its weights; report every problem");
    check->add_option("network", check_yaml, "network.yaml")->required();

    InferOptions infer_opt;
    auto* infer = app.add_subcommand("infer", "Run the golden model on images and report accuracy and throughput");
    infer->add_option("network", infer_opt.yaml, "network.yaml")->required();
    infer->add_option("--images", infer_opt.images, "images: idx, gzip idx or .npy [N,C,H,W]")->required();
    infer->add_option("--labels", infer_opt.labels, "labels: idx, gzip idx or .npy [N]");
    infer->add_option("--limit", infer_opt.limit, "use only the first N images")->check(CLI::PositiveNumber);
    infer->add_option("--out", infer_opt.out, "write the integer scores as .npy (int32 [N, classes])");

    std::string generate_yaml;
    std::string generate_dir;
    auto* generate = app.add_subcommand("generate", "Generate the Verilog accelerator, memory images and cycle report");
    generate->add_option("network", generate_yaml, "network.yaml")->required();
    generate->add_option("-o,--output", generate_dir, "output folder (default rtl_out/<name>)");

    VerifyOptions verify_opt;
    auto* verify = app.add_subcommand("verify", "Generate, co-simulate in Verilator and compare with the golden model");
    verify->add_option("network", verify_opt.data.yaml, "network.yaml")->required();
    verify->add_option("--images", verify_opt.data.images, "images: idx, gzip idx or .npy")->required();
    verify->add_option("--labels", verify_opt.data.labels, "labels: idx, gzip idx or .npy");
    verify->add_option("--limit", verify_opt.data.limit, "use only the first N images")->check(CLI::PositiveNumber);
    verify->add_option("--out", verify_opt.data.out, "write the RTL's integer scores as .npy (int32 [N, classes])");
    verify->add_option("--stall", verify_opt.stall, "probability of a random stall on each stream, each cycle")
        ->check(CLI::Range(0.0, 0.95));
    verify->add_option("--trace", verify_opt.trace, "write an FST waveform");
    verify->add_option("--seed", verify_opt.seed, "seed of the random stalls");
    verify->add_option("--timeout", verify_opt.timeout, "cycles without an output beat after which the pipeline counts as hung "
                    "(default: 4x the cycle model's worst-case latency + interval, scaled by the stalls)");
    verify->add_option("-o,--output", verify_opt.dir, "design folder (default rtl_out/<name>)");
    verify->add_option("--build-dir", verify_opt.build_dir, "Verilator build cache (default <output>/../.sim-cache)");

    AnalyzeOptions analyze_opt;
    auto* analyze = app.add_subcommand(
        "analyze", "Operations and cycles removed by kernel and spatial pruning, per layer, on real images");
    analyze->add_option("network", analyze_opt.data.yaml, "network.yaml")->required();
    analyze->add_option("--images", analyze_opt.data.images, "images: idx, gzip idx or .npy")->required();
    analyze->add_option("--limit", analyze_opt.data.limit, "use only the first N images")->check(CLI::PositiveNumber);
    analyze->add_flag("--rtl", analyze_opt.rtl, "also co-simulate and report the cycles the hardware counted");
    analyze->add_option("--rtl-limit", analyze_opt.rtl_limit, "images to co-simulate with --rtl (default 100)")
        ->check(CLI::PositiveNumber);
    analyze->add_option("--stall", analyze_opt.stall, "with --rtl: probability of a random stall on each stream")
        ->check(CLI::Range(0.0, 0.95));
    analyze->add_option("-o,--output", analyze_opt.dir, "with --rtl: design folder (default rtl_out/<name>)");
    analyze->add_option("--build-dir", analyze_opt.build_dir, "with --rtl: Verilator build cache");
    analyze->add_option("--json", analyze_opt.json, "also write the table as JSON");
    analyze->add_option("--csv", analyze_opt.csv, "also write the table as CSV");

    ReportCommandOptions report_opt;
    auto* report = app.add_subcommand(
        "report", "FPGA resources per layer (Yosys synth_xilinx estimate) and throughput at the target clock");
    report->add_option("network", report_opt.yaml, "network.yaml")->required();
    report->add_option("--json", report_opt.json, "also write the report as JSON");
    report->add_option("--markdown", report_opt.markdown, "also write the Markdown report to a file");
    report->add_option("--work", report_opt.work,
                       "keep the design and Yosys's script, log and statistics in this folder (default: a temporary "
                       "folder)");
    report->add_flag("--keep-work", report_opt.keep_work, "do not remove the temporary work folder");

    FoldCommandOptions fold_opt;
    auto* fold = app.add_subcommand(
        "fold", "Choose the folding (pe, simd) of fold: auto layers for the target; write the folded network.yaml");
    fold->add_option("network", fold_opt.data.yaml, "network.yaml")->required();
    fold->add_option("--images", fold_opt.data.images,
                     "images: idx, gzip idx or .npy; measure what spatial pruning, early decision and similarity "
                     "reuse skip at each folding (default: the worst case)");
    fold->add_option("--limit", fold_opt.data.limit, "use only the first N images (default 100)")
        ->check(CLI::PositiveNumber);
    fold->add_option("--rule", fold_opt.rule, "fewest-luts (default) or finn (smallest pe*simd, every kernel counted)")
        ->check(CLI::IsMember({"fewest-luts", "finn"}));
    fold->add_flag("--all", fold_opt.all, "fold every conv and dense layer, not only those with fold: auto");
    fold->add_option("--images-per-second", fold_opt.images_per_second,
                     "target throughput at target.clock_mhz (overrides the description's target)")
        ->check(CLI::PositiveNumber);
    fold->add_option("--luts", fold_opt.luts, "LUT budget: the fastest interval that fits (overrides the target)")
        ->check(CLI::PositiveNumber)
        ->excludes("--images-per-second");
    fold->add_option("-o,--output", fold_opt.out, "write the folded network.yaml here");

    ImportOptions import_opt;
    auto* import_cmd = app.add_subcommand(
        "import", "Import a binarized network from QONNX or FINN-ONNX (Brevitas) as network.yaml + weights.npz");
    import_cmd->add_option("model", import_opt.model, "MODEL.onnx")->required();
    import_cmd->add_option("-o,--output", import_opt.dir, "output folder for network.yaml and weights.npz")->required();
    import_cmd->add_option("--name", import_opt.name, "network name (default: the model file's name)");
    import_cmd->add_option("--input-bits", import_opt.input_bits,
                           "bits of the first layer's input when the model does not quantize its input itself")
        ->check(CLI::Range(1, 16));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0; every real parse error exits 2.
        return app.exit(e) == 0 ? 0 : kExitUsage;
    }
    try {
        if (check->parsed()) {
            return run_check(check_yaml);
        }
        if (infer->parsed()) {
            return run_infer(infer_opt);
        }
        if (generate->parsed()) {
            return run_generate(generate_yaml, generate_dir);
        }
        if (verify->parsed()) {
            return run_verify(verify_opt);
        }
        if (analyze->parsed()) {
            return run_analyze(analyze_opt);
        }
        if (report->parsed()) {
            return run_report(report_opt);
        }
        if (fold->parsed()) {
            if (fold_opt.data.limit < 0) {
                fold_opt.data.limit = 100;
            }
            return run_fold(fold_opt);
        }
        if (import_cmd->parsed()) {
            return run_import(import_opt);
        }
    } catch (const bnngen::InputError& e) {
        std::fputs(bnngen::render(e.diagnostic()).c_str(), stderr);
        return kExitInputError;
    } catch (const std::exception& e) {
        fmt::print(stderr, "bnngen: internal error: {}\nplease report this as a bug\n", e.what());
        return kExitInternalError;
    }
    return 0;
}
