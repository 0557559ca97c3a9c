// Early decision counts (golden/early_decision.hpp): hand-computed cases of threshold and pooling
// pruning and of the lanes' schedule, and on random networks the decided outputs equal the
// network's own.
#include "bnngen/golden/background.hpp"
#include "bnngen/golden/early_decision.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/net/random_network.hpp"
#include "golden_fixtures.hpp"

#include <doctest/doctest.h>

using namespace bnngen;
using namespace bnngen::test;
using golden::Tensor;

namespace {

// copy (1-bit input to bits) -> `layer`: the tested layer reads exactly the given input bits.
Network behind_copy(int channels, int height, int width, std::vector<Layer> layers) {
    layers.insert(layers.begin(), identity_first_layer(channels));
    return build(InputSpec{channels, height, width, 1}, std::move(layers));
}

golden::EarlyDecisionResult count(const Network& net, size_t index, const Tensor& input) {
    return golden::count_early_decision(net, index, input, golden::background_vectors(net));
}

}  // namespace

TEST_CASE("threshold pruning stops a neuron at the tap that decides it, and the unit at the step") {
    // fc: 8 inputs, weights all +1, so P = the number of 1 inputs seen; input 1111 0000.
    struct Case {
        int64_t threshold;      // in the s domain; T' = (T + 8) / 2
        int64_t ideal_taps;     // where the neuron is decided
        bool fires;
    };
    for (Case c : {Case{-8, 1, true},     // T' = 0: decided 1 by the first tap
                   Case{0, 4, true},      // T' = 4: P reaches 4 at tap 4
                   Case{8, 5, false},     // T' = 8: after tap 5, P = 4 and 3 taps left cannot reach 8
                   Case{2, 8, false}}) {  // T' = 5: P = 4 after 4 taps, then undecided to the end
        CAPTURE(c.threshold);
        Layer fc = dense("fc", 1, Activation::Threshold);
        fc.fold = Fold{1, 2};
        Network net = behind_copy(8, 1, 1, {fc});
        net.layers[1].weight.assign(8, 1);
        net.layers[1].threshold = {c.threshold};
        net.layers[1].early = EarlyDecision{true, false};
        auto r = count(net, 1, {1, 1, 1, 1, 0, 0, 0, 0});
        CHECK(r.output == Tensor{c.fires ? 1 : 0});
        CHECK(r.count.operations == 8);
        CHECK(r.count.ideal_operations == c.ideal_taps);
        CHECK(r.count.unit_cycles == 4);  // 8 taps, 2 per step
        CHECK(r.count.early_steps == (c.ideal_taps + 1) / 2);
        CHECK(r.count.early_cycles == (c.ideal_taps + 1) / 2);
    }
}

TEST_CASE("pooling pruning stops a channel's pool window at its first 1") {
    // conv 1x1 (weight +1, threshold 1: fires where the input bit is 1) -> max-pool 2x2 over the
    // 2x2 map 0 0 / 1 0: positions (0,0), (0,1) compute 0, (1,0) fires, (1,1) is never computed.
    Layer c = conv("c", 1, 1, 1, 0, -1);
    Network net = behind_copy(1, 2, 2, {c, pool("p", 2, 2)});
    net.layers[1].weight = {1};
    net.layers[1].threshold = {1};
    net.layers[1].early = EarlyDecision{false, true};
    auto r = count(net, 1, {0, 0, 1, 0});
    CHECK(r.output == Tensor{1});  // the pooled output
    CHECK(r.count.operations == 4);
    CHECK(r.count.ideal_operations == 3);
    CHECK(r.count.unit_cycles == 4);
    CHECK(r.count.early_cycles == 3);
    // Without a 1 in the window every position is computed.
    r = count(net, 1, {0, 0, 0, 0});
    CHECK(r.output == Tensor{0});
    CHECK(r.count.ideal_operations == 4);
    CHECK(r.count.early_cycles == 4);
}

