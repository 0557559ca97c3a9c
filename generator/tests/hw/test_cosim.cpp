// Co-simulation itself under test (needs Verilator): a hung pipeline is reported, a corrupted
// memory image is caught as mismatches, and an unchanged design reuses its Verilator build.
#include "bnngen/net/load.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/sim/cosim.hpp"
#include "bnngen/sim/verify.hpp"

#include "../e2e_networks.hpp"
#include "../golden_fixtures.hpp"
#include "bnngen/net/random_network.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace bnngen;
using bnngen::test::load_e2e;
using namespace bnngen::test;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::temp_directory_path() / "bnngen_hw_tests";

io::ImageSet images_of(const Network& net, int64_t count) {
    return io::load_images(fs::path(BNNGEN_SOURCE_DIR) / "verif/e2e" / net.name / "images.npy", net.input.channels,
                           net.input.height, net.input.width, net.input.bits, count);
}

sim::CosimOptions options_for(const std::string& design_dir) {
    sim::CosimOptions o;
    o.design_dir = kWork / design_dir;
    o.build_dir = kWork / "cache";
    o.timeout_cycles = 5000;
    return o;
}

}  // namespace

TEST_CASE("a design that never answers is reported as hung, not waited for") {
    Network net = load_e2e("odd_5x5");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    // Replace the top level by one that takes every input beat and never produces a result.
    design.files[design.top + ".v"] =
        "module odd_5x5 (input wire aclk, input wire aresetn, input wire [23:0] s_axis_tdata,\n"
        "  input wire s_axis_tvalid, output wire s_axis_tready, input wire s_axis_tlast,\n"
        "  output wire [31:0] m_axis_tdata, output wire m_axis_tvalid, input wire m_axis_tready,\n"
        "  output wire m_axis_tlast);\n"
        "  assign s_axis_tready = 1'b1; assign m_axis_tdata = 32'd0; assign m_axis_tvalid = 1'b0;\n"
        "  assign m_axis_tlast = 1'b0;\n"
        "  wire unused = &{1'b0, aclk, aresetn, s_axis_tdata, s_axis_tvalid, s_axis_tlast, m_axis_tready};\n"
        "endmodule\n";
    design.verilog_sources = {design.top + ".v"};
    design.counters.clear();  // the stand-in has no performance counters ...
    design.ctrl_address_width = 0;  // ... and no s_axi_ctrl
    rtl::write_design(design, kWork / "hung");
    auto images = images_of(net, 3);
    auto result = sim::run_cosim(design, net, images, options_for("hung"));
    CHECK(result.exit_status == 2);
    CHECK(result.images.empty());
    CHECK(result.log.find("timeout: no output beat for 5000 cycles; 0 of 3 images complete") != std::string::npos);
    auto report = sim::compare_with_golden(net, images, {}, result);
    CHECK_FALSE(report.passed());
}

TEST_CASE("a corrupted weight memory shows up as mismatches against the golden model") {
    Network net = load_e2e("stride2_pad_plus");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    std::string& weights = design.files.at("fc1_weights.hex");
    for (char& c : weights) {
        if (c != '\n') {
            c = '0';  // every classifier weight becomes -1
        }
    }
    rtl::write_design(design, kWork / "corrupt");
    auto images = images_of(net, 10);
    auto result = sim::run_cosim(design, net, images, options_for("corrupt"));
    CHECK(result.exit_status == 0);
    auto report = sim::compare_with_golden(net, images, {}, result);
    CHECK(report.images_returned == 10);
    CHECK(report.mismatches.size() >= 5);
    CHECK_FALSE(report.passed());
}

TEST_CASE("relative design and build folders work from any current directory") {
    Network net = load_e2e("mlp_1bit");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    rtl::write_design(design, kWork / "relative");
    auto images = images_of(net, 4);
    const fs::path previous = fs::current_path();
    fs::current_path(kWork);
    sim::CosimOptions o;
    o.design_dir = "relative";  // as `bnngen verify -o rtl_out/x` passes them: rtl_out/.sim-cache
    o.build_dir = "relative_cache";
    sim::CosimResult result;
    CHECK_NOTHROW(result = sim::run_cosim(design, net, images, o));
    fs::current_path(previous);
    CHECK(result.exit_status == 0);
    CHECK(sim::compare_with_golden(net, images, {}, result).passed());
}

