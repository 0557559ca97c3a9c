// Automatic folding (hw/auto_fold.hpp) on the shipped models: every folding it weighs is one
// `check` accepts, the chosen ones meet the target (or the plan says why not), kernel pruning and
// measured skipping lower the lanes it needs where FINN's rule does not, a LUT budget is kept, and
// `fold: auto` / the folded description round-trip through the YAML front end.
#include "bnngen/hw/auto_fold.hpp"
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/hw/resource_model.hpp"
#include "bnngen/net/folded_yaml.hpp"
#include "bnngen/net/load.hpp"
#include "bnngen/net/random_network.hpp"
#include "bnngen/rtl/design.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace bnngen;
namespace fs = std::filesystem;

namespace {

const fs::path kExamples = fs::path(BNNGEN_SOURCE_DIR) / "examples";

Network load(const fs::path& yaml) {
    DiagnosticBag bag;
    auto net = load_network(yaml, bag);
    REQUIRE_MESSAGE(net, yaml.string());
    return *net;
}

std::string read(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A copy of a shipped description in a temporary folder, edited by `edit`, its weights named by
// absolute path.
// The folder of those copies, removed when the test program ends (it was left in /tmp each run).
struct CopiesFolder {
    fs::path path = fs::temp_directory_path() / fmt::format("bnngen-auto-fold-{}", ::getpid());
    CopiesFolder() { fs::create_directories(path); }
    ~CopiesFolder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    CopiesFolder(const CopiesFolder&) = delete;
    CopiesFolder& operator=(const CopiesFolder&) = delete;
};

fs::path edited_copy(const std::string& example, const std::string& name,
                     const std::function<std::string(std::string)>& edit) {
    static const CopiesFolder copies;
    const fs::path& dir = copies.path;
    std::string text = read(kExamples / example / "network.yaml");
    text = std::regex_replace(text, std::regex("weights: weights.npz"),
                              "weights: " + (kExamples / example / "weights.npz").string());
    const fs::path out = dir / name;
    std::ofstream(out) << edit(text);
    return out;
}

int64_t lanes(const Network& net) {
    int64_t sum = 0;
    for (const Layer& l : net.layers) {
        sum += l.is_compute() ? int64_t{l.fold.pe} * l.fold.simd : 0;
    }
    return sum;
}

const hw::LayerFold& fold_of(const hw::FoldPlan& plan, const std::string& layer) {
    for (const hw::LayerFold& lf : plan.layers) {
        if (lf.layer == layer) {
            return lf;
        }
    }
    FAIL("no layer " << layer);
    return plan.layers.front();
}

}  // namespace

TEST_CASE("valid_folds: pe divides the outputs, simd the kept taps; sharing takes whole kernels") {
    const Network small = load(kExamples / "fmnist_small" / "network.yaml");
    // conv2: 32 outputs, keep 4 of 16 kernels of 3 x 3: simd divides 36 (6 x 9 divisors)
    const std::vector<Fold> folds = hw::valid_folds(small, 2);
    CHECK(folds.size() == 54);
    for (const Fold& f : folds) {
        CHECK(32 % f.pe == 0);
        CHECK(36 % f.simd == 0);
    }
    CHECK(hw::valid_folds(small, 1).empty());  // a max-pool has no folding

    const Network shared = load(kExamples / "fmnist_cnv_shared" / "network.yaml");
    bool any_share = false;
    for (size_t i = 0; i < shared.layers.size(); ++i) {
        const Layer& l = shared.layers[i];
        if (!l.share) {
            continue;
        }
        any_share = true;
        const int taps = l.kernel * l.kernel;
        const std::vector<Fold> share_folds = hw::valid_folds(shared, i);
        REQUIRE(!share_folds.empty());
        for (const Fold& f : share_folds) {
            CHECK(f.simd % taps == 0);
            CHECK(l.in.channels % (f.simd / taps) == 0);
        }
    }
    CHECK(any_share);
}

TEST_CASE("plan_folding meets an images-per-second target at the fewest predicted LUTs") {
    Network net = load(kExamples / "fmnist_cnv" / "network.yaml");
    net.target.images_per_second = 50000;  // 4000 cycles at 200 MHz
    hw::FoldOptions options;
    options.all_layers = true;
    const Network before = net;
    const hw::FoldPlan plan = hw::plan_folding(net, options);
    CHECK(plan.target_interval == 4000);
    CHECK(plan.met());
    CHECK(plan.interval <= 4000);
    CHECK(plan.interval == hw::predict_cycles(net).interval);
    for (const hw::LayerFold& lf : plan.layers) {
        CHECK(lf.folded);
        CHECK(lf.cycles <= 4000);
        // No valid folding of the layer that meets the target is predicted cheaper.
        Network probe = net;
        for (const Fold& f : hw::valid_folds(before, lf.index)) {
            probe.layers[lf.index].fold = f;
            const std::vector<double> ones(probe.layers.size(), 1.0);
            if (hw::predict_cycles(probe, ones).layers[lf.index + 1].cycles <= 4000) {
                CHECK(hw::estimate_layer_resources(probe, lf.index).lut >= lf.luts - 1e-9);
            }
        }
    }
    // A slower target needs fewer lanes.
    Network slow = before;
    slow.target.images_per_second = 10000;
    const hw::FoldPlan slow_plan = hw::plan_folding(slow, options);
    CHECK(slow_plan.met());
    CHECK(lanes(slow) < lanes(net));
    CHECK(slow_plan.luts < plan.luts);
}

TEST_CASE("kernel pruning lowers the lanes our rule needs; FINN's rule counts every kernel") {
    Network pruned = load(kExamples / "fmnist_cnv_pruned" / "network.yaml");
    pruned.target.images_per_second = 50000;
    Network finn = pruned;
    hw::FoldOptions ours;
    ours.all_layers = true;
    hw::FoldOptions finn_rule = ours;
    finn_rule.rule = hw::FoldRule::Finn;
    const hw::FoldPlan ours_plan = hw::plan_folding(pruned, ours);
    const hw::FoldPlan finn_plan = hw::plan_folding(finn, finn_rule);
    CHECK(ours_plan.met());
    CHECK(finn_plan.met());
    CHECK(lanes(pruned) < lanes(finn));
    CHECK(ours_plan.luts < finn_plan.luts);
    // FINN's rule on a pruned layer: the smallest pe * simd whose unpruned cycles meet the target.
    for (size_t i = 0; i < finn.layers.size(); ++i) {
        const Layer& l = finn.layers[i];
        if (l.kind == LayerKind::Conv && l.kept_channels() < l.in.channels) {
            const int64_t positions = int64_t{l.out.height} * l.out.width;
            const int64_t unpruned = positions * (l.outputs / l.fold.pe) * (int64_t{l.in.channels} * 9 / l.fold.simd);
            CHECK(unpruned <= 4000);
            CHECK(fold_of(finn_plan, l.name).cycles < unpruned);  // the hardware still skips the pruned kernels
        }
    }
}

TEST_CASE("measured skipping lowers the lanes a layer needs") {
    Network net = load(kExamples / "fmnist_cnv_spatial" / "network.yaml");
    net.target.images_per_second = 50000;
    Network measured = net;
    hw::FoldOptions worst;
    worst.all_layers = true;
    hw::FoldOptions half = worst;
    int calls = 0;
    half.measured_share = [&calls](const Network& n, size_t index) {
        ++calls;
        return n.layers[index].spatial ? 0.5 : 1.0;
    };
    const hw::FoldPlan worst_plan = hw::plan_folding(net, worst);
    const hw::FoldPlan half_plan = hw::plan_folding(measured, half);
    CHECK(calls > 0);
    CHECK(worst_plan.met());
    CHECK(half_plan.met());
    bool fewer = false;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        if (l.spatial) {
            const int64_t a = int64_t{l.fold.pe} * l.fold.simd;
            const int64_t b = int64_t{measured.layers[i].fold.pe} * measured.layers[i].fold.simd;
            CHECK(b <= a);
            fewer = fewer || b < a;
            const hw::LayerFold& lf = fold_of(half_plan, l.name);
            CHECK(lf.cycles <= 4000);
            CHECK(lf.worst_cycles >= lf.cycles);
        }
    }
    CHECK(fewer);
}

