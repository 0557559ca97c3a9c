// Stage 1 of the front end: network.yaml -> Network without shapes or weights. Checks what can be
// checked key by key: syntax, unknown and duplicate keys, types, ranges, and keys that do not apply
// to a layer's type.
#include "bnngen/net/load.hpp"

#include "yaml_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>

namespace bnngen {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::array<std::string_view, 6> kTopKeys = {"name", "input", "weights", "target", "soc", "layers"};
constexpr std::array<std::string_view, 5> kInputKeys = {"channels", "height", "width", "bits", "pixels_per_beat"};
constexpr std::array<std::string_view, 4> kTargetKeys = {"part", "clock_mhz", "images_per_second", "luts"};
constexpr std::array<std::string_view, 1> kSocKeys = {"axi_lite"};
constexpr std::array<std::string_view, 2> kFoldKeys = {"pe", "simd"};
constexpr std::array<std::string_view, 5> kPruneKeys = {"kernels", "spatial", "early", "share", "reuse"};
constexpr std::array<std::string_view, 1> kDensePruneKeys = {"early"};
constexpr std::array<std::string_view, 1> kKernelPruneKeys = {"keep"};
constexpr std::array<std::string_view, 2> kSpatialKeys = {"mode", "tolerance"};
constexpr std::array<std::string_view, 2> kEarlyKeys = {"threshold", "pooling"};
constexpr std::array<std::string_view, 3> kLayerTypes = {"conv", "maxpool", "dense"};
constexpr std::array<std::string_view, 2> kActivations = {"threshold", "none"};
constexpr std::array<std::string_view, 1> kSpatialModes = {"background"};
constexpr std::array<std::string_view, 1> kShareKeys = {"mode"};
constexpr std::array<std::string_view, 2> kShareModes = {"repeated", "inverse"};
constexpr std::array<std::string_view, 1> kReuseKeys = {"mode"};
constexpr std::array<std::string_view, 2> kReuseModes = {"inputs", "weights"};

constexpr std::array<std::string_view, 11> kAllLayerKeys = {
    "name", "type", "out_channels", "out_features", "kernel", "stride",
    "padding", "pad_value", "activation", "fold", "prune"};
constexpr std::array<std::string_view, 10> kConvKeys = {"name",    "type",      "out_channels", "kernel", "stride",
                                                        "padding", "pad_value", "activation",   "fold",   "prune"};
constexpr std::array<std::string_view, 4> kPoolKeys = {"name", "type", "kernel", "stride"};
constexpr std::array<std::string_view, 6> kDenseKeys = {"name", "type", "out_features", "activation", "fold", "prune"};

constexpr int64_t kMaxDimension = 1 << 16;
constexpr int64_t kMaxInputBeatBits = InputSpec::kMaxBeatBits;

// yaml-cpp names the parser state it was in; say what the writer most likely got wrong.
// `line` is the text of the line the parser stopped on (empty past the end of the file).
std::string syntax_message(const std::string& msg, const std::string& line) {
    if (msg == YAML::ErrorMsg::END_OF_SEQ_FLOW) {
        return "invalid YAML: expected ',' or ']' to continue or close a flow sequence '[...]'";
    }
    if (msg == YAML::ErrorMsg::END_OF_MAP_FLOW) {
        return "invalid YAML: expected ',' or '}' to continue or close a flow mapping '{...}'";
    }
    std::string hint;
    const size_t indent = line.find_first_not_of(" \t");
    if (indent != std::string::npos && line.find('\t') < indent) {
        hint = " (this line is indented with a tab; YAML indents with spaces only)";
    } else if (msg == YAML::ErrorMsg::END_OF_MAP || msg == YAML::ErrorMsg::END_OF_SEQ) {
        hint = " (is this line indented differently from the entries before it?)";
    }
    return fmt::format("invalid YAML: {}{}", msg, hint);
}

std::string line_of(const std::string& file, int line) {
    std::ifstream in(file);
    std::string text;
    for (int i = 0; i <= line && std::getline(in, text); ++i) {
        if (i == line) {
            return text;
        }
    }
    return {};
}

// The mappings of a layer whose values later stages point at ("fold.pe", "prune.kernels.keep").
constexpr std::array<std::string_view, 7> kNestedMaps = {"fold",          "prune",       "prune.kernels",
                                                         "prune.spatial", "prune.early", "prune.share",
                                                         "prune.reuse"};

// Records where each value of a layer sits, descending only into the first definition of the
// nested mappings in kNestedMaps: the work stays linear in the file even when aliases make every
// key of a mapping refer to one widely fanned-out anchor (10 keys x 10 levels = 10^10 paths).
// Where flow collections ('[', '{') first reach `depth` levels of nesting, if they do: yaml-cpp
// reports its depth limit at the point its scanner had reached, often the end of the document.
std::optional<SourceLocation> deep_flow_location(const std::string& file, int depth) {
    std::ifstream in(file, std::ios::binary);
    int level = 0;
    int line = 1;
    int column = 0;
    char quote = 0;
    bool comment = false;
    for (char c; in.get(c);) {
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
            comment = false;
        } else if (comment) {
        } else if (quote != 0) {
            quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '#') {
            comment = true;
        } else if (c == '[' || c == '{') {
            if (++level >= depth) {
                return SourceLocation{file, line, column};
            }
        } else if ((c == ']' || c == '}') && level > 0) {
            --level;
        }
    }
    return std::nullopt;
}

