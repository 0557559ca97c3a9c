#include "bnngen/analyze/fold_measurement.hpp"

#include "bnngen/golden/background.hpp"
#include "bnngen/golden/early_decision.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/similarity_reuse.hpp"
#include "bnngen/hw/cycle_model.hpp"

#include <algorithm>

namespace bnngen::analyze {

FoldMeasurement::FoldMeasurement(const Network& net, const io::ImageSet& images) {
    golden::FastModel model(net);
    for (int64_t i = 0; i < images.count; ++i) {
        outputs_.push_back(model.run_layers(images.image(i)));
    }
    skipped_positions_ = model.skipped_positions();
    const bool any_early = std::any_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.early.has_value(); });
    if (any_early) {
        backgrounds_ = golden::background_vectors(net);
    }
}

double FoldMeasurement::share(const Network& net, size_t index) const {
    const Layer& l = net.layers[index];
    const double images = static_cast<double>(outputs_.size());
    if (outputs_.empty()) {
        return 1.0;
    }
    if (l.early && index > 0) {
        golden::EarlyDecisionCount count;
        for (const std::vector<golden::Tensor>& out : outputs_) {
            count += golden::count_early_decision(net, index, out[index - 1], backgrounds_).count;
        }
        return static_cast<double>(count.busiest_lane_steps()) /
               (images * static_cast<double>(hw::early_worst_cycles(net, index)));
    }
    const double positions = static_cast<double>(int64_t{l.out.height} * l.out.width);
    if (l.reuse && !l.reuse->weights) {
        golden::ReuseCounter counter(net, {index});
        for (const std::vector<golden::Tensor>& out : outputs_) {
            counter.add_image(out);
        }
        return static_cast<double>(counter.counts()[index].unit_cycles) /
               (positions * static_cast<double>(hw::fold_steps(l)) * images);
    }
    if (l.spatial) {
        return 1.0 - static_cast<double>(skipped_positions_[index]) / (positions * images);
    }
    return 1.0;
}

}  // namespace bnngen::analyze
