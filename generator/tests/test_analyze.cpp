// bnngen analyze's numbers on a real network and real images: operations of the dense network,
// those removed by kernel pruning (exactly Cin - keep of Cin) and by spatial pruning (what the
// golden model skipped), the units' cycles unpruned and pruned, and the machine-readable forms.
#include "bnngen/analyze/pruning_analysis.hpp"
#include "bnngen/golden/batch.hpp"
#include "bnngen/hw/result_sharing.hpp"
#include "bnngen/net/load.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

using namespace bnngen;
namespace fs = std::filesystem;

TEST_CASE("analyze splits the dense network's operations into kernel-pruned, spatially pruned and computed") {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples/fmnist_small/network.yaml", bag);
    REQUIRE(net.has_value());
    net->layers[2].spatial = SpatialPrune{0};
    auto images = io::load_images("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 1, 28, 28, 8, 50);
    analyze::Analysis a = analyze::analyze_pruning(*net, images);
    golden::BatchResult golden = golden::run_batch(*net, images, {});
    REQUIRE(a.layers.size() == 5);
    const analyze::LayerAnalysis& conv2 = a.layers[2];  // 16 -> 32, 14 x 14, keep 4 of 16, pe 8, simd 36
    CHECK(conv2.dense_ops == 196.0 * 32 * 16 * 9);
    CHECK(conv2.kernel_pruned_ops == 196.0 * 32 * 12 * 9);
    CHECK(conv2.remaining_ops == doctest::Approx(static_cast<double>(golden.operations[2]) / 50));
    const double skipped = static_cast<double>(golden.skipped_positions[2]) / 50;
    CHECK(skipped > 0);
    CHECK(conv2.skipped_share == doctest::Approx(skipped / 196));
    CHECK(conv2.spatial_pruned_ops == doctest::Approx(skipped * 32 * 4 * 9));
    CHECK(conv2.cycles_unpruned == 196.0 * 4 * 4);
    CHECK(conv2.cycles_pruned == doctest::Approx((196.0 - skipped) * 4).epsilon(0.01));
    CHECK(a.total.dense_ops == a.layers[0].dense_ops + conv2.dense_ops + a.layers[4].dense_ops);
    CHECK(a.interval_unpruned == 3136);  // conv2 unpruned: 196 x 4 x 4
    CHECK(a.interval_pruned == 841);     // then the 29 x 29 window scan of conv1

    const std::string json = analyze::format_json(a);
    CHECK(json.find("\"dense_ops\": 1031744,") != std::string::npos);  // the total: exact, not 1.03174e+06
    CHECK(json.find("\"cycles_rtl\": null") != std::string::npos);
    const std::string csv = analyze::format_csv(a);
    CHECK(csv.find("conv2,conv,4,16,") != std::string::npos);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);  // header, 5 layers, total
}

