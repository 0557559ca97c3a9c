// bnngen report without running Yosys: the part -> synth_xilinx family mapping, the parsers on a
// stored Yosys 0.23 output (generator/tests/data/report/: fmnist_small, synthesised by
// `bnngen report --work`), the per-layer attribution (layers + top-level = total, exactly), the
// cell classes, the throughput figures and the output forms.
#include "bnngen/diag/error.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/report/lut_bound.hpp"
#include "bnngen/report/resource_report.hpp"
#include "bnngen/report/timing_estimate.hpp"
#include "bnngen/report/xilinx_family.hpp"
#include "bnngen/report/yosys_netlist.hpp"
#include "io_test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

using namespace bnngen;
using namespace bnngen::report;
using bnngen::test::error_of;
namespace fs = std::filesystem;

namespace {

const fs::path kReportData = fs::path(BNNGEN_TEST_DATA) / "report";

std::string read_fixture(const std::string& name) {
    std::ifstream in(kReportData / name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Layer layer(const std::string& name, LayerKind kind) {
    Layer l;
    l.name = name;
    l.kind = kind;
    return l;
}

// The layers of examples/fmnist_small, the network of the fixture.
std::vector<Layer> fmnist_small_layers() {
    return {layer("conv1", LayerKind::Conv), layer("pool1", LayerKind::MaxPool), layer("conv2", LayerKind::Conv),
            layer("pool2", LayerKind::MaxPool), layer("fc1", LayerKind::Dense)};
}

CellCounts sum_of_rows(const Attribution& a) {
    CellCounts sum;
    for (const PartResources& row : a.layers) {
        for (const auto& [type, n] : row.cells) {
            sum[type] += n;
        }
    }
    for (const auto& [type, n] : a.top_level.cells) {
        sum[type] += n;
    }
    return sum;
}

}  // namespace

TEST_CASE("a part's synth_xilinx family follows its name") {
    CHECK(yosys_family_for_part("xczu3eg-sbva484-1-e", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("XCZU9EG-FFVB1156-2-E", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("xcku5p-ffvb676-2-e", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("xcvu9p-flga2104-2L-e", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("xcau25p-ffvb676-1-e", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("xck26-sfvc784-2LV-c", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("xazu3eg-sfvc784-1-i", "n.yaml") == "xcup");
    CHECK(yosys_family_for_part("xcku040-ffva1156-2-e", "n.yaml") == "xcu");
    CHECK(yosys_family_for_part("xcvu095-ffva2104-2-e", "n.yaml") == "xcu");
    CHECK(yosys_family_for_part("xc7z020clg400-1", "n.yaml") == "xc7");
    CHECK(yosys_family_for_part("xc7a35tcpg236-1", "n.yaml") == "xc7");
    CHECK(yosys_family_for_part("xq7z020-cl400-1i", "n.yaml") == "xc7");
}

TEST_CASE("a part of no supported family is an error naming the part and the families") {
    for (const char* part : {"xcvc1902-vsva2197-2MP-e-S", "xc6slx9-2tqg144", "5cgxfc7c7f23c8", ""}) {
        Diagnostic d = error_of([&] { yosys_family_for_part(part, "net/network.yaml"); });
        CHECK(d.code == "unsupported-part");
        CHECK(d.where.file == "net/network.yaml");
        CHECK(d.message.find(fmt::format("target.part '{}'", part)) != std::string::npos);
        CHECK(d.message.find("-> xcup") != std::string::npos);
        CHECK(d.message.find("-> xcu,") != std::string::npos);
        CHECK(d.message.find("-> xc7") != std::string::npos);
    }
}

TEST_CASE("cells count as LUT, FF, block RAM, DSP or LUTRAM (in LUTs); the rest in no column") {
    Resources r = resources_of({{"LUT1", 2}, {"LUT6", 3}, {"FDRE", 5}, {"FDSE", 1}, {"FDCE", 1}, {"RAMB18E2", 2},
                                {"RAMB36E1", 3}, {"DSP48E2", 4}, {"RAM32M16", 2}, {"RAM64M", 1}, {"RAM32X1D", 1},
                                {"SRL16E", 3}, {"SRLC32E", 1}, {"CARRY4", 9}, {"MUXF7", 9}, {"INV", 9}, {"IBUF", 9}});
    CHECK(r.lut == 5);
    CHECK(r.ff == 7);
    CHECK(r.ramb18 == 2);
    CHECK(r.ramb36 == 3);
    CHECK(r.dsp == 4);
    CHECK(r.lutram == 2 * 8 + 4 + 2 + 3 + 1);
    CHECK(resources_of({{"CARRY8", 3}, {"MUXF9", 2}}) == Resources{});
}

TEST_CASE("the stat -json parser reads Yosys 0.23's output") {
    YosysStat stat = parse_stat_json(read_fixture("fmnist_small_stat.json"), "stat.json");
    CHECK(stat.creator.rfind("Yosys 0.23", 0) == 0);
    REQUIRE(stat.modules.count("fmnist_small") == 1);  // public names without their backslash
    for (const char* group : {"conv1_layer", "pool1_layer", "conv2_layer", "pool2_layer", "fc1_layer"}) {
        CHECK(stat.modules.count(group) == 1);
        CHECK(stat.modules.at("fmnist_small").at(group) == 1);
    }
    REQUIRE(stat.design.has_value());
    CHECK(stat.design->at("FDRE") > 0);
    CHECK(stat.modules.at("fc1_layer").at("LUT6") > 0);
}

TEST_CASE("the stat -json parser drops the hierarchy lines Yosys 0.23 writes into the JSON") {
    const std::string text = read_fixture("fmnist_small_per_block_stat.json");
    REQUIRE(text.find("\\stream_fifo      1\n") != std::string::npos);  // the stray text lines are there
    YosysStat stat = parse_stat_json(text, "stat.json");
    REQUIRE(stat.design.has_value());
    // Two levels (top -> mvau -> stream_fifo): the expansion reproduces Yosys's own design total.
    CHECK(expand_module(stat, "fmnist_small", "stat.json") == *stat.design);
    CHECK(stat.modules.size() == 19);
}

TEST_CASE("unreadable Yosys output is an error naming the file") {
    Diagnostic d = error_of([] { parse_stat_json("{\n  \"modules\": {\n", "work/stat.json"); });
    CHECK(d.code == "yosys-output");
    CHECK(d.where.file == "work/stat.json");
    d = error_of([] { parse_stat_json("{\"creator\": \"Yosys\"}", "work/stat.json"); });
    CHECK(d.message.find("'modules'") != std::string::npos);
    d = error_of([] { parse_stat_json("{\"modules\": {\"m\": {\"num_cells_by_type\": {\"LUT2\": \"many\"}}}}", "s.json"); });
    CHECK(d.message.find("module 'm': expected a cell count for 'LUT2', found 'many'") != std::string::npos);
    d = error_of([] { parse_rtlil_cells("module \\other\nend\n", "top", "work/top.il"); });
    CHECK(d.where.file == "work/top.il");
    CHECK(d.message.find("module 'top'") != std::string::npos);
}

TEST_CASE("the RTLIL parser lists the top's cells: primitives and the layer groups") {
    const auto cells = parse_rtlil_cells(read_fixture("fmnist_small_top.il"), "fmnist_small", "top.il");
    int groups = 0;
    bool results = false;
    for (const CellInstance& c : cells) {
        groups += c.type == c.name && c.name.find("_layer") != std::string::npos ? 1 : 0;
        results = results || c.name.rfind("results", 0) == 0;
        CHECK(c.type.front() != '\\');
        CHECK(c.name.front() != '\\');
    }
    CHECK(groups == 5);
    CHECK(!results);  // the result serializer is flattened into the top: its cells are the top's own
}

TEST_CASE("per-layer attribution: every layer gets its group, layers + top-level = Yosys's design total") {
    const std::string stat_text = read_fixture("fmnist_small_stat.json");
    YosysStat stat = parse_stat_json(stat_text, "stat.json");
    const auto cells = parse_rtlil_cells(read_fixture("fmnist_small_top.il"), "fmnist_small", "top.il");
    Attribution a = attribute_cells(stat, cells, "fmnist_small", fmnist_small_layers(), "stat.json");
    REQUIRE(a.layers.size() == 5);
    CHECK(a.layers[0].name == "conv1");
    CHECK(a.layers[1].kind == "maxpool");
    CHECK(a.layers[4].kind == "dense");
    Resources sum = a.top_level.resources;
    for (const PartResources& row : a.layers) {
        REQUIRE(row.instances.size() == 1);
        CHECK(row.instances[0] == row.name + "_layer");
        CHECK(row.resources.ff > 0);
        sum += row.resources;
    }
    for (size_t i : {size_t{0}, size_t{2}, size_t{4}}) {  // the layers with a matrix-vector unit
        CHECK(a.layers[i].resources.lut > 0);
    }
    CHECK(sum == a.total.resources);
    CHECK(sum_of_rows(a) == a.total.cells);
    CHECK(a.total.cells == *stat.design);
    CHECK(a.total.resources == resources_of(*stat.design));
    CHECK(a.top_level.resources.ff > 0);  // the AXI-Lite block and the result serializer
}

TEST_CASE("attribution: the longest layer prefix wins; unknown instances go to top-level") {
    YosysStat stat;
    stat.modules["top"] = {{"m1", 1}, {"m2", 1}, {"m3", 1}, {"LUT2", 4}};
    stat.modules["m1"] = {{"LUT6", 10}, {"sub", 2}};
    stat.modules["m2"] = {{"FDRE", 7}};
    stat.modules["m3"] = {{"RAMB36E2", 1}};
    stat.modules["sub"] = {{"LUT1", 1}};
    stat.design = CellCounts{{"LUT6", 10}, {"LUT1", 2}, {"FDRE", 7}, {"RAMB36E2", 1}, {"LUT2", 4}};
    const std::vector<CellInstance> cells = {
        {"m1", "conv1_mvau"}, {"m2", "conv1_a_fifo"}, {"m3", "ctrl"}, {"LUT2", "$abc$1"}};
    Attribution a = attribute_cells(stat, cells, "top", {layer("conv1", LayerKind::Conv), layer("conv1_a", LayerKind::Conv)},
                                    "stat.json");
    CHECK(a.layers[0].resources.lut == 12);
    CHECK(a.layers[0].resources.ff == 0);
    CHECK(a.layers[1].resources.ff == 7);
    CHECK(a.top_level.resources.ramb36 == 1);
    CHECK(a.top_level.resources.lut == 4);
    CHECK(a.top_level.instances == std::vector<std::string>{"ctrl"});
    CHECK(a.total.resources.lut == 16);

    // The statistics and the netlist must describe the same design.
    const std::vector<CellInstance> missing = {{"m1", "conv1_mvau"}, {"m3", "ctrl"}};
    Diagnostic d = error_of([&] { attribute_cells(stat, missing, "top", {layer("conv1", LayerKind::Conv)}, "stat.json"); });
    CHECK(d.code == "yosys-output");
    CHECK(d.message.find("the statistics count 1 instance(s) of 'm2', the netlist has 0") != std::string::npos);
    stat.design->at("FDRE") = 8;
    d = error_of([&] { attribute_cells(stat, cells, "top", {layer("conv1", LayerKind::Conv)}, "stat.json"); });
    CHECK(d.message.find("FDRE 7 (rows) vs 8 (design)") != std::string::npos);
}

TEST_CASE("the synthesis script groups each layer's instances, excluding longer layer names") {
    const std::string script = synthesis_script("net", {layer("conv1", LayerKind::Conv), layer("conv1_a", LayerKind::Conv)},
                                                {"mvau.v", "net.v"}, "synth_xilinx -top net -family xcup");
    CHECK(script.find("read_verilog -defer mvau.v net.v\n") != std::string::npos);
    CHECK(script.find("submod -name conv1_layer net/c:conv1_* net/c:conv1_a_* %d\n") != std::string::npos);
    CHECK(script.find("submod -name conv1_a_layer net/c:conv1_a_*\n") != std::string::npos);
    CHECK(script.find("setattr -mod -set keep_hierarchy 1 conv1_layer conv1_a_layer\nflatten\n") != std::string::npos);
    CHECK(script.find("synth_xilinx -top net -family xcup\ntee -q -o ../stat.json stat -json\n") != std::string::npos);
    // depth through combinational cells only: not through registers, memories, DSPs or the layer
    // modules (which ltp would count as single cells, chaining every layer's ready and data in the top)
    CHECK(script.find("tee -q -o ../ltp.txt ltp -noff t:FD* t:LD* t:RAM* t:SRL* t:DSP* t:*_layer %u %u %u %u %u %n\n") !=
          std::string::npos);
    CHECK(script.find("write_rtlil -selected ../top.il") != std::string::npos);
}

TEST_CASE("throughput is the clock over the interval; latency in microseconds") {
    hw::CycleModel model;
    model.interval = 841;
    model.latency_bound = 5244;
    model.bottleneck = "conv1";
    Throughput t = throughput_at(model, 200.0);
    CHECK(t.interval_cycles == 841);
    CHECK(t.images_per_second == doctest::Approx(200e6 / 841));
    CHECK(t.latency_cycles == 5244);
    CHECK(t.latency_us == doctest::Approx(26.22));
    CHECK(t.bottleneck == "conv1");
}

TEST_CASE("the Markdown and JSON forms carry every row and the throughput") {
    ResourceReport r;
    r.network = "n";
    r.part = "xczu3eg-sbva484-1-e";
    r.family = "xcup";
    r.yosys_version = "Yosys 0.23";
    r.synth_command = "synth_xilinx -top n -family xcup";
    PartResources conv;
    conv.name = "conv1";
    conv.kind = "conv";
    conv.cells = {{"LUT6", 3}, {"FDRE", 2}, {"CARRY4", 1}};
    conv.resources = resources_of(conv.cells);
    conv.instances = {"conv1_layer"};
    conv.lut_bound = 2;
    conv.logic_levels = 7;
    conv.estimated_mhz = 260.0;
    r.layers = {conv};
    r.top_level.name = "top-level";
    r.total = conv;
    r.total.name = "total";
    r.total.kind = "";
    r.throughput = throughput_at(hw::CycleModel{{}, 800, "conv1", 2000}, 200.0);
    const std::string md = format_markdown(r);
    CHECK(md.find("| layer | type | LUT | LUT bound | LUT / bound | FF | RAMB18 | RAMB36 | DSP | LUTRAM | levels | "
                  "est. MHz |") != std::string::npos);
    CHECK(md.find("| conv1 | conv | 3 | 2 | 1.5x | 2 | 0 | 0 | 0 | 0 | 7 | 260 |") != std::string::npos);
    CHECK(md.find("| top-level |  | 0 |  |  | 0 | 0 | 0 | 0 | 0 |  |  |") != std::string::npos);
    CHECK(md.find("| clock estimate (logic depth) | 260 MHz (conv1: 7 levels) |") != std::string::npos);
    CHECK(md.find("| **total** |  | **3** | 2 | 1.5x | **2** |") != std::string::npos);
    CHECK(md.find("Cells in no column: CARRY4 1.") != std::string::npos);
    CHECK(md.find("| images/s | 250000 |") != std::string::npos);
    CHECK(md.find("| latency (bound) | 2000 cycles = 10.00 us |") != std::string::npos);
    const std::string json = format_json(r);
    CHECK(json.find("{\"layer\": \"conv1\", \"type\": \"conv\", \"lut\": 3, \"lut_bound\": 2, \"ff\": 2,") !=
          std::string::npos);
    CHECK(json.find("\"instances\": [\"conv1_layer\"]") != std::string::npos);
    CHECK(json.find("\"cells\": {\"CARRY4\": 1, \"FDRE\": 2, \"LUT6\": 3}") != std::string::npos);
    CHECK(json.find("\"images_per_second\": 250000,") != std::string::npos);
}

TEST_CASE("ltp's longest paths are read per module, and the clock estimate follows the family") {
    const std::string text =
        "\n9. Executing LTP pass (find longest path).\n\n"
        "Longest topological path in conv1_layer (length=8):\n    0: \\step [0]\n"
        "Longest topological path in \\fmnist_small (length=3):\n"
        "Longest topological path in $paramod$abc\\mvau (length=-1):\n";
    const auto depth = parse_ltp(text, "ltp.txt");
    CHECK(depth.at("conv1_layer") == 8);
    CHECK(depth.at("fmnist_small") == 3);
    CHECK(depth.at("$paramod$abc\\mvau") == -1);
    CHECK(error_of([] { parse_ltp("nothing here\n", "ltp.txt"); }).message.find("found none") != std::string::npos);
    CHECK(error_of([] { parse_ltp("Longest topological path in m (length=x):\n", "ltp.txt"); })
              .message.find("expected a path length, found 'x'") != std::string::npos);
    // UltraScale+: 0.6 ns + 8 x 0.45 ns = 4.2 ns; 7 series: 0.9 + 8 x 0.7 = 6.5 ns
    CHECK(estimated_mhz(8, "xcup") == doctest::Approx(1000.0 / 4.2));
    CHECK(estimated_mhz(8, "xc7") == doctest::Approx(1000.0 / 6.5));
    CHECK(estimated_mhz(-1, "xcup") == 0.0);
}

TEST_CASE("the LUT lower bound follows each layer's lanes and accumulators at its folding") {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples/fmnist_small/network.yaml", bag);
    REQUIRE(net.has_value());
    auto layer = [&](const std::string& name) -> const Layer& {
        for (const Layer& l : net->layers) {
            if (l.name == name) {
                return l;
            }
        }
        FAIL("no layer " << name);
        return net->layers.front();
    };
    // conv1: 8-bit input, 3x3x1 taps, pe 16, simd 9, one fold step (constant weights): 4 ternary
    // additions of 9-bit terms per PE
    CHECK(lut_lower_bound(*net, layer("conv1")) == 16 * (4 * 9));
    // conv2: binary, keeps 4 of 16 kernels: 36 taps (6 bits), pe 8, simd 36
    CHECK(lut_lower_bound(*net, layer("conv2")) == 8 * (36 + 2 * 6));
    // pool1: 16 channels, 2x2: one LUT ORs the 4 taps
    CHECK(lut_lower_bound(*net, layer("pool1")) == 16);
    // fc1: 32x7x7 = 1568 inputs (11 bits), pe 5, simd 4
    CHECK(lut_lower_bound(*net, layer("fc1")) == 5 * (4 + 2 * 11));
}

TEST_CASE("make_resource_report checks the part and finds Yosys before it generates anything") {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples/fmnist_small/network.yaml", bag);
    REQUIRE(net.has_value());
    const fs::path work = fs::temp_directory_path() / "bnngen-test-report-not-run";
    fs::remove_all(work);
    ReportOptions options;
    options.work_dir = work;
    options.yosys = "/nonexistent/bin/yosys";
    Diagnostic d = error_of([&] { make_resource_report(*net, options); });
    CHECK(d.code == "yosys-not-found");
    CHECK(d.message.find("Yosys was not found at '/nonexistent/bin/yosys'") != std::string::npos);
    CHECK(d.message.find("apt-get install yosys") != std::string::npos);
    CHECK(d.message.find("scripts/setup.sh") != std::string::npos);
    net->target.part = "xcvc1902-vsva2197-2MP-e-S";
    d = error_of([&] { make_resource_report(*net, options); });
    CHECK(d.code == "unsupported-part");
    CHECK(d.where.file == net->source_file);
    CHECK(!fs::exists(work));
}
