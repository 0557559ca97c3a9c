#include "bnngen/sim/verify.hpp"

#include "bnngen/golden/fast_model.hpp"

namespace bnngen::sim {

VerifyReport compare_with_golden(const Network& net, const io::ImageSet& images, const std::vector<int>& labels,
                                 const CosimResult& rtl) {
    VerifyReport report;
    report.images_sent = images.count;
    report.images_returned = static_cast<int64_t>(rtl.images.size());
    golden::FastModel model(net);
    int64_t correct = 0;
    for (int64_t i = 0; i < report.images_returned; ++i) {
        const ImageOutput& actual = rtl.images[static_cast<size_t>(i)];
        golden::Prediction expected = model.predict(images.image(i));
        report.scores.insert(report.scores.end(), actual.scores.begin(), actual.scores.end());
        if (actual.scores != expected.scores || actual.predicted_class != expected.predicted_class) {
            report.mismatches.push_back(
                Mismatch{i, expected.scores, actual.scores, expected.predicted_class, actual.predicted_class});
        }
        if (!labels.empty() && labels[static_cast<size_t>(i)] == actual.predicted_class) {
            ++correct;
        }
    }
    if (!labels.empty()) {
        report.correct = correct;
    }
    const auto& out = rtl.images;
    if (!out.empty()) {
        report.measured_latency = static_cast<int64_t>(out[0].last_output_cycle - out[0].first_input_cycle);
    }
    if (out.size() >= 4) {
        size_t from = out.size() / 2;
        size_t to = out.size() - 1;
        report.measured_interval = static_cast<double>(out[to].last_output_cycle - out[from].last_output_cycle) /
                                   static_cast<double>(to - from);
    }
    return report;
}

}  // namespace bnngen::sim