TEST_CASE("a group takes as many cycles as its busiest lane") {
    // fc: 4 outputs on 4 inputs of all 1, pe 2 (lane 0: outputs 0 and 2, lane 1: 1 and 3), simd 1.
    // Output o agrees with the input only at input o (output 3 nowhere), so with T' = 1 the neurons
    // decide at different taps: output o < 3 at tap o + 1, output 3 only when it can no longer fire.
    Layer fc = dense("fc", 4, Activation::Threshold);
    fc.fold = Fold{2, 1};
    Network net = behind_copy(4, 1, 1, {fc});
    Layer& l = net.layers[1];
    // weight rows: o0 +1 -1 -1 -1, o1 -1 +1 -1 -1, o2 -1 -1 +1 -1, o3 -1 -1 -1 -1; input 1 1 1 1:
    // P after each tap: o0 1 1 1 1, o1 0 1 1 1, o2 0 0 1 1, o3 0 0 0 0. Threshold T = -2: T' = 1.
    l.weight = {1, -1, -1, -1, -1, 1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1};
    l.threshold = {-2, -2, -2, -2};
    l.early = EarlyDecision{true, false};
    auto r = count(net, 1, {1, 1, 1, 1});
    CHECK(r.output == Tensor{1, 1, 1, 0});
    // o0 decided at tap 1, o1 at 2, o2 at 3, o3 at 4 (P = 0 with no taps left < 1).
    CHECK(r.count.ideal_operations == 1 + 2 + 3 + 4);
    CHECK(r.count.early_steps == 10);
    CHECK(r.count.early_cycles == 6);  // lane 0: 1 + 3 steps = 4, lane 1: 2 + 4 = 6
    CHECK(r.count.unit_cycles == 8);       // 2 neuron folds x 4 steps
}

TEST_CASE("early decision's outputs equal the network's own on random networks, and never cost more") {
    int layers_checked = 0;
    int64_t saved = 0;
    for (uint64_t seed = 1; seed <= 120; ++seed) {
        CAPTURE(seed);
        Network net = random_network(seed);
        golden::FastModel model(net);
        const std::vector<Tensor> backgrounds = golden::background_vectors(net);
        const std::vector<uint16_t> images = random_images(net, 2, seed);
        for (int i = 0; i < 2; ++i) {
            const std::vector<Tensor> outputs = model.run_layers(images.data() + i * net.input_shape().size());
            for (size_t index = 1; index < net.layers.size(); ++index) {
                Layer& l = net.layers[index];
                if (!net.can_decide_early(index) || l.share || l.reuse) {  // sharing and reuse exclude early decision
                    continue;
                }
                const bool before_pool = net.can_prune_pooling(index);
                for (EarlyDecision early : {EarlyDecision{true, false}, EarlyDecision{false, true}, EarlyDecision{true, true}}) {
                    if (early.pooling && !before_pool) {
                        continue;
                    }
                    CAPTURE(l.name);
                    CAPTURE(early.threshold);
                    CAPTURE(early.pooling);
                    l.early = early;
                    auto r = golden::count_early_decision(net, index, outputs[index - 1], backgrounds);
                    CHECK(r.output == outputs[early.pooling ? index + 1 : index]);
                    const Layer& pooled = net.layers[std::min(index + 1, net.layers.size() - 1)];
                    if (!early.pooling || pooled.stride >= pooled.kernel) {  // no position computed twice
                        CHECK(r.count.ideal_operations <= r.count.operations);
                        CHECK(r.count.early_cycles <= r.count.unit_cycles);
                        saved += r.count.operations - r.count.ideal_operations;
                    }
                    CHECK(r.count.early_cycles * l.fold.pe >= r.count.early_steps);
                    ++layers_checked;
                }
                l.early.reset();
            }
        }
    }
    MESSAGE("layer runs checked: ", layers_checked, ", operations saved: ", saved);
    CHECK(layers_checked > 100);
    CHECK(saved > 0);
}
