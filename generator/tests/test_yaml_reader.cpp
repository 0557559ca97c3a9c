// The pieces under network.yaml's diagnostics: spelling suggestions (util/did_you_mean) and the
// typed, located getters of MapReader (src/net/yaml_reader), on YAML text given inline.
#include "../src/net/yaml_reader.hpp"
#include "bnngen/util/did_you_mean.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

using namespace bnngen;

namespace {

// Reads key `key` of the one-line mapping `text` as an integer in [min, max].
struct IntegerResult {
    std::optional<int64_t> value;
    DiagnosticBag bag;
};

IntegerResult read_integer(const std::string& text, std::string_view key, int64_t min, int64_t max) {
    IntegerResult r;
    MapReader m(YAML::Load(text), "layer 'conv1'", "net.yaml", r.bag);
    r.value = m.integer(key, true, min, max);
    return r;
}

std::string only_message(const DiagnosticBag& bag) {
    REQUIRE(bag.all().size() == 1);
    return bag.all().front().message;
}

constexpr std::array<std::string_view, 5> kLayerKeys = {"kernel", "stride", "padding", "pad_value", "out_channels"};

}  // namespace

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps of neighbours") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("kernel", "kernel") == 0);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("kernal", "kernel") == 1);
    CHECK(edit_distance("kernels", "kernel") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("simd", "smid") == 1);
    CHECK(edit_distance("widht", "width") == 1);
    CHECK(edit_distance("ab", "ba") == 1);
}

TEST_CASE("closest match suggests a plausible typo and nothing for an unrelated word") {
    CHECK(closest_match("kernal", kLayerKeys) == std::optional<std::string>("kernel"));
    CHECK(closest_match("strides", kLayerKeys) == std::optional<std::string>("stride"));
    CHECK(closest_match("out_channel", kLayerKeys) == std::optional<std::string>("out_channels"));
    CHECK(closest_match("padvalue", kLayerKeys) == std::optional<std::string>("pad_value"));
    CHECK_FALSE(closest_match("dilation", kLayerKeys));
    CHECK_FALSE(closest_match("groups", kLayerKeys));
    CHECK_FALSE(closest_match("kernel_size", kLayerKeys));  // 5 edits away: too far to be a typo
}

TEST_CASE("closest match of a known word is the word itself, and of an empty word nothing") {
    constexpr std::array<std::string_view, 2> kModes = {"background", "none"};
    CHECK(closest_match("background", kModes) == std::optional<std::string>("background"));
    CHECK_FALSE(closest_match("", kModes));
    CHECK_FALSE(closest_match("x", std::span<const std::string_view>{}));
}

TEST_CASE("closest match allows more edits for longer words, at most three") {
    constexpr std::array<std::string_view, 1> kLong = {"activation_threshold"};
    CHECK(closest_match("activaton_treshold", kLong));     // 2 edits in 18 letters
    CHECK(closest_match("activatoin_threshhold", kLong));  // 3 edits
    CHECK_FALSE(closest_match("actvaton_treshol", kLong));  // 4 edits: never, however long the word
    constexpr std::array<std::string_view, 1> kShort = {"pe"};
    CHECK(closest_match("p", kShort));        // short words still get one edit
    CHECK_FALSE(closest_match("ps2", kShort));  // two edits on a three-letter word: no
}

TEST_CASE("integers may be written in hex") {
    auto r = read_integer("{simd: 0x10, pe: 0X1b}", "simd", 1, 1000);
    CHECK(r.value == 16);
    CHECK(r.bag.empty());
    CHECK(read_integer("{pe: 0X1b}", "pe", 1, 1000).value == 27);
}

TEST_CASE("a quoted number is a string, not an integer") {
    for (const char* text : {"{kernel: '3'}", "{kernel: \"3\"}"}) {
        CAPTURE(text);
        auto r = read_integer(text, "kernel", 1, 64);
        CHECK_FALSE(r.value);
        CHECK(only_message(r.bag) == "'kernel' of layer 'conv1' must be an integer, found string '3'");
        CHECK(r.bag.all().front().code == "wrong-type");
    }
}

