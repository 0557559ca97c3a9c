// Background vectors (DESIGN.md 4.2) and spatial pruning on hand-built cases.
#include "bnngen/golden/background.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/reference_model.hpp"
#include "bnngen/net/random_network.hpp"
#include "golden_fixtures.hpp"

#include <doctest/doctest.h>

using namespace bnngen;
using bnngen::golden::Tensor;
using namespace bnngen::test;

TEST_CASE("background vectors equal the interior of a large all-zero image") {
    // Random networks without spatial pruning, rebuilt on a 40 x 40 input; every position whose
    // receptive field stays inside the image (no padding tap anywhere below it) must output the
    // layer's background vector.
    int checked = 0;
    for (uint64_t seed = 1; seed <= 120; ++seed) {
        Network small = random_network(seed);
        Network net;
        net.name = "big";
        net.input = small.input;
        net.input.height = 40;
        net.input.width = 40;
        bool has_dense = false;
        for (const Layer& l : small.layers) {
            if (l.kind == LayerKind::Dense) {
                has_dense = true;
                break;
            }
            Layer copy = l;
            copy.spatial.reset();
            copy.keep.reset();
            copy.share.reset();  // its folding rule (simd in whole kernels) would not hold at Fold{}
            copy.fold = Fold{};  // the random folding may divide only the pruned taps
            copy.weight.clear();
            copy.kernel_mask.clear();
            net.layers.push_back(copy);
        }
        if (net.layers.empty() || !has_dense) {
            continue;
        }
        net.layers.push_back(dense("tail", 2));
        DiagnosticBag bag;
        REQUIRE(check_structure(net, bag));
        randomize_weights(net, seed);
        std::vector<Tensor> backgrounds = golden::background_vectors(net);
        golden::ReferenceModel reference(net);
        std::vector<uint16_t> zeros(static_cast<size_t>(net.input_shape().size()), 0);
        std::vector<Tensor> outputs = reference.run_layers(zeros.data());
        // interior[y][x]: the position's receptive field lies inside the image, away from padding.
        Shape in = net.input_shape();
        std::vector<uint8_t> interior(static_cast<size_t>(in.height * in.width), 1);
        for (size_t i = 0; i + 1 < net.layers.size(); ++i) {
            const Layer& l = net.layers[i];
            const Shape& s = l.out;
            const int padding = l.kind == LayerKind::Conv ? l.padding : 0;
            std::vector<uint8_t> next(static_cast<size_t>(s.height * s.width), 0);
            for (int oy = 0; oy < s.height; ++oy) {
                for (int ox = 0; ox < s.width; ++ox) {
                    bool inside = true;
                    for (int ky = 0; ky < l.kernel && inside; ++ky) {
                        for (int kx = 0; kx < l.kernel && inside; ++kx) {
                            int y = oy * l.stride + ky - padding;
                            int x = ox * l.stride + kx - padding;
                            inside = y >= 0 && y < in.height && x >= 0 && x < in.width &&
                                     interior[static_cast<size_t>(y * in.width + x)] != 0;
                        }
                    }
                    next[static_cast<size_t>(oy * s.width + ox)] = inside ? 1 : 0;
                }
            }
            CAPTURE(seed);
            CAPTURE(l.name);
            int inside_positions = 0;
            int differing = 0;
            for (int p = 0; p < s.height * s.width; ++p) {
                if (next[static_cast<size_t>(p)] == 0) {
                    continue;
                }
                ++inside_positions;
                for (int c = 0; c < s.channels; ++c) {
                    differing += outputs[i][static_cast<size_t>(c * s.height * s.width + p)] !=
                                 backgrounds[i][static_cast<size_t>(c)];
                }
            }
            CHECK(differing == 0);
            checked += inside_positions > 0 ? 1 : 0;
            interior = std::move(next);
            in = s;
        }
    }
    MESSAGE("layers checked: ", checked);
    CHECK(checked > 50);
}

TEST_CASE("a position whose window differs in at most tolerance taps outputs the background") {
    // copy (1x1 identity) -> conv 3x3 padding 1, pad_value -1, one output channel with weights all
    // +1 and threshold 9: it fires only when all nine taps are +1. The input background is 0 (-1),
    // so the conv's background is 0 (s = -9 < 9).
    for (int tolerance : {0, 1, 2}) {
        CAPTURE(tolerance);
        Layer c = conv("c", 1, 3, 1, 1, -1);
        with_threshold(c, {-7});
        c.weight.assign(9, 1);
        c.spatial = SpatialPrune{tolerance};
        Layer d = dense("d", 1);
        Network net = build({1, 3, 3, 1}, {identity_first_layer(1), c, d});
        net.layers[2].weight.assign(9, 1);
        // One +1 pixel at the centre: every window contains it (1 differing tap): s = -9 + 2 = -7
        // >= -7, so computed positions output 1; skipped positions output the background 0.
        std::vector<uint16_t> image(9, 0);
        image[4] = 1;
        golden::ReferenceModel reference(net);
        golden::FastModel fast(net);
        auto expected = reference.run_layers(image.data());
        CHECK(fast.run_layers(image.data()) == expected);
        Tensor want(9, tolerance >= 1 ? 0 : 1);
        CHECK(expected[1] == want);
        CHECK(fast.skipped_positions()[1] == (tolerance >= 1 ? 9 : 0));
        CHECK(fast.operations()[1] == (tolerance >= 1 ? 0 : 9 * 9));
    }
}

TEST_CASE("padding taps differ from the background unless pad_value equals it") {
    // Background of the input to c is 0 (-1 in every channel); an all-background image with
    // pad_value +1 has border windows whose padding taps differ.
    Layer c = conv("c", 1, 3, 1, 1, 1);
    with_threshold(c, {100});
    c.weight.assign(9, 1);
    c.spatial = SpatialPrune{0};
    Network net = build({1, 3, 3, 1}, {identity_first_layer(1), c, dense("d", 1)});
    net.layers[2].weight.assign(9, 1);
    std::vector<uint16_t> image(9, 0);
    golden::FastModel fast(net);
    (void)fast.run_layers(image.data());
    CHECK(fast.skipped_positions()[1] == 1);  // only the centre window has no padding tap
}
