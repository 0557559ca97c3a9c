// Stage 3 of the front end: the weights archive. Every compute layer L needs L.weight (int8 +-1),
// L.threshold (int32, activation threshold) or optionally L.bias (int32, activation none), and
// L.kernel_mask (uint8 or bool 0/1, exactly `keep` ones per output channel) when it prunes kernels.
#include "bnngen/net/load.hpp"

#include "bnngen/diag/error.hpp"
#include "bnngen/io/npz.hpp"
#include "bnngen/util/did_you_mean.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace bnngen {
namespace {

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        s += fmt::format("{}{}", i == 0 ? "" : ", ", shape[i]);
    }
    return s + "]";
}

class WeightBinder {
public:
    WeightBinder(Network& net, std::map<std::string, io::Array>& arrays, DiagnosticBag& bag)
        : net_(net), arrays_(arrays), bag_(bag) {}

    void bind_all() {
        for (Layer& layer : net_.layers) {
            if (!layer.is_compute()) {
                continue;
            }
            bool conv = layer.kind == LayerKind::Conv;
            std::vector<int64_t> weight_shape =
                conv ? std::vector<int64_t>{layer.outputs, layer.in.channels, layer.kernel, layer.kernel}
                     : std::vector<int64_t>{layer.outputs, layer.in.size()};
            if (auto* a = take(layer.name + ".weight", io::DType::Int8, weight_shape, true)) {
                layer.weight.assign(a->data.begin(), a->data.end());
            }
            std::vector<int64_t> per_output{layer.outputs};
            if (layer.activation == Activation::Threshold) {
                if (auto* a = take(layer.name + ".threshold", io::DType::Int32, per_output, true)) {
                    layer.threshold = a->data;
                }
            } else {
                layer.bias.assign(static_cast<size_t>(layer.outputs), 0);
                if (auto* a = take(layer.name + ".bias", io::DType::Int32, per_output, false)) {
                    layer.bias = a->data;
                }
            }
            if (conv) {
                bind_mask(layer);
            }
        }
        report_unexpected();
    }

private:
    void array_error(const std::string& array, std::string code, std::string message) {
        Diagnostic& d = bag_.error(std::move(code), SourceLocation{net_.weights_file, 0, 0}, std::move(message));
        d.subject = fmt::format("array '{}'", array);
    }

    // Marks the array as used and checks its dtype and shape; nullptr if absent or wrong. `also` is a
    // second dtype the array may have (a kernel mask saved as numpy bool).
    const io::Array* take(const std::string& name, io::DType dtype, const std::vector<int64_t>& shape, bool required,
                          std::optional<io::DType> also = std::nullopt) {
        auto it = arrays_.find(name);
        if (it == arrays_.end()) {
            if (required) {
                array_error(name, "missing-array",
                            fmt::format("missing from the archive; expected {} {}", io::dtype_name(dtype),
                                        shape_string(shape)));
            }
            return nullptr;
        }
        used_.insert(name);
        const io::Array& a = it->second;
        bool ok = true;
        if (a.dtype != dtype && a.dtype != also) {
            std::string expected(io::dtype_name(dtype));
            if (also) {
                expected += fmt::format(" or {}", io::dtype_name(*also));
            }
            array_error(name, "array-dtype",
                        fmt::format("expected dtype {}, found {}", expected, io::dtype_name(a.dtype)));
            ok = false;
        }
        if (a.shape != shape) {
            array_error(name, "array-shape",
                        fmt::format("expected shape {}, found {}", shape_string(shape), shape_string(a.shape)));
            ok = false;
        }
        return ok ? &a : nullptr;
    }

    void bind_mask(Layer& layer) {
        std::string name = layer.name + ".kernel_mask";
        std::vector<int64_t> shape{layer.outputs, layer.in.channels};
        if (!layer.keep) {
            if (arrays_.count(name) != 0) {
                used_.insert(name);
                array_error(name, "unexpected-mask",
                            fmt::format("layer '{}' declares no kernel pruning; add prune: {{kernels: {{keep: K}}}} "
                                        "to its entry, or remove the mask",
                                        layer.name));
            }
            layer.kernel_mask.assign(static_cast<size_t>(layer.outputs * layer.in.channels), 1);
            return;
        }
        // keep == Cin keeps everything, so the mask may be left out.
        bool required = *layer.keep != layer.in.channels;
        if (auto* a = take(name, io::DType::UInt8, shape, required, io::DType::Bool)) {
            layer.kernel_mask.assign(a->data.begin(), a->data.end());
        } else if (!required && arrays_.count(name) == 0) {
            layer.kernel_mask.assign(static_cast<size_t>(layer.outputs * layer.in.channels), 1);
        }
    }

