// The generator's side of pruning in hardware, without a simulator: the kernel-select memory
// images decode back to exactly the kept kernels and their weights, the sharing of kept kernels
// among a fold's PEs is detected, spatial pruning gets the right background constants, and the
// cycle model removes exactly the pruned work.
#include "bnngen/golden/background.hpp"
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/verify.hpp"

#include "memory_image_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <numeric>

#include <filesystem>
#include <sstream>

using namespace bnngen;
namespace fs = std::filesystem;

namespace {

using test::field;
using test::lines_of;

Network load(const std::string& relative) { return test::load_source_network(relative); }

// Decodes a kernel-pruned layer's weight and select images the way templates/mvau/README.md says the
// unit reads them, and checks that every output channel computes over exactly its kept kernels with
// its own weights: the independent check of plan_mvau's compact order and offsets.
void check_select_images(const Network& net, const Layer& layer, bool expect_shared) {
    auto design = rtl::generate_design(net, {});
    const auto weights = lines_of(design.files.at(layer.name + "_weights.hex"));
    const auto select = lines_of(design.files.at(layer.name + "_select.hex"));
    const int pe = layer.fold.pe;
    const int simd = layer.fold.simd;
    const int kk = layer.kernel * layer.kernel;
    const int channels = layer.in.channels;
    const int keep = *layer.keep;
    const int chunk = std::gcd(simd, kk);
    const int slots = simd / chunk;
    const int span = (channels - keep) * (kk / chunk) + 1;
    int width = 1;
    while ((1 << width) < span) {
        ++width;
    }
    const int64_t synapse_folds = int64_t{keep} * kk / simd;
    REQUIRE(static_cast<int64_t>(weights.size()) == layer.outputs / pe * synapse_folds);
    REQUIRE(select.size() == weights.size());
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(top.find(fmt::format(".SELECT_SHARED({})", expect_shared ? 1 : 0)) != std::string::npos);
    CHECK(top.find(fmt::format(".SELECT_SPAN({})", span)) != std::string::npos);
    CHECK(top.find(fmt::format(".KEPT_TAPS({})", keep * kk)) != std::string::npos);
    const size_t select_digits = static_cast<size_t>(((expect_shared ? 1 : pe) * slots * width + 3) / 4);
    CHECK(select[0].size() == select_digits);

    for (int o = 0; o < layer.outputs; ++o) {
        const int nf = o / pe;
        const int p = o % pe;
        std::vector<int> taps_seen(static_cast<size_t>(channels), 0);
        for (int64_t sf = 0; sf < synapse_folds; ++sf) {
            const std::string& wword = weights[static_cast<size_t>(nf * synapse_folds + sf)];
            const std::string& sword = select[static_cast<size_t>(nf * synapse_folds + sf)];
            for (int s = 0; s < slots; ++s) {
                const int owner = expect_shared ? 0 : p;
                const auto offset = static_cast<int>(field(sword, (owner * slots + s) * width, width));
                REQUIRE(offset < span);
                const int64_t unit_chunk = sf * slots + s + offset;  // of the kernel-major vector
                for (int r = 0; r < chunk; ++r) {
                    const int64_t element = unit_chunk * chunk + r;  // c*kk + tap
                    const int c = static_cast<int>(element / kk);
                    const int tap = static_cast<int>(element % kk);
                    REQUIRE(c < channels);
                    CHECK(layer.kernel_mask[static_cast<size_t>(o * channels + c)] == 1);
                    ++taps_seen[static_cast<size_t>(c)];
                    const int8_t w = layer.weight[static_cast<size_t>((o * channels + c) * kk + tap)];
                    CHECK(field(wword, p * simd + s * chunk + r, 1) == (w > 0 ? 1U : 0U));
                }
            }
        }
        for (int c = 0; c < channels; ++c) {
            CHECK(taps_seen[static_cast<size_t>(c)] == (layer.kernel_mask[static_cast<size_t>(o * channels + c)] ? kk : 0));
        }
    }
}

}  // namespace

TEST_CASE("kernel-pruned conv layers store only the kept kernels, selected per PE") {
    // fmnist_small conv2: 16 -> 32 channels, keep 4 of 16, pe 8, simd 36 (4 kernels per step);
    // the trained masks differ between the channels of a fold.
    Network net = load("examples/fmnist_small/network.yaml");
    check_select_images(net, net.layers[2], false);
}

