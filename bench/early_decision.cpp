// Benchmark: early decision (threshold and pooling pruning, O3BNN) on a trained network, measured
// by the golden model on real images: per layer, the XNOR-popcount operations an ideal per-neuron
// early exit removes, and the unit cycles the early-decision unit's lanes realize at the layer's
// folding and at every other `pe` that divides it (same simd), side by side.
//   early_decision NET.yaml [--images FILE] [--limit N]
// Every binary threshold layer is counted with threshold pruning, and with pooling pruning too
// where a max-pool follows. The decided outputs are checked against the network's own.
#include "bnngen/diag/render.hpp"
#include "bnngen/golden/background.hpp"
#include "bnngen/golden/early_decision.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/net/load.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

using namespace bnngen;

int main(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr, "usage: {} NET.yaml [--images FILE] [--limit N]\n", argv[0]);
        return 2;
    }
    std::string images_path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    int64_t limit = 300;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--images") == 0) images_path = argv[i + 1];
        else if (std::strcmp(argv[i], "--limit") == 0) limit = std::atoll(argv[i + 1]);
    }
    DiagnosticBag bag;
    auto loaded = load_network(argv[1], bag);
    if (!loaded) {
        fmt::print(stderr, "{}", render_all(bag));
        return 1;
    }
    Network net = *loaded;
    const io::ImageSet images = io::load_images(images_path, net.input.channels, net.input.height, net.input.width,
                                                net.input.bits, limit);
    golden::FastModel model(net);
    const std::vector<golden::Tensor> backgrounds = golden::background_vectors(net);

    // Per layer and per pe (the shipped one and every other divisor of the outputs).
    std::map<std::pair<size_t, int>, golden::EarlyDecisionCount> counts;
    int64_t output_differences = 0;
    for (int64_t i = 0; i < images.count; ++i) {
        const std::vector<golden::Tensor> outputs = model.run_layers(images.image(i));
        for (size_t index = 1; index < net.layers.size(); ++index) {
            Layer& l = net.layers[index];
            if (!net.can_decide_early(index)) {
                continue;
            }
            const bool pooling = net.can_prune_pooling(index);
            l.early = EarlyDecision{true, pooling};
            const Fold shipped = l.fold;
            for (int pe = 1; pe <= l.outputs; ++pe) {
                if (l.outputs % pe != 0) {
                    continue;
                }
                l.fold.pe = pe;
                auto r = golden::count_early_decision(net, index, outputs[index - 1], backgrounds);
                counts[{index, pe}] += r.count;
                output_differences += r.output != outputs[pooling ? index + 1 : index] ? 1 : 0;
            }
            l.fold = shipped;
            l.early.reset();
        }
    }
    fmt::print("early decision on {} ({} images of {})\n\n", net.name, images.count, images_path);
    fmt::print("| layer | pooling | pe x simd | ops/image | ideal early ops | removed (ideal) | unit cycles/image | "
               "lanes in step: cycles/image | removed | lanes decoupled: cycles/image | removed |\n"
               "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    const auto n = static_cast<double>(images.count);
    for (const auto& [key, c] : counts) {
        const Layer& l = net.layers[key.first];
        const bool shipped = key.second == l.fold.pe;
        const bool pooling = net.can_prune_pooling(key.first);
        fmt::print("| {} | {} | {}{} x {} | {:.0f} | {:.0f} | {:.1f}% | {:.0f} | {:.0f} | {:.1f}% | {:.0f} | {:.1f}% |\n", l.name,
                   pooling ? "yes" : "no", key.second, shipped ? " (shipped)" : "", l.fold.simd,
                   static_cast<double>(c.operations) / n, static_cast<double>(c.ideal_operations) / n,
                   100.0 * (1.0 - static_cast<double>(c.ideal_operations) / static_cast<double>(c.operations)),
                   static_cast<double>(c.unit_cycles) / n, static_cast<double>(c.early_cycles) / n,
                   100.0 * (1.0 - static_cast<double>(c.early_cycles) / static_cast<double>(c.unit_cycles)),
                   static_cast<double>(c.decoupled_cycles) / n,
                   100.0 * (1.0 - static_cast<double>(c.decoupled_cycles) / static_cast<double>(c.unit_cycles)));
    }
    fmt::print("\ndecided outputs different from the network's own: {}\n", output_differences);
    return output_differences == 0 ? 0 : 1;
}
