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

}  // namespace bnngen
