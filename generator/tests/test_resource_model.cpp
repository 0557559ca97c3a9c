// The resource model (hw::estimate_layer_resources) against what `bnngen report` measured with
// Yosys 0.23 on the shipped examples (docs/report.md, bench/README.md), and how it responds to
// folding and memory placement.
#include "bnngen/hw/memory_placement.hpp"
#include "bnngen/hw/resource_model.hpp"
#include "bnngen/net/load.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

using namespace bnngen;
namespace fs = std::filesystem;

namespace {

Network example(const std::string& name) {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples" / name / "network.yaml", bag);
    REQUIRE(net.has_value());
    return *net;
}

size_t layer_index(const Network& net, const std::string& name) {
    for (size_t i = 0; i < net.layers.size(); ++i) {
        if (net.layers[i].name == name) {
            return i;
        }
    }
    FAIL("no layer " << name);
    return 0;
}

double relative_error(double predicted, double measured) { return std::abs(predicted - measured) / measured; }

// The model's stated error (docs/report.md, "Resource model", leave one network out, fit of
// 2026-12-08): whole designs within 32.3% (LUT) and 10.3% (FF) at the 90th percentile, layers
// within 46.3% and 25.3%. The shipped designs are held to tighter totals (they come within 25% and
// 10%); their worst layer is +47% LUT (fmnist_cnv's conv1, +39% with the fit before), hence 50%.
constexpr double kDesignLut = 0.25;
constexpr double kDesignFf = 0.10;
constexpr double kLayerLut = 0.50;
constexpr double kLayerFf = 0.25;

struct Measured {
    const char* layer;
    double lut;  // LUT + LUTRAM
    double ff;
    double bram36;
};

}  // namespace

TEST_CASE("resource model: fmnist_small within the stated error of its Yosys report") {
    const Network net = example("fmnist_small");
    // docs/report.md (2026-12-08): 4 387 LUT + 211 LUTRAM, 4 478 FF, 7 RAMB18 + 1 RAMB36 in total
    const hw::ResourceEstimate total = hw::estimate_design_resources(net);
    CHECK(relative_error(total.lut, 4387 + 211) <= kDesignLut);
    CHECK(relative_error(total.ff, 4478) <= kDesignFf);
    CHECK(total.bram36 == doctest::Approx(4.5).epsilon(0.25));

    const Measured layers[] = {{"conv1", 903 + 57, 801, 0},    {"pool1", 86 + 24, 75, 0},
                               {"conv2", 1665 + 73, 1043, 3.5}, {"pool2", 94 + 56, 107, 0},
                               {"fc1", 1177 + 1, 1861, 1}};
    hw::ResourceEstimate sum;
    for (const Measured& m : layers) {
        INFO("layer " << std::string(m.layer));
        const hw::ResourceEstimate e = hw::estimate_layer_resources(net, layer_index(net, m.layer));
        CHECK(relative_error(e.lut, m.lut) <= kLayerLut);
        CHECK(relative_error(e.ff, m.ff) <= kLayerFf);
        CHECK(e.bram36 == doctest::Approx(m.bram36).epsilon(0.25));
        sum += e;
    }
    // the top-level rest (462 LUT, 591 FF measured) is what the design adds to its layers
    CHECK(total.lut - sum.lut == doctest::Approx(462).epsilon(0.35));
    CHECK(total.ff - sum.ff == doctest::Approx(591).epsilon(0.35));
}

TEST_CASE("resource model: fmnist_cnv within the stated error of its Yosys report") {
    // `bnngen report examples/fmnist_cnv/network.yaml`, 2026-12-08 (docs/report.md, "Resource model"):
    // 16 006 LUT + 517 LUTRAM, 12 206 FF, 84 RAMB36 in total. Not a sample of the fit.
    const Network net = example("fmnist_cnv");
    const hw::ResourceEstimate total = hw::estimate_design_resources(net);
    CHECK(relative_error(total.lut, 16006 + 517) <= kDesignLut);
    CHECK(relative_error(total.ff, 12206) <= kDesignFf);
    CHECK(total.bram36 == doctest::Approx(84));
    const Measured layers[] = {{"conv1", 1375 + 80, 1148, 0},  {"conv2", 2834 + 81, 1427, 16},
                               {"pool1", 102 + 40, 107, 0},    {"conv3", 1599 + 81, 1386, 8},
                               {"conv4", 2617 + 121, 2337, 16}, {"pool2", 126 + 112, 171, 0},
                               {"fc1", 6539 + 1, 4365, 44},    {"fc2", 319 + 1, 600, 0}};
    for (const Measured& m : layers) {
        INFO("layer " << std::string(m.layer));
        const hw::ResourceEstimate e = hw::estimate_layer_resources(net, layer_index(net, m.layer));
        CHECK(relative_error(e.lut, m.lut) <= kLayerLut);
        CHECK(relative_error(e.ff, m.ff) <= kLayerFf);
        CHECK(e.bram36 == doctest::Approx(m.bram36));
    }
}

