// The features of the network description that the generated hardware does not implement yet.
// Failing loudly here beats emitting a design that silently computes something else.
#include "bnngen/rtl/design.hpp"

#include "mvau_plan.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {

bool check_hardware_support(const Network& net, DiagnosticBag& bag) {
    int errors_before = bag.error_count();
    for (const Layer& layer : net.layers) {
        if (layer.reuse && layer.reuse->weights) {
            bag.error("not-in-hardware", layer.location_of("prune.reuse"),
                      fmt::format("similarity reuse mode 'weights' of layer '{}' is counted by `bnngen analyze` "
                                  "(operations and the recommendation) but has no hardware unit yet; use mode "
                                  "'inputs'",
                                  layer.name));
        }
        if (layer.fold_auto) {
            // The CLI folds these on loading; a library caller must run hw::plan_folding first.
            bag.error("fold-auto-unresolved", layer.location_of("fold"),
                      fmt::format("layer '{}' has fold: auto, but no folding was chosen for it (hw::plan_folding)",
                                  layer.name));
            continue;
        }
        if (layer.is_compute()) {
            MvauPlan plan = plan_mvau(net, layer);
            if (plan.param_width > 32 || plan.score_width > 32) {
                bag.error("not-in-hardware", layer.where,
                          fmt::format("layer '{}' needs {}-bit thresholds or scores; the hardware supports 32",
                                      layer.name, std::max(plan.param_width, plan.score_width)));
            }
        }
    }
    return bag.error_count() == errors_before;
}

}  // namespace bnngen::rtl