    void report_unexpected() {
        std::vector<std::string> expected;
        for (const Layer& layer : net_.layers) {
            if (layer.is_compute()) {
                for (const char* suffix : {".weight", ".threshold", ".bias", ".kernel_mask"}) {
                    expected.push_back(layer.name + suffix);
                }
            }
        }
        std::vector<std::string_view> candidates(expected.begin(), expected.end());
        for (const auto& [name, array] : arrays_) {
            if (used_.count(name) != 0) {
                continue;
            }
            std::string message = "unexpected array: no layer of the network uses it";
            if (auto suggestion = closest_match(name, candidates)) {
                message += fmt::format("; did you mean '{}'?", *suggestion);
            }
            array_error(name, "unexpected-array", std::move(message));
        }
    }

    Network& net_;
    std::map<std::string, io::Array>& arrays_;
    DiagnosticBag& bag_;
    std::set<std::string> used_;
};

struct Range {
    int64_t min = 0;
    int64_t max = 0;
};

// The pre-activations an output channel can reach. Binary layers: s = 2P - N lies in [-N, N].
// Integer-input layers: each +1 weight adds at most 2^bits - 1, each -1 weight subtracts at most that.
Range reachable(const Network& net, const Layer& layer, int output) {
    int64_t taps = layer.taps_per_output();
    if (!layer.integer_input) {
        return Range{-taps, taps};
    }
    int64_t max_value = (int64_t{1} << net.input.bits) - 1;
    int64_t plus = 0;
    int64_t minus = 0;
    int64_t per_channel = layer.kind == LayerKind::Conv ? int64_t{layer.kernel} * layer.kernel : layer.in.size();
    int64_t channels = layer.kind == LayerKind::Conv ? layer.in.channels : 1;
    for (int64_t c = 0; c < channels; ++c) {
        if (layer.kind == LayerKind::Conv && layer.kernel_mask[static_cast<size_t>(output * channels + c)] == 0) {
            continue;
        }
        for (int64_t t = 0; t < per_channel; ++t) {
            int8_t w = layer.weight[static_cast<size_t>((output * channels + c) * per_channel + t)];
            (w > 0 ? plus : minus) += 1;
        }
    }
    return Range{-minus * max_value, plus * max_value};
}

void array_diagnostic(DiagnosticBag& bag, const Network& net, Severity severity, const std::string& array,
                      std::string code, std::string message) {
    Diagnostic& d = bag.add(Diagnostic{severity, std::move(code), SourceLocation{net.weights_file, 0, 0}, {},
                                       std::move(message), {}});
    d.subject = fmt::format("array '{}'", array);
}

// "[o, i, ky, kx]" (conv) or "[o, i]" (dense): the numpy index of entry `flat` of the weight array.
std::string weight_index(const Layer& layer, int64_t flat) {
    if (layer.kind == LayerKind::Dense) {
        return fmt::format("[{}, {}]", flat / layer.in.size(), flat % layer.in.size());
    }
    int64_t k = layer.kernel;
    return fmt::format("[{}, {}, {}, {}]", flat / (layer.in.channels * k * k), flat / (k * k) % layer.in.channels,
                       flat / k % k, flat % k);
}