void record_value_locations(const YAML::Node& map, const std::string& prefix, const std::string& file,
                            std::map<std::string, SourceLocation>& out) {
    for (auto it = map.begin(); it != map.end(); ++it) {
        std::string key = prefix + it->first.Scalar();
        const bool first = out.emplace(key, location_of(file, it->second)).second;
        if (first && it->second.IsMap() &&
            std::find(kNestedMaps.begin(), kNestedMaps.end(), key) != kNestedMaps.end()) {
            record_value_locations(it->second, key + ".", file, out);
        }
    }
}

bool is_identifier(const std::string& s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) {
        return false;
    }
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

Keys keys_of(LayerKind kind) {
    switch (kind) {
    case LayerKind::Conv: return kConvKeys;
    case LayerKind::MaxPool: return kPoolKeys;
    case LayerKind::Dense: return kDenseKeys;
    }
    return kConvKeys;
}

// A key that exists for another layer type gets its own message rather than "unknown key".
void check_layer_keys(MapReader& m, LayerKind kind) {
    Keys allowed = keys_of(kind);
    for (std::string_view key : kAllLayerKeys) {
        bool applies = std::find(allowed.begin(), allowed.end(), key) != allowed.end();
        if (!applies && m.has(key)) {
            std::string list;
            for (std::string_view k : allowed) {
                list += (list.empty() ? "" : ", ") + std::string(k);
            }
            m.error("key-not-applicable", m.key_location(key),
                    fmt::format("key '{}' does not apply to {} layers (they take {})", key, layer_kind_name(kind),
                                list));
        }
    }
    m.check_keys(kAllLayerKeys, allowed);
}

void parse_fold(MapReader& layer, Layer& out) {
    // `fold: auto` asks hw::plan_folding for the folding; any other scalar is a mistake.
    const YAML::Node value = layer.get("fold");
    if (value.IsScalar()) {
        if (value.Scalar() == "auto") {
            out.fold_auto = true;
            return;
        }
        layer.error("wrong-type", location_of(layer.file(), value),
                    fmt::format("'fold' of layer '{}' must be a mapping {{pe: P, simd: S}} or 'auto', found {}",
                                out.name, describe_yaml_value(value)));
        return;
    }
    auto fold = layer.map("fold", false, fmt::format("the fold of layer '{}'", out.name));
    if (!fold) {
        return;
    }
    fold->check_keys(kFoldKeys);
    out.fold.pe = static_cast<int>(fold->integer("pe", false, 1, kMaxDimension).value_or(1));
    out.fold.simd = static_cast<int>(fold->integer("simd", false, 1, kMaxDimension).value_or(1));
}