TEST_CASE("a decimal or exponent number is not an integer, even when its value is whole") {
    auto half = read_integer("{stride: 1.5}", "stride", 1, 64);
    CHECK_FALSE(half.value);
    CHECK(only_message(half.bag) == "'stride' of layer 'conv1' must be an integer, found number 1.5");
    auto whole = read_integer("{stride: 2.0}", "stride", 1, 64);
    CHECK_FALSE(whole.value);
    CHECK(only_message(whole.bag) == "'stride' of layer 'conv1' must be an integer, found number 2.0");
    CHECK_FALSE(read_integer("{stride: 1e1}", "stride", 1, 64).value);
}

TEST_CASE("negative and explicitly positive integers are read where the range allows them") {
    auto minus = read_integer("{pad_value: -1}", "pad_value", -1, 1);
    CHECK(minus.value == -1);
    CHECK(minus.bag.empty());
    auto plus = read_integer("{pad_value: +1}", "pad_value", -1, 1);
    CHECK(plus.value == 1);
    CHECK(plus.bag.empty());
    CHECK(read_integer("{pad_value: -0x1}", "pad_value", -1, 1).value == -1);
}

TEST_CASE("an integer outside its range names the range and the value found") {
    auto low = read_integer("{stride: -1}", "stride", 1, 64);
    CHECK_FALSE(low.value);
    CHECK(only_message(low.bag) == "'stride' of layer 'conv1' must be between 1 and 64, found -1");
    CHECK(low.bag.all().front().code == "out-of-range");
    auto unbounded = read_integer("{out_channels: 0}", "out_channels", 1, INT64_MAX);
    CHECK(only_message(unbounded.bag) == "'out_channels' of layer 'conv1' must be at least 1, found 0");
}

TEST_CASE("integer text that is not a number, or too large, is rejected without a crash") {
    for (const char* text : {"{k: 0x}", "{k: -}", "{k: 12abc}", "{k: 0x1g}", "{k: 99999999999999999999999}",
                             "{k: true}", "{k: ~}", "{k: [3]}", "{k: {a: 1}}"}) {
        CAPTURE(text);
        auto r = read_integer(text, "k", INT64_MIN, INT64_MAX);
        CHECK_FALSE(r.value);
        CHECK(r.bag.all().size() == 1);
    }
}

TEST_CASE("a getter's diagnostic points at the value, line and column counted from 1") {
    DiagnosticBag bag;
    MapReader m(YAML::Load("name: conv1\nkernel: '3'\n"), "layer 'conv1'", "net.yaml", bag);
    CHECK_FALSE(m.integer("kernel", true, 1, 64));
    REQUIRE(bag.all().size() == 1);
    const SourceLocation& at = bag.all().front().where;
    CHECK(at.file == "net.yaml");
    CHECK(at.line == 2);
    CHECK(at.column == 9);
}

TEST_CASE("a missing required integer is reported at the mapping and a missing optional one is not") {
    DiagnosticBag bag;
    MapReader m(YAML::Load("{name: conv1}"), "layer 'conv1'", "net.yaml", bag);
    CHECK_FALSE(m.integer("stride", false, 1, 64));
    CHECK(bag.empty());
    CHECK_FALSE(m.integer("kernel", true, 1, 64));
    CHECK(only_message(bag) == "layer 'conv1' is missing required key 'kernel'");
}

TEST_CASE("yaml values are described by what they are in messages") {
    CHECK(describe_yaml_value(YAML::Load("3")) == "integer 3");
    CHECK(describe_yaml_value(YAML::Load("0x10")) == "integer 0x10");
    CHECK(describe_yaml_value(YAML::Load("2.5")) == "number 2.5");
    CHECK(describe_yaml_value(YAML::Load("yes")) == "boolean yes");
    CHECK(describe_yaml_value(YAML::Load("'3'")) == "string '3'");
    CHECK(describe_yaml_value(YAML::Load("conv")) == "string 'conv'");
    CHECK(describe_yaml_value(YAML::Load("~")) == "nothing (null)");
    CHECK(describe_yaml_value(YAML::Load("[1]")) == "a sequence");
    CHECK(describe_yaml_value(YAML::Load("{a: 1}")) == "a mapping");
}
