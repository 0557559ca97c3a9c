// Result sharing (DESIGN.md 4.4; Chang et al., DATE 2020): the distinct 2-D kernels of a binary conv
// layer and who uses them, in the form the sharing unit (templates/share_unit) computes them.
//
// A 2-D kernel W[o][i] is the k*k weights of output channel o on input channel i, as a word: bit
// t = ky*k + kx is tap t (1 = +1). Its popcount on a window is S = popcount(XNOR(kernel, x_i)). In
// mode `repeated` identical kernels share S; in mode `inverse` a kernel and its bitwise inverse
// share too (the inverse's popcount is k*k - S): they are one *class*, represented by the smaller
// of the two words. Only kept kernels take part (kernel pruning).
//
// Two counts per computed position:
//   ideal (the paper's): per input channel, each class among the kept kernels of all output
//   channels is computed once: `layer_classes` kernel evaluations instead of `kept_kernels`;
//   realized (share_unit): the unit computes neuron fold nf (output channels nf*pe .. nf*pe+pe-1)
//   in its own fold steps, so a result is shared among the pe lanes of one fold: per (fold, input
//   channel) each class among those lanes' kept kernels is evaluated once, on one *engine*:
//   `fold_classes` evaluations. engines = the most classes of any (fold, input channel).
#pragma once

#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen::hw {

// How lane (output channel) o takes input channel i's contribution: engine `engine` of its fold
// and channel, inverted (k*k - S) or not; engine -1 for a pruned kernel (contributes nothing).
struct ShareCode {
    int engine = -1;
    bool inverse = false;
    friend bool operator==(const ShareCode&, const ShareCode&) = default;
};

struct SharePlan {
    int kernel_taps = 0;  // k*k
    int channels = 0;     // input channels
    int pe = 1;
    int folds = 1;        // outputs / pe
    int engines = 1;      // engines per input channel slot: the most classes of one (fold, channel), at least 1
    int64_t kept_kernels = 0;   // kept (o, i) pairs: kernel evaluations per position without sharing
    int64_t layer_classes = 0;  // ideal: sum over input channels of the classes among all kept kernels
    int64_t fold_classes = 0;   // realized: sum over (fold, input channel) of the classes among its lanes
    // fold_kernels[nf * channels + i]: the class representatives of (fold nf, channel i), engine order
    // (first use by lane 0, 1, ...).
    std::vector<std::vector<uint64_t>> fold_kernels;
    std::vector<ShareCode> codes;  // [o * channels + i]

    [[nodiscard]] const ShareCode& code(int output, int channel) const {
        return codes[static_cast<size_t>(output) * static_cast<size_t>(channels) + static_cast<size_t>(channel)];
    }
};

// The 2-D kernel W[o][i] of a conv layer as a word (bit t = tap t, 1 = +1); k*k <= 64.
uint64_t kernel_word(const Layer& layer, int output, int channel);

// The plan of a conv layer with prune.share (checked network: binary input, k*k <= 64).
SharePlan plan_result_sharing(const Layer& layer);

}  // namespace bnngen::hw
