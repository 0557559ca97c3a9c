#include "bnngen/net/network.hpp"

namespace bnngen {

std::string_view layer_kind_name(LayerKind k) {
    switch (k) {
    case LayerKind::Conv: return "conv";
    case LayerKind::MaxPool: return "maxpool";
    case LayerKind::Dense: return "dense";
    }
    return "conv";
}

const SourceLocation& Layer::location_of(const std::string& key) const {
    auto it = value_locations.find(key);
    return it == value_locations.end() ? where : it->second;
}

int Layer::kept_channels() const { return keep.value_or(in.channels); }

int64_t Layer::taps_per_output() const {
    if (kind == LayerKind::Dense) {
        return in.size();
    }
    return int64_t{kept_channels()} * kernel * kernel;
}

int64_t Layer::weight_count() const {
    if (kind == LayerKind::Dense) {
        return int64_t{outputs} * in.size();
    }
    return int64_t{outputs} * in.channels * kernel * kernel;
}

bool Network::can_decide_early(size_t index) const {
    const Layer& l = layers.at(index);
    return l.is_compute() && !l.integer_input && l.activation == Activation::Threshold;
}

bool Network::can_prune_pooling(size_t index) const {
    return can_decide_early(index) && layers[index].kind == LayerKind::Conv && index + 1 < layers.size() &&
           layers[index + 1].kind == LayerKind::MaxPool;
}

}  // namespace bnngen
