// Several pixels per s_axis beat (input.pixels_per_beat): the cycle model, the generated top level
// (the first layer's collector or stream_unpack, the s_axis width, the AXI-Lite block's beat count)
// and the register header. Co-simulation: verif/e2e/mlp_1bit (64 per beat, dense first),
// verif/e2e/stride2_pad_plus (4 per beat, conv first) and the random flow.
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/net/random_network.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/rtl/register_map.hpp"

#include "e2e_networks.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace bnngen;
using bnngen::test::load_e2e;

namespace {

Layer dense(const std::string& name, int outputs, int pe, int simd, bool last = false) {
    Layer l;
    l.name = name;
    l.kind = LayerKind::Dense;
    l.outputs = outputs;
    l.activation = last ? Activation::None : Activation::Threshold;
    l.fold = {pe, simd};
    return l;
}

// BNN-PYNQ's LFC-W1A1 at its folding (bench/make_bnn_pynq_lfc.py), random weights.
Network lfc(int pixels_per_beat) {
    Network net;
    net.name = "lfc";
    net.input = InputSpec{1, 28, 28, 1};
    net.input.pixels_per_beat = pixels_per_beat;
    net.layers = {dense("fc0", 1024, 32, 49), dense("fc1", 1024, 64, 32), dense("fc2", 1024, 32, 64),
                  dense("fc3", 10, 10, 8, true)};
    DiagnosticBag bag;
    REQUIRE(check_structure(net, bag));
    randomize_weights(net, 5);
    return net;
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("an image's beats: the last one holds the rest") {
    InputSpec in{1, 28, 28, 1};
    CHECK(in.beats_per_image() == 784);
    CHECK(in.last_beat_pixels() == 1);
    in.pixels_per_beat = 64;
    CHECK(in.beats_per_image() == 13);
    CHECK(in.last_beat_pixels() == 16);
    in.pixels_per_beat = 49;
    CHECK(in.beats_per_image() == 16);
    CHECK(in.last_beat_pixels() == 49);
    in.pixels_per_beat = 784;
    CHECK(in.beats_per_image() == 1);
}

TEST_CASE("BNN-PYNQ's LFC: 512 cycles per image with 64 pixels per beat, 785 with one") {
    const hw::CycleModel wide = hw::predict_cycles(lfc(64));
    CHECK(wide.interval == 512);
    CHECK(wide.layers.front().cycles == 13);    // input: 13 beats
    CHECK(wide.layers[1].stages[0].cycles == 14);  // fc0's collector: 13 beats + 1
    const hw::CycleModel narrow = hw::predict_cycles(lfc(1));
    CHECK(narrow.interval == 785);  // fc0's collector: 784 pixels + 1, above the 512 of every unit
    CHECK(narrow.bottleneck == "fc0");
    // generate says so, with the smallest width that removes it: 392 beats + 1 <= 512
    CHECK(narrow.pixels_per_beat_hint == 2);
    CHECK(narrow.interval_with_hint == 512);
    CHECK(hw::format_cycle_model(narrow, 200).find("input: {pixels_per_beat: 2} (or more) would make it 512") !=
          std::string::npos);
    CHECK(wide.pixels_per_beat_hint == 0);
    // a conv first layer's window scan takes a cycle per pixel whatever the stream: no hint
    CHECK(hw::predict_cycles(load_e2e("odd_5x5")).pixels_per_beat_hint == 0);
}

TEST_CASE("a dense first layer collects the wide beats, the last one's padding unused") {
    const rtl::GeneratedDesign design = rtl::generate_design(lfc(64), {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(design.input_beat_width == 64);
    CHECK(contains(top, "input  wire [63:0] s_axis_tdata,"));
    CHECK(contains(top, ".WIDTH(64),\n        .COUNT(13)\n    ) fc0_collect ("));
    CHECK(contains(top, "wire [831:0] fc0_beats_data;"));
    CHECK(contains(top, "assign fc0_vector_data = fc0_beats_data[783:0];"));
    CHECK(contains(top, ".BEATS_PER_IMAGE(13)"));
    CHECK_FALSE(contains(top, "stream_unpack"));
    const std::string& header = design.files.at(design.top + "_regs.h");
    CHECK(contains(header, "#define LFC_PIXELS_PER_IMAGE 784u"));
    CHECK(contains(header, "#define LFC_PIXELS_PER_BEAT 64u"));
    CHECK(contains(header, "#define LFC_BEATS_PER_IMAGE 13u"));
    CHECK(contains(header, "#define LFC_INPUT_BEAT_BYTES 8u"));
    CHECK(contains(header, "#define LFC_REG_BEATS_PER_IMAGE 0x3Cu"));
}

TEST_CASE("a conv first layer gets the pixels one per beat from stream_unpack") {
    const Network net = load_e2e("stride2_pad_plus");  // 2 channels of 4 bits, 4 pixels per beat, 15 x 15
    REQUIRE(net.input.pixels_per_beat == 4);
    const rtl::GeneratedDesign design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK(design.input_beat_width == 32);
    CHECK(contains(top, "stream_unpack #(\n        .PIXEL_WIDTH(8),\n        .PER_BEAT(4),\n        .PIXELS_PER_IMAGE(225)\n"));
    CHECK(contains(top, ".in_data(input_unpacked_data)"));
    CHECK(contains(top, ".BEATS_PER_IMAGE(57)"));
    CHECK(std::count(design.verilog_sources.begin(), design.verilog_sources.end(), "stream_unpack.v") == 1);
    // the window scan (225 positions), not the 57 input beats, bounds the first layer
    const hw::CycleModel model = hw::predict_cycles(net);
    CHECK(model.layers.front().cycles == 57);
}

TEST_CASE("one pixel per beat generates what it did before: no unpacker, the pixel count register value") {
    const Network net = load_e2e("odd_5x5");
    REQUIRE(net.input.pixels_per_beat == 1);
    const rtl::GeneratedDesign design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    CHECK_FALSE(contains(top, "stream_unpack"));
    CHECK(contains(top, ".BEATS_PER_IMAGE(289)"));
    CHECK(contains(top, "input  wire [23:0] s_axis_tdata,"));
}

TEST_CASE("the network hash tells a wide input stream apart") {
    Network narrow = lfc(1);
    Network wide = lfc(64);
    CHECK(rtl::network_hash(narrow) != rtl::network_hash(wide));
}