TEST_CASE("analyze counts what early decision removes on the layers that ask for it") {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples/fmnist_small/network.yaml", bag);
    REQUIRE(net.has_value());
    REQUIRE(net->can_prune_pooling(2));  // conv2, then pool2
    auto images = io::load_images("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 1, 28, 28, 8, 20);
    const analyze::Analysis plain = analyze::analyze_pruning(*net, images);
    CHECK(plain.total.early_removed_ops == 0);
    net->layers[2].early = EarlyDecision{true, true};
    const analyze::Analysis a = analyze::analyze_pruning(*net, images);
    const analyze::LayerAnalysis& conv2 = a.layers[2];
    // Everything else is as without early decision ...
    CHECK(conv2.remaining_ops == plain.layers[2].remaining_ops);
    CHECK(conv2.cycles_pruned == plain.layers[2].cycles_pruned);
    // ... and a third or more of conv2's work is decided early (a max-pool window stops at its 1).
    CHECK(conv2.early_removed_ops > 0.3 * conv2.remaining_ops);
    CHECK(conv2.early_removed_ops < conv2.remaining_ops);
    CHECK(conv2.early_removed_cycles > 0);
    CHECK(conv2.early_removed_cycles < conv2.cycles_pruned);
    CHECK(a.total.early_removed_ops == conv2.early_removed_ops);
    CHECK(analyze::format_text(a).find("early decision (prune.early): ") != std::string::npos);
    CHECK(analyze::format_json(a).find("\"early_removed_ops\": ") != std::string::npos);
}

TEST_CASE("analyze counts what result sharing removes, ideal and in the sharing unit, with kernel pruning") {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples/fmnist_small/network.yaml", bag);
    REQUIRE(net.has_value());
    Layer& conv2 = net->layers[2];  // 16 -> 32, keep 4 of 16, pe 8, simd 36 = 4 kernels a step
    conv2.spatial = SpatialPrune{0};
    auto images = io::load_images("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 1, 28, 28, 8, 20);
    const analyze::Analysis plain = analyze::analyze_pruning(*net, images);
    CHECK(plain.total.share_removed_ops == 0);
    conv2.share = ResultSharing{true};
    const hw::SharePlan plan = hw::plan_result_sharing(conv2);
    CHECK(plan.kept_kernels == 32 * 4);  // only kept kernels take part
    CHECK(plan.layer_classes == 126);  // 2 of the 128 kept kernels repeat another (or its inverse)
    CHECK(plan.fold_classes == 126);
    const analyze::Analysis a = analyze::analyze_pruning(*net, images);
    const analyze::LayerAnalysis& shared = a.layers[2];
    // Sharing removes from what is computed (kept kernels at the positions spatial pruning left) ...
    CHECK(shared.remaining_ops == plain.layers[2].remaining_ops);
    CHECK(shared.share_removed_ops ==
          doctest::Approx(shared.remaining_ops * static_cast<double>(plan.kept_kernels - plan.layer_classes) / 128));
    CHECK(shared.share_unit_removed_ops ==
          doctest::Approx(shared.remaining_ops * static_cast<double>(plan.kept_kernels - plan.fold_classes) / 128));
    // ... and its unit steps through all 16 input channels, 4 a step: 4 neuron folds x 4 steps.
    const double computed = 196.0 * (1.0 - shared.skipped_share);
    CHECK(shared.cycles_pruned == doctest::Approx(computed * 4 * 4).epsilon(0.01));
    CHECK(analyze::format_text(a).find("result sharing (prune.share): ") != std::string::npos);
    CHECK(analyze::format_csv(a).find(",share_removed_ops,share_unit_removed_ops\n") != std::string::npos);
}

TEST_CASE("analyze counts similarity reuse for every binary conv layer and the reuse unit's cycles where enabled") {
    DiagnosticBag bag;
    auto net = load_network(fs::path(BNNGEN_SOURCE_DIR) / "examples/fmnist_small/network.yaml", bag);
    REQUIRE(net.has_value());
    auto images = io::load_images("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", 1, 28, 28, 8, 20);
    const analyze::Analysis plain = analyze::analyze_pruning(*net, images);
    REQUIRE(plain.reuse.size() == 1);  // conv2, the one binary conv layer
    const analyze::ReuseLayerAnalysis& r = plain.reuse[0];
    CHECK(r.layer == "conv2");
    CHECK_FALSE(r.enabled);
    CHECK(r.kernel_major);  // kernel pruning: chunks of whole kernels
    CHECK(r.identical_bits > r.identical_chunks);
    CHECK(r.inputs_removed > 0.5);
    CHECK(r.mvau_cycles == plain.layers[2].cycles_pruned);
    // Enabled, the layer's cycles are the reuse unit's, as counted: the same figure as the table's.
    net->layers[2].reuse = SimilarityReuse{false};
    const analyze::Analysis with = analyze::analyze_pruning(*net, images);
    REQUIRE(with.reuse.size() == 1);
    CHECK(with.reuse[0].enabled);
    CHECK(with.layers[2].cycles_pruned == doctest::Approx(with.reuse[0].unit_cycles).epsilon(0.001));
    CHECK(with.reuse[0].unit_cycles == doctest::Approx(r.unit_cycles));
    CHECK(analyze::format_text(with).find("similarity reuse") != std::string::npos);
    CHECK(analyze::format_json(with).find("\"reuse\": [") != std::string::npos);
}
