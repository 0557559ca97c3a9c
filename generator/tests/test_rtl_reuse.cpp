// The generator's side of similarity reuse in hardware, without a simulator: a layer with
// prune.reuse becomes a reuse_unit, its memory images hold exactly the hand-computed words of
// templates/reuse_unit's layout in tap-major order (unpruned) and kernel-major order with the kept
// chunks (kernel pruning), and verify judges the computed-chunks counter exactly.
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/verify.hpp"
#include "golden_fixtures.hpp"
#include "memory_image_support.hpp"

#include <doctest/doctest.h>

using namespace bnngen;

namespace {

// copy 2 channels -> conv 2 outputs, kernel 2 on a 2 x 2 input (one position, 8 window bits), pe 1,
// simd 4. o0: channel 0 taps (+,+,-,-), channel 1 (+,-,+,-); o1: all -1.
Network two_channel_network() {
    Layer conv = test::conv("conv", 2, 2, 1, 0, -1);
    test::with_threshold(conv, {0, 0});
    Network net = test::build(InputSpec{2, 2, 2, 1}, {test::identity_first_layer(2), conv});
    Layer& l = net.layers[1];
    l.fold = Fold{1, 4};
    l.reuse = SimilarityReuse{false};
    l.weight = {1, 1, -1, -1, /* c1 */ 1, -1, 1, -1, /* o1 */ -1, -1, -1, -1, -1, -1, -1, -1};
    return net;
}

}  // namespace

TEST_CASE("a layer with input reuse becomes a reuse_unit over the tap-major window") {
    const auto design = rtl::generate_design(two_channel_network(), {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(top.find("reuse_unit #(") != std::string::npos);
    CHECK(top.find("conv_mvau") == std::string::npos);
    CHECK(top.find(".TAPS(8)") != std::string::npos);
    CHECK(top.find(".KERNEL_TAPS(1)") != std::string::npos);
    CHECK(top.find(".USE_KEEP(0)") != std::string::npos);
    CHECK(design.files.count("reuse_unit.v") == 1);
    // element t*2 + c; word nf*2 + sf, bit i = element sf*4 + i of output nf
    // o0: elements 0..7 = 1 1 1 0 0 1 0 0 -> words 0111, 0010
    CHECK(test::lines_of(design.files.at("conv_weights.hex")) == std::vector<std::string>{"7", "2", "0", "0"});
    CHECK(design.files.count("conv_keep.hex") == 0);
    bool counted = false;
    for (const rtl::Counter& c : design.counters) {
        counted = counted || (c.layer == "conv" && c.kind == "computed_chunks");
    }
    CHECK(counted);
}

TEST_CASE("with kernel pruning the reuse unit works kernel-major and steps only the kept chunks") {
    Network net = two_channel_network();
    Layer& l = net.layers[1];
    l.keep = 1;
    l.kernel_mask = {0, 1, /* o1 */ 1, 0};
    const auto design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(top.find(".KERNEL_TAPS(4)") != std::string::npos);
    CHECK(top.find(".USE_KEEP(1)") != std::string::npos);
    // element c*4 + t: o0 channel 0 = 0011, channel 1 = 0101
    CHECK(test::lines_of(design.files.at("conv_weights.hex")) == std::vector<std::string>{"3", "5", "0", "0"});
    CHECK(test::lines_of(design.files.at("conv_keep.hex")) == std::vector<std::string>{"0", "f", "f", "0"});
    // fold 0 (o0) keeps chunk 1, fold 1 (o1) chunk 0
    CHECK(test::lines_of(design.files.at("conv_steps.hex")) == std::vector<std::string>{"2", "1"});
}

TEST_CASE("verify wants the reuse unit's computed chunks exactly") {
    sim::LayerActivity a;
    a.positions = 10;
    a.expected_unit_cycles = 14;
    a.expected_computed_chunks = 9;
    a.rtl_unit_cycles = 14;
    a.rtl_computed_chunks = 9;
    CHECK(a.counters_match());
    a.rtl_computed_chunks = 8;
    CHECK_FALSE(a.counters_match());
}
