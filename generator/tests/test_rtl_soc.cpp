// The SoC side of a generated design without a simulator: the s_axi_ctrl port and its register
// map (Markdown and C header), the network hash, and `soc: {axi_lite: false}`. The registers'
// behaviour is tested in co-simulation (tests/hw) and in the block test of axi_lite_ctrl.
#include "bnngen/net/load.hpp"
#include "bnngen/rtl/design.hpp"
#include "bnngen/rtl/register_map.hpp"

#include "e2e_networks.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace bnngen;
using bnngen::test::load_e2e;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the address width leaves room for every counter register") {
    CHECK(rtl::control_address_width(0) == 7);
    CHECK(rtl::control_address_width(16) == 7);  // 0x40 + 16 * 4 = 0x80: exactly 7 bits
    CHECK(rtl::control_address_width(17) == 8);
    CHECK(rtl::control_address_width(48) == 8);
    CHECK(rtl::control_address_width(49) == 9);
}

TEST_CASE("a design has s_axi_ctrl, an irq output and its register map unless the YAML turns them off") {
    Network net = load_e2e("spatial_pruned");
    auto design = rtl::generate_design(net, {});
    const std::string& top = design.files.at(design.top + ".v");
    REQUIRE(design.ctrl_address_width == rtl::control_address_width(design.counters.size()));
    CHECK(std::regex_search(top, std::regex(fmt::format(R"(input\s+wire\s+\[{}:0\]\s+s_axi_ctrl_awaddr,)",
                                                         design.ctrl_address_width - 1))));
    CHECK(std::regex_search(top, std::regex(R"(output\s+wire\s+irq\s)")));
    CHECK(contains(top, fmt::format(".COUNTERS({}),", design.counters.size())));
    CHECK(contains(top, fmt::format(".NETWORK_HASH(32'h{:08X}),", rtl::network_hash(net))));
    // the block comes before the top in compile order
    auto& sources = design.verilog_sources;
    CHECK(std::find(sources.begin(), sources.end(), "axi_lite_ctrl.v") < sources.end() - 1);

    const std::string& md = design.files.at(design.top + "_regs.md");
    const std::string& h = design.files.at(design.top + "_regs.h");
    for (size_t i = 0; i < design.counters.size(); ++i) {
        const rtl::Counter& c = design.counters[i];
        CAPTURE(c.signal);
        std::string name = c.layer + "_" + c.kind;
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
        CHECK(contains(md, fmt::format("| 0x{:02X} | {} | RO |", 0x40 + 4 * i, name)));
        CHECK(contains(h, fmt::format("#define SPATIAL_PRUNED_REG_{} 0x{:02X}u", name, 0x40 + 4 * i)));
        CHECK(contains(h, fmt::format("X(\"{}\", \"{}\", 0x{:02X}u)", c.layer, c.kind, 0x40 + 4 * i)));
    }
    CHECK(contains(h, "#define SPATIAL_PRUNED_ID_VALUE 0x424E4E47u"));
    CHECK(contains(h, fmt::format("#define SPATIAL_PRUNED_NETWORK_HASH_VALUE 0x{:08X}u", rtl::network_hash(net))));
    CHECK(contains(h, "#define SPATIAL_PRUNED_CONTROL_SOFT_RESET (1u << 1)"));
    CHECK(contains(md, "| 0x0C | CONTROL | RW | 0x1 |"));
    CHECK(contains(md, "| 0x30 | IRQ_STATUS | RW1C | 0 |"));

    net.soc.axi_lite = false;
    auto plain = rtl::generate_design(net, {});
    const std::string& plain_top = plain.files.at(plain.top + ".v");
    CHECK(plain.ctrl_address_width == 0);
    CHECK_FALSE(contains(plain_top, "s_axi_ctrl"));
    CHECK_FALSE(contains(plain_top, "irq"));
    CHECK(plain.files.count(plain.top + "_regs.h") == 0);
    CHECK(std::find(plain.verilog_sources.begin(), plain.verilog_sources.end(), "axi_lite_ctrl.v") ==
          plain.verilog_sources.end());
}

