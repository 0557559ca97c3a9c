// Stage 2 of the front end: the layer sequence as a whole. Computes every layer's input and output
// shape and checks the rules DESIGN.md sections 2-4 put on the order of layers, padding, pruning
// and folding.
#include "bnngen/net/load.hpp"

#include <fmt/format.h>

namespace bnngen {
namespace {

std::string shape_text(const Shape& s) { return fmt::format("{} x {} x {}", s.channels, s.height, s.width); }

constexpr int kMaxShareKernelTaps = 64;  // a 2-D kernel is compared as one 64-bit word

int window_output(int size, int padding, int kernel, int stride) { return (size + 2 * padding - kernel) / stride + 1; }

class StructureChecker {
public:
    StructureChecker(Network& net, DiagnosticBag& bag) : net_(net), bag_(bag) {}

    bool run() {
        int errors_before = bag_.error_count();
        Shape shape = net_.input_shape();
        bool binary = false;  // does the current activation hold bits (or the integer input)?
        const Layer* previous = nullptr;
        for (size_t i = 0; i < net_.layers.size(); ++i) {
            Layer& layer = net_.layers[i];
            layer.in = shape;
            layer.integer_input = !binary && layer.is_compute();
            if (previous != nullptr && previous->is_compute() && previous->activation == Activation::None) {
                error(previous->location_of("activation"), "activation-none-not-last",
                      fmt::format("activation 'none' is only allowed on the last layer, but layer '{}' is followed by "
                                  "layer '{}'",
                                  previous->name, layer.name));
            }
            if (!check_layer(layer, binary)) {
                return false;  // later shapes would only repeat this error
            }
            shape = layer.out;
            binary = true;
            previous = &layer;
        }
        for (size_t i = 0; i < net_.layers.size(); ++i) {
            check_early(i);
        }
        const Layer& last = net_.layers.back();
        if (last.out.height != 1 || last.out.width != 1) {
            error(last.where, "output-not-vector",
                  fmt::format("the network must end in one value per class, but its last layer '{}' produces {}; "
                              "end with a dense layer",
                              last.name, shape_text(last.out)));
        }
        return bag_.error_count() == errors_before;
    }

private:
    void error(const SourceLocation& where, std::string code, std::string message) {
        bag_.error(std::move(code), where, std::move(message));
    }

    bool check_window(Layer& layer, int padding) {
        if (layer.in.height + 2 * padding < layer.kernel || layer.in.width + 2 * padding < layer.kernel) {
            auto index = &layer - net_.layers.data();
            std::string source = index == 0 ? std::string("the network input")
                                            : fmt::format("the output of layer '{}'",
                                                          net_.layers[static_cast<size_t>(index - 1)].name);
            std::string window = layer.kind == LayerKind::Conv
                                     ? fmt::format("conv, kernel {}, padding {}", layer.kernel, padding)
                                     : fmt::format("{}, kernel {}", layer_kind_name(layer.kind), layer.kernel);
            int needed = layer.kernel - 2 * padding;
            error(layer.location_of("kernel"), "shape-mismatch",
                  fmt::format("layer '{}' ({}) needs an input of at least {} x {} (height x width), but {} is "
                              "{} x {} ({} channels)",
                              layer.name, window, needed, needed, source, layer.in.height, layer.in.width,
                              layer.in.channels));
            return false;
        }
        return true;
    }

    // A layer's weights are held in memory and counted in int64: 2^32 of them is far beyond any
    // FPGA, and refusing more keeps outputs x inputs (up to 2^16 x 2^48 for a dense layer) from
    // overflowing.
    bool check_weight_count(const Layer& layer) {
        constexpr int64_t kMaxWeights = int64_t{1} << 32;
        const int64_t per_output = layer.kind == LayerKind::Dense
                                       ? layer.in.size()
                                       : int64_t{layer.in.channels} * layer.kernel * layer.kernel;
        if (per_output <= kMaxWeights / layer.outputs) {
            return true;
        }
        const bool dense = layer.kind == LayerKind::Dense;
        error(layer.location_of(dense ? "out_features" : "out_channels"), "out-of-range",
              fmt::format("layer '{}' would have {} outputs of {} weights each (its input is {}); expected at most "
                          "{} (2^32) weights per layer",
                          layer.name, layer.outputs, per_output, shape_text(layer.in), kMaxWeights));
        return false;
    }