TEST_CASE("random networks with fold: auto are folded to their target and stay buildable") {
    // random_network draws `fold: auto` on some layers with a target its own drawn foldings meet,
    // so every plan must meet it; and a network the hardware supported with the drawn foldings
    // must still be supported with the chosen ones. (verif/random co-simulates these networks.)
    int folded = 0;
    for (uint64_t seed = 1; seed <= 600; ++seed) {
        Network drawn = random_network(seed);
        bool has_auto = false;
        for (Layer& l : drawn.layers) {
            has_auto = has_auto || l.fold_auto;
        }
        if (!has_auto) {
            continue;
        }
        ++folded;
        Network as_drawn = drawn;
        for (Layer& l : as_drawn.layers) {
            l.fold_auto = false;
        }
        DiagnosticBag before;
        const bool supported = rtl::check_hardware_support(as_drawn, before);
        const hw::FoldPlan plan = hw::plan_folding(drawn);
        INFO("seed " << seed << ": " << fmt::format("{}", fmt::join(plan.problems, "; ")));
        CHECK(plan.met());
        CHECK(plan.interval <= plan.target_interval);
        CHECK(plan.interval == hw::predict_cycles(drawn).interval);
        for (const Layer& l : drawn.layers) {
            CHECK_FALSE(l.fold_auto);
        }
        DiagnosticBag after;
        CHECK(check_structure(drawn, after));
        if (supported) {
            CHECK_MESSAGE(rtl::check_hardware_support(drawn, after),
                          (after.all().empty() ? std::string() : after.all().front().message));
        }
    }
    CHECK(folded > 100);
}

