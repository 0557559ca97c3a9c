// A conv layer with result sharing (DESIGN.md 4.4): its matrix-vector unit is templates/share_unit,
// which computes each distinct 2-D kernel of a fold step's input channels once, on an engine, and
// lets the PE lanes that use it (or its inverse) take the result. The window stream and the spatial
// pruning around it are the same as for mvau.
#include "memory_images.hpp"
#include "mvau_plan.hpp"
#include "share_images.hpp"
#include "top_emitter.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {

Stream TopEmitter::emit_share(const Layer& layer, const std::string& name, const Stream& in) {
    const hw::SharePlan plan = hw::plan_result_sharing(layer);
    const MvauPlan thresholds = plan_mvau(net_, layer);  // popcount-domain thresholds over the kept taps
    const bool inverse = layer.share->inverse;
    const int csimd = layer.fold.simd / plan.kernel_taps;
    const std::string kernels = name + "_kernels.hex";
    const std::string select = name + "_select.hex";
    const std::string params = name + "_thresholds.hex";
    design_.files[kernels] = share_kernel_image(plan, csimd);
    design_.files[select] = share_select_image(plan, csimd, inverse);
    design_.files[params] = parameter_image(thresholds.params, layer.fold.pe, thresholds.param_width);
    w_.line("// result sharing ({}): {} engines per input channel slot, {} channels a step; kernel evaluations "
            "per position {} of {} kept kernels",
            inverse ? "identical or inverse kernels" : "identical kernels", plan.engines, csimd, plan.fold_classes,
            plan.kept_kernels);
    return threshold_unit(layer, name, "share_unit",
                          {fmt::format(".CHANNELS({})", layer.in.channels), fmt::format(".KERNEL({})", layer.kernel),
                           fmt::format(".OUT_CHANNELS({})", layer.outputs), fmt::format(".PE({})", layer.fold.pe),
                           fmt::format(".CSIMD({})", csimd), fmt::format(".ENGINES({})", plan.engines),
                           fmt::format(".INVERSE({})", inverse ? 1 : 0),
                           fmt::format(".PARAM_WIDTH({})", thresholds.param_width),
                           fmt::format(".KERNEL_FILE(\"{}\")", kernels), fmt::format(".SELECT_FILE(\"{}\")", select),
                           fmt::format(".THRESHOLD_FILE(\"{}\")", params)},
                          in, UnitCounter{"evaluations", "evaluations", "distinct-kernel evaluations"});
}

}  // namespace bnngen::rtl
