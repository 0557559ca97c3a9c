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

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>

namespace {

constexpr int kExitInputError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternalError = 3;

void print_diagnostics(const bnngen::DiagnosticBag& bag) {
    std::string text = bnngen::render_all(bag);
    std::fputs(text.c_str(), stderr);
}

std::optional<bnngen::Network> load_or_report(const std::string& yaml) {
    bnngen::DiagnosticBag bag;
    auto net = bnngen::load_network(yaml, bag);
    print_diagnostics(bag);
    if (net) {
        return net;
    }
    fmt::print(stderr, "{}: {} error{} found\n", yaml, bag.error_count(), bag.error_count() == 1 ? "" : "s");
    return std::nullopt;
}

int run_check(const std::string& yaml) {
    auto net = load_or_report(yaml);
    if (!net) {
        return kExitInputError;
    }
    int64_t weights = 0;
    for (const auto& layer : net->layers) {
        weights += layer.is_compute() ? layer.weight_count() : 0;
    }
    fmt::print("{}: ok: network '{}', {} layers, input {} x {} x {} ({}-bit), {} classes, {} weights\n", yaml,
               net->name, net->layers.size(), net->input.channels, net->input.height, net->input.width,
               net->input.bits, net->classes(), weights);
    return 0;
}

struct InferOptions {
    std::string yaml;
    std::string images;
    std::string labels;
    int64_t limit = -1;
    std::string out;
};

int run_infer(const InferOptions& opt) {
    auto net = load_or_report(opt.yaml);
    if (!net) {
        return kExitInputError;
    }
    bnngen::io::ImageSet images;
    std::vector<int> labels;
    try {
        images = bnngen::io::load_images(opt.images, net->input.channels, net->input.height, net->input.width,
                                         net->input.bits, opt.limit);
        if (!opt.labels.empty()) {
            labels = bnngen::io::load_labels(opt.labels, net->classes(), opt.limit);
            if (static_cast<int64_t>(labels.size()) < images.count) {
                fmt::print(stderr, "{}: error: expected at least {} labels (one per image), found {} [label-count]\n",
                           opt.labels, images.count, labels.size());
                return kExitInputError;
            }
            labels.resize(static_cast<size_t>(images.count));
        }
    } catch (const bnngen::InputError& e) {
        std::fputs(bnngen::render(e.diagnostic()).c_str(), stderr);
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
    } catch (const bnngen::InputError& e) {
        std::fputs(bnngen::render(e.diagnostic()).c_str(), stderr);
        return kExitInputError;
    } catch (const std::exception& e) {
        fmt::print(stderr, "bnngen: internal error: {}\nplease report this as a bug\n", e.what());
        return kExitInternalError;
    }
    return 0;
}