TEST_CASE("resource model: LUTs grow with the lanes pe*simd") {
    Network net = example("fmnist_cnv");
    const size_t conv3 = layer_index(net, "conv3");  // 32 -> 64 channels, 3x3: 288 taps per output
    double previous = 0;
    for (int pe : {1, 2, 4, 8, 16, 32, 64}) {
        net.layers[conv3].fold = Fold{pe, 72};
        const hw::ResourceEstimate e = hw::estimate_layer_resources(net, conv3);
        INFO("pe " << pe << ": " << e.lut << " LUT");
        CHECK(e.lut > previous);
        previous = e.lut;
    }
    previous = 0;
    for (int simd : {1, 2, 4, 8, 16, 32, 72, 144, 288}) {
        net.layers[conv3].fold = Fold{8, simd};
        const hw::ResourceEstimate e = hw::estimate_layer_resources(net, conv3);
        INFO("simd " << simd << ": " << e.lut << " LUT");
        CHECK(e.lut > previous);
        previous = e.lut;
    }
    // 8x the lanes (8 x 72 -> 64 x 72) cost several times the LUTs, not 8x: the window block, FIFO
    // and control stay
    net.layers[conv3].fold = Fold{8, 72};
    const double lanes_8 = hw::estimate_layer_resources(net, conv3).lut;
    net.layers[conv3].fold = Fold{64, 72};
    const double lanes_64 = hw::estimate_layer_resources(net, conv3).lut;
    CHECK(lanes_64 > 3 * lanes_8);
    CHECK(lanes_64 < 8 * lanes_8);
}

TEST_CASE("resource model: weights in block RAM show as tiles, weights in LUTs as LUTs") {
    Network net = example("fmnist_small");
    const size_t conv2 = layer_index(net, "conv2");
    // 8 x 36: 4 words of 288 bits, block RAM by the placement rule; 8 x 12: 12 words of 96 bits, LUTs
    REQUIRE(hw::weights_in_block_ram(4, 288));
    REQUIRE_FALSE(hw::weights_in_block_ram(12, 96));
    net.layers[conv2].fold = Fold{8, 36};
    const hw::ResourceEstimate in_bram = hw::estimate_layer_resources(net, conv2);
    // 7 RAMB18 measured (docs/report.md): 288 bits need 8 RAMB18 of 36, but Yosys drops the
    // columns that are the same in all 4 words, and enough of the trained weights' are
    CHECK(in_bram.bram36 == doctest::Approx(3.5));
    net.layers[conv2].fold = Fold{8, 12};
    const hw::ResourceEstimate in_luts = hw::estimate_layer_resources(net, conv2);
    CHECK(in_luts.bram36 == 0);
    // a third of the lanes, yet the ROM (96 LUT6) and the kernel-select logic keep it above a third
    CHECK(in_luts.lut > in_bram.lut / 3);

    // a deep dense ROM: fc1 (10 x 1568) at 5 x 4 is 784 words of 20 bits, one RAMB36 (measured: 1)
    const size_t fc1 = layer_index(net, "fc1");
    CHECK(hw::estimate_layer_resources(net, fc1).bram36 == doctest::Approx(1.0));
}

TEST_CASE("resource model: a max-pool done inside an early-decision unit has no blocks of its own") {
    Network net = example("fmnist_small");
    const size_t conv2 = layer_index(net, "conv2");
    const hw::ResourceEstimate pool_alone = hw::estimate_layer_resources(net, conv2 + 1);
    CHECK(pool_alone.lut > 0);
    net.layers[conv2].early = EarlyDecision{false, true};
    const hw::ResourceEstimate pool_inside = hw::estimate_layer_resources(net, conv2 + 1);
    CHECK(pool_inside.lut == 0);
    CHECK(pool_inside.ff == 0);
    // the early-decision unit costs more than mvau at the same folding (docs/hardware.md: about 2x)
    const hw::ResourceEstimate early = hw::estimate_layer_resources(net, conv2);
    net.layers[conv2].early.reset();
    const hw::ResourceEstimate plain = hw::estimate_layer_resources(net, conv2);
    CHECK(early.lut > 1.3 * (plain.lut + pool_alone.lut));
}