TEST_CASE("the C header compiles as C99 and C++ without a warning") {
    Network net = load_e2e("kernel_pruned");
    auto design = rtl::generate_design(net, {});
    const fs::path dir = fs::temp_directory_path() / "bnngen_test_regs_header";
    fs::create_directories(dir);
    const std::string header = design.top + "_regs.h";
    std::ofstream(dir / header) << design.files.at(header);
    // every macro used, so that a malformed one fails to compile
    std::ofstream(dir / "use.c") << fmt::format(
        "#include \"{}\"\n#include <stdint.h>\n"
        "#define OFFSET(layer, kind, offset) offset,\n"
        "static const uint32_t offsets[] = {{ {}_COUNTERS(OFFSET) }};\n"
        "int main(void) {{ return (int)(offsets[0] + {}_REG_IRQ_STATUS + {}_IRQ_STATUS_BATCH + {}_ID_VALUE) & 0; }}\n",
        header, "KERNEL_PRUNED", "KERNEL_PRUNED", "KERNEL_PRUNED", "KERNEL_PRUNED");
    for (const char* compiler : {"cc -std=c99", "c++ -x c++ -std=c++17"}) {
        CAPTURE(compiler);
        const std::string command = fmt::format("cd '{}' && {} -Wall -Wextra -pedantic -Werror -o use use.c 2>&1",
                                                dir.string(), compiler);
        CHECK(std::system(command.c_str()) == 0);
    }
    fs::remove_all(dir);
}

TEST_CASE("the network hash changes with any weight, threshold, fold or pruning, and only with them") {
    Network base = load_e2e("kernel_pruned");
    const uint32_t hash = rtl::network_hash(base);
    CHECK(rtl::network_hash(load_e2e("kernel_pruned")) == hash);

    Network weight = base;
    weight.layers[1].weight[5] = static_cast<int8_t>(-weight.layers[1].weight[5]);
    Network threshold = base;
    threshold.layers[0].threshold[0] += 1;
    Network fold = base;
    fold.layers.back().fold.pe = fold.layers.back().fold.pe == 1 ? 2 : 1;
    Network spatial = base;
    spatial.layers[1].spatial = SpatialPrune{0};
    Network shared = base;
    shared.layers[1].share = ResultSharing{false};
    Network inverse = base;
    inverse.layers[1].share = ResultSharing{true};
    for (const Network* changed : {&weight, &threshold, &fold, &spatial, &shared, &inverse}) {
        CHECK(rtl::network_hash(*changed) != hash);
    }
    CHECK(rtl::network_hash(shared) != rtl::network_hash(inverse));
    Network target = base;
    target.target.clock_mhz = 123;  // the clock does not change what the design computes
    CHECK(rtl::network_hash(target) == hash);
}

TEST_CASE("every shipped example gets its register map, C header, Vivado script and clock constraint") {
    for (const auto& entry : fs::directory_iterator(fs::path(BNNGEN_SOURCE_DIR) / "examples")) {
        const fs::path yaml = entry.path() / "network.yaml";
        if (!fs::exists(yaml)) {
            continue;
        }
        CAPTURE(yaml.string());
        DiagnosticBag bag;
        auto net = load_network(yaml, bag);
        REQUIRE(net.has_value());
        auto design = rtl::generate_design(*net, {});
        for (const char* suffix : {"_regs.md", "_regs.h", "_vivado.tcl", ".xdc"}) {
            CHECK(design.files.count(design.top + suffix) == 1);
        }
        const std::string& tcl = design.files.at(design.top + "_vivado.tcl");
        for (const std::string& source : design.verilog_sources) {
            CHECK(contains(tcl, source));
        }
        CHECK(contains(tcl, net->target.part));
    }
}
