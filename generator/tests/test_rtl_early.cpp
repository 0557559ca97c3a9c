// The generator's side of early decision in hardware, without a simulator: which blocks a layer
// with prune.early becomes, the early unit's memory images decoded the way its README says the
// lanes read them (independently of the generator's own code), the cycle model's worst case, and
// how verify judges the unit's counters.
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/io/dataset.hpp"
#include "bnngen/net/random_network.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/verify.hpp"

#include "golden_fixtures.hpp"

#include "memory_image_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

using namespace bnngen;
namespace fs = std::filesystem;

namespace {

using test::field;
using test::lines_of;

Network load(const std::string& relative) { return test::load_source_network(relative); }

int64_t stage_cycles(const hw::CycleModel& model, const std::string& layer, const std::string& stage) {
    for (const auto& lc : model.layers) {
        if (lc.layer == layer) {
            for (const auto& s : lc.stages) {
                if (s.stage == stage) {
                    return s.cycles;
                }
            }
        }
    }
    FAIL("no stage " << stage << " for " << layer);
    return -1;
}

}  // namespace

TEST_CASE("a layer with pooling pruning becomes an early unit over super-windows, and its max-pool no block") {
    Network net = load("verif/e2e/early_decision/network.yaml");  // conv2: keep 4, pe 4, simd 9, then pool2
    const auto design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(top.find("early_unit #(") != std::string::npos);
    CHECK(top.find("conv2_mvau") == std::string::npos);
    CHECK(top.find("pool2_stream") == std::string::npos);  // pool1 still is a block
    CHECK(top.find("pool2_or") == std::string::npos);
    CHECK(top.find("pool1_stream") != std::string::npos);
    // conv2's window block scans 4x4 super-windows at stride 2: one per pool2 output
    const size_t window = top.find("conv2_sliding_window (");
    REQUIRE(window != std::string::npos);
    const std::string head = top.substr(top.rfind("sliding_window #(", window), window - top.rfind("sliding_window #(", window));
    CHECK(head.find(".KERNEL(4)") != std::string::npos);
    CHECK(head.find(".STRIDE(2)") != std::string::npos);
    CHECK(top.find(".POOL(2)") != std::string::npos);
    CHECK(top.find(".THRESHOLD_PRUNE(1)") != std::string::npos);
    CHECK(top.find(".USE_SELECT(1)") != std::string::npos);
    bool lane_steps = false;
    for (const auto& c : design.counters) {
        lane_steps = lane_steps || (c.layer == "conv2" && c.kind == "lane_steps");
    }
    CHECK(lane_steps);
    CHECK(std::find(design.verilog_sources.begin(), design.verilog_sources.end(), "early_unit.v") !=
          design.verilog_sources.end());
}

TEST_CASE("the early unit's weight, threshold and select images hold each channel's kept kernels in its order") {
    Network net = load("verif/e2e/early_decision/network.yaml");
    const Layer& layer = net.layers[2];
    const auto design = rtl::generate_design(net, {});
    const auto weights = lines_of(design.files.at("conv2_weights.hex"));
    const auto select = lines_of(design.files.at("conv2_select.hex"));
    const auto thresholds = lines_of(design.files.at("conv2_thresholds.hex"));
    const int pe = layer.fold.pe;
    const int simd = layer.fold.simd;
    const int kt = 9;
    const int channels = layer.in.channels;
    const int keep = *layer.keep;
    const int chunk = 9;                        // gcd(simd 9, k*k 9)
    const int index_bits = 4;                   // clog2(16 channels x 9 taps / 9 = 16 chunks)
    const int64_t steps = int64_t{keep} * kt / simd;
    const int nf = layer.outputs / pe;
    REQUIRE(static_cast<int64_t>(weights.size()) == nf * steps);
    REQUIRE(select.size() == weights.size());
    REQUIRE(static_cast<int>(thresholds.size()) == nf);
    const int n_taps = keep * kt;
    const int threshold_bits = 6;  // clog2(36 + 2)
    for (int o = 0; o < layer.outputs; ++o) {
        const int n = o / pe;
        const int p = o % pe;
        // kept kernels in ascending channel order, each kernel's 9 taps in raster order
        std::vector<int> kept;
        for (int c = 0; c < channels; ++c) {
            if (layer.kernel_mask[static_cast<size_t>(o * channels + c)] != 0) {
                kept.push_back(c);
            }
        }
        REQUIRE(static_cast<int>(kept.size()) == keep);
        for (int64_t s = 0; s < steps; ++s) {
            const std::string& wword = weights[static_cast<size_t>(n * steps + s)];
            const std::string& sword = select[static_cast<size_t>(n * steps + s)];
            const int64_t compact = s * simd;  // first compact element of the step; one chunk per step here
            const int c = kept[static_cast<size_t>(compact / kt)];
            CHECK(field(sword, p * index_bits, index_bits) == static_cast<unsigned>(c * kt / chunk));
            for (int i = 0; i < simd; ++i) {
                const int tap = static_cast<int>((compact + i) % kt);
                const int8_t w = layer.weight[static_cast<size_t>((o * channels + c) * kt + tap)];
                CHECK(field(wword, p * simd + i, 1) == (w > 0 ? 1U : 0U));
            }
        }
        // popcount-domain threshold ceil((T + N) / 2), clamped to 0 .. N + 1, unsigned
        const int64_t t = layer.threshold[static_cast<size_t>(o)] + n_taps;
        const int64_t expected = std::clamp<int64_t>(t >= 0 ? (t + 1) / 2 : -((-t) / 2), 0, n_taps + 1);
        CHECK(field(thresholds[static_cast<size_t>(n)], p * threshold_bits, threshold_bits) == static_cast<unsigned>(expected));
    }
}

