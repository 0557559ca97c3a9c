// Benchmark: the fast golden model against the reference one on a CNV-sized Fashion-MNIST network,
// measured side by side in one run on one core.
//   golden_speed [--network NET.yaml] [--images FILE] [--reference-images N] [--fast-images N]
// Without --network it builds the CNV-sized network (4 conv layers of 32-64 channels on 28x28, two
// dense layers) with random weights. It prints images/s of both models, the ratio, the time for the
// fast images, and checks the two models agree on every image the reference ran.
#include "bnngen/diag/render.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/reference_model.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/net/random_network.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <string>

using namespace bnngen;

namespace {

Layer make_layer(const char* name, LayerKind kind, int outputs, int kernel, int padding) {
    Layer l;
    l.name = name;
    l.kind = kind;
    l.outputs = outputs;
    l.kernel = kernel;
    l.stride = kind == LayerKind::MaxPool ? kernel : 1;
    l.padding = padding;
    return l;
}

Network cnv_network() {
    Network net;
    net.name = "cnv_random";
    net.input = InputSpec{1, 28, 28, 8};
    net.layers = {make_layer("conv1", LayerKind::Conv, 32, 3, 1),  make_layer("conv2", LayerKind::Conv, 32, 3, 1),
                  make_layer("pool1", LayerKind::MaxPool, 0, 2, 0), make_layer("conv3", LayerKind::Conv, 64, 3, 1),
                  make_layer("conv4", LayerKind::Conv, 64, 3, 1),  make_layer("pool2", LayerKind::MaxPool, 0, 2, 0),
                  make_layer("fc1", LayerKind::Dense, 256, 0, 0),  make_layer("fc2", LayerKind::Dense, 10, 0, 0)};
    net.layers.back().activation = Activation::None;
    DiagnosticBag bag;
    if (!check_structure(net, bag)) {
        throw std::runtime_error(render_all(bag));
    }
    randomize_weights(net, 2026);
    return net;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::string network;
    std::string images_path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    int64_t reference_images = 100;
    int64_t fast_images = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--network") {
            network = argv[i + 1];
        } else if (flag == "--images") {
            images_path = argv[i + 1];
        } else if (flag == "--reference-images") {
            reference_images = std::stoll(argv[i + 1]);
        } else if (flag == "--fast-images") {
            fast_images = std::stoll(argv[i + 1]);
        } else {
            fmt::print(stderr, "unknown option {}\n", flag);
            return 2;
        }
    }
    try {
        Network net;
        if (network.empty()) {
            net = cnv_network();
        } else {
            DiagnosticBag bag;
            auto loaded = load_network(network, bag);
            fmt::print(stderr, "{}", render_all(bag));
            if (!loaded) {
                return 1;
            }
            net = std::move(*loaded);
        }
        io::ImageSet images = io::load_images(images_path, net.input.channels, net.input.height, net.input.width,
                                              net.input.bits, std::max(reference_images, fast_images));
        reference_images = std::min(reference_images, images.count);
        fast_images = std::min(fast_images, images.count);

        golden::ReferenceModel reference(net);
        golden::FastModel fast(net);
        std::vector<golden::Prediction> expected;
        auto start = std::chrono::steady_clock::now();
        for (int64_t i = 0; i < reference_images; ++i) {
            expected.push_back(reference.predict(images.image(i)));
        }
        double reference_seconds = seconds_since(start);

        int64_t mismatches = 0;
        start = std::chrono::steady_clock::now();
        for (int64_t i = 0; i < fast_images; ++i) {
            golden::Prediction p = fast.predict(images.image(i));
            if (i < reference_images && p.scores != expected[static_cast<size_t>(i)].scores) {
                ++mismatches;
            }
        }
        double fast_seconds = seconds_since(start);

        double reference_rate = static_cast<double>(reference_images) / reference_seconds;
        double fast_rate = static_cast<double>(fast_images) / fast_seconds;
        int64_t ops = 0;
        for (int64_t o : fast.operations()) {
            ops += o;
        }
        fmt::print("network: {} ({} layers), {} operations per image\n", net.name, net.layers.size(),
                   ops / std::max<int64_t>(1, fast_images));
        fmt::print("reference golden model: {:>10.1f} images/s ({} images, {:.3f} s)\n", reference_rate,
                   reference_images, reference_seconds);
        fmt::print("fast golden model:      {:>10.1f} images/s ({} images, {:.3f} s)\n", fast_rate, fast_images,
                   fast_seconds);
        fmt::print("speedup fast/reference: {:.1f}x (target >= 30x)\n", fast_rate / reference_rate);
        fmt::print("10000 images with the fast model: {:.2f} s (target < 10 s)\n", 10000.0 / fast_rate);
        fmt::print("agreement on the {} reference images: {} mismatches\n", reference_images, mismatches);
        return mismatches == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "golden_speed: {}\n", e.what());
        return 1;
    }
}
