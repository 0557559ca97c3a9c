// The checked network: what network.yaml says, with every default filled in, every shape computed
// and the weights attached. Only check_network() builds one, so every consumer may rely on it
// being consistent (shapes chain, weights are +-1, folding divides, masks keep exactly `keep`).
#pragma once

#include "bnngen/diag/diagnostic.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bnngen {

enum class LayerKind { Conv, MaxPool, Dense };
enum class Activation { Threshold, None };

std::string_view layer_kind_name(LayerKind k);

// Activations between layers are C x H x W; a dense layer's output is C x 1 x 1.
struct Shape {
    int channels = 0;
    int height = 0;
    int width = 0;
    [[nodiscard]] int64_t size() const { return int64_t{channels} * height * width; }
    friend bool operator==(const Shape&, const Shape&) = default;
};

struct Fold {
    int pe = 1;    // output channels computed in parallel
    int simd = 1;  // input taps (bits, or pixels for the first layer) consumed per cycle
};

struct SpatialPrune {
    int tolerance = 0;  // a window with at most this many taps differing from the background is skipped
};

// Early decision (DESIGN.md 4.3, O3BNN): stop a binary neuron once its output is decided
// (threshold), and a max-pool window's remaining positions for a channel once one is 1 (pooling).
// Lossless: it changes only the work done, never an output.
struct EarlyDecision {
    bool threshold = false;
    bool pooling = false;  // only on a conv layer followed by a max-pool
};

// Result sharing (DESIGN.md 4.4; Chang et al., DATE 2020): each distinct 2-D kernel of an input
// channel is computed once per position and its popcount shared by every output channel that uses
// it; `inverse` also shares a kernel with its bitwise inverse (popcount k*k - S). Lossless.
struct ResultSharing {
    bool inverse = false;  // mode inverse (identical or inverse kernels share) vs repeated (identical only)
};

// Similarity reuse (DESIGN.md 4.5; Fu et al. 2019, SimBNN): a position reuses the previous
// computed position's popcounts and computes only what changed, P(w,x') = P(w,x) + sum over the
// differing bits j of (2*XNOR(w_j, x'_j) - 1). Mode inputs compares consecutive windows; mode
// weights (consecutive, offline re-ordered kernels) is counted by `analyze` but not built. Lossless.
struct SimilarityReuse {
    bool weights = false;  // mode weights vs inputs
};

struct Layer {
    std::string name;
    LayerKind kind = LayerKind::Conv;
    SourceLocation where;  // the layer's entry in network.yaml
    // Where each value of the entry is, by dotted key ("kernel", "fold.pe", "prune.kernels.keep"),
    // so that a check can point at the value it rejects.
    std::map<std::string, SourceLocation> value_locations;

    // conv and maxpool
    int kernel = 0;
    int stride = 1;
    // conv only
    int padding = 0;
    // Value of padding taps: -1 or +1 for binary conv, 0 for integer input. 0 before check_structure
    // means "not given", and check_structure picks the default (-1 for binary conv).
    int pad_value = 0;
    // conv and dense
    int outputs = 0;  // out_channels or out_features
    Activation activation = Activation::Threshold;
    Fold fold;
    // `fold: auto`: the folding is chosen by hw::plan_folding (the target's interval at the fewest
    // predicted LUTs); until then `fold` is {1, 1} and the structure check skips its folding rules.
    bool fold_auto = false;
    std::optional<int> keep;  // structured kernel pruning: input-channel kernels kept per output channel
    std::optional<SpatialPrune> spatial;
    std::optional<EarlyDecision> early;
    std::optional<ResultSharing> share;
    std::optional<SimilarityReuse> reuse;

    Shape in;
    Shape out;
    bool integer_input = false;  // the first compute layer reads unsigned input.bits integers

    // Weights, as in weights.npz (see docs/network-yaml.md). weight is +-1 in PyTorch layout:
    // conv [outputs][in.channels][kernel][kernel], dense [outputs][in.size()] in (C,H,W) order.
    std::vector<int8_t> weight;
    std::vector<int64_t> threshold;    // [outputs], activation threshold
    std::vector<int64_t> bias;         // [outputs], activation none (zeros when absent)
    std::vector<uint8_t> kernel_mask;  // conv [outputs][in.channels], 1 = kept; all ones when unpruned

    // The location of a key's value, or of the whole entry when the key was not written.
    [[nodiscard]] const SourceLocation& location_of(const std::string& key) const;

    [[nodiscard]] bool is_compute() const { return kind != LayerKind::MaxPool; }
    // Input channels whose kernels each output channel keeps (in.channels when unpruned).
    [[nodiscard]] int kept_channels() const;
    // Taps (weights) per output channel actually used: kept_channels * k * k, or in_features.
    [[nodiscard]] int64_t taps_per_output() const;
    // Entries of `weight`: outputs x in.channels x k x k (conv), outputs x in.size() (dense).
    [[nodiscard]] int64_t weight_count() const;
};

struct Target {
    std::string part = "xczu3eg-sbva484-1-e";
    double clock_mhz = 200.0;
    // What `fold: auto` folds to (hw/auto_fold.hpp): images per second at clock_mhz, or the fastest
    // interval within a LUT budget; 0 = not given.
    double images_per_second = 0.0;
    int64_t luts = 0;
};

// How the accelerator plugs into a system on chip (docs/soc.md).
struct Soc {
    bool axi_lite = true;  // s_axi_ctrl_* control/status/counter registers and an interrupt line
};

struct InputSpec {
    // The widest s_axis beat that several pixels per beat may make: AXI4-Stream TDATA of 512 bytes.
    static constexpr int64_t kMaxBeatBits = 4096;

    int channels = 0;
    int height = 0;
    int width = 0;
    int bits = 8;
    // s_axis carries this many pixels per beat; an image's last beat carries the rest (docs/hardware.md)
    int pixels_per_beat = 1;

    [[nodiscard]] int64_t pixels() const { return int64_t{height} * width; }
    [[nodiscard]] int64_t pixel_bits() const { return int64_t{channels} * bits; }
    [[nodiscard]] int64_t beats_per_image() const { return (pixels() + pixels_per_beat - 1) / pixels_per_beat; }
    // Pixels in an image's last beat (pixels_per_beat unless it does not divide the image).
    [[nodiscard]] int64_t last_beat_pixels() const { return pixels() - (beats_per_image() - 1) * pixels_per_beat; }
};

struct Network {
    std::string name;
    std::string source_file;   // path of network.yaml
    std::string weights_file;  // resolved path of the weights archive
    SourceLocation weights_where;  // where network.yaml names it
    InputSpec input;
    Target target;
    Soc soc;
    std::vector<Layer> layers;

    // The network's output is one value per class: the last layer's output is classes x 1 x 1.
    [[nodiscard]] int classes() const { return layers.back().out.channels; }
    [[nodiscard]] Shape input_shape() const { return Shape{input.channels, input.height, input.width}; }
    // Early decision (DESIGN.md 4.3) can apply to layer `index`: a binary conv or dense layer
    // (XNOR-popcount, not the integer input) with a threshold activation ...
    [[nodiscard]] bool can_decide_early(size_t index) const;
    // ... and pooling pruning too: such a conv layer followed by a max-pool.
    [[nodiscard]] bool can_prune_pooling(size_t index) const;
};

}  // namespace bnngen
