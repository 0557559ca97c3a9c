#include "bnngen/sim/verify.hpp"

#include "bnngen/golden/background.hpp"
#include "bnngen/golden/early_decision.hpp"
#include "bnngen/golden/fast_model.hpp"
#include "bnngen/golden/similarity_reuse.hpp"
#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/hw/result_sharing.hpp"

#include <algorithm>

namespace bnngen::sim {
namespace {

// What each compute layer had to do for `images` images (golden model counts), next to the counters.
std::vector<LayerActivity> layer_activity(const Network& net, int64_t images, const golden::FastModel& model,
                                          const std::vector<golden::EarlyDecisionCount>& early,
                                          const std::vector<golden::ReuseCount>& reuse, const CosimResult& rtl) {
    std::vector<LayerActivity> out;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        if (!l.is_compute()) {
            continue;
        }
        LayerActivity a;
        a.layer = l.name;
        a.positions = images * (l.kind == LayerKind::Conv ? int64_t{l.out.height} * l.out.width : 1);
        a.skipped = model.skipped_positions()[i];
        a.expected_unit_cycles = (a.positions - a.skipped) * hw::fold_steps(l);
        if (l.share) {
            a.expected_evaluations = (a.positions - a.skipped) * hw::plan_result_sharing(l).fold_classes;
        }
        if (l.reuse) {
            a.expected_unit_cycles = reuse[i].unit_cycles;
            a.expected_computed_chunks = reuse[i].computed_steps;
        }
        if (l.early) {
            const golden::EarlyDecisionCount& count = early[i];
            a.early = true;
            a.positions = count.positions;
            a.skipped = count.skipped;
            a.expected_unit_cycles = count.busiest_lane_steps();
            a.expected_lane_steps = count.early_steps;
        }
        for (const CounterValue& c : rtl.counters) {
            if (c.layer != l.name) {
                continue;
            }
            auto value = static_cast<int64_t>(c.value);
            if (c.kind == "positions") a.rtl_positions = value;
            else if (c.kind == "skipped") a.rtl_skipped = value;
            else if (c.kind == "unit_cycles") a.rtl_unit_cycles = value;
            else if (c.kind == "lane_steps") a.rtl_lane_steps = value;
            else if (c.kind == "evaluations") a.rtl_evaluations = value;
            else if (c.kind == "computed_chunks") a.rtl_computed_chunks = value;
        }
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace
}  // namespace bnngen::sim

namespace bnngen::sim {

VerifyReport compare_with_golden(const Network& net, const io::ImageSet& images, const std::vector<int>& labels,
                                 const CosimResult& rtl) {
    VerifyReport report;
    report.images_sent = images.count;
    report.images_returned = static_cast<int64_t>(rtl.images.size());
    golden::FastModel model(net);
    // Early decision is counted on each layer's input: those networks keep every layer's output.
    std::vector<golden::EarlyDecisionCount> early(net.layers.size());
    const bool any_early = std::any_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.early.has_value(); });
    const std::vector<golden::Tensor> backgrounds = any_early ? golden::background_vectors(net) : std::vector<golden::Tensor>{};
    golden::FastModel layer_model(net);
    // Similarity reuse: the units keep their reference window from one image to the next, so the
    // images are counted in the order they were streamed, from the reset.
    golden::ReuseCounter reuse(net);
    const bool any_reuse = std::any_of(net.layers.begin(), net.layers.end(), [](const Layer& l) { return l.reuse.has_value(); });
    int64_t correct = 0;
    for (int64_t i = 0; i < report.images_returned; ++i) {
        const ImageOutput& actual = rtl.images[static_cast<size_t>(i)];
        if (any_early || any_reuse) {
            // its own model: run_layers counts skipped positions too, and `model`'s counts are the report's
            const std::vector<golden::Tensor> outputs = layer_model.run_layers(images.image(i));
            if (any_early) {
                golden::add_early_decision_counts(net, outputs, backgrounds, early);
            }
            reuse.add_image(outputs);
        }
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
    report.layers = layer_activity(net, report.images_returned, model, early, reuse.counts(), rtl);
    report.registers = rtl.registers;
    std::vector<double> computed_share(net.layers.size(), 1.0);
    for (size_t i = 0, a = 0; i < net.layers.size(); ++i) {
        if (!net.layers[i].is_compute()) {
            continue;
        }
        const LayerActivity& activity = report.layers[a++];
        if (activity.early) {
            // the busiest lane's share of its worst case (cycle_model.hpp)
            if (report.images_returned > 0) {
                computed_share[i] = static_cast<double>(activity.expected_unit_cycles) /
                                    (static_cast<double>(hw::early_worst_cycles(net, i)) *
                                     static_cast<double>(report.images_returned));
            }
        } else if (net.layers[i].reuse && activity.positions > 0) {
            // the reuse unit's share of its worst case (every position computed, every chunk changed)
            computed_share[i] = static_cast<double>(activity.expected_unit_cycles) /
                                (static_cast<double>(activity.positions) * static_cast<double>(hw::fold_steps(net.layers[i])));
        } else if (activity.positions > 0) {
            computed_share[i] = static_cast<double>(activity.positions - activity.skipped) /
                                static_cast<double>(activity.positions);
        }
    }
    report.predicted_interval = hw::predict_cycles(net, computed_share).interval;
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