void parse_early(MapReader& prune, Layer& out) {
    if (auto early = prune.map("early", false, fmt::format("the early decision of layer '{}'", out.name))) {
        early->check_keys(kEarlyKeys);
        EarlyDecision ed;
        ed.threshold = early->boolean("threshold", false).value_or(false);
        ed.pooling = early->boolean("pooling", false).value_or(false);
        out.early = ed;
    }
}

void parse_prune(MapReader& layer, Layer& out) {
    auto prune = layer.map("prune", false, fmt::format("the prune options of layer '{}'", out.name));
    if (!prune) {
        return;
    }
    if (out.kind == LayerKind::Dense) {
        for (std::string_view key : kPruneKeys) {
            if (key != "early" && prune->has(key)) {
                prune->error("key-not-applicable", prune->key_location(key),
                             fmt::format("'prune.{}' does not apply to dense layers (they take prune.early)", key));
            }
        }
        prune->check_keys(kPruneKeys, kDensePruneKeys);
    } else {
        prune->check_keys(kPruneKeys);
    }
    parse_early(*prune, out);
    if (out.kind != LayerKind::Conv) {
        return;
    }
    if (auto kernels = prune->map("kernels", false, fmt::format("the kernel pruning of layer '{}'", out.name))) {
        kernels->check_keys(kKernelPruneKeys);
        if (auto keep = kernels->integer("keep", true, 1, kMaxDimension)) {
            out.keep = static_cast<int>(*keep);
        }
    }
    if (auto spatial = prune->map("spatial", false, fmt::format("the spatial pruning of layer '{}'", out.name))) {
        spatial->check_keys(kSpatialKeys);
        spatial->choice("mode", true, kSpatialModes);
        SpatialPrune sp;
        if (auto tolerance = spatial->integer("tolerance", false, 0, kMaxDimension)) {
            sp.tolerance = static_cast<int>(*tolerance);
        }
        out.spatial = sp;
    }
    if (auto share = prune->map("share", false, fmt::format("the result sharing of layer '{}'", out.name))) {
        share->check_keys(kShareKeys);
        if (auto mode = share->choice("mode", true, kShareModes)) {
            out.share = ResultSharing{*mode == "inverse"};
        }
    }
    if (auto reuse = prune->map("reuse", false, fmt::format("the similarity reuse of layer '{}'", out.name))) {
        reuse->check_keys(kReuseKeys);
        if (auto mode = reuse->choice("mode", true, kReuseModes)) {
            out.reuse = SimilarityReuse{*mode == "weights"};
        }
    }
}

