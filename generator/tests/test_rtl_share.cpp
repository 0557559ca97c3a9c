// The generator's side of result sharing in hardware, without a simulator: a layer with
// prune.share becomes a share_unit with the plan's engines, its memory images hold exactly the
// hand-computed words of templates/share_unit's layout, the cycle model steps through every input
// channel, and verify judges the evaluations counter exactly.
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/verify.hpp"
#include "golden_fixtures.hpp"
#include "memory_image_support.hpp"

#include <doctest/doctest.h>

using namespace bnngen;

namespace {

// copy 2 channels -> conv 4 outputs on a 2 x 2 input (kernel 2: one position), pe 2, simd 4 (one
// channel a step); kernels as in test_hw_result_sharing.cpp: bit t = tap t, 1 = +1.
Network two_channel_network(bool inverse) {
    Layer conv = test::conv("conv", 4, 2, 1, 0, -1);
    test::with_threshold(conv, {0, 0, 0, 0});
    Network net = test::build(InputSpec{2, 2, 2, 1}, {test::identity_first_layer(2), conv});
    Layer& l = net.layers[1];
    l.fold = Fold{2, 4};
    l.share = ResultSharing{inverse};
    const uint64_t words[4][2] = {{0b0011, 0b1111}, {0b1100, 0b1111}, {0b0011, 0b0000}, {0b0101, 0b1010}};
    l.weight.assign(4 * 2 * 4, -1);
    for (int o = 0; o < 4; ++o) {
        for (int i = 0; i < 2; ++i) {
            for (int t = 0; t < 4; ++t) {
                if ((words[o][i] >> t) & 1U) {
                    l.weight[static_cast<size_t>((o * 2 + i) * 4 + t)] = 1;
                }
            }
        }
    }
    l.kernel_mask[3 * 2 + 1] = 0;  // o3 drops input channel 1 (not structured: the unit does not need it)
    return net;
}

}  // namespace

TEST_CASE("a shared layer becomes a share_unit whose memories hold the plan in the block's layout") {
    const Network net = two_channel_network(true);
    const auto design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(top.find("share_unit #(") != std::string::npos);
    CHECK(top.find("conv_mvau") == std::string::npos);
    CHECK(top.find(".CSIMD(1)") != std::string::npos);
    CHECK(top.find(".ENGINES(2)") != std::string::npos);
    CHECK(top.find(".INVERSE(1)") != std::string::npos);
    CHECK(design.files.count("share_unit.v") == 1);
    // KERNEL_FILE: word nf*2 + sf, engine b of the slot at [b*5 +: 5] = {used, kernel}
    CHECK(test::lines_of(design.files.at("conv_kernels.hex")) ==
          std::vector<std::string>{"013", "010", "2b3", "010"});
    // SELECT_FILE: lane p at [p*3 +: 3] = {inv, engine (2 bits, 2 = pruned)}
    CHECK(test::lines_of(design.files.at("conv_select.hex")) == std::vector<std::string>{"20", "24", "08", "10"});
    bool counted = false;
    for (const rtl::Counter& c : design.counters) {
        counted = counted || (c.layer == "conv" && c.kind == "evaluations");
    }
    CHECK(counted);
}

TEST_CASE("repeated mode has no inversion bit: identical kernels only") {
    const auto design = rtl::generate_design(two_channel_network(false), {});
    CHECK(design.files.at(design.top + ".v").find(".INVERSE(0)") != std::string::npos);
    // engines per (fold, channel): (0, 0) {0011, 1100}, (0, 1) {1111}, (1, 0) {0011, 0101}, (1, 1) {0000}
    CHECK(test::lines_of(design.files.at("conv_kernels.hex")) ==
          std::vector<std::string>{"393", "01f", "2b3", "010"});
    // 2-bit codes {engine}: (0, 0) o0 0, o1 1; (0, 1) 0, 0; (1, 0) 0, 1; (1, 1) o2 0, o3 pruned (2)
    CHECK(test::lines_of(design.files.at("conv_select.hex")) == std::vector<std::string>{"4", "0", "4", "8"});
}

TEST_CASE("the sharing unit steps through every input channel, and verify wants its evaluations exactly") {
    Network net = two_channel_network(true);
    Layer& l = net.layers[1];
    l.fold.simd = 8;  // both channels in one step
    CHECK(hw::fold_steps(l) == 2);  // 2 neuron folds x 1 step
    sim::LayerActivity a;
    a.positions = 10;
    a.expected_unit_cycles = 20;
    a.expected_evaluations = 50;
    a.rtl_unit_cycles = 20;
    a.rtl_evaluations = 50;
    CHECK(a.counters_match());
    a.rtl_evaluations = 49;
    CHECK_FALSE(a.counters_match());
}
