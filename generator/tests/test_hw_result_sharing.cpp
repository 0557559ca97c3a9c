// Result sharing plans (hw/result_sharing.hpp): a hand-computed layer in both modes, and on random
// layers (kernels drawn from small pools so that they repeat, random pruning) the sums built from
// the shared engine results equal the direct XNOR popcounts.
#include "bnngen/hw/result_sharing.hpp"
#include "golden_fixtures.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <random>

using namespace bnngen;

namespace {

// weights from kernel words: words[o][i], bit t = tap t (1 = +1)
void set_kernels(Layer& l, const std::vector<std::vector<uint64_t>>& words) {
    const int taps = l.kernel * l.kernel;
    l.weight.assign(static_cast<size_t>(l.outputs * l.in.channels * taps), -1);
    for (int o = 0; o < l.outputs; ++o) {
        for (int i = 0; i < l.in.channels; ++i) {
            for (int t = 0; t < taps; ++t) {
                if ((words[static_cast<size_t>(o)][static_cast<size_t>(i)] >> t) & 1U) {
                    l.weight[static_cast<size_t>((o * l.in.channels + i) * taps + t)] = 1;
                }
            }
        }
    }
}

Layer two_channel_layer(bool inverse) {
    // input 2 x 2 x 2 -> conv 4 outputs, kernel 2 (4 taps), pe 2: folds {o0, o1}, {o2, o3}
    Network net = test::build(InputSpec{2, 2, 2, 1},
                              {test::identity_first_layer(2), test::conv("conv", 4, 2, 1, 0, -1)});
    Layer l = net.layers[1];
    l.fold.pe = 2;
    l.share = ResultSharing{inverse};
    set_kernels(l, {{0b0011, 0b1111}, {0b1100, 0b1111}, {0b0011, 0b0000}, {0b0101, 0b1010}});
    l.kernel_mask[3 * 2 + 1] = 0;  // o3 drops input channel 1
    return l;
}

}  // namespace

TEST_CASE("inverse mode: a kernel and its inverse share one engine, per fold and input channel") {
    const hw::SharePlan plan = hw::plan_result_sharing(two_channel_layer(true));
    CHECK(plan.kernel_taps == 4);
    CHECK(plan.folds == 2);
    CHECK(plan.kept_kernels == 7);
    // layer-wide classes: channel 0 {0011/1100, 0101}, channel 1 {0000/1111}
    CHECK(plan.layer_classes == 3);
    // per fold: (0, ch0) {0011}, (0, ch1) {0000}, (1, ch0) {0011, 0101}, (1, ch1) {0000}
    CHECK(plan.fold_classes == 5);
    CHECK(plan.engines == 2);
    CHECK(plan.fold_kernels[0] == std::vector<uint64_t>{0b0011});
    CHECK(plan.fold_kernels[1] == std::vector<uint64_t>{0b0000});
    CHECK(plan.fold_kernels[2] == std::vector<uint64_t>{0b0011, 0b0101});
    CHECK(plan.fold_kernels[3] == std::vector<uint64_t>{0b0000});
    CHECK(plan.code(0, 0) == hw::ShareCode{0, false});
    CHECK(plan.code(1, 0) == hw::ShareCode{0, true});
    CHECK(plan.code(0, 1) == hw::ShareCode{0, true});
    CHECK(plan.code(2, 1) == hw::ShareCode{0, false});
    CHECK(plan.code(3, 0) == hw::ShareCode{1, false});
    CHECK(plan.code(3, 1) == hw::ShareCode{-1, false});
}

TEST_CASE("repeated mode: only identical kernels share") {
    const hw::SharePlan plan = hw::plan_result_sharing(two_channel_layer(false));
    CHECK(plan.kept_kernels == 7);
    CHECK(plan.layer_classes == 5);  // channel 0 {0011, 1100, 0101}, channel 1 {1111, 0000}
    CHECK(plan.fold_classes == 6);   // (0, ch0) 2, (0, ch1) 1, (1, ch0) 2, (1, ch1) 1
    CHECK(plan.engines == 2);
    CHECK(plan.code(1, 0) == hw::ShareCode{1, false});
    for (const hw::ShareCode& c : plan.codes) {
        CHECK_FALSE(c.inverse);
    }
}

TEST_CASE("on random layers the shared sums equal the direct popcounts") {
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 40; ++trial) {
        const int kernel = 1 + trial % 5;  // 1x1 .. 5x5
        const int taps = kernel * kernel;
        const int channels = 1 + static_cast<int>(rng() % 5);
        const int pe = 1 + static_cast<int>(rng() % 3);
        const int outputs = pe * (1 + static_cast<int>(rng() % 4));
        Network net = test::build(InputSpec{channels, kernel, kernel, 1},
                                  {test::identity_first_layer(channels), test::conv("conv", outputs, kernel, 1, 0, -1)});
        Layer l = net.layers[1];
        l.fold.pe = pe;
        l.share = ResultSharing{trial % 2 == 0};
        const uint64_t all = (uint64_t{1} << taps) - 1;
        std::vector<std::vector<uint64_t>> words(static_cast<size_t>(outputs));
        for (int i = 0; i < channels; ++i) {
            const uint64_t pool[2] = {rng() & all, rng() & all};  // few kernels per channel: they repeat
            for (int o = 0; o < outputs; ++o) {
                uint64_t w = pool[rng() % 2];
                words[static_cast<size_t>(o)].push_back(rng() % 3 == 0 ? ~w & all : w);
                l.kernel_mask[static_cast<size_t>(o * channels + i)] = rng() % 4 != 0;
            }
        }
        set_kernels(l, words);
        const hw::SharePlan plan = hw::plan_result_sharing(l);
        CAPTURE(trial);
        CHECK(plan.layer_classes <= plan.fold_classes);
        CHECK(plan.fold_classes <= plan.kept_kernels);
        for (int sample = 0; sample < 8; ++sample) {
            std::vector<uint64_t> x(static_cast<size_t>(channels));
            for (uint64_t& v : x) {
                v = rng() & all;
            }
            for (int o = 0; o < outputs; ++o) {
                int direct = 0;
                int shared = 0;
                for (int i = 0; i < channels; ++i) {
                    if (l.kernel_mask[static_cast<size_t>(o * channels + i)] == 0) {
                        CHECK(plan.code(o, i).engine == -1);
                        continue;
                    }
                    direct += std::popcount(~(hw::kernel_word(l, o, i) ^ x[static_cast<size_t>(i)]) & all);
                    const hw::ShareCode c = plan.code(o, i);
                    REQUIRE(c.engine >= 0);
                    const auto& engines = plan.fold_kernels[static_cast<size_t>((o / pe) * channels + i)];
                    REQUIRE(c.engine < static_cast<int>(engines.size()));
                    const int s = std::popcount(~(engines[static_cast<size_t>(c.engine)] ^ x[static_cast<size_t>(i)]) & all);
                    shared += c.inverse ? taps - s : s;
                }
                CHECK(shared == direct);
            }
        }
    }
}