TEST_CASE("a chunk smaller than a kernel when simd does not hold whole kernels") {
    Network net = load("examples/fmnist_small/network.yaml");
    net.layers[2].fold = Fold{4, 3};  // chunks of 3 taps, 1 per step
    check_select_images(net, net.layers[2], false);
    net.layers[2].fold = Fold{2, 12};  // gcd(12, 9) = 3: 4 chunks per step, spanning kernels
    check_select_images(net, net.layers[2], false);
}

TEST_CASE("kept kernels shared by a fold's PEs give one selection per fold step") {
    Network net = load("examples/fmnist_small/network.yaml");
    Layer& conv2 = net.layers[2];
    const int channels = conv2.in.channels;
    for (int o = 0; o < conv2.outputs; ++o) {  // every group of 8 channels keeps its leader's kernels
        int leader = o - o % 8;
        for (int c = 0; c < channels; ++c) {
            conv2.kernel_mask[static_cast<size_t>(o * channels + c)] =
                conv2.kernel_mask[static_cast<size_t>(leader * channels + c)];
        }
    }
    check_select_images(net, conv2, true);
    conv2.fold = Fold{16, 36};  // groups of 8 no longer cover a fold of 16
    check_select_images(net, conv2, false);
}

TEST_CASE("the cycle model removes exactly the pruned kernels' cycles and the skipped positions") {
    Network net = load("examples/fmnist_small/network.yaml");
    Network dense = net;
    dense.layers[2].keep.reset();
    auto mvau_cycles = [](const hw::CycleModel& m, const std::string& layer) {
        for (const auto& lc : m.layers) {
            if (lc.layer == layer) {
                for (const auto& s : lc.stages) {
                    if (s.stage == "mvau") {
                        return s.cycles;
                    }
                }
            }
        }
        FAIL("no mvau stage for " << layer);
        return int64_t{0};
    };
    // conv2: 14 x 14 positions x 32/8 neuron folds x (keep*9)/36 synapse folds
    CHECK(mvau_cycles(hw::predict_cycles(dense), "conv2") == 196 * 4 * 4);
    CHECK(mvau_cycles(hw::predict_cycles(net), "conv2") == 196 * 4 * 1);
    net.layers[2].spatial = SpatialPrune{0};
    std::vector<double> share(net.layers.size(), 1.0);
    share[2] = 0.25;
    CHECK(mvau_cycles(hw::predict_cycles(net, share), "conv2") == 49 * 4 * 1);
    // A mean of 141.5 computed positions an image: 566 cycles, not 142 whole positions' 568.
    share[2] = 141.5 / 196.0;
    CHECK(mvau_cycles(hw::predict_cycles(net, share), "conv2") == 566);
    CHECK(mvau_cycles(hw::predict_cycles(net), "conv2") == 196 * 4 * 1);  // worst case: every position
}

TEST_CASE("spatial pruning compares with the previous background and substitutes the layer's own") {
    Network net = load("examples/fmnist_small/network.yaml");
    net.layers[2].spatial = SpatialPrune{1};
    auto design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    const auto backgrounds = golden::background_vectors(net);
    auto literal = [](const golden::Tensor& bits) {
        std::string digits;
        for (size_t d = (bits.size() + 3) / 4; d-- > 0;) {
            unsigned nibble = 0;
            for (size_t b = 0; b < 4; ++b) {
                size_t i = d * 4 + b;
                nibble |= (i < bits.size() && bits[i] != 0 ? 1U : 0U) << b;
            }
            digits += "0123456789abcdef"[nibble];
        }
        return fmt::format("{}'h{}", bits.size(), digits);
    };
    CHECK(top.find(".BACKGROUND_IN(" + literal(backgrounds[1]) + ")") != std::string::npos);  // after pool1
    CHECK(top.find(".BACKGROUND_OUT(" + literal(backgrounds[2]) + ")") != std::string::npos);
    CHECK(top.find(".TOLERANCE(1)") != std::string::npos);
    CHECK(top.find("conv2_skipped_positions /* verilator public_flat_rd */") != std::string::npos);
    REQUIRE(design.counters.size() == 5);  // conv1, conv2 and fc1 unit cycles, conv2 positions and skipped
}

TEST_CASE("performance counters are compared modulo 2^32, as the 32-bit registers wrap") {
    sim::LayerActivity a;
    a.positions = (int64_t{1} << 32) + 7;
    a.skipped = 3;
    a.expected_unit_cycles = (int64_t{1} << 33) + 5;
    a.rtl_positions = 7;
    a.rtl_skipped = 3;
    a.rtl_unit_cycles = 5;
    CHECK(a.counters_match());
    a.rtl_unit_cycles = 6;
    CHECK_FALSE(a.counters_match());
}