std::optional<Layer> parse_layer(const YAML::Node& node, size_t index, const std::string& file, DiagnosticBag& bag) {
    auto m = as_map(node, fmt::format("layer {}", index + 1), file, bag);
    if (!m) {
        return std::nullopt;
    }
    Layer layer;
    layer.where = m->location();
    auto name = m->string("name", true);
    if (name && !is_identifier(*name)) {
        m->error("bad-name", location_of(file, m->get("name")),
                 fmt::format("layer name '{}' must be an identifier (letters, digits and '_', not starting with a digit)",
                             *name));
    }
    layer.name = name.value_or(fmt::format("#{}", index + 1));
    m->set_context(fmt::format("layer '{}'", layer.name));

    auto type = m->choice("type", true, kLayerTypes);
    if (!type) {
        m->check_keys(kAllLayerKeys);
        return std::nullopt;
    }
    layer.kind = *type == "conv" ? LayerKind::Conv : *type == "maxpool" ? LayerKind::MaxPool : LayerKind::Dense;
    check_layer_keys(*m, layer.kind);
    record_value_locations(node, "", file, layer.value_locations);

    bool ok = true;
    auto need = [&ok](auto value) {
        ok = ok && value.has_value();
        return value;
    };
    switch (layer.kind) {
    case LayerKind::Conv:
        layer.outputs = static_cast<int>(need(m->integer("out_channels", true, 1, kMaxDimension)).value_or(0));
        layer.kernel = static_cast<int>(need(m->integer("kernel", true, 1, 64)).value_or(0));
        layer.stride = static_cast<int>(m->integer("stride", false, 1, 64).value_or(1));
        layer.padding = static_cast<int>(m->integer("padding", false, 0, 63).value_or(0));
        if (auto pad = m->integer("pad_value", false, INT64_MIN / 2, INT64_MAX)) {
            if (*pad != -1 && *pad != 1) {
                m->error("out-of-range", location_of(file, m->get("pad_value")),
                         fmt::format("'pad_value' of layer '{}' must be -1 or +1, found {}", layer.name, *pad));
            } else {
                layer.pad_value = static_cast<int>(*pad);
            }
        }
        break;
    case LayerKind::MaxPool:
        layer.kernel = static_cast<int>(need(m->integer("kernel", true, 1, 64)).value_or(0));
        layer.stride = static_cast<int>(m->integer("stride", false, 1, 64).value_or(layer.kernel));
        break;
    case LayerKind::Dense:
        layer.outputs = static_cast<int>(need(m->integer("out_features", true, 1, kMaxDimension)).value_or(0));
        break;
    }
    if (layer.is_compute()) {
        auto activation = m->choice("activation", false, kActivations);
        layer.activation = activation.value_or("threshold") == "none" ? Activation::None : Activation::Threshold;
        parse_fold(*m, layer);
    }
    if (layer.is_compute()) {
        parse_prune(*m, layer);
    }
    if (!ok) {
        return std::nullopt;
    }
    return layer;
}

void parse_input(MapReader& top, Network& net) {
    auto input = top.map("input", true, "'input'");
    if (!input) {
        return;
    }
    input->check_keys(kInputKeys);
    net.input.channels = static_cast<int>(input->integer("channels", true, 1, kMaxDimension).value_or(0));
    net.input.height = static_cast<int>(input->integer("height", true, 1, kMaxDimension).value_or(0));
    net.input.width = static_cast<int>(input->integer("width", true, 1, kMaxDimension).value_or(0));
    net.input.bits = static_cast<int>(input->integer("bits", false, 1, 16).value_or(8));
    auto per_beat = input->integer("pixels_per_beat", false, 1, kMaxDimension);
    if (!per_beat || net.input.channels == 0 || net.input.height == 0 || net.input.width == 0) {
        return;
    }
    const SourceLocation where = input->key_location("pixels_per_beat");
    if (*per_beat > net.input.pixels()) {
        input->error("pixels-per-beat-too-large", where,
                     fmt::format("'input': pixels_per_beat is {}, but an image has only {} x {} = {} pixels; a beat "
                                 "carries pixels of one image",
                                 *per_beat, net.input.height, net.input.width, net.input.pixels()));
        return;
    }
    if (*per_beat > 1 && *per_beat * net.input.pixel_bits() > kMaxInputBeatBits) {
        input->error("input-beat-too-wide", where,
                     fmt::format("'input': {} pixels of {} x {} bits make a {}-bit s_axis beat; expected at most {} bits "
                                 "(AXI4-Stream TDATA of 512 bytes), i.e. pixels_per_beat <= {}",
                                 *per_beat, net.input.channels, net.input.bits, *per_beat * net.input.pixel_bits(),
                                 kMaxInputBeatBits, kMaxInputBeatBits / net.input.pixel_bits()));
        return;
    }
    net.input.pixels_per_beat = static_cast<int>(*per_beat);
}

void parse_target(MapReader& top, Network& net) {
    auto target = top.map("target", false, "'target'");
    if (!target) {
        return;
    }
    target->check_keys(kTargetKeys);
    if (auto part = target->string("part", false)) {
        net.target.part = *part;
    }
    net.target.clock_mhz = target->number("clock_mhz", false, 0.0, 2000.0).value_or(net.target.clock_mhz);
    net.target.images_per_second = target->number("images_per_second", false, 0.0, 1e12).value_or(0.0);
    net.target.luts = target->integer("luts", false, 1, int64_t{1} << 40).value_or(0);
    if (net.target.images_per_second > 0 && net.target.luts > 0) {
        target->error("target-conflict", target->key_location("luts"),
                      "'target' gives both images_per_second and luts; fold: auto meets one of them: the "
                      "fewest LUTs at an interval, or the fastest interval within a LUT budget");
    }
}

