// The bad-input corpus, Verilator style: every generator/tests/data/bad/<case>.yaml (with its
// <case>.npz where the case needs weights) must fail to load with exactly the diagnostics of
// <case>.expected, rendered with source line and caret. Cases named warning_* must load and still
// produce exactly their expected warnings. The networks in good/ must load without a diagnostic.
//
// The goldens are never edited by hand: run the tests with BNNGEN_UPDATE_GOLDEN=1 to rewrite them
// from the current messages, then read the diff. The .npz files come from make_bad_corpus.py.
#include "bnngen/diag/render.hpp"
#include "bnngen/net/load.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace bnngen;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(BNNGEN_TEST_DATA);

bool updating_goldens() {
    const char* flag = std::getenv("BNNGEN_UPDATE_GOLDEN");
    return flag != nullptr && std::string_view(flag) == "1";
}

// The *.yaml files of a corpus directory, sorted so that failures and goldens come in a stable order.
std::vector<fs::path> cases_in(const fs::path& dir) {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
            cases.push_back(entry.path());
        }
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE_MESSAGE(out.good(), "cannot write " << path.string());
}

// Paths in the goldens are relative to the test data directory, so they hold on any checkout.
std::string relative_to_data(std::string text) {
    const std::string prefix = kData.string() + "/";
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) {
        text.erase(at, prefix.size());
    }
    return text;
}

std::string load_and_render(const fs::path& yaml, bool& loaded, DiagnosticBag& bag) {
    loaded = load_network(yaml, bag).has_value();
    return relative_to_data(render_all(bag));
}

}  // namespace

TEST_CASE("every bad network description fails with exactly its expected diagnostics") {
    const fs::path dir = kData / "bad";
    const std::vector<fs::path> cases = cases_in(dir);
    CHECK(cases.size() >= 30);
    for (const fs::path& yaml : cases) {
        const std::string name = yaml.stem().string();
        CAPTURE(name);
        const bool warning_only = name.starts_with("warning_");
        DiagnosticBag bag;
        bool loaded = false;
        const std::string actual = load_and_render(yaml, loaded, bag);
        const fs::path expected_path = fs::path(yaml).replace_extension(".expected");
        CHECK_MESSAGE(!bag.empty(), "no diagnostic at all");
        if (warning_only) {
            CHECK_MESSAGE(loaded, "a case with only warnings must still load");
            CHECK(bag.error_count() == 0);
            CHECK(bag.warning_count() > 0);
        } else {
            CHECK_MESSAGE(!loaded, "a bad network must not load");
            CHECK(bag.error_count() > 0);
        }
        if (updating_goldens()) {
            write_text(expected_path, actual);
            continue;
        }
        REQUIRE_MESSAGE(fs::exists(expected_path),
                        "no golden " << expected_path.string() << "; create it with BNNGEN_UPDATE_GOLDEN=1");
        const std::string expected = read_text(expected_path);
        CHECK(actual == expected);
    }
}

TEST_CASE("every golden of the bad-input corpus belongs to a case") {
    for (const auto& entry : fs::directory_iterator(kData / "bad")) {
        const fs::path& path = entry.path();
        if (path.extension() != ".expected" && path.extension() != ".npz") {
            continue;
        }
        CAPTURE(path.filename().string());
        CHECK(fs::exists(fs::path(path).replace_extension(".yaml")));
    }
}

TEST_CASE("the bad-input corpus is deterministic: loading a case twice gives the same text") {
    const fs::path yaml = kData / "bad" / "many_errors.yaml";
    DiagnosticBag first;
    DiagnosticBag second;
    bool loaded = false;
    const std::string a = load_and_render(yaml, loaded, first);
    const std::string b = load_and_render(yaml, loaded, second);
    CHECK(a == b);
    CHECK(first.error_count() >= 10);
}

TEST_CASE("every good network description loads without a diagnostic") {
    const std::vector<fs::path> nets = cases_in(kData / "good");
    CHECK(nets.size() >= 3);
    for (const fs::path& yaml : nets) {
        const std::string name = yaml.stem().string();
        CAPTURE(name);
        DiagnosticBag bag;
        bool loaded = false;
        const std::string text = load_and_render(yaml, loaded, bag);
        CHECK(loaded);
        CHECK_MESSAGE(bag.empty(), text);
    }
}

TEST_CASE("the good networks have the shapes and options their descriptions promise") {
    SUBCASE("a dense first layer on 1-bit input") {
        DiagnosticBag bag;
        auto net = load_network(kData / "good" / "dense_first_1bit.yaml", bag);
        REQUIRE(net);
        REQUIRE(net->layers.size() == 2);
        CHECK(net->input.bits == 1);
        CHECK(net->layers[0].kind == LayerKind::Dense);
        CHECK(net->layers[0].integer_input);
        CHECK(net->layers[0].in == Shape{1, 4, 4});
        CHECK(net->layers[1].activation == Activation::None);
        CHECK(net->classes() == 5);
    }
    SUBCASE("stride 2, no padding, a 5 x 5 kernel, +1 padding and odd channel counts") {
        DiagnosticBag bag;
        auto net = load_network(kData / "good" / "stride2_odd.yaml", bag);
        REQUIRE(net);
        REQUIRE(net->layers.size() == 5);
        const Layer& conv1 = net->layers[0];
        CHECK(conv1.kernel == 5);
        CHECK(conv1.stride == 2);
        CHECK(conv1.padding == 0);
        CHECK(conv1.pad_value == 0);  // the integer input pads with 0
        CHECK(conv1.out == Shape{5, 4, 4});
        const Layer& conv2 = net->layers[1];
        CHECK(conv2.pad_value == 1);
        CHECK(conv2.keep == 3);
        REQUIRE(conv2.spatial);
        CHECK(conv2.spatial->tolerance == 1);
        CHECK(conv2.fold.simd == 27);  // written 0x1b
        CHECK(net->layers[2].out == Shape{7, 2, 2});
        CHECK(net->layers[3].pad_value == -1);
        CHECK(net->layers[4].in == Shape{9, 2, 2});
        CHECK(net->target.part == "xc7z020clg400-1");
        CHECK(net->target.clock_mhz == doctest::Approx(125.5));
    }
}