TEST_CASE("an unchanged design reuses its Verilator build and gives the same results") {
    Network net = load_e2e("mlp_1bit");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    rtl::write_design(design, kWork / "reuse");
    auto images = images_of(net, 12);
    auto options = options_for("reuse");
    options.stall_in = 0.3;
    options.stall_out = 0.3;
    auto first = sim::run_cosim(design, net, images, options);
    auto second = sim::run_cosim(design, net, images, options);
    CHECK_FALSE(second.rebuilt);
    REQUIRE(first.images.size() == 12);
    REQUIRE(second.images.size() == 12);
    for (size_t i = 0; i < 12; ++i) {
        CHECK(first.images[i].scores == second.images[i].scores);
        CHECK(first.images[i].last_output_cycle == second.images[i].last_output_cycle);  // same seed, same stalls
    }
    CHECK(sim::compare_with_golden(net, images, {}, first).passed());
}

TEST_CASE("designs built in one cache compile Verilator's runtime once") {
    // Each model used to compile verilated.cpp and its siblings again: about half of a small
    // design's build. The second design here takes the first one's objects (make leaves a .d file
    // beside every object it compiles, so none may appear for them) and still computes correctly.
    sim::CosimOptions o = options_for("runtime_first");
    o.build_dir = kWork / "runtime_cache";
    o.timeout_cycles = 0;  // the cycle model's, not options_for's short one
    fs::remove_all(o.build_dir);
    auto build = [&](const std::string& name, const std::string& folder) {
        Network net = load_e2e(name);
        rtl::GeneratedDesign design = rtl::generate_design(net, {});
        rtl::write_design(design, kWork / folder);
        o.design_dir = kWork / folder;
        const io::ImageSet images = images_of(net, 4);
        sim::CosimResult result = sim::run_cosim(design, net, images, o);
        CHECK(result.rebuilt);
        const sim::VerifyReport report = sim::compare_with_golden(net, images, {}, result);
        CHECK_MESSAGE(report.passed(), name << ": " << report.images_returned << " of " << report.images_sent
                                            << " images, " << report.mismatches.size() << " mismatches, exit "
                                            << result.exit_status << "\n" << result.log);
        for (const auto& entry : fs::directory_iterator(o.build_dir)) {
            if (entry.path().filename().string().rfind(design.top + "-", 0) == 0) {
                return entry.path() / "obj";
            }
        }
        FAIL("no build folder for " << design.top);
        return fs::path();
    };
    const fs::path first = build("mlp_1bit", "runtime_first");
    CHECK(fs::exists(first / "verilated.d"));
    const fs::path second = build("pointwise_1x1", "runtime_second");
    CHECK(fs::exists(second / "verilated.o"));
    CHECK_FALSE(fs::exists(second / "verilated.d"));
    CHECK_FALSE(fs::exists(second / "verilated_threads.d"));
}

TEST_CASE("the performance counters are read back and a wrong count fails verification") {
    Network net = load_e2e("spatial_pruned");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    rtl::write_design(design, kWork / "counters");
    auto images = images_of(net, 10);
    auto result = sim::run_cosim(design, net, images, options_for("counters"));
    REQUIRE(result.counters.size() == design.counters.size());
    auto report = sim::compare_with_golden(net, images, {}, result);
    CHECK(report.passed());
    int64_t skipped = 0;
    for (const auto& layer : report.layers) {
        CHECK(layer.rtl_unit_cycles.has_value());
        if (layer.rtl_skipped) {
            skipped += *layer.rtl_skipped;
            CHECK(*layer.rtl_positions == layer.positions);
        }
    }
    CHECK(skipped > 0);  // conv2 skips about half of its positions on these images

    // A unit cycle counter that counts double: the outputs stay right, the check must not.
    std::string& top = design.files.at(design.top + ".v");
    const std::string increment = "conv3_unit_cycles <= conv3_unit_cycles + 32'd1;";
    REQUIRE(top.find(increment) != std::string::npos);
    top.replace(top.find(increment), increment.size(), "conv3_unit_cycles <= conv3_unit_cycles + 32'd2;");
    rtl::write_design(design, kWork / "counters_wrong");
    auto wrong = sim::run_cosim(design, net, images, options_for("counters_wrong"));
    auto wrong_report = sim::compare_with_golden(net, images, {}, wrong);
    CHECK(wrong_report.mismatches.empty());
    CHECK_FALSE(wrong_report.counters_match());
    CHECK_FALSE(wrong_report.passed());
}

