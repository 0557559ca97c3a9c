#include "bnngen/hw/input_hold.hpp"

#include <algorithm>

namespace bnngen::hw {

namespace {

bool fits_interval(const Network& net, size_t index, const CycleModel& model) {
    // model.layers: "input", then one entry per layer, then "output"
    const LayerCycles& own = model.layers.at(index + 1);
    return own.cycles + hold_penalty(net.layers[index]) <= model.interval;
}

bool dense_holds_input(const Network& net, size_t index, const CycleModel& model) {
    const Layer& layer = net.layers.at(index);
    return layer.kind == LayerKind::Dense && index > 0 && !layer.early && fits_interval(net, index, model);
}

}  // namespace

int output_fifo_depth(const Network& net, size_t index, const CycleModel& model) {
    const Layer& layer = net.layers.at(index);
    const int rows = std::max(2, 2 * layer.out.width);
    size_t consumer = index + 1;
    Shape held = layer.out;
    if (layer.early && layer.early->pooling) {
        held = net.layers.at(consumer).out;
        ++consumer;
    }
    if (consumer < net.layers.size() && dense_holds_input(net, consumer, model)) {
        return static_cast<int>(std::max<int64_t>(rows, int64_t{held.height} * held.width));
    }
    return rows;
}

int64_t hold_penalty(const Layer& l) {
    switch (l.kind) {
    case LayerKind::MaxPool:
        return 0;
    case LayerKind::Dense:
        return int64_t{l.in.height} * l.in.width + 1;
    case LayerKind::Conv:
        break;
    }
    const int64_t fold = fold_steps(l);
    // columns the window block scans per row: the image plus the right padding its last window reaches
    const int64_t right = std::max(0, (l.out.width - 1) * l.stride + l.kernel - l.padding - l.in.width);
    const int64_t cols = l.in.width + right;
    const int64_t row_gap = int64_t{l.stride} * cols - int64_t{l.out.width - 1} * l.stride;
    // from an image's last window to the next image's first: at most kernel rows of scanning
    const int64_t image_gap = int64_t{l.kernel} * cols;
    return int64_t{l.out.height} * std::max<int64_t>(0, row_gap - fold) + std::max<int64_t>(0, image_gap - fold);
}

bool holds_input(const Network& net, size_t index, const CycleModel& model) {
    if (net.layers.at(index).kind == LayerKind::Dense) {
        return dense_holds_input(net, index, model);
    }
    return fits_interval(net, index, model);
}

}  // namespace bnngen::hw