    bool check_layer(Layer& layer, bool binary_input) {
        if (layer.is_compute() && !check_weight_count(layer)) {
            return false;
        }
        switch (layer.kind) {
        case LayerKind::Conv: return check_conv(layer, binary_input);
        case LayerKind::MaxPool: return check_pool(layer, binary_input);
        case LayerKind::Dense:
            layer.out = Shape{layer.outputs, 1, 1};
            check_fold(layer);
            return true;
        }
        return false;
    }

    bool check_conv(Layer& layer, bool binary_input) {
        if (layer.padding >= layer.kernel) {
            error(layer.location_of("padding"), "out-of-range",
                  fmt::format("'padding' of layer '{}' must be less than its kernel ({}), found {}", layer.name,
                              layer.kernel, layer.padding));
        }
        if (!binary_input && layer.pad_value != 0) {
            error(layer.location_of("pad_value"), "pad-value-on-integer-input",
                  fmt::format("layer '{}' reads the integer input, which is padded with the integer 0; it takes no "
                              "'pad_value'",
                              layer.name));
        }
        if (binary_input && layer.pad_value == 0) {
            layer.pad_value = -1;
        }
        if (!check_window(layer, layer.padding)) {
            return false;
        }
        layer.out = Shape{layer.outputs, window_output(layer.in.height, layer.padding, layer.kernel, layer.stride),
                          window_output(layer.in.width, layer.padding, layer.kernel, layer.stride)};
        if (layer.keep && *layer.keep > layer.in.channels) {
            error(layer.location_of("prune.kernels.keep"), "out-of-range",
                  fmt::format("kernel pruning of layer '{}' keeps {} kernels per output channel, but the layer has "
                              "only {} input channels",
                              layer.name, *layer.keep, layer.in.channels));
            layer.keep.reset();
        }
        if (layer.spatial) {
            check_spatial(layer, binary_input);
        }
        check_fold(layer);
        if (layer.share) {
            check_share(layer, binary_input);
        }
        if (layer.reuse) {
            check_reuse(layer, binary_input);
        }
        return true;
    }

    // Similarity reuse (DESIGN.md 4.5) runs the layer on templates/reuse_unit: it compares each
    // window with the previous computed one chunk by chunk (fold.simd bits of the whole window, every
    // input channel) and steps, for all PE lanes together, only through the chunks that changed.
    void check_reuse(const Layer& layer, bool binary_input) {
        const SourceLocation& where = layer.location_of("prune.reuse");
        if (!binary_input) {
            error(where, "reuse-on-integer-input",
                  fmt::format("similarity reuse applies to binary conv layers (XNOR-popcount), but layer '{}' reads "
                              "the integer input",
                              layer.name));
            return;
        }
        if (layer.activation != Activation::Threshold) {
            error(where, "reuse-without-threshold",
                  fmt::format("similarity reuse is built for threshold layers, but layer '{}' has activation 'none' "
                              "(integer scores)",
                              layer.name));
            return;
        }
        if (layer.early) {
            error(where, "reuse-with-early",
                  fmt::format("layer '{}' cannot have both similarity reuse and early decision: a reused popcount "
                              "is only exact when every tap of the previous window was counted, and early decision "
                              "stops neurons before that; choose one",
                              layer.name));
            return;
        }
        if (layer.share) {
            error(where, "reuse-with-share",
                  fmt::format("layer '{}' cannot have both similarity reuse and result sharing: the sharing unit "
                              "computes every step's distinct kernels, the reuse unit only the changed chunks of "
                              "each lane's own kernels; they are two datapaths, choose one",
                              layer.name));
            return;
        }
        const int64_t window = int64_t{layer.in.channels} * layer.kernel * layer.kernel;
        if (!layer.fold_auto && window % layer.fold.simd != 0) {
            error(layer.location_of("fold.simd"), "fold-mismatch",
                  fmt::format("fold simd {} of layer '{}' (similarity reuse) must divide its whole window of {} bits "
                              "({} input channels x {} x {}): the reuse unit compares chunks of the whole window, "
                              "kept kernels or not",
                              layer.fold.simd, layer.name, window, layer.in.channels, layer.kernel, layer.kernel));
        }
    }