namespace {

const sim::RegisterCheck* find_register(const sim::CosimResult& result, const std::string& name) {
    for (const auto& r : result.registers) {
        if (r.name == name) {
            return &r;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the harness configures the design over AXI-Lite and every register equals its own count") {
    Network net = load_e2e("spatial_pruned");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    REQUIRE(design.ctrl_address_width > 0);
    rtl::write_design(design, kWork / "axi_lite");
    auto images = images_of(net, 8);
    auto options = options_for("axi_lite");
    options.stall_in = 0.3;
    options.stall_out = 0.3;
    auto result = sim::run_cosim(design, net, images, options);
    REQUIRE(result.exit_status == 0);
    for (const char* name : {"ID", "VERSION", "NETWORK_HASH", "CONTROL", "STATUS", "IMAGES_IN", "IMAGES_OUT", "CYCLES",
                             "BUSY_CYCLES", "IN_STALL_CYCLES", "OUT_STALL_CYCLES", "IRQ_ENABLE", "IRQ_STATUS",
                             "BATCH_SIZE", "COUNTER_COUNT", "BEATS_PER_IMAGE", "UNMAPPED_READ_RESPONSE",
                             "INTERRUPT_BEFORE_CLEAR", "IRQ_STATUS_AFTER_CLEAR", "INTERRUPT_AFTER_CLEAR",
                             "INTERRUPT_BEFORE_FIRST_RESULT"}) {
        CAPTURE(name);
        const sim::RegisterCheck* r = find_register(result, name);
        REQUIRE(r != nullptr);
        CHECK(r->value == r->expected);
    }
    CHECK(find_register(result, "IMAGES_OUT")->value == 8);
    CHECK(find_register(result, "IN_STALL_CYCLES")->value > 0);   // the random stalls are really counted
    CHECK(find_register(result, "OUT_STALL_CYCLES")->value > 0);
    CHECK(find_register(result, "CYCLES")->value > find_register(result, "BUSY_CYCLES")->value);
    auto report = sim::compare_with_golden(net, images, {}, result);
    CHECK(report.passed());  // the layer counters, read over AXI-Lite, equal the golden counts

    // The control block blind to input stalls: the results stay right, the register check must not.
    std::string& top = design.files.at(design.top + ".v");
    const std::string observed = ".in_ready(s_axis_tready),";
    REQUIRE(top.find(observed) != std::string::npos);
    top.replace(top.find(observed), observed.size(), ".in_ready(1'b1),");
    rtl::write_design(design, kWork / "axi_lite_wrong");
    auto wrong = sim::run_cosim(design, net, images, options);
    auto wrong_report = sim::compare_with_golden(net, images, {}, wrong);
    CHECK(wrong_report.mismatches.empty());
    CHECK_FALSE(wrong_report.registers_match());
    CHECK(find_register(wrong, "IN_STALL_CYCLES")->value == 0);
}

TEST_CASE("a soft reset in the middle of an image, then a new stream: correct results and nothing stale") {
    Network net = load_e2e("spatial_pruned");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    rtl::write_design(design, kWork / "soft_reset");
    auto images = images_of(net, 6);
    const auto pixels = static_cast<uint64_t>(net.input.height * net.input.width);
    for (uint64_t after : {pixels / 2, 2 * pixels + 7}) {
        CAPTURE(after);
        auto options = options_for("soft_reset");
        options.stall_in = 0.2;
        options.stall_out = 0.2;
        options.soft_reset_after = after;
        auto result = sim::run_cosim(design, net, images, options);
        REQUIRE(result.exit_status == 0);
        REQUIRE(result.images.size() == 6);
        auto report = sim::compare_with_golden(net, images, {}, result);
        CHECK(report.mismatches.empty());
        CHECK(report.counters_match());  // the layer counters count the second stream only
        CHECK(report.registers_match());
        CHECK(find_register(result, "IMAGES_IN")->value == 6);
        CHECK(find_register(result, "IMAGES_OUT")->value == 6);
        CHECK(report.passed());
    }
}

TEST_CASE("a slow design is waited for as long as its cycle model says, not called hung") {
    // conv1 needs 12 x 12 positions x 30 channels x 75 kept taps = 324 000 cycles per image at
    // pe 1, simd 1: with the old fixed 200 000-cycle timeout this working design was reported hung
    // after its first image.
    Layer conv1 = conv("conv1", 30, 5, 1, 0, -1);
    conv1.keep = 3;
    conv1.spatial = SpatialPrune{0};
    Network net = build(InputSpec{1, 16, 16, 8},
                        {conv("conv0", 4, 3, 1, 1), conv1, dense("classifier", 10)});
    net.name = "slow_conv";
    randomize_weights(net, 7);
    const rtl::GeneratedDesign design = rtl::generate_design(net, {});
    REQUIRE(design.cycles.interval == 324000);
    rtl::write_design(design, kWork / "slow");
    io::ImageSet images{3, 1, 16, 16, random_images(net, 3, 11)};
    sim::CosimOptions o = options_for("slow");
    o.timeout_cycles = 0;  // the default: from the cycle model
    o.stall_in = o.stall_out = 0.2;
    CHECK(sim::hang_timeout_cycles(net, 0.2, 0.2) > 4 * 324000);
    auto result = sim::run_cosim(design, net, images, o);
    CHECK(result.exit_status == 0);
    CHECK(result.timeout_cycles == sim::hang_timeout_cycles(net, 0.2, 0.2));
    auto report = sim::compare_with_golden(net, images, {}, result);
    CHECK(report.images_returned == 3);
    CHECK(report.passed());
}

namespace {

// Generates `net` with random weights, co-simulates `count` random images with stalls on both
// streams (timeout from the cycle model) and compares everything with the golden model.
sim::VerifyReport verify_random(Network net, const std::string& name, int64_t count) {
    net.name = name;
    randomize_weights(net, 5);
    const rtl::GeneratedDesign design = rtl::generate_design(net, {});
    rtl::write_design(design, kWork / name);
    io::ImageSet images{count, net.input.channels, net.input.height, net.input.width, random_images(net, count, 3)};
    sim::CosimOptions o = options_for(name);
    o.timeout_cycles = 0;
    o.stall_in = o.stall_out = 0.3;
    auto result = sim::run_cosim(design, net, images, o);
    CHECK(result.exit_status == 0);
    return sim::compare_with_golden(net, images, {}, result);
}

}  // namespace

TEST_CASE("a network that answers before it has read its whole image ends with every register settled") {
    // Random flow seed 9: one 5x5 window at stride 11 over an 11 x 5 image reads rows 0-4 only, so
    // the result leaves while rows 5-10 are still coming in. The harness used to read STATUS right
    // after the last result: BUSY was still set (read 5, expected 4).
    Layer classifier = conv("classifier", 3, 5, 11, 0);
    classifier.keep = 2;
    classifier.activation = Activation::None;
    classifier.fold = Fold{1, 50};
    auto report = verify_random(build(InputSpec{4, 11, 5, 8}, {classifier}), "early_answer", 6);
    CHECK(report.mismatches.empty());
    CHECK(report.registers_match());
    CHECK(report.passed());
}

TEST_CASE("a layer still computing rows that no later window needs is counted to the end") {
    // Random flow seed 8: conv2 (3x3, stride 3) never reads conv1's last two rows, so the last
    // result leaves before conv1 has computed them. The harness used to read the counters then:
    // conv1's unit cycles were 973 short of the golden model's count.
    Layer conv1 = conv("conv1", 14, 7, 1, 6);
    conv1.keep = 1;
    conv1.fold = Fold{14, 1};
    Layer conv2 = conv("conv2", 23, 3, 3, 0, -1);
    conv2.fold = Fold{23, 7};
    Layer classifier = dense("classifier", 9);
    classifier.fold = Fold{9, 3};  // quick enough to answer before conv1's last 22 positions are done
    auto report = verify_random(build(InputSpec{4, 11, 5, 8}, {conv1, conv2, classifier}), "tail_rows", 6);
    CHECK(report.mismatches.empty());
    CHECK(report.counters_match());
    CHECK(report.passed());
}

TEST_CASE("an early-decision lane with more than 64 channels builds and matches") {
    // Random flow seed 43: a dense layer of 71 outputs with early decision at pe 1. The unit wrote an
    // all-skipped group's result bits in a loop of delayed array writes, which Verilator refuses
    // beyond its unroll limit (BLKLOOPINIT): the build failed.
    Layer fc1 = dense("fc1", 12, Activation::Threshold);
    fc1.fold = Fold{3, 28};
    Layer fc2 = dense("fc2", 71, Activation::Threshold);
    fc2.fold = Fold{1, 12};
    fc2.early = EarlyDecision{true, false};
    Layer classifier = dense("classifier", 4);
    classifier.fold = Fold{2, 71};
    auto report = verify_random(build(InputSpec{1, 7, 8, 1}, {fc1, fc2, classifier}), "early_wide_lane", 6);
    CHECK(report.mismatches.empty());
    REQUIRE(report.layers.size() == 3);
    CHECK(report.layers[1].early);
    CHECK(report.layers[1].rtl_lane_steps.has_value());
    CHECK(report.passed());
}

TEST_CASE("a reuse unit with thousands of chunks a window builds and matches") {
    // Random flow seed 644: a reuse layer of 65 x 7 x 7 taps at simd 1 (3185 chunks). The unit chose
    // the changed chunk and detected changes in generate loops over the chunks, which Verilator
    // refuses to unroll beyond about 3000 iterations ("Loop unrolling took too long"): the build
    // failed. Here 360 x 3 x 3 = 3240 chunks.
    Layer conv1 = conv("conv1", 360, 1);
    conv1.fold = Fold{24, 1};
    Layer conv2 = conv("conv2", 2, 3, 1, 1, -1);
    conv2.fold = Fold{2, 1};
    conv2.reuse = SimilarityReuse{false};
    Layer classifier = dense("classifier", 3);
    classifier.fold = Fold{3, 24};
    auto report = verify_random(build(InputSpec{1, 4, 3, 1}, {conv1, conv2, classifier}), "reuse_many_chunks", 3);
    CHECK(report.mismatches.empty());
    REQUIRE(report.layers.size() == 3);
    CHECK(report.layers[1].rtl_computed_chunks.has_value());
    CHECK(report.passed());
}

TEST_CASE("a Verilator build that crashes inside Verilator once is tried again") {
    // Random flow seed 292 once stopped with "%Error: Verilator internal fault, sorry" (Verilator
    // segfaulted); the same files built fine the next time. A stand-in `verilator` first in PATH
    // crashes like that on its first call and runs the real one after.
    const fs::path bin = kWork / "flaky_verilator";
    fs::remove_all(bin);
    fs::create_directories(bin);
    const std::string real = std::getenv("PATH") != nullptr ? std::getenv("PATH") : "/usr/bin";
    {
        std::ofstream script(bin / "verilator");
        script << "#!/bin/sh\n"
               << "if [ ! -e '" << (bin / "crashed").string() << "' ]; then\n"
               << "  touch '" << (bin / "crashed").string() << "'\n"
               << "  echo '%Error: Verilator internal fault, sorry. Suggest trying --debug --gdbbt' >&2\n"
               << "  exit 255\n"
               << "fi\n"
               << "PATH='" << real << "' exec verilator \"$@\"\n";
    }
    fs::permissions(bin / "verilator", fs::perms::owner_all);
    Network net = load_e2e("mlp_1bit");
    rtl::GeneratedDesign design = rtl::generate_design(net, {});
    design.files[design.top + ".v"] += "// a fresh build: the cached model does not apply\n";
    rtl::write_design(design, kWork / "flaky");
    sim::CosimOptions o = options_for("flaky");
    o.build_dir = kWork / "flaky_cache";
    fs::remove_all(o.build_dir);
    ::setenv("PATH", (bin.string() + ":" + real).c_str(), 1);
    auto result = sim::run_cosim(design, net, images_of(net, 3), o);
    ::setenv("PATH", real.c_str(), 1);
    CHECK(fs::exists(bin / "crashed"));
    CHECK(result.rebuilt);
    CHECK(result.exit_status == 0);
    CHECK(result.images.size() == 3);
}
