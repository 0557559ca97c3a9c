// The fast golden model against the reference one on random networks covering the schema: every
// layer's output, for several random images per network, must be identical.
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/reference_model.hpp"
#include "bnngen/net/random_network.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <set>

using namespace bnngen;

TEST_CASE("fast and reference golden models agree on 250 random networks") {
    constexpr int kNetworks = 250;
    constexpr int kImages = 3;
    std::set<std::string> seen;  // which features the random networks covered
    int64_t compared = 0;
    for (uint64_t seed = 1; seed <= kNetworks; ++seed) {
        CAPTURE(seed);
        Network net = random_network(seed);
        golden::ReferenceModel reference(net);
        golden::FastModel fast(net);
        std::vector<uint16_t> images = random_images(net, kImages, seed * 7919);
        for (int i = 0; i < kImages; ++i) {
            const uint16_t* image = images.data() + i * net.input_shape().size();
            auto expected = reference.run_layers(image);
            auto actual = fast.run_layers(image);
            for (size_t l = 0; l < expected.size(); ++l) {
                CAPTURE(net.layers[l].name);
                REQUIRE(expected[l] == actual[l]);
                compared += static_cast<int64_t>(expected[l].size());
            }
        }
        seen.insert(fmt::format("bits{}", net.input.bits));
        for (const Layer& l : net.layers) {
            seen.insert(std::string(layer_kind_name(l.kind)) + (l.integer_input ? "-first" : ""));
            if (l.keep && *l.keep < l.in.channels) {
                seen.insert("pruned");
            }
            if (l.kind == LayerKind::Conv && !l.integer_input) {
                seen.insert(l.pad_value > 0 ? "pad+1" : "pad-1");
                seen.insert(l.stride > 1 ? "stride2" : "stride1");
                if (l.in.channels > 64) {
                    seen.insert("wide");
                }
            }
            if (l.is_compute() && l.activation == Activation::None) {
                seen.insert("scores");
            }
            if (l.spatial) {
                seen.insert(l.spatial->tolerance == 0 ? "spatial-exact" : "spatial-lossy");
            }
        }
        int64_t skipped = 0;
        for (int64_t s : fast.skipped_positions()) {
            skipped += s;
        }
        if (skipped > 0) {
            seen.insert("skipped");
        }
    }
    MESSAGE("compared ", compared, " output values");
    for (const char* feature : {"bits1", "bits16", "conv-first", "dense-first", "conv", "dense", "maxpool", "pruned",
                                "pad+1", "pad-1", "stride2", "wide", "scores", "spatial-exact", "spatial-lossy",
                                "skipped"}) {
        CAPTURE(feature);
        CHECK(seen.count(feature) == 1);
    }
}

TEST_CASE("random networks are deterministic for a seed") {
    Network a = random_network(42);
    Network b = random_network(42);
    REQUIRE(a.layers.size() == b.layers.size());
    for (size_t i = 0; i < a.layers.size(); ++i) {
        CHECK(a.layers[i].weight == b.layers[i].weight);
        CHECK(a.layers[i].threshold == b.layers[i].threshold);
    }
}

TEST_CASE("spatial pruning at tolerance 0 never changes an output") {
    int64_t skipped_total = 0;
    for (uint64_t seed = 1; seed <= 150; ++seed) {
        CAPTURE(seed);
        Network pruned = random_network(seed);
        bool exact = false;
        for (Layer& l : pruned.layers) {
            if (l.spatial) {
                l.spatial->tolerance = 0;
                exact = true;
            }
        }
        if (!exact) {
            continue;
        }
        Network plain = pruned;
        for (Layer& l : plain.layers) {
            l.spatial.reset();
        }
        golden::FastModel with_skips(pruned);
        golden::FastModel without(plain);
        std::vector<uint16_t> images = random_images(pruned, 6, seed);
        for (int i = 0; i < 6; ++i) {
            const uint16_t* image = images.data() + i * pruned.input_shape().size();
            REQUIRE(with_skips.run_layers(image) == without.run_layers(image));
        }
        for (int64_t s : with_skips.skipped_positions()) {
            skipped_total += s;
        }
    }
    MESSAGE("positions skipped without changing an output: ", skipped_total);
    CHECK(skipped_total > 0);
}