void parse_soc(MapReader& top, Network& net) {
    auto soc = top.map("soc", false, "'soc'");
    if (!soc) {
        return;
    }
    soc->check_keys(kSocKeys);
    net.soc.axi_lite = soc->boolean("axi_lite", false).value_or(net.soc.axi_lite);
}

void parse_layers(MapReader& top, Network& net, DiagnosticBag& bag) {
    YAML::Node layers = top.get("layers");
    if (!layers.IsDefined()) {
        top.missing("layers");
        return;
    }
    if (!layers.IsSequence() || layers.size() == 0) {
        top.error("wrong-type", location_of(top.file(), layers),
                  fmt::format("'layers' must be a non-empty sequence of layers, found {}",
                              layers.IsSequence() ? "an empty sequence" : describe_yaml_value(layers)));
        return;
    }
    std::map<std::string, SourceLocation> names;
    for (size_t i = 0; i < layers.size(); ++i) {
        auto layer = parse_layer(layers[i], i, top.file(), bag);
        if (!layer) {
            continue;
        }
        auto [previous, inserted] = names.emplace(layer->name, layer->where);
        if (!inserted) {
            Diagnostic& d = bag.error("duplicate-layer", layer->where, fmt::format("duplicate layer name '{}'", layer->name));
            d.notes.push_back(
                Diagnostic{Severity::Note, {}, previous->second, {}, "previous layer with that name is here", {}});
        }
        net.layers.push_back(std::move(*layer));
    }
}

}  // namespace

std::optional<Network> parse_network_yaml(const std::filesystem::path& yaml_path, DiagnosticBag& bag) {
    const std::string file = yaml_path.string();
    int errors_before = bag.error_count();
    size_t first_diagnostic = bag.size();
    YAML::Node root;
    try {
        root = YAML::LoadFile(file);
    } catch (const YAML::BadFile&) {
        bag.error("file-not-found", SourceLocation{file, 0, 0}, "cannot open the network description");
        return std::nullopt;
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp stops nesting deeper than its limit (instead of overflowing the stack) but calls
        // it a "bad file"; say what is wrong.
        bag.error("yaml-syntax",
                  deep_flow_location(file, e.depth()).value_or(SourceLocation{file, e.mark.line + 1, e.mark.column + 1}),
                  fmt::format("invalid YAML: sequences and mappings nested more than {} levels deep; a network "
                              "description nests 4",
                              e.depth() - 1));
        return std::nullopt;
    } catch (const YAML::ParserException& e) {
        bag.error("yaml-syntax", SourceLocation{file, e.mark.line + 1, e.mark.column + 1},
                  syntax_message(e.msg, line_of(file, e.mark.line)));
        return std::nullopt;
    }
    auto top = as_map(root, "the network description", file, bag);
    if (!top) {
        return std::nullopt;
    }
    top->set_context("the network description");
    top->check_keys(kTopKeys);

    Network net;
    net.source_file = file;
    if (auto name = top->string("name", true)) {
        if (!is_identifier(*name)) {
            top->error("bad-name", location_of(file, top->get("name")),
                       fmt::format("network name '{}' must be an identifier (it names the Verilog top module)", *name));
        }
        net.name = *name;
    }
    parse_input(*top, net);
    if (auto weights = top->string("weights", true)) {
        net.weights_file = (yaml_path.parent_path() / *weights).string();
        net.weights_where = location_of(file, top->get("weights"));
    }
    parse_target(*top, net);
    parse_soc(*top, net);
    parse_layers(*top, net, bag);
    bag.sort_by_location(first_diagnostic);
    if (bag.error_count() > errors_before) {
        return std::nullopt;
    }
    return net;
}

}  // namespace bnngen
