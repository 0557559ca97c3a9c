#include "bnngen/golden/batch.hpp"

#include "bnngen/golden/fast_model.hpp"

#include <algorithm>

namespace bnngen::golden {

BatchResult run_batch(const Network& net, const io::ImageSet& images, const std::vector<int>& labels,
                      const std::function<void(int64_t)>& progress) {
    FastModel model(net);
    BatchResult result;
    result.images = images.count;
    result.classes = net.classes();
    result.scores.reserve(static_cast<size_t>(images.count * result.classes));
    int64_t correct = 0;
    const int64_t report_every = std::max<int64_t>(1, images.count / 100);
    for (int64_t i = 0; i < images.count; ++i) {
        Prediction p = model.predict(images.image(i));
        result.scores.insert(result.scores.end(), p.scores.begin(), p.scores.end());
        result.predicted.push_back(p.predicted_class);
        if (!labels.empty() && labels[static_cast<size_t>(i)] == p.predicted_class) {
            ++correct;
        }
        if (progress && ((i + 1) % report_every == 0 || i + 1 == images.count)) {
            progress(i + 1);
        }
    }
    if (!labels.empty()) {
        result.correct = correct;
    }
    result.operations = model.operations();
    result.skipped_positions = model.skipped_positions();
    return result;
}

}  // namespace bnngen::golden