    // Result sharing (DESIGN.md 4.4) runs the layer on templates/share_unit: its lanes take
    // fold.simd / (k*k) whole input channels per step, every input channel (a pruned kernel
    // contributes nothing), and compare against a threshold.
    void check_share(const Layer& layer, bool binary_input) {
        const SourceLocation& where = layer.location_of("prune.share");
        if (!binary_input) {
            error(where, "share-on-integer-input",
                  fmt::format("result sharing applies to binary conv layers (XNOR-popcount), but layer '{}' reads "
                              "the integer input",
                              layer.name));
            return;
        }
        if (layer.activation != Activation::Threshold) {
            error(where, "share-without-threshold",
                  fmt::format("result sharing is built for threshold layers, but layer '{}' has activation 'none' "
                              "(integer scores)",
                              layer.name));
            return;
        }
        if (layer.early) {
            error(where, "share-with-early",
                  fmt::format("layer '{}' cannot have both result sharing and early decision: early decision's lanes "
                              "work on different windows at different times, so no distinct-kernel result is "
                              "common to them; choose one",
                              layer.name));
            return;
        }
        const int taps = layer.kernel * layer.kernel;
        if (taps > kMaxShareKernelTaps) {
            error(layer.location_of("kernel"), "share-kernel-too-large",
                  fmt::format("result sharing handles kernels of up to 8 x 8, but layer '{}' has kernel {}",
                              layer.name, layer.kernel));
            return;
        }
        if (layer.keep && *layer.keep < layer.in.channels) {
            bag_.warning("share-steps-pruned-kernels", where,
                         fmt::format("layer '{}' shares results over kept kernels only, but its sharing unit steps "
                                     "through all {} input channels where kernel pruning's select mode steps through "
                                     "the {} kept: {:.2g}x the unit cycles of the layer without prune.share",
                                     layer.name, layer.in.channels, *layer.keep,
                                     static_cast<double>(layer.in.channels) / *layer.keep));
        }
        if (!layer.fold_auto && (layer.fold.simd % taps != 0 || layer.in.channels % (layer.fold.simd / taps) != 0)) {
            error(layer.location_of("fold.simd"), "fold-mismatch",
                  fmt::format("fold simd {} of layer '{}' (result sharing) must be a whole number of {} x {} kernels "
                              "that divides its {} input channels: simd = c * {} with c dividing {}",
                              layer.fold.simd, layer.name, layer.kernel, layer.kernel, layer.in.channels, taps,
                              layer.in.channels));
        }
    }

    void check_spatial(const Layer& layer, bool binary_input) {
        if (!binary_input) {
            error(layer.location_of("prune.spatial"), "spatial-on-integer-input",
                  fmt::format("spatial pruning applies to binary conv layers, but layer '{}' reads the integer "
                              "input",
                              layer.name));
            return;
        }
        for (const Layer& earlier : net_.layers) {
            if (&earlier == &layer) {
                break;
            }
            if (earlier.kind == LayerKind::Dense) {
                error(layer.location_of("prune.spatial"), "spatial-after-dense",
                      fmt::format("spatial pruning applies to feature maps, but layer '{}' comes after dense layer "
                                  "'{}'",
                                  layer.name, earlier.name));
                return;
            }
        }
        int taps = layer.kernel * layer.kernel;
        if (layer.spatial->tolerance >= taps) {
            error(layer.location_of("prune.spatial.tolerance"), "out-of-range",
                  fmt::format("spatial pruning tolerance of layer '{}' must be less than its {} window taps, found "
                              "{} (every position would be skipped)",
                              layer.name, taps, layer.spatial->tolerance));
        }
    }