TEST_CASE("a target below a window scan is not met, and the plan says which layer and why") {
    Network net = load(kExamples / "fmnist_small" / "network.yaml");
    net.target.images_per_second = 1e6;  // 200 cycles; conv1 scans 28 x 28 positions
    hw::FoldOptions options;
    options.all_layers = true;
    const hw::FoldPlan plan = hw::plan_folding(net, options);
    CHECK_FALSE(plan.met());
    REQUIRE(!plan.problems.empty());
    CHECK(plan.problems.front().find("layer 'conv1': its window scan stage takes 841 cycles") != std::string::npos);
    // Each layer still gets its fastest folding.
    CHECK(fold_of(plan, "conv1").cycles == 841);
}

TEST_CASE("without a target, the folded layers keep up with the rest of the pipeline") {
    Network net = load(kExamples / "fmnist_small" / "network.yaml");
    hw::FoldOptions options;
    options.all_layers = true;
    const hw::FoldPlan plan = hw::plan_folding(net, options);
    CHECK(plan.target_interval == 841);  // conv1's window scan, 29 x 29
    CHECK(plan.met());
    CHECK(plan.interval == 841);
}

TEST_CASE("a LUT budget gets the fastest interval that fits it") {
    const fs::path yaml = kExamples / "fmnist_small" / "network.yaml";
    Network wide = load(yaml);
    hw::FoldOptions options;
    options.all_layers = true;
    wide.target.images_per_second = 40000;  // 5000 cycles
    const hw::FoldPlan reference = hw::plan_folding(wide, options);
    REQUIRE(reference.met());

    Network budgeted = load(yaml);
    budgeted.target.luts = static_cast<int64_t>(std::ceil(reference.luts));
    const hw::FoldPlan plan = hw::plan_folding(budgeted, options);
    CHECK(plan.met());
    CHECK(plan.luts <= static_cast<double>(budgeted.target.luts));
    CHECK(plan.interval <= reference.interval);  // at least as fast as the plan whose LUTs set the budget
    Network tighter = load(yaml);
    tighter.target.luts = static_cast<int64_t>(reference.luts * 0.9);
    const hw::FoldPlan slower = hw::plan_folding(tighter, options);
    CHECK(slower.met());
    CHECK(slower.interval > plan.interval);  // fewer LUTs, a slower interval

    Network tiny = load(yaml);
    tiny.target.luts = 10;
    const hw::FoldPlan impossible = hw::plan_folding(tiny, options);
    REQUIRE_FALSE(impossible.met());
    CHECK(impossible.problems.back().find("more than target.luts 10") != std::string::npos);
}

