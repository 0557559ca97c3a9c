// The part of the top that early decision adds (DESIGN.md 4.3): a layer whose neurons stop once
// decided runs on templates/early_unit instead of mvau. With pooling pruning the unit also does the
// max-pool that follows: its window block scans the pool's super-windows (kernel (PK-1)*S + K,
// stride PS*S), each one pool window's conv windows, and the max-pool layer becomes a wire. Spatial
// pruning, when the layer has it, is decided inside the unit per position (no spatial_skip block).
#include "bnngen/hw/cycle_model.hpp"
#include "memory_images.hpp"
#include "mvau_plan.hpp"
#include "top_emitter.hpp"

#include <fmt/format.h>

namespace bnngen::rtl {
namespace {

// Groups the unit buffers, so that a lane may run that many pool windows (or positions) ahead of
// the slowest one before it waits. verif/e2e/early_decision, 100 images, cycles per image against
// the busiest lane's 4183.5 steps: QUEUE 1 4841, 2 4296 (+2.7%), 4 4245, 8 4219; each slot costs
// the pool window's bits in registers and adds a slot to every lane's multiplexer.
constexpr int kEarlyQueue = 2;

int bits_for(int64_t count) {
    int bits = 1;
    while ((int64_t{1} << bits) < count) {
        ++bits;
    }
    return bits;
}

// The unit consumes each window kernel-major (element c*k*k + t); mvau's plan holds an unpruned
// conv's weights tap-major (element t*C + c). Kernel-select plans are compact kernel-major already.
std::vector<std::vector<uint8_t>> kernel_major_weights(const Layer& layer, const MvauPlan& plan) {
    if (layer.kind != LayerKind::Conv || plan.select) {
        return plan.weight;
    }
    const int kt = layer.kernel * layer.kernel;
    const int channels = layer.in.channels;
    std::vector<std::vector<uint8_t>> out(plan.weight.size(), std::vector<uint8_t>(static_cast<size_t>(kt) * static_cast<size_t>(channels)));
    for (size_t o = 0; o < plan.weight.size(); ++o) {
        for (int c = 0; c < channels; ++c) {
            for (int t = 0; t < kt; ++t) {
                out[o][static_cast<size_t>(c * kt + t)] = plan.weight[o][static_cast<size_t>(t * channels + c)];
            }
        }
    }
    return out;
}

// SELECT_FILE of the unit: per output channel and step, the internal chunk of each slot
// (compact chunk q is internal chunk q + offset).
std::string early_select_image(const Layer& layer, const MvauPlan& plan) {
    const KernelSelect& sel = *plan.select;
    const int simd = layer.fold.simd;
    const int slots = simd / sel.chunk;
    const int64_t chunks = plan.taps / sel.chunk;
    const int width = chunks > 1 ? bits_for(chunks) : 1;
    const int64_t steps = sel.kept_taps / simd;
    std::vector<std::vector<uint8_t>> rows(static_cast<size_t>(plan.outputs),
                                           std::vector<uint8_t>(static_cast<size_t>(steps * slots * width)));
    for (size_t o = 0; o < rows.size(); ++o) {
        for (int64_t q = 0; q < steps * slots; ++q) {
            const auto chunk = static_cast<uint64_t>(q + sel.offsets[o][static_cast<size_t>(q)]);
            for (int b = 0; b < width; ++b) {
                rows[o][static_cast<size_t>(q * width + b)] = static_cast<uint8_t>((chunk >> b) & 1U);
            }
        }
    }
    return fold_image(rows, steps * slots * width, layer.fold.pe, slots * width);
}

std::vector<uint8_t> tensor_bits(const golden::Tensor& t) {
    std::vector<uint8_t> bits(t.size());
    for (size_t i = 0; i < t.size(); ++i) {
        bits[i] = t[i] != 0 ? 1 : 0;
    }
    return bits;
}

}  // namespace

Stream TopEmitter::emit_early(const Layer& layer, size_t index, const std::string& name, const Stream& in) {
    const EarlyDecision& early = *layer.early;
    const bool conv = layer.kind == LayerKind::Conv;
    const Layer* pool = early.pooling ? &net_.layers.at(index + 1) : nullptr;
    Stream window = in;
    if (conv) {
        const int kernel = pool != nullptr ? (pool->kernel - 1) * layer.stride + layer.kernel : layer.kernel;
        const int stride = pool != nullptr ? pool->stride * layer.stride : layer.stride;
        if (pool != nullptr) {
            w_.line("// pooling pruning: each window is one {0}x{0} pool window of conv windows ({1}x{1} taps)",
                    pool->kernel, kernel);
        }
        window = emit_window(layer, name, in, kernel, stride, layer.padding, layer.pad_value);
    }
    const MvauPlan plan = plan_mvau(net_, layer);
    const std::string weights = name + "_weights.hex";
    const std::string thresholds = name + "_thresholds.hex";
    const int64_t kept = plan.work();
    const int threshold_width = bits_for(kept + 2);
    design_.files[weights] = fold_image(kernel_major_weights(layer, plan), kept, layer.fold.pe, layer.fold.simd);
    design_.files[thresholds] = parameter_image(plan.params, layer.fold.pe, threshold_width);

    const golden::Tensor in_background = golden::input_background(net_, backgrounds_, index);
    const std::vector<uint8_t> background_in = conv ? tensor_bits(in_background) : std::vector<uint8_t>(1, 0);
    const std::vector<uint8_t> background_out = tensor_bits(backgrounds_[index]);
    const int64_t channels = conv ? layer.in.channels : layer.in.size();
    std::vector<std::string> parameters = {
        fmt::format(".CHANNELS({})", channels), fmt::format(".KERNEL({})", conv ? layer.kernel : 1),
        fmt::format(".STRIDE({})", conv ? layer.stride : 1), fmt::format(".POOL({})", pool != nullptr ? pool->kernel : 1),
        fmt::format(".OUT_CHANNELS({})", layer.outputs), fmt::format(".PE({})", layer.fold.pe),
        fmt::format(".SIMD({})", layer.fold.simd), fmt::format(".THRESHOLD_PRUNE({})", early.threshold ? 1 : 0),
        fmt::format(".KEPT_TAPS({})", kept), fmt::format(".QUEUE({})", kEarlyQueue),
        fmt::format(".WEIGHT_FILE(\"{}\")", weights), fmt::format(".THRESHOLD_FILE(\"{}\")", thresholds)};
    if (plan.select) {
        const std::string select = name + "_select.hex";
        design_.files[select] = early_select_image(layer, plan);
        parameters.push_back(".USE_SELECT(1)");
        parameters.push_back(fmt::format(".SELECT_CHUNK({})", plan.select->chunk));
        parameters.push_back(fmt::format(".SELECT_FILE(\"{}\")", select));
    }
    if (layer.spatial) {
        parameters.push_back(".SPATIAL(1)");
        parameters.push_back(fmt::format(".TOLERANCE({})", layer.spatial->tolerance));
        parameters.push_back(fmt::format(".BACKGROUND_IN({})", bits_literal(background_in)));
        parameters.push_back(fmt::format(".BACKGROUND_OUT({})", bits_literal(background_out)));
    }
    w_.line("// early decision:{}{}{}{}; {} lanes each walk their own {} channels, up to {} groups apart",
            early.threshold ? " threshold pruning" : "", early.threshold && early.pooling ? " and" : "",
            early.pooling ? " pooling pruning" : "", layer.spatial ? " (spatial pruning inside)" : "", layer.fold.pe,
            layer.outputs / layer.fold.pe, kEarlyQueue);
    Stream result{name + "_result", layer.outputs};
    declare(w_, result, pool != nullptr ? "pooled output bits, one beat per pool window" : "output bits");
    const std::string issuing = name + "_unit_issuing";
    const std::string steps = name + "_lane_steps";
    const std::string positions = name + "_positions";
    const std::string skipped = name + "_skipped_positions";
    w_.line("wire {};  // some lane issues a step this cycle", issuing);
    w_.line("wire [31:0] {} /* verilator public_flat_rd */;  // steps issued, summed over lanes (wraps)", steps);
    w_.line("wire [31:0] {}{};  // positions of the groups accepted (wraps)", positions,
            layer.spatial ? " /* verilator public_flat_rd */" : "");
    w_.line("wire [31:0] {}{};  // of those, skipped by spatial pruning (wraps)", skipped,
            layer.spatial ? " /* verilator public_flat_rd */" : "");
    instance_head(w_, "early_unit", parameters, name + "_early_unit");
    connect(w_, "in", window, false);
    connect(w_, "out", result, false);
    w_.line(".issuing({}),", issuing);
    w_.line(".lane_steps({}),", steps);
    w_.line(".positions({}),", positions);
    w_.line(".skipped({})", skipped);
    instance_tail(w_);
    if (!layer.spatial) {
        w_.line("wire unused_{}_positions = &{{1'b0, {}, {}}};", name, positions, skipped);
    }
    used_blocks.insert("early_unit");
    used_blocks.insert("popcount");  // the lanes' XNOR-popcount
    counter_register(layer.name, "unit_cycles", name + "_unit_cycles", issuing);
    design_.counters.push_back(Counter{layer.name, "lane_steps", steps});
    if (layer.spatial) {
        design_.counters.push_back(Counter{layer.name, "positions", positions});
        design_.counters.push_back(Counter{layer.name, "skipped", skipped});
    }
    pooled_by_early_ = pool != nullptr;
    return result;
}

}  // namespace bnngen::rtl
