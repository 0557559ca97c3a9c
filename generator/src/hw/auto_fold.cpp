#include "bnngen/hw/auto_fold.hpp"

#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/hw/resource_model.hpp"
#include "bnngen/net/load.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

namespace bnngen::hw {
namespace {

std::vector<int> divisors(int64_t n) {
    std::vector<int> out;
    for (int64_t d = 1; d * d <= n; ++d) {
        if (n % d == 0) {
            out.push_back(static_cast<int>(d));
            if (d * d != n) {
                out.push_back(static_cast<int>(n / d));
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool folds(const Layer& l, bool all_layers) { return l.is_compute() && (l.fold_auto || all_layers); }

// The network without its weights: cheap to re-check once per candidate folding.
Network structure_of(const Network& net) {
    Network shell = net;
    for (Layer& l : shell.layers) {
        l.weight = {};
        l.threshold = {};
        l.bias = {};
        l.kernel_mask = {};
    }
    return shell;
}

// The share of the worst case layer `index` spends at its current folding, and a cache of it:
// measuring early decision or similarity reuse at one folding runs the golden model's counts.
class Shares {
public:
    explicit Shares(const FoldOptions& options) : measure_(options.measured_share) {}

    double of(const Network& net, size_t index) {
        const Layer& l = net.layers[index];
        if (!measure_ || !(l.spatial || l.early || (l.reuse && !l.reuse->weights))) {
            return 1.0;
        }
        const auto key = std::make_tuple(index, l.fold.pe, l.fold.simd);
        auto it = cache_.find(key);
        if (it == cache_.end()) {
            it = cache_.emplace(key, measure_(net, index)).first;
        }
        return it->second;
    }

    std::vector<double> all(const Network& net) {
        std::vector<double> shares(net.layers.size(), 1.0);
        for (size_t i = 0; i < net.layers.size(); ++i) {
            shares[i] = of(net, i);
        }
        return shares;
    }

private:
    std::function<double(const Network&, size_t)> measure_;
    std::map<std::tuple<size_t, int, int>, double> cache_;
};

// Layer `index`'s cycles per image (its slowest stage) with layer `index`'s unit at `share` of its
// worst case. The cycle model's entry 0 is the input stream.
int64_t layer_cycles(const Network& net, size_t index, double share) {
    std::vector<double> shares(net.layers.size(), 1.0);
    shares[index] = share;
    return predict_cycles(net, shares).layers[index + 1].cycles;
}

// The fold-independent part of a layer's cycles: its stages other than the unit.
int64_t floor_cycles(const Network& net, size_t index) {
    const LayerCycles lc = predict_cycles(net).layers[index + 1];
    int64_t floor = 0;
    for (const StageCycles& s : lc.stages) {
        if (s.stage == "window" || s.stage == "collect" || s.stage == "pool") {
            floor = std::max(floor, s.cycles);
        }
    }
    return floor;
}

// Cycles as FINN counts them: every kernel (kernel pruning unknown to it), no skipping. The layer
// is stripped of its techniques in place and restored: copying a network copies its weights.
int64_t finn_cycles(Network& net, size_t index) {
    Layer& l = net.layers[index];
    const auto keep = l.keep;
    const auto spatial = l.spatial;
    const auto early = l.early;
    const auto share = l.share;
    const auto reuse = l.reuse;
    l.keep.reset();
    l.spatial.reset();
    l.early.reset();
    l.share.reset();
    l.reuse.reset();
    // A simd that divides only the kept taps is no folding of the unpruned layer: count ours.
    const int64_t unpruned = l.taps_per_output() % l.fold.simd == 0 ? layer_cycles(net, index, 1.0) : -1;
    l.keep = keep;
    l.spatial = spatial;
    l.early = early;
    l.share = share;
    l.reuse = reuse;
    return unpruned >= 0 ? unpruned : layer_cycles(net, index, 1.0);
}

struct Candidate {
    Fold fold;
    int64_t worst = 0;        // the layer's cycles, no skipping
    int64_t rule_cycles = 0;  // what the rule compares with the target (FINN: its own count)
    double luts = 0;          // predicted, with the other layers as they are when weighed
};

class Planner {
public:
    Planner(Network& net, const FoldOptions& options) : net_(net), options_(options), shares_(options) {
        for (size_t i = 0; i < net_.layers.size(); ++i) {
            if (folds(net_.layers[i], options_.all_layers)) {
                candidates_[i] = enumerate(i);
            }
        }
    }

    FoldPlan run() {
        FoldPlan plan;
        choose_target(plan);
        assign(plan.target_interval);
        for (size_t i = 0; i < net_.layers.size(); ++i) {
            Layer& l = net_.layers[i];
            if (!l.is_compute()) {
                continue;
            }
            LayerFold lf;
            lf.layer = l.name;
            lf.index = i;
            lf.before = before_.count(i) ? before_.at(i) : l.fold;
            lf.folded = folds(l, options_.all_layers);
            lf.was_auto = l.fold_auto;
            lf.candidates = lf.folded ? static_cast<int>(candidates_.at(i).size()) : 0;
            lf.chosen = l.fold;
            lf.cycles = layer_cycles(net_, i, shares_.of(net_, i));
            lf.worst_cycles = layer_cycles(net_, i, 1.0);
            lf.floor_cycles = floor_cycles(net_, i);
            lf.luts = estimate_layer_resources(net_, i).lut;
            plan.layers.push_back(lf);
        }
        for (Layer& l : net_.layers) {
            l.fold_auto = false;
        }
        const CycleModel model = predict_cycles(net_, shares_.all(net_));
        plan.interval = model.interval;
        plan.luts = estimate_design_resources(net_).lut;
        explain_misses(plan, model);
        return plan;
    }

private:
    // The candidates of layer `index` with what does not depend on the other layers.
    std::vector<Candidate> enumerate(size_t index) {
        std::vector<Candidate> out;
        Layer& l = net_.layers[index];
        before_[index] = l.fold;
        for (const Fold& f : valid_folds(net_, index)) {
            l.fold = f;
            Candidate c;
            c.fold = f;
            c.worst = layer_cycles(net_, index, 1.0);
            c.rule_cycles = options_.rule == FoldRule::Finn ? finn_cycles(net_, index) : c.worst;
            out.push_back(c);
        }
        l.fold = before_[index];
        return out;
    }

    // The cycles of layer `index` at candidate `c` as the rule sees them: FINN's own count, or the
    // measured share of the worst case (measured only when the worst case misses the target).
    bool meets(size_t index, const Candidate& c, int64_t target) {
        if (c.rule_cycles <= target) {
            return true;
        }
        if (options_.rule == FoldRule::Finn || !options_.measured_share) {
            return false;
        }
        Layer& l = net_.layers[index];
        const Fold saved = l.fold;
        l.fold = c.fold;
        const bool ok = layer_cycles(net_, index, shares_.of(net_, index)) <= target;
        l.fold = saved;
        return ok;
    }

    // Layer `index`'s folding for `target` with the other layers as they are: the first candidate
    // in the rule's order that meets it (ours: fewest predicted LUTs, then fewer lanes, then wider
    // simd; FINN's: fewer lanes, simd raised first); if none does, the fastest.
    Fold choose(size_t index, int64_t target) {
        std::vector<Candidate> cands = candidates_.at(index);
        auto lanes = [](const Candidate& c) { return int64_t{c.fold.pe} * c.fold.simd; };
        if (options_.rule == FoldRule::Finn) {
            std::stable_sort(cands.begin(), cands.end(), [&](const Candidate& a, const Candidate& b) {
                return std::make_tuple(lanes(a), -a.fold.simd) < std::make_tuple(lanes(b), -b.fold.simd);
            });
        } else {
            Layer& l = net_.layers[index];
            const Fold saved = l.fold;
            for (Candidate& c : cands) {
                l.fold = c.fold;
                c.luts = estimate_layer_resources(net_, index).lut;
            }
            l.fold = saved;
            std::stable_sort(cands.begin(), cands.end(), [&](const Candidate& a, const Candidate& b) {
                return std::make_tuple(a.luts, lanes(a), -a.fold.simd) < std::make_tuple(b.luts, lanes(b), -b.fold.simd);
            });
        }
        for (const Candidate& c : cands) {
            if (meets(index, c, target)) {
                return c.fold;
            }
        }
        const auto fastest = std::min_element(cands.begin(), cands.end(), [&](const Candidate& a, const Candidate& b) {
            return std::make_tuple(a.worst, a.luts, lanes(a)) < std::make_tuple(b.worst, b.luts, lanes(b));
        });
        return fastest->fold;
    }

    // Every folded layer at its choice for `target`. A layer's predicted LUTs depend a little on
    // the others (the FIFO after it holds a whole vector when the dense layer after it reads in
    // place, which depends on the interval), so the layers are chosen in pipeline order and again
    // until no choice changes (coordinate descent; at most four rounds).
    void assign(int64_t target) {
        for (const auto& [index, cands] : candidates_) {
            net_.layers[index].fold = before_.at(index);
        }
        const int rounds = options_.rule == FoldRule::Finn ? 1 : 4;
        for (int round = 0; round < rounds; ++round) {
            bool changed = false;
            for (const auto& [index, cands] : candidates_) {
                const Fold f = choose(index, target);
                Fold& current = net_.layers[index].fold;
                changed = changed || round == 0 || f.pe != current.pe || f.simd != current.simd;
                current = f;
            }
            if (!changed) {
                break;
            }
        }
    }

    // The interval of everything this plan does not fold (input and output streams, window scans,
    // max-pools, fixed foldings), measured shares applied.
    int64_t fixed_interval() {
        const CycleModel model = predict_cycles(net_, shares_.all(net_));
        int64_t interval = std::max(model.layers.front().cycles, model.layers.back().cycles);
        for (size_t i = 0; i < net_.layers.size(); ++i) {
            const int64_t cycles = folds(net_.layers[i], options_.all_layers) ? floor_cycles(net_, i)
                                                                               : model.layers[i + 1].cycles;
            interval = std::max(interval, cycles);
        }
        return interval;
    }

    void choose_target(FoldPlan& plan) {
        const int64_t fixed = fixed_interval();
        const Target& t = net_.target;
        if (t.images_per_second > 0) {
            plan.target_interval =
                std::max<int64_t>(1, static_cast<int64_t>(std::floor(t.clock_mhz * 1e6 / t.images_per_second)));
            plan.target_source = fmt::format("target.images_per_second {:g} at {:g} MHz", t.images_per_second,
                                             t.clock_mhz);
            return;
        }
        if (t.luts > 0) {
            // The smallest interval among the candidates' cycles whose folding fits the budget. The
            // fewest-LUT design is nearly monotonic in the interval, not exactly (the choices
            // interact), so bisection narrows the range and the 16 intervals below its answer are
            // tried too. A budget the slowest folding does not fit is reported, not searched.
            std::vector<int64_t> intervals{fixed};
            for (const auto& [index, cands] : candidates_) {
                for (const Candidate& c : cands) {
                    if (c.worst > fixed) {
                        intervals.push_back(c.worst);
                    }
                }
            }
            std::sort(intervals.begin(), intervals.end());
            intervals.erase(std::unique(intervals.begin(), intervals.end()), intervals.end());
            auto fits = [&](int64_t target) {
                assign(target);
                return estimate_design_resources(net_).lut <= static_cast<double>(t.luts);
            };
            size_t lo = 0;
            size_t hi = intervals.size() - 1;
            if (!fits(intervals[hi])) {
                lo = hi;
            }
            while (lo < hi) {
                const size_t mid = (lo + hi) / 2;
                if (fits(intervals[mid])) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            for (size_t i = lo > 16 ? lo - 16 : 0; i < lo; ++i) {
                if (fits(intervals[i])) {
                    lo = i;
                    break;
                }
            }
            plan.target_interval = intervals[lo];
            plan.target_source = fmt::format("the fastest interval within target.luts {}", t.luts);
            return;
        }
        plan.target_interval = fixed;
        plan.target_source = "the interval of the layers not folded here, the streams and the window scans";
    }

    void explain_misses(FoldPlan& plan, const CycleModel& model) {
        for (const LayerFold& lf : plan.layers) {
            if (lf.cycles <= plan.target_interval) {
                continue;
            }
            if (lf.floor_cycles > plan.target_interval) {
                plan.problems.push_back(fmt::format(
                    "layer '{}': its {} stage takes {} cycles per image whatever the folding (one position per "
                    "cycle), more than the target's {}",
                    lf.layer, net_.layers[lf.index].kind == LayerKind::Dense ? "collect" : "window scan",
                    lf.floor_cycles, plan.target_interval));
            } else if (lf.folded) {
                plan.problems.push_back(fmt::format("layer '{}': its fastest folding (pe {}, simd {}) takes {} cycles "
                                                    "per image, more than the target's {}",
                                                    lf.layer, lf.chosen.pe, lf.chosen.simd, lf.cycles,
                                                    plan.target_interval));
            } else {
                plan.problems.push_back(fmt::format("layer '{}': its own folding (pe {}, simd {}) takes {} cycles per "
                                                    "image, more than the target's {}",
                                                    lf.layer, lf.chosen.pe, lf.chosen.simd, lf.cycles,
                                                    plan.target_interval));
            }
        }
        const int64_t streams = std::max(model.layers.front().cycles, model.layers.back().cycles);
        if (streams > plan.target_interval) {
            plan.problems.push_back(fmt::format(
                "the {} stream takes {} cycles per image, more than the target's {}{}",
                model.layers.front().cycles >= model.layers.back().cycles ? "input" : "output", streams,
                plan.target_interval,
                model.layers.front().cycles >= model.layers.back().cycles ? " (input.pixels_per_beat widens it)" : ""));
        }
        if (net_.target.luts > 0 && plan.luts > static_cast<double>(net_.target.luts)) {
            plan.problems.push_back(fmt::format("the smallest folding predicts {:.0f} LUTs, more than target.luts {}",
                                                plan.luts, net_.target.luts));
        }
    }

    Network& net_;
    const FoldOptions& options_;
    Shares shares_;
    std::map<size_t, std::vector<Candidate>> candidates_;  // per folded layer, in pipeline order
    std::map<size_t, Fold> before_;                        // the folding each had in the description
};

}  // namespace

std::vector<Fold> valid_folds(const Network& net, size_t index) {
    const Layer& l = net.layers[index];
    if (!l.is_compute()) {
        return {};
    }
    Network shell = structure_of(net);
    Layer& s = shell.layers[index];
    s.fold_auto = false;
    // simd divides the kept taps, or with sharing or reuse the whole window; check_structure decides.
    const int64_t window = l.kind == LayerKind::Conv ? int64_t{l.in.channels} * l.kernel * l.kernel : l.in.size();
    std::vector<int> simds = divisors(l.taps_per_output());
    for (int d : divisors(window)) {
        simds.push_back(d);
    }
    std::sort(simds.begin(), simds.end());
    simds.erase(std::unique(simds.begin(), simds.end()), simds.end());
    std::vector<Fold> out;
    for (int pe : divisors(l.outputs)) {
        for (int simd : simds) {
            s.fold = Fold{pe, simd};
            DiagnosticBag bag;
            if (check_structure(shell, bag)) {
                out.push_back(s.fold);
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const Fold& a, const Fold& b) {
        return int64_t{a.pe} * a.simd < int64_t{b.pe} * b.simd;
    });
    return out;
}

FoldPlan plan_folding(Network& net, const FoldOptions& options) { return Planner(net, options).run(); }

std::string format_fold_plan(const Network& net, const FoldPlan& plan) {
    std::string out = fmt::format("target: {} cycles/image ({})\n", plan.target_interval, plan.target_source);
    out += fmt::format("{:<12} {:<7} {:>14} {:>14} {:>12} {:>12} {:>10} {:>10}\n", "layer", "type", "fold before",
                       "fold chosen", "cycles", "worst case", "floor", "LUT (pred.)");
    for (const LayerFold& lf : plan.layers) {
        const Layer& l = net.layers[lf.index];
        const std::string before = !lf.folded   ? "(fixed)"
                                   : lf.was_auto ? "auto"
                                                 : fmt::format("pe {} simd {}", lf.before.pe, lf.before.simd);
        out += fmt::format("{:<12} {:<7} {:>14} {:>14} {:>12} {:>12} {:>10} {:>10.0f}\n", lf.layer,
                           layer_kind_name(l.kind), before,
                           fmt::format("pe {} simd {}", lf.chosen.pe, lf.chosen.simd), lf.cycles, lf.worst_cycles,
                           lf.floor_cycles, lf.luts);
    }
    out += fmt::format("interval: {} cycles/image, {:.0f} images/s at {:g} MHz; predicted {:.0f} LUT (whole design)\n",
                       plan.interval, net.target.clock_mhz * 1e6 / static_cast<double>(std::max<int64_t>(1, plan.interval)),
                       net.target.clock_mhz, plan.luts);
    for (const std::string& p : plan.problems) {
        out += "target not met: " + p + "\n";
    }
    return out;
}

}  // namespace bnngen::hw