TEST_CASE("an unpruned early layer's weights are stored kernel-major, a dense one's in streaming order") {
    Network net = load("examples/fmnist_small/network.yaml");
    Layer& conv2 = net.layers[2];
    conv2.keep.reset();
    std::fill(conv2.kernel_mask.begin(), conv2.kernel_mask.end(), 1);
    conv2.early = EarlyDecision{true, false};
    conv2.fold = Fold{8, 48};  // 144 taps: 3 steps, each 48 elements = 5 1/3 kernels
    const auto design = rtl::generate_design(net, {});
    const auto weights = lines_of(design.files.at("conv2_weights.hex"));
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(top.find("pool2_stream") != std::string::npos);  // threshold pruning alone leaves the max-pool
    CHECK(top.find(".USE_SELECT(") == std::string::npos);
    const int channels = conv2.in.channels;
    for (int o : {0, 5, 31}) {
        for (int e = 0; e < channels * 9; ++e) {
            const int c = e / 9;
            const int tap = e % 9;
            const int8_t w = conv2.weight[static_cast<size_t>((o * channels + c) * 9 + tap)];
            const std::string& word = weights[static_cast<size_t>((o / 8) * 3 + e / 48)];
            CHECK(field(word, (o % 8) * 48 + e % 48, 1) == (w > 0 ? 1U : 0U));
        }
    }
}

TEST_CASE("the cycle model of an early unit: every step of every pool position as the worst case, the measured share") {
    Network net = load("verif/e2e/early_decision/network.yaml");
    // 7 x 7 pool windows x 4 positions x 32/4 channels per lane x 36/9 steps
    CHECK(stage_cycles(hw::predict_cycles(net), "conv2", "early") == 49 * 4 * 8 * 4);
    CHECK(stage_cycles(hw::predict_cycles(net), "pool2", "pool") == 0);
    // the window block scans the 14 x 14 input plus the padding row and column it needs
    CHECK(stage_cycles(hw::predict_cycles(net), "conv2", "window") == 15 * 15);
    std::vector<double> share(net.layers.size(), 1.0);
    share[2] = 0.5;
    CHECK(stage_cycles(hw::predict_cycles(net, share), "conv2", "early") == 49 * 4 * 8 * 4 / 2);
}

TEST_CASE("verify takes an early unit's lane steps exactly and its busy cycles between the busiest lane's and all lanes' steps") {
    sim::LayerActivity a;
    a.early = true;
    a.positions = 196;
    a.expected_unit_cycles = 1000;  // the busiest lane's steps
    a.expected_lane_steps = 3500;   // all lanes' steps
    a.rtl_lane_steps = 3500;
    a.rtl_unit_cycles = 1000;
    CHECK(a.counters_match());
    a.rtl_unit_cycles = 3500;
    CHECK(a.counters_match());
    a.rtl_unit_cycles = 999;   // fewer busy cycles than one lane's own steps: impossible
    CHECK_FALSE(a.counters_match());
    a.rtl_unit_cycles = 3501;  // more busy cycles than steps
    CHECK_FALSE(a.counters_match());
    a.rtl_unit_cycles = 1200;
    a.rtl_lane_steps = 3499;   // a step lost
    CHECK_FALSE(a.counters_match());
}

TEST_CASE("verify counts a spatially pruned layer's skipped positions once when another layer decides early") {
    // Random flow seed 32: with early decision anywhere, verify ran each image through the golden
    // model twice (once for the layers' outputs, once for the scores), and the model's running
    // count of skipped positions doubled: conv3's expected skips were 588 for 294 in the RTL.
    Layer conv1 = test::conv("conv1", 3, 3, 1, 1);
    Layer conv2 = test::conv("conv2", 4, 3, 1, 1, -1);
    conv2.early = EarlyDecision{true, false};
    Layer conv3 = test::conv("conv3", 3, 1, 1, 0, -1);
    conv3.spatial = SpatialPrune{0};
    Layer classifier = test::dense("classifier", 4);
    Network net = test::build(InputSpec{1, 9, 7, 8}, {conv1, conv2, conv3, classifier});
    randomize_weights(net, 32);
    const int64_t count = 6;
    const io::ImageSet images{count, 1, 9, 7, random_images(net, count, 3)};
    golden::FastModel model(net);
    sim::CosimResult rtl;
    for (int64_t i = 0; i < count; ++i) {
        const golden::Prediction p = model.predict(images.image(i));
        rtl.images.push_back(sim::ImageOutput{p.scores, p.predicted_class, 0, 0});
    }
    const int64_t skipped = model.skipped_positions()[2];
    REQUIRE(skipped > 0);
    const sim::VerifyReport report = sim::compare_with_golden(net, images, {}, rtl);
    REQUIRE(report.layers.size() == 4);
    CHECK(report.mismatches.empty());
    CHECK(report.layers[1].early);
    CHECK(report.layers[2].skipped == skipped);
}
