// A conv layer with similarity reuse of input windows (DESIGN.md 4.5): its matrix-vector unit is
// templates/reuse_unit, which compares each window with the previous one it computed and steps only
// through the changed chunks, correcting each lane's previous popcount. The window stream and the
// spatial pruning around it are the same as for mvau (a skipped window never reaches the unit, so
// it is never a reference).
#include "memory_images.hpp"
#include "mvau_plan.hpp"
#include "reuse_images.hpp"
#include "top_emitter.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {

Stream TopEmitter::emit_reuse(const Layer& layer, const std::string& name, const Stream& in) {
    const hw::ReusePlan plan = hw::plan_similarity_reuse(layer);
    const MvauPlan thresholds = plan_mvau(net_, layer);  // popcount-domain thresholds over the kept taps
    const bool pruned = layer.kept_channels() < layer.in.channels;
    const int pe = layer.fold.pe;
    const std::string weights = name + "_weights.hex";
    const std::string keep = name + "_keep.hex";
    const std::string steps = name + "_steps.hex";
    const std::string params = name + "_thresholds.hex";
    design_.files[weights] = fold_image(reuse_weight_matrix(layer, plan), plan.window_bits, pe, plan.simd);
    design_.files[params] = parameter_image(thresholds.params, pe, thresholds.param_width);
    if (pruned) {
        design_.files[keep] = fold_image(reuse_keep_matrix(layer, plan), plan.window_bits, pe, plan.simd);
        design_.files[steps] = reuse_step_image(plan);
    }
    w_.line("// similarity reuse of input windows: {} chunks of {} bits ({}), only those that differ from the "
            "previous computed window are stepped; at most {} steps per window",
            plan.chunks, plan.simd, plan.kernel_major ? "kernel-major" : "tap-major", plan.worst_steps);
    std::vector<std::string> parameters = {
        fmt::format(".TAPS({})", plan.window_bits),
        fmt::format(".KERNEL_TAPS({})", plan.kernel_major ? plan.kernel_taps : 1),
        fmt::format(".OUT_CHANNELS({})", layer.outputs),
        fmt::format(".PE({})", pe),
        fmt::format(".SIMD({})", plan.simd),
        fmt::format(".PARAM_WIDTH({})", thresholds.param_width),
        fmt::format(".USE_KEEP({})", pruned ? 1 : 0),
        fmt::format(".WEIGHT_FILE(\"{}\")", weights),
        fmt::format(".THRESHOLD_FILE(\"{}\")", params)};
    if (pruned) {
        parameters.push_back(fmt::format(".KEEP_FILE(\"{}\")", keep));
        parameters.push_back(fmt::format(".STEP_FILE(\"{}\")", steps));
    }
    return threshold_unit(layer, name, "reuse_unit", parameters, in,
                          UnitCounter{"computed", "computed_chunks", "chunk steps computed"});
}

}  // namespace bnngen::rtl
