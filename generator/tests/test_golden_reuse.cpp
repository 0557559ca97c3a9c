// Similarity reuse counts (golden/similarity_reuse.hpp, hw/similarity_reuse.hpp): the reuse unit's
// plan of a hand-made pruned layer, its steps and operations on hand-computed window streams
// (fresh first window, unchanged windows that cost one placeholder step per fold, the reference
// carried from one image to the next, a reset), and the weight-reuse count.
#include "bnngen/golden/similarity_reuse.hpp"
#include "bnngen/hw/cycle_model.hpp"
#include "golden_fixtures.hpp"

#include <doctest/doctest.h>

using namespace bnngen;

namespace {

// input 2 x 1 x 4 (1-bit) -> copy -> conv 2 outputs, 1x1, pe 1, simd 1 (prune.reuse) -> dense
Network two_channel_row() {
    Layer c = test::conv("conv", 2, 1);
    test::with_threshold(c, {0, 0});
    c.fold = Fold{1, 1};
    c.reuse = SimilarityReuse{false};
    Network net = test::build(InputSpec{2, 1, 4, 1}, {test::identity_first_layer(2), c, test::dense("fc", 2)});
    return net;
}

// The conv layer's input (the copy layer's output) from pixels (c0, c1) per column.
golden::Tensor row(std::vector<std::pair<int, int>> pixels) {
    golden::Tensor t(2 * pixels.size());
    for (size_t x = 0; x < pixels.size(); ++x) {
        t[x] = pixels[x].first;
        t[pixels.size() + x] = pixels[x].second;
    }
    return t;
}

}  // namespace

TEST_CASE("reuse plan: per neuron fold the chunks some lane keeps, kernel-major with kernel pruning") {
    Network net = test::build(InputSpec{4, 2, 2, 1},
                              {test::identity_first_layer(4), test::conv("conv", 2, 1), test::dense("fc", 2)});
    Layer l = net.layers[1];
    l.keep = 2;
    l.kernel_mask = {1, 1, 0, 0, /* o1 */ 0, 1, 0, 1};
    l.fold = Fold{1, 2};
    CHECK(hw::reuse_kernel_major(l));
    hw::ReusePlan plan = hw::plan_similarity_reuse(l);
    CHECK(plan.chunks == 2);
    CHECK(plan.folds == 2);
    CHECK(plan.kept_chunks == std::vector<std::vector<uint8_t>>{{1, 0}, {1, 1}});
    CHECK(plan.worst_steps == 3);
    CHECK(plan.channel_users == std::vector<int64_t>{1, 2, 0, 1});
    l.fold.pe = 2;  // one fold: the union of both lanes' kept chunks
    plan = hw::plan_similarity_reuse(l);
    CHECK(plan.kept_chunks == std::vector<std::vector<uint8_t>>{{1, 1}});
    CHECK(plan.worst_steps == 2);
    l.reuse = SimilarityReuse{false};
    CHECK(hw::fold_steps(l) == 2);
}

TEST_CASE("reuse counts: fresh first window, placeholders for unchanged ones, the reference across images") {
    const Network net = two_channel_row();
    golden::ReuseCounter counter(net);
    const golden::Tensor a = row({{1, 0}, {1, 0}, {1, 1}, {0, 1}});
    counter.add_image({a});
    // w0 fresh: 2 folds x 2 chunks; w1 unchanged: one placeholder per fold; w2, w3: one chunk each
    golden::ReuseCount c = counter.counts()[1];
    CHECK(c.positions == 4);
    CHECK(c.unit_cycles == 4 + 2 + 2 + 2);
    CHECK(c.computed_steps == 4 + 0 + 2 + 2);
    CHECK(c.changed_bits == 2 + 0 + 1 + 1);
    CHECK(c.operations == 4 * 2 * 2);
    CHECK(c.ideal_operations == 2 * (2 + 0 + 1 + 1));
    CHECK(c.changed_chunks == 4);
    CHECK(c.chunks == 8);
    // The next image's first window is compared with the last computed one, (0, 1).
    const golden::Tensor b = row({{0, 1}, {1, 0}, {1, 1}, {0, 1}});
    counter.add_image({b});
    c = counter.counts()[1];
    CHECK(c.unit_cycles == 10 + (2 + 4 + 2 + 2));
    CHECK(c.computed_steps == 8 + (0 + 4 + 2 + 2));
    // After a reset the first window is fresh again.
    counter.reset();
    counter.add_image({b});
    c = counter.counts()[1];
    CHECK(c.unit_cycles == 20 + (4 + 4 + 2 + 2));
    CHECK(c.computed_steps == 16 + (4 + 4 + 2 + 2));
}

TEST_CASE("weight reuse: each output channel derived from its nearest predecessor in a greedy order") {
    Network net = test::build(InputSpec{2, 1, 1, 1}, {test::identity_first_layer(2), test::conv("conv", 3, 1)});
    Layer l = net.layers[1];
    l.weight = {1, 1, /* o1 */ 1, 1, /* o2 */ 1, -1};
    hw::ReusePlan plan = hw::plan_similarity_reuse(l);  // simd 1: one chunk per input channel
    hw::WeightReuse w = hw::weight_reuse(l, plan);
    CHECK(w.operations == 2 + 0 + 1);
    CHECK(w.order == std::vector<size_t>{0, 1, 2});
    CHECK(w.chunks == 6);                // every channel keeps both chunks
    CHECK(w.identical_chunks == 2 + 1);  // o1 takes both chunks from o0, o2 its first
    l.weight = {1, 1, /* o1 */ -1, -1, /* o2 */ 1, -1};
    CHECK(hw::weight_reuse(l, plan).operations == 2 + 1 + 1);
    l.kernel_mask = {1, 1, /* o1 */ 0, 1, /* o2 */ 1, 0};  // only kept bits are computed
    w = hw::weight_reuse(l, plan);
    CHECK(w.operations == 2 + 0 + 1);  // o0, then o2 (its one kept bit equals o0's), then o1
    CHECK(w.order == std::vector<size_t>{0, 2, 1});
    l.fold.simd = 2;  // one chunk of both channels: equal only if every kept bit is
    w = hw::weight_reuse(l, hw::plan_similarity_reuse(l));
    CHECK(w.chunks == 3);            // each channel keeps a bit of the one chunk
    CHECK(w.identical_chunks == 1);  // o2's (its kept bit equals o0's), not o1's
}

TEST_CASE("reuse counts at a smaller simd equal the counts of the layer folded at that simd") {
    Network wide = two_channel_row();
    wide.layers[1].fold.simd = 2;  // one chunk: both channels
    const Network narrow = two_channel_row();
    golden::ReuseCounter with_alternatives(wide, {1}, /*smaller_chunks=*/true);
    golden::ReuseCounter at_simd_1(narrow);
    for (const golden::Tensor& image : {row({{1, 0}, {1, 0}, {1, 1}, {0, 1}}), row({{0, 1}, {0, 1}, {1, 1}, {1, 1}})}) {
        with_alternatives.add_image({image});
        at_simd_1.add_image({image});
    }
    const std::vector<golden::ReuseAlternative> alternatives = with_alternatives.alternatives(1);
    REQUIRE(alternatives.size() == 1);
    CHECK(alternatives[0].simd == 1);
    CHECK(alternatives[0].unit_cycles == at_simd_1.counts()[1].unit_cycles);
    // at simd 2 a window with any change steps its one chunk in both folds
    CHECK(with_alternatives.counts()[1].unit_cycles == 8 * 2);
}