void check_layer_values(const Network& net, const Layer& layer, DiagnosticBag& bag) {
    if (layer.weight.size() == static_cast<size_t>(layer.weight_count())) {
        auto not_binary = [](int8_t w) { return w != 1 && w != -1; };
        auto bad = std::find_if(layer.weight.begin(), layer.weight.end(), not_binary);
        if (bad != layer.weight.end()) {
            auto count = std::count_if(layer.weight.begin(), layer.weight.end(), not_binary);
            bool bits = std::all_of(layer.weight.begin(), layer.weight.end(), [](int8_t w) { return w == 0 || w == 1; });
            array_diagnostic(bag, net, Severity::Error, layer.name + ".weight", "weight-not-binary",
                             fmt::format("weights must be -1 or +1, found {} at {} ({} of {} values are not +-1){}",
                                         *bad, weight_index(layer, bad - layer.weight.begin()), count,
                                         layer.weight.size(),
                                         bits ? "; the array holds 0/1 bits: write bit 0 as -1" : ""));
        }
    }
    // A mask that did not bind (missing or ill-formed array, already reported) cannot be checked, and
    // without it the reachable range of an integer-input conv layer is unknown.
    const bool has_mask =
        layer.kernel_mask.size() == static_cast<size_t>(layer.outputs) * static_cast<size_t>(layer.in.channels);
    bool mask_ok = has_mask || layer.kind != LayerKind::Conv || !layer.integer_input;
    if (layer.kind == LayerKind::Conv && layer.keep && has_mask) {
        int cin = layer.in.channels;
        int bad_rows = 0;
        std::string first;
        for (int o = 0; o < layer.outputs; ++o) {
            int kept = 0;
            for (int c = 0; c < cin; ++c) {
                uint8_t m = layer.kernel_mask[static_cast<size_t>(o * cin + c)];
                if (m > 1) {
                    array_diagnostic(bag, net, Severity::Error, layer.name + ".kernel_mask", "mask-not-binary",
                                     fmt::format("mask values must be 0 or 1, found {} at [{}, {}]", m, o, c));
                    return;
                }
                kept += m;
            }
            if (kept != *layer.keep) {
                if (bad_rows++ == 0) {
                    first = fmt::format("output channel {} keeps {}", o, kept);
                }
            }
        }
        if (bad_rows > 0) {
            mask_ok = false;
            array_diagnostic(bag, net, Severity::Error, layer.name + ".kernel_mask", "mask-not-structured",
                             fmt::format("every output channel must keep exactly {} kernels (prune: kernels: keep), "
                                         "but {} of {} do not ({})",
                                         *layer.keep, bad_rows, layer.outputs, first));
        }
    }
    if (layer.activation == Activation::Threshold && mask_ok &&
        layer.threshold.size() == static_cast<size_t>(layer.outputs) &&
        layer.weight.size() == static_cast<size_t>(layer.weight_count())) {
        int unreachable = 0;
        std::string first;
        for (int o = 0; o < layer.outputs; ++o) {
            Range r = reachable(net, layer, o);
            int64_t t = layer.threshold[static_cast<size_t>(o)];
            if (t <= r.min || t > r.max) {
                if (unreachable++ == 0) {
                    first = fmt::format("channel {} has threshold {} but its pre-activation lies in [{}, {}], so it "
                                        "is always {}",
                                        o, t, r.min, r.max, t <= r.min ? 1 : 0);
                }
            }
        }
        if (unreachable > 0) {
            array_diagnostic(bag, net, Severity::Warning, layer.name + ".threshold", "threshold-unreachable",
                             fmt::format("{} of {} output channels never change: {}", unreachable, layer.outputs, first));
        }
    }
}

}  // namespace

bool check_weight_values(const Network& net, DiagnosticBag& bag) {
    int errors_before = bag.error_count();
    for (const Layer& layer : net.layers) {
        if (layer.is_compute()) {
            check_layer_values(net, layer, bag);
        }
    }
    return bag.error_count() == errors_before;
}

bool attach_weights(Network& net, DiagnosticBag& bag) {
    std::map<std::string, io::Array> arrays;
    try {
        arrays = io::read_npz(net.weights_file);
    } catch (const InputError& e) {
        Diagnostic& d = bag.add(e.diagnostic());
        if (!net.weights_where.file.empty()) {
            d.notes.push_back(Diagnostic{Severity::Note, {}, net.weights_where, {}, "the weights file is named here", {}});
        }
        return false;
    }
    int errors_before = bag.error_count();
    WeightBinder(net, arrays, bag).bind_all();
    // Arrays that bound are checked even when others did not, so one run reports everything.
    check_weight_values(net, bag);
    return bag.error_count() == errors_before;
}

std::optional<Network> load_network(const std::filesystem::path& yaml_path, DiagnosticBag& bag) {
    auto net = parse_network_yaml(yaml_path, bag);
    if (!net || !check_structure(*net, bag) || !attach_weights(*net, bag)) {
        return std::nullopt;
    }
    return net;
}

}  // namespace bnngen