TEST_CASE("fold: auto in network.yaml: parsed, folded, written out and read back") {
    const fs::path yaml = edited_copy("fmnist_small", "auto.yaml", [](std::string text) {
        text = std::regex_replace(text, std::regex(R"(fold: \{pe: 16, simd: 9\})"), "fold: auto");
        return std::regex_replace(text, std::regex(R"(clock_mhz: 200\})"), "clock_mhz: 200, images_per_second: 100000}");
    });
    Network net = load(yaml);
    CHECK(net.layers[0].fold_auto);
    CHECK_FALSE(net.layers[2].fold_auto);
    CHECK(net.target.images_per_second == 100000);
    const hw::FoldPlan plan = hw::plan_folding(net);
    CHECK(plan.met());
    CHECK_FALSE(net.layers[0].fold_auto);
    CHECK(fold_of(plan, "conv1").was_auto);
    CHECK(net.layers[2].fold.pe == 8);  // fixed layers keep their folding
    CHECK(net.layers[2].fold.simd == 36);

    const fs::path out = yaml.parent_path() / "sub" / "folded.yaml";
    fs::create_directories(out.parent_path());
    const std::string text = folded_network_yaml(net, out, "folded for a test\nsecond line");
    CHECK(text.rfind("# folded for a test\n# second line\n", 0) == 0);
    std::ofstream(out) << text;
    const Network again = load(out);
    for (size_t i = 0; i < net.layers.size(); ++i) {
        CHECK(again.layers[i].fold.pe == net.layers[i].fold.pe);
        CHECK(again.layers[i].fold.simd == net.layers[i].fold.simd);
        CHECK_FALSE(again.layers[i].fold_auto);
    }
    CHECK(again.target.images_per_second == 100000);
    CHECK(again.layers[0].weight == net.layers[0].weight);
}

TEST_CASE("fold and target mistakes are located errors") {
    const fs::path scalar = edited_copy("fmnist_small", "scalar.yaml", [](std::string text) {
        return std::regex_replace(text, std::regex(R"(fold: \{pe: 16, simd: 9\})"), "fold: fast");
    });
    DiagnosticBag bag;
    CHECK_FALSE(load_network(scalar, bag));
    REQUIRE(bag.error_count() == 1);
    CHECK(bag.all().front().code == "wrong-type");
    CHECK(bag.all().front().message ==
          "'fold' of layer 'conv1' must be a mapping {pe: P, simd: S} or 'auto', found string 'fast'");
    CHECK(bag.all().front().where.line == 10);

    const fs::path both = edited_copy("fmnist_small", "both.yaml", [](std::string text) {
        return std::regex_replace(text, std::regex(R"(clock_mhz: 200\})"),
                                  "clock_mhz: 200, images_per_second: 1000, luts: 5000}");
    });
    DiagnosticBag both_bag;
    CHECK_FALSE(load_network(both, both_bag));
    REQUIRE(both_bag.error_count() == 1);
    CHECK(both_bag.all().front().code == "target-conflict");

    const fs::path negative = edited_copy("fmnist_small", "negative.yaml", [](std::string text) {
        return std::regex_replace(text, std::regex(R"(clock_mhz: 200\})"), "clock_mhz: 200, images_per_second: -5}");
    });
    DiagnosticBag negative_bag;
    CHECK_FALSE(load_network(negative, negative_bag));
    REQUIRE(negative_bag.error_count() == 1);
    CHECK(negative_bag.all().front().code == "out-of-range");
}
