// The features of the network description that the generated hardware does not implement yet.
// Failing loudly here beats emitting a design that silently computes something else.
#include "bnngen/rtl/design.hpp"

#include "bnngen/hw/cycle_model.hpp"
#include "mvau_plan.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {

bool check_hardware_support(const Network& net, DiagnosticBag& bag) {
    int errors_before = bag.error_count();
    for (const Layer& layer : net.layers) {
        if (layer.is_compute() && hw::hardware_taps(layer) % layer.fold.simd != 0) {
            bag.error("not-in-hardware", layer.location_of("fold.simd"),
                      fmt::format("fold simd {} of layer '{}' must also divide all {} taps of its {} input channels: "
                                  "the hardware masks pruned kernels instead of skipping them (yet)",
                                  layer.fold.simd, layer.name, hw::hardware_taps(layer), layer.in.channels));
        }
        if (layer.spatial && layer.spatial->tolerance > 0) {
            bag.error("not-in-hardware", layer.location_of("prune.spatial.tolerance"),
                      fmt::format("layer '{}' uses lossy spatial pruning (tolerance {}), which the generated "
                                  "hardware does not implement yet",
                                  layer.name, layer.spatial->tolerance));
        } else if (layer.spatial) {
            bag.warning("not-in-hardware", layer.location_of("prune.spatial"),
                        fmt::format("the hardware of layer '{}' computes every position: spatial pruning at "
                                    "tolerance 0 is not implemented yet (the outputs are the same)",
                                    layer.name));
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