    // Early decision (DESIGN.md 4.3) stops binary neurons against their threshold, and max-pool
    // windows at their first 1.
    void check_early(size_t index) {
        const Layer& layer = net_.layers[index];
        if (!layer.early) {
            return;
        }
        if (layer.activation != Activation::Threshold) {
            error(layer.location_of("prune.early"), "early-without-threshold",
                  fmt::format("early decision stops a neuron once its threshold decides it, but layer '{}' has "
                              "activation 'none' (integer scores)",
                              layer.name));
            return;
        }
        if (layer.integer_input) {
            error(layer.location_of("prune.early"), "early-on-integer-input",
                  fmt::format("early decision applies to binary layers (XNOR-popcount), but layer '{}' reads the "
                              "integer input",
                              layer.name));
            return;
        }
        if (layer.early->pooling && !net_.can_prune_pooling(index)) {
            error(layer.location_of("prune.early.pooling"), "pooling-without-pool",
                  fmt::format("pooling pruning stops a max-pool window at its first 1, but layer '{}' is {}",
                              layer.name,
                              layer.kind == LayerKind::Dense ? std::string("a dense layer")
                              : index + 1 < net_.layers.size()
                                  ? fmt::format("followed by {} layer '{}', not a max-pool",
                                                layer_kind_name(net_.layers[index + 1].kind), net_.layers[index + 1].name)
                                  : std::string("the last layer")));
        }
        if (!layer.early->threshold && !layer.early->pooling) {
            bag_.warning("early-does-nothing", layer.location_of("prune.early"),
                         fmt::format("the early decision of layer '{}' enables neither 'threshold' nor 'pooling'",
                                     layer.name));
        }
    }

    bool check_pool(Layer& layer, bool binary_input) {
        if (!binary_input) {
            error(layer.where, "pool-on-integer-input",
                  fmt::format("max-pool layer '{}' needs binary input (it is an OR over bits), but it reads the "
                              "integer input; start with a conv or dense layer",
                              layer.name));
            return false;
        }
        if (!check_window(layer, 0)) {
            return false;
        }
        layer.out = Shape{layer.in.channels, window_output(layer.in.height, 0, layer.kernel, layer.stride),
                          window_output(layer.in.width, 0, layer.kernel, layer.stride)};
        return true;
    }

    void check_fold(const Layer& layer) {
        if (layer.fold_auto) {
            return;  // hw::plan_folding picks a folding these rules accept
        }
        if (layer.outputs % layer.fold.pe != 0) {
            error(layer.location_of("fold.pe"), "fold-mismatch",
                  fmt::format("fold pe {} of layer '{}' must divide its {} output {}", layer.fold.pe, layer.name,
                              layer.outputs, layer.kind == LayerKind::Dense ? "features" : "channels"));
        }
        int64_t taps = layer.taps_per_output();
        if (taps % layer.fold.simd != 0 && !layer.share && !layer.reuse) {  // check_share/check_reuse have their own rules
            std::string work = layer.kind == LayerKind::Dense
                                   ? fmt::format("{} input features", taps)
                                   : fmt::format("{} taps per output channel ({} {} x {} x {})", taps,
                                                 layer.keep ? "keep" : "channels", layer.kept_channels(),
                                                 layer.kernel, layer.kernel);
            error(layer.location_of("fold.simd"), "fold-mismatch",
                  fmt::format("fold simd {} of layer '{}' must divide its {}", layer.fold.simd, layer.name, work));
        }
    }

    Network& net_;
    DiagnosticBag& bag_;
};

}  // namespace

bool check_structure(Network& net, DiagnosticBag& bag) { return StructureChecker(net, bag).run(); }

}  // namespace bnngen
