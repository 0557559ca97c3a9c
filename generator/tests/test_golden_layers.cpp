// Every layer type and option of DESIGN.md section 2 against values computed by hand. Each case
// runs both golden models, which must give the same, hand-computed, numbers.
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/reference_model.hpp"
#include "golden_fixtures.hpp"

#include <doctest/doctest.h>

using namespace bnngen;
using bnngen::golden::Tensor;
using namespace bnngen::test;

namespace {

// Both models' outputs of every layer; checks they agree and returns them.
std::vector<Tensor> run_both(const Network& net, const std::vector<uint16_t>& image) {
    DiagnosticBag bag;
    REQUIRE(check_weight_values(net, bag));
    golden::ReferenceModel reference(net);
    golden::FastModel fast(net);
    std::vector<Tensor> expected = reference.run_layers(image.data());
    std::vector<Tensor> actual = fast.run_layers(image.data());
    REQUIRE(expected.size() == actual.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(net.layers[i].name);
        CHECK(expected[i] == actual[i]);
    }
    return expected;
}

}  // namespace

TEST_CASE("the first conv layer multiplies integer pixels by +-1 weights") {
    Layer c = conv("c", 1, 3);
    c.activation = Activation::None;
    c.weight = {1, 1, 1, 1, -1, 1, 1, 1, 1};
    Network net = build({1, 3, 3, 8}, {c});
    auto out = run_both(net, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(out[0] == Tensor{45 - 2 * 5});
}

TEST_CASE("the first conv layer pads with the integer 0 and honours stride") {
    Layer c = conv("c", 1, 3, 2, 1);
    c.activation = Activation::None;
    c.weight = {1, 1, 1, 1, -1, 1, 1, 1, -1};
    c.bias = {5};
    Network net = build({1, 2, 2, 8}, {c});
    // Window centred on (0, 0): only taps (1,1)=1*-1, (1,2)=2*1, (2,1)=3*1, (2,2)=4*-1 are inside.
    auto out = run_both(net, {1, 2, 3, 4});
    CHECK(out[0] == Tensor{0 + 5});
}

TEST_CASE("a 1-bit first layer takes 0/1 inputs, not -1/+1") {
    Layer d = dense("d", 1);
    d.weight = {1, 1, 1};
    Network net = build({1, 1, 3, 1}, {d});
    auto out = run_both(net, {1, 0, 1});
    CHECK(out[0] == Tensor{2});
}

TEST_CASE("16-bit inputs are summed without overflow") {
    Layer d = dense("d", 2);
    d.weight = {1, 1, 1, -1, -1, -1};
    Network net = build({3, 1, 1, 16}, {d});
    auto out = run_both(net, {65535, 65535, 65535});
    CHECK(out[0] == Tensor{3 * 65535, -3 * 65535});
}

TEST_CASE("binary conv padding taps take pad_value and count in N") {
    for (int pad_value : {-1, 1}) {
        CAPTURE(pad_value);
        Layer c = conv("c", 1, 3, 2, 1, pad_value);
        c.activation = Activation::None;
        c.weight.assign(9, 1);
        Network net = build({1, 2, 2, 1}, {identity_first_layer(1), c});
        // Inside taps +1 -1 -1 +1 cancel; the five padding taps give 5 * pad_value.
        auto out = run_both(net, {1, 0, 0, 1});
        CHECK(out[1] == Tensor{5 * pad_value});
    }
}

TEST_CASE("a threshold is met when the pre-activation equals it") {
    Layer d = dense("d", 3);
    d.weight = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    with_threshold(d, {2, 3, -100});
    Network net = build({1, 1, 3, 1}, {d});
    auto out = run_both(net, {1, 1, 0});  // s = 2 for every output
    CHECK(out[0] == Tensor{1, 0, 1});
}

TEST_CASE("pruned kernels contribute nothing and their taps are not in N") {
    // Two input channels, k = 1; output 0 keeps channel 1 only, output 1 keeps channel 0 only.
    Layer c = conv("c", 2, 1, 1, 0, -1);
    c.keep = 1;
    c.activation = Activation::None;
    c.weight = {1, 1, 1, 1};
    c.kernel_mask = {0, 1, 1, 0};
    Network net = build({2, 1, 1, 1}, {identity_first_layer(2), c});
    auto out = run_both(net, {1, 0});  // channel 0 = +1, channel 1 = -1
    CHECK(out[1] == Tensor{-1, 1});
}

TEST_CASE("a pruned first-layer kernel ignores its pixels") {
    Layer c = conv("c", 1, 1);
    c.keep = 1;
    c.activation = Activation::None;
    c.weight = {1, 1};
    c.kernel_mask = {0, 1};
    Network net = build({2, 1, 1, 8}, {c});
    auto out = run_both(net, {200, 7});
    CHECK(out[0] == Tensor{7});
}

TEST_CASE("max-pool is an OR over its window and drops a remainder row and column") {
    Layer p = pool("p", 2, 2);
    Layer d = dense("d", 1);
    Network net = build({1, 5, 5, 1}, {identity_first_layer(1), p, d});
    net.layers[2].weight.assign(4, 1);
    // Bits only in the last row and column (dropped) and at (1, 2) (window (0, 1)).
    std::vector<uint16_t> image(25, 0);
    for (int i = 0; i < 5; ++i) {
        image[static_cast<size_t>(4 * 5 + i)] = 1;
        image[static_cast<size_t>(i * 5 + 4)] = 1;
    }
    image[1 * 5 + 2] = 1;
    auto out = run_both(net, image);
    CHECK(out[1] == Tensor{0, 1, 0, 0});
}

TEST_CASE("max-pool stride may be smaller than its kernel") {
    Layer p = pool("p", 2, 1);
    Layer d = dense("d", 1);
    Network net = build({1, 3, 3, 1}, {identity_first_layer(1), p, d});
    net.layers[2].weight.assign(4, 1);
    auto out = run_both(net, {0, 0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(out[1] == Tensor{0, 0, 0, 1});
}

TEST_CASE("dense after conv reads its input in PyTorch (C, H, W) flatten order") {
    // One bit set at channel 1, row 0, column 1 of a 2 x 2 x 2 map: flat index 1*4 + 0*2 + 1 = 5.
    Layer d = dense("d", 1);
    Network net = build({2, 2, 2, 1}, {identity_first_layer(2), d});
    net.layers[1].weight.assign(8, -1);
    net.layers[1].weight[5] = 1;
    std::vector<uint16_t> image(8, 0);
    image[1 * 4 + 0 * 2 + 1] = 1;
    auto out = run_both(net, image);
    CHECK(out[1] == Tensor{8});  // every product is +1 only in that order
}

TEST_CASE("activation none adds the integer bias") {
    Layer d = dense("d", 2);
    d.weight = {1, -1};
    d.bias = {10, -10};
    Network net = build({1, 1, 1, 4}, {d});
    auto out = run_both(net, {3});
    CHECK(out[0] == Tensor{13, -13});
}

TEST_CASE("argmax breaks ties toward the lowest index") {
    std::vector<int64_t> tie = {3, 7, 7, 1};
    CHECK(golden::argmax(tie) == 1);
    std::vector<int64_t> all_equal = {-2, -2};
    CHECK(golden::argmax(all_equal) == 0);
}

TEST_CASE("a conv layer with more than 64 channels packs across words") {
    const int channels = 70;
    Layer c = conv("c", 2, 3, 1, 1, 1);
    with_threshold(c, {629, 629});
    Network net = build({channels, 3, 3, 1}, {identity_first_layer(channels), c, dense("d", 1)});
    Layer& cv = net.layers[1];
    cv.weight.assign(static_cast<size_t>(cv.weight_count()), 1);
    net.layers[2].weight.assign(static_cast<size_t>(net.layers[2].weight_count()), 1);
    std::vector<uint16_t> image(static_cast<size_t>(channels * 9), 1);
    image[static_cast<size_t>(69 * 9)] = 0;  // the 70th channel of pixel (0, 0) is -1
    auto out = run_both(net, image);
    // 630 taps (padding is +1); windows that contain pixel (0, 0) have s = 628 < 629.
    Tensor expected_channel = {0, 0, 1, 0, 0, 1, 1, 1, 1};
    Tensor expected = expected_channel;
    expected.insert(expected.end(), expected_channel.begin(), expected_channel.end());
    CHECK(out[1] == expected);
}

TEST_CASE("the fast model counts one operation per kept weight per output") {
    Layer c = conv("c", 4, 3, 1, 1, -1);
    c.keep = 2;
    Network net = build({3, 5, 5, 8}, {conv("first", 3, 1), c, dense("d", 2)});
    net.layers[0].activation = Activation::Threshold;
    for (Layer& l : net.layers) {
        l.weight.assign(static_cast<size_t>(l.weight_count()), 1);
        if (l.activation == Activation::Threshold) {
            l.threshold.assign(static_cast<size_t>(l.outputs), 0);
        }
    }
    net.layers[1].kernel_mask = {1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0};
    golden::FastModel fast(net);
    std::vector<uint16_t> image(75, 3);
    (void)fast.predict(image.data());
    (void)fast.predict(image.data());
    CHECK(fast.operations() == std::vector<int64_t>{2 * 25 * 3 * 3, 2 * 25 * 4 * 2 * 9, 2 * 2 * 100});
    fast.reset_operations();
    CHECK(fast.operations() == std::vector<int64_t>{0, 0, 0});
}
