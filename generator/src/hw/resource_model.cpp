#include "bnngen/hw/resource_model.hpp"
#include "bnngen/util/int_bits.hpp"

#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/hw/input_hold.hpp"
#include "bnngen/hw/memory_placement.hpp"
#include "bnngen/hw/pool_block.hpp"
#include "bnngen/hw/result_sharing.hpp"
#include "bnngen/hw/similarity_reuse.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <numeric>
#include <vector>

namespace bnngen::hw {
namespace {

// The structural features of a layer's blocks, in the order of the coefficient table below.
// bench/fit_resource_model.py computes the same features from the generated design's instance
// parameters (layer_features there); keep the two in step.
enum Feature : size_t {
    kLayer,       // 1 per layer with blocks: control, counters, handshakes
    kWindow,      // sliding_window: window register bits k*k*pixel (the early unit's window too)
    kLineBuffer,  // sliding_window: LUTRAM of the line buffer, IN_WIDTH words x (k-1)*pixel bits
    kFifo,        // stream_fifo: width (output register, bypass), twice when its memory is one register
    kFifoRam,     // stream_fifo: LUTRAM of depth-1 words x width
    kCollect,     // stream_collect: the collected vector's bits
    kPool,        // maxpool_or: channels * ceil((k*k - 1) / 5) OR LUTs
    kLaneBinary,  // binary XNOR-popcount lanes pe*simd, more than one fold step
    kLaneConst,   // binary lanes pe*simd of a unit with one fold step (weights are constants)
    kLaneInt,     // integer-input lanes pe*simd*(bits+1), more than one fold step
    kLaneIntConst,  // integer-input lanes pe*simd*(bits+1) of one fold step (weights are constants)
    kAccumulator, // accumulators and comparisons: pe * accumulator bits
    kOutput,      // the unit's output bits (outputs x 1, or x score bits)
    kWeightRom,   // weight (and select / kernel-code) ROMs left to LUTs: rom_lut_cost(words, bits)
    kParamRom,    // threshold / bias ROM of more than one neuron fold: rom_lut_cost(nf, pe*param bits)
    kCopy,        // the unit's input copy register (not read in place): taps*bits
    kHeldMux,     // read in place: simd*bits x (synapse folds - 1) multiplexer inputs
    kSelectMux,   // kernel-select slots: chunk bits x (offsets a slot is given - 1), per lane and slot
    kSkip,        // spatial_skip: window bits compared with the background
    kSkipQueue,   // spatial_skip: window and result queues in LUTRAM
    kEarlyPort,   // early_unit: the lanes' read ports, pe x 2 queued windows' bits
    kEarlyLane,   // early_unit: each lane's own step logic, pe*simd
    kShareEngine, // share_unit: engines x channels a step x k*k
    kShareSelect, // share_unit: the lanes' (engines+1)-way selections, pe*csimd*(engines+1)
    kReuseWindow, // reuse_unit: window bits (previous window, change detection, chunk multiplexer)
    kReuseLane,   // reuse_unit: lanes pe*simd (2a - b)
    kStillCopy,   // the unit's input copy loaded once and read through the slice multiplexer: taps*bits
    kOutputReg,   // the unit's output register instead of its FIFO (mvau OUT_HOLD): output bits
    kPoolStream,  // maxpool_stream: channels (one LUT3 each)
    kPoolRam,     // maxpool_stream: LUTRAM of the partial results, out_width words x channels
    kFeatureCount
};

using Features = std::array<double, kFeatureCount>;

// Coefficients per feature, fitted by bench/fit_resource_model.sh (bench/fit_resource_model.py:
// NNLS on the relative error, every row weighted by 1 / measured) to `bnngen report` of its 17
// sample networks, 89 layer rows (87 with LUTs: two max-pools are done inside early-decision
// units) and 17 top-level rows, measured 2026-12-08 with Yosys 0.23 `synth_xilinx -family xcup`
// (family of the default part xczu3eg-sbva484-1-e). LUT = the report's LUT + LUTRAM columns.
// Error on the samples and leave-one-network-out: docs/report.md, "Resource model". Refit after a
// change of the templates or of what the generator instantiates, and keep the feature order.
struct Coefficients {
    Features lut;
    Features ff;
    double top_lut;          // top-level rest: result serializer, stream glue, AXI-Lite block
    double top_lut_counter;  // per 32-bit performance counter read over AXI-Lite
    double top_ff;
    double top_ff_counter;
};

constexpr Coefficients kFitted{
    // LUT (+ LUTRAM) per unit of each feature, in Feature order
    {  49.9657,         0,     5.148,         0,   1.43337,  // layer window linebuf fifo fifo_ram
             0,         0,   1.38222,   1.69393,   1.07844,  // collect pool lane_bin lane_const lane_int
      0.438969,   1.93613,         0,  0.758821,  0.976635,  // lane_int_const acc out wrom prom
       0.88219,  0.448733,  0.942078,         0,   4.33757,  // copy held_mux sel_mux skip skip_q
      0.590779,   16.3339,    5.6623,         0,   2.72886,  // early_port early_lane share_eng share_sel reuse_win
        4.1066,  0.851723,         0,  0.245504,   1.58578},  // reuse_lane still_copy out_reg pool_stream pool_ram
    // FF
    {  44.2036,   1.90114,   2.69842,   1.02372,         0,  // layer window linebuf fifo fifo_ram
       1.02608,         0, 0.0745093, 0.0804488,  0.116247,  // collect pool lane_bin lane_const lane_int
      0.186601,   1.23649,   1.92524,  0.495232,    0.7813,  // lane_int_const acc out wrom prom
      0.901343,         0,  0.203411,    0.3915,    1.6051,  // copy held_mux sel_mux skip skip_q
      0.233727,   0.89539,         0,         0,   1.02275,  // early_port early_lane share_eng share_sel reuse_win
       1.36839,   1.08394,   1.78074,  0.770094,         0},  // reuse_lane still_copy out_reg pool_stream pool_ram
    380.48, 21.1692, 535.407, 13.2269};

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

int clog2(int64_t v) {
    int bits = 0;
    while ((int64_t{1} << bits) < v) {
        ++bits;
    }
    return bits;
}

using util::ceil_half;
using util::signed_width;

// LUTs of a depth x width memory in UltraScale+ distributed RAM (one write, one read port):
// RAM32M16 (32 words x 14 bits in 8 LUTs) up to 32 words, RAM64M8 (64 x 7 in 8) per 64 words above.
// One word is a register, not a memory.
double lutram(int64_t depth, int64_t width) {
    if (depth <= 1) {
        return 0;
    }
    if (depth <= 32) {
        return static_cast<double>(8 * ceil_div(width, 14));
    }
    return static_cast<double>(8 * ceil_div(width, 7) * ceil_div(depth, 64));
}

// 36 Kb tiles Yosys maps a block-RAM ROM of depth x width to: RAMB18 (half a tile: 512 x 36,
// 1K x 18, ...) where they hold it in as few tile equivalents, else RAMB36 (hw::bram_tiles).
double yosys_bram36(int64_t depth, int64_t width) {
    constexpr std::array<std::array<int64_t, 2>, 6> ramb18{
        {{512, 36}, {1024, 18}, {2048, 9}, {4096, 4}, {8192, 2}, {16384, 1}}};
    int64_t halves = std::numeric_limits<int64_t>::max();
    for (const auto& [d, w] : ramb18) {
        halves = std::min(halves, ceil_div(width, w) * ceil_div(depth, d));
    }
    return std::min(0.5 * static_cast<double>(halves), static_cast<double>(bram_tiles(depth, width)));
}

// What the generator gives one conv or dense layer's unit (rtl::plan_mvau's widths, without the
// weight images): parameter and score widths from the thresholds or biases.
struct UnitWidths {
    int param_width = 2;
    int score_width = 2;
};

UnitWidths unit_widths(const Network& net, const Layer& l) {
    UnitWidths w;
    const int64_t n = l.taps_per_output();
    const int64_t max_value = l.integer_input ? (int64_t{1} << net.input.bits) - 1 : 1;
    const int64_t s_max = n * max_value;
    const int spatial = l.kind == LayerKind::Conv ? l.kernel * l.kernel : l.in.height * l.in.width;
    const int64_t taps = int64_t{spatial} * l.in.channels;
    if (l.activation == Activation::None) {
        int64_t lo = -s_max;
        int64_t hi = s_max;
        for (int64_t b : l.bias) {
            lo = std::min(lo, -s_max + b);
            hi = std::max(hi, s_max + b);
            const int64_t param = l.integer_input ? b : b + taps - n;
            w.param_width = std::max(w.param_width, signed_width(param, param));
        }
        w.score_width = std::max(2, signed_width(lo, hi));
        return w;
    }
    for (int64_t t : l.threshold) {
        const int64_t param = l.integer_input ? std::clamp(t, -s_max, s_max + 1)
                                              : std::clamp(ceil_half(t + n), int64_t{0}, n + 1);
        w.param_width = std::max(w.param_width, signed_width(param, param));
    }
    return w;
}

// Kernel-select mode of a kernel-pruned conv layer (rtl::KernelSelect): candidates per slot and
// whether every neuron fold's lanes keep the same kernels (one choice for all of them).
struct Select {
    int chunk = 1;
    int span = 1;
    bool shared = false;
};

Select kernel_select(const Layer& l) {
    Select s;
    const int kk = l.kernel * l.kernel;
    s.chunk = std::gcd(l.fold.simd, kk);
    s.span = (l.in.channels - l.kept_channels()) * (kk / s.chunk) + 1;
    const int channels = l.in.channels;
    const int pe = l.fold.pe;
    s.shared = true;
    for (int o = 0; o < l.outputs && s.shared; ++o) {
        const int leader = o - o % pe;
        s.shared = std::equal(l.kernel_mask.begin() + int64_t{o} * channels,
                              l.kernel_mask.begin() + int64_t{o + 1} * channels,
                              l.kernel_mask.begin() + int64_t{leader} * channels);
    }
    return s;
}

// Bits of the weight ROM's words (rtl::fold_image of rtl::plan_mvau's weights: word nf*SF + sf,
// bit p*simd + s = element sf*simd + s of output nf*pe + p in the unit's element order) that are
// not the same in every word. Yosys drops a ROM's constant columns, in LUTs and in block RAM: over
// 2 words of random weights half of them, of trained weights often more.
int64_t varying_columns(const Layer& l, bool select, int64_t work) {
    const int channels = l.in.channels;
    const int64_t spatial =
        l.kind == LayerKind::Conv ? int64_t{l.kernel} * l.kernel : int64_t{l.in.height} * l.in.width;
    const int64_t pe = l.fold.pe;
    const int64_t simd = l.fold.simd;
    if (static_cast<int64_t>(l.weight.size()) < l.weight_count()) {
        return pe * simd;  // no weights attached (a network built in memory): every column
    }
    // kept[o]: output o's kept input channels, ascending (select mode's compact order)
    std::vector<std::vector<int>> kept;
    if (select) {
        kept.resize(static_cast<size_t>(l.outputs));
        for (int o = 0; o < l.outputs; ++o) {
            for (int c = 0; c < channels; ++c) {
                if (l.kernel_mask[static_cast<size_t>(int64_t{o} * channels + c)] != 0) {
                    kept[static_cast<size_t>(o)].push_back(c);
                }
            }
        }
    }
    // weight of element j of output o, as +1 -> true
    auto bit = [&](int o, int64_t j) {
        int64_t c = 0;
        int64_t tap = 0;
        if (select) {  // compact: kept kernel j / k*k, tap j % k*k
            c = kept[static_cast<size_t>(o)][static_cast<size_t>(j / spatial)];
            tap = j % spatial;
        } else {  // tap-major (conv) or pixel-major (dense): j = tap*C + c
            c = j % channels;
            tap = j / channels;
        }
        return l.weight[static_cast<size_t>((int64_t{o} * channels + c) * spatial + tap)] > 0;
    };
    const int64_t folds = l.outputs / pe;
    const int64_t steps = work / simd;
    int64_t varying = 0;
    for (int64_t p = 0; p < pe; ++p) {
        for (int64_t s = 0; s < simd; ++s) {
            const bool first = bit(static_cast<int>(p), s);
            bool constant = true;
            for (int64_t nf = 0; nf < folds && constant; ++nf) {
                for (int64_t sf = 0; sf < steps && constant; ++sf) {
                    constant = bit(static_cast<int>(nf * pe + p), sf * simd + s) == first;
                }
            }
            varying += constant ? 0 : 1;
        }
    }
    return varying;
}

// The kernel-select slot multiplexers' inputs (rtl::plan_kernel_select's offsets): summed over the
// lanes (one when their masks are shared) and slots, the distinct offsets the slot is given over
// the fold steps. Synthesis keeps only those: at few fold steps a slot of span 13 may see 2.
int64_t select_candidates(const Layer& l, const Select& sel) {
    const int channels = l.in.channels;
    const int kk = l.kernel * l.kernel;
    const int chunks_per_kernel = kk / sel.chunk;
    const int pe = l.fold.pe;
    const int slots = l.fold.simd / sel.chunk;
    const int64_t folds = l.outputs / pe;
    const int64_t steps = int64_t{l.kept_channels()} * kk / l.fold.simd;
    const int lanes = sel.shared ? 1 : pe;
    if (static_cast<int64_t>(l.kernel_mask.size()) < int64_t{l.outputs} * channels) {
        return int64_t{lanes} * slots * sel.span;  // no mask attached: every candidate
    }
    std::vector<std::vector<int>> offsets(static_cast<size_t>(lanes) * static_cast<size_t>(slots));
    std::vector<int> kept;
    for (int64_t nf = 0; nf < folds; ++nf) {
        for (int p = 0; p < lanes; ++p) {
            const int64_t o = nf * pe + p;
            kept.clear();
            for (int c = 0; c < channels; ++c) {
                if (l.kernel_mask[static_cast<size_t>(o * channels + c)] != 0) {
                    kept.push_back(c);
                }
            }
            for (int64_t sf = 0; sf < steps; ++sf) {
                for (int s = 0; s < slots; ++s) {
                    const int64_t q = sf * slots + s;  // compact chunk
                    const int64_t c = kept[static_cast<size_t>(q / chunks_per_kernel)];
                    const int64_t offset = c * chunks_per_kernel + q % chunks_per_kernel - q;
                    offsets[static_cast<size_t>(p) * static_cast<size_t>(slots) + static_cast<size_t>(s)].push_back(
                        static_cast<int>(offset));
                }
            }
        }
    }
    int64_t candidates = 0;
    for (std::vector<int>& slot : offsets) {
        std::sort(slot.begin(), slot.end());
        candidates += std::unique(slot.begin(), slot.end()) - slot.begin();
    }
    return candidates;
}

void add_window(Features& f, int kernel, int64_t pixel_bits, int in_width) {
    f[kWindow] += static_cast<double>(int64_t{kernel} * kernel * pixel_bits);
    if (kernel > 1) {
        f[kLineBuffer] += lutram(in_width, (kernel - 1) * pixel_bits);
    }
}

void add_fifo(Features& f, int64_t width, int depth) {
    const int64_t memory = depth > 2 ? depth - 1 : 1;
    f[kFifo] += static_cast<double>(width * (memory == 1 ? 2 : 1));
    f[kFifoRam] += lutram(memory, width);
}

// The mvau of a conv or dense layer (templates/mvau, as emit_unit parameterises it); adds its
// block-RAM tiles to `bram`.
void add_mvau(const Network& net, size_t index, const CycleModel& model, Features& f, double& bram) {
    const Layer& l = net.layers[index];
    const int64_t pe = l.fold.pe;
    const int64_t simd = l.fold.simd;
    const int64_t ew = l.integer_input ? net.input.bits : 1;
    const int64_t spatial =
        l.kind == LayerKind::Conv ? int64_t{l.kernel} * l.kernel : int64_t{l.in.height} * l.in.width;
    const int64_t taps = spatial * l.in.channels;
    const bool select = l.kind == LayerKind::Conv && l.kept_channels() < l.in.channels;
    const int64_t work = select ? int64_t{l.kept_channels()} * l.kernel * l.kernel : taps;
    const int64_t nf = l.outputs / pe;
    const int64_t sf = std::max<int64_t>(1, work / simd);
    const int64_t fold = nf * sf;
    const UnitWidths widths = unit_widths(net, l);
    if (l.integer_input) {
        f[fold == 1 ? kLaneIntConst : kLaneInt] += static_cast<double>(pe * simd * (ew + 1));
    } else if (fold == 1) {
        f[kLaneConst] += static_cast<double>(pe * simd);
    } else {
        f[kLaneBinary] += static_cast<double>(pe * simd);
    }
    f[kAccumulator] += static_cast<double>(pe * (clog2(taps + 1) + ew + 1));
    // templates/mvau OUT_HOLD: one output register instead of a FIFO of two beats
    const bool out_hold = nf > 1 && sf > 1 && (nf - 1) * sf >= 8;
    f[out_hold ? kOutputReg : kOutput] +=
        static_cast<double>(int64_t{l.outputs} * (l.activation == Activation::None ? widths.score_width : 1));
    // The generator places the ROM by its full width; Yosys builds only its varying columns. A
    // memory of one word is constants to Yosys.
    const int64_t columns = fold > 1 ? varying_columns(l, select, work) : 0;
    if (weights_in_block_ram(fold, pe * simd)) {
        if (columns > 0) {
            bram += yosys_bram36(fold, columns);
        }
    } else if (fold > 1) {
        f[kWeightRom] += static_cast<double>(rom_lut_cost(fold, columns));
    }
    if (nf > 1) {
        f[kParamRom] += static_cast<double>(rom_lut_cost(nf, pe * widths.param_width));
    }
    Select sel;
    if (select) {
        sel = kernel_select(l);
    }
    const bool offsets = select && sel.span > 1;
    if (offsets) {
        f[kCopy] += static_cast<double>(taps * ew);  // rotates by simd elements a step
    } else {
        f[kHeldMux] += static_cast<double>(simd * ew * (sf - 1));
        if (!holds_input(net, index, model)) {
            f[kStillCopy] += static_cast<double>(taps * ew);
        }
    }
    if (offsets) {
        const int64_t xpe = sel.shared ? 1 : pe;
        const int64_t slots = simd / sel.chunk;
        f[kSelectMux] += static_cast<double>(sel.chunk * ew * (select_candidates(l, sel) - xpe * slots));
        f[kWeightRom] += static_cast<double>(rom_lut_cost(fold, xpe * slots * clog2(sel.span)));
    }
}

void add_early(const Network& net, size_t index, int64_t group_bits, Features& f) {
    const Layer& l = net.layers[index];
    const int64_t pe = l.fold.pe;
    const int64_t simd = l.fold.simd;
    const int64_t kept = l.taps_per_output();
    const int64_t nf = l.outputs / pe;
    const int64_t sf = kept / simd;
    f[kEarlyPort] += static_cast<double>(pe * 2 * group_bits);
    f[kEarlyLane] += static_cast<double>(pe * simd);
    f[kLaneBinary] += static_cast<double>(pe * simd);
    f[kAccumulator] += static_cast<double>(pe * (clog2(kept + 2) + 1));
    f[kOutput] += l.outputs;
    f[kWeightRom] += static_cast<double>(rom_lut_cost(nf * sf, pe * simd));
    if (nf > 1) {
        f[kParamRom] += static_cast<double>(rom_lut_cost(nf, pe * clog2(kept + 2)));
    }
}

void add_share(const Network& net, const Layer& l, Features& f) {
    const SharePlan plan = plan_result_sharing(l);
    const int64_t kt = int64_t{l.kernel} * l.kernel;
    const int64_t c = l.in.channels;
    const int64_t pe = l.fold.pe;
    const int64_t cs = l.fold.simd / kt;
    const int64_t e = plan.engines;
    const int64_t nf = l.outputs / pe;
    const int64_t fold = nf * (c / cs);
    f[kShareEngine] += static_cast<double>(e * cs * kt);
    f[kShareSelect] += static_cast<double>(pe * cs * (e + 1));
    f[kAccumulator] += static_cast<double>(pe * (clog2(c * kt + 1) + 1));
    f[kOutput] += l.outputs;
    f[kCopy] += static_cast<double>(c * kt);
    if (fold > 1) {
        const int64_t code_bits = std::max(1, clog2(e + 1)) + (l.share->inverse ? 1 : 0);
        f[kWeightRom] +=
            static_cast<double>(rom_lut_cost(fold, cs * e * (kt + 1)) + rom_lut_cost(fold, pe * cs * code_bits));
    }
    if (nf > 1) {
        f[kParamRom] += static_cast<double>(rom_lut_cost(nf, pe * unit_widths(net, l).param_width));
    }
}

void add_reuse(const Network& net, const Layer& l, Features& f) {
    const int64_t taps = int64_t{l.in.channels} * l.kernel * l.kernel;
    const int64_t pe = l.fold.pe;
    const int64_t simd = l.fold.simd;
    const int64_t nf = l.outputs / pe;
    const int64_t fold = nf * (taps / simd);
    const bool pruned = l.kept_channels() < l.in.channels;
    f[kReuseWindow] += static_cast<double>(taps);
    f[kReuseLane] += static_cast<double>(pe * simd);
    f[kAccumulator] += static_cast<double>(pe * (clog2(taps + 1) + 1));
    f[kOutput] += l.outputs;
    f[kCopy] += static_cast<double>(taps);
    if (fold > 1) {
        f[kWeightRom] += static_cast<double>(rom_lut_cost(fold, pe * simd) * (pruned ? 2 : 1));
    }
    if (nf > 1) {
        f[kParamRom] += static_cast<double>(rom_lut_cost(nf, pe * unit_widths(net, l).param_width));
    }
}

// Bits per pixel of the stream a layer reads (after stream_unpack for a conv first layer).
int64_t pixel_bits(const Network& net, const Layer& l) {
    return int64_t{l.in.channels} * (l.integer_input ? net.input.bits : 1);
}

// The features of layer `index` and its block-RAM tiles, with the blocks emit_layer would build.
Features layer_features(const Network& net, size_t index, const CycleModel& model, double& bram) {
    Features f{};
    bram = 0;
    const Layer& l = net.layers[index];
    if (l.kind == LayerKind::MaxPool) {
        if (index > 0 && net.layers[index - 1].early && net.layers[index - 1].early->pooling) {
            return f;  // pooled inside the early-decision unit before it: no blocks of its own
        }
        f[kLayer] = 1;
        if (pool_streams(l)) {
            f[kPoolStream] += static_cast<double>(l.in.channels);
            f[kPoolRam] += lutram(l.out.width, l.in.channels);
        } else {
            add_window(f, l.kernel, l.in.channels, l.in.width);
            const int64_t taps = int64_t{l.kernel} * l.kernel;
            f[kPool] += static_cast<double>(int64_t{l.in.channels} * std::max<int64_t>(1, ceil_div(taps - 1, 5)));
        }
        add_fifo(f, l.in.channels, output_fifo_depth(net, index, model));
        return f;
    }
    f[kLayer] = 1;
    int64_t result_width = l.outputs;
    if (l.kind == LayerKind::Dense) {
        const int64_t per_beat = index == 0 ? net.input.pixels_per_beat : 1;
        const int64_t pixels = int64_t{l.in.height} * l.in.width;
        f[kCollect] += static_cast<double>(pixel_bits(net, l) * per_beat * ceil_div(pixels, per_beat));
        if (l.early) {
            add_early(net, index, l.in.size(), f);
        } else {
            add_mvau(net, index, model, f, bram);
        }
    } else if (l.early) {
        const Layer* pool = l.early->pooling ? &net.layers[index + 1] : nullptr;
        const int kernel = pool != nullptr ? (pool->kernel - 1) * l.stride + l.kernel : l.kernel;
        add_window(f, kernel, pixel_bits(net, l), l.in.width);
        add_early(net, index, int64_t{kernel} * kernel * pixel_bits(net, l), f);
    } else {
        add_window(f, l.kernel, pixel_bits(net, l), l.in.width);
        if (l.share) {
            add_share(net, l, f);
        } else if (l.reuse) {
            add_reuse(net, l, f);
        } else {
            add_mvau(net, index, model, f, bram);
        }
    }
    if (l.activation == Activation::None && !l.early) {
        result_width *= unit_widths(net, l).score_width;
    }
    if (l.spatial && !l.early) {
        const int64_t window_bits = int64_t{l.kernel} * l.kernel * l.in.channels;
        const int queue = std::max(2, 2 * l.out.width);
        f[kSkip] += static_cast<double>(window_bits);
        f[kSkipQueue] += lutram(queue, window_bits) + lutram(queue, result_width);
    }
    // A plain mvau's own output FIFO is the layer's when the layer FIFO would be two beats.
    const bool plain = !l.spatial && !l.early && !l.share && !l.reuse;
    const int depth = output_fifo_depth(net, index, model);
    if (!(plain && depth == 2)) {
        add_fifo(f, result_width, depth);
    }
    return f;
}

double dot(const Features& a, const Features& b) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        sum += a[i] * b[i];
    }
    return sum;
}

ResourceEstimate layer_estimate(const Network& net, size_t index, const CycleModel& model) {
    double bram = 0;
    const Features f = layer_features(net, index, model, bram);
    return ResourceEstimate{dot(f, kFitted.lut), dot(f, kFitted.ff), bram};
}

// Performance counters the top keeps and s_axi_ctrl reads (docs/soc.md): per compute layer its
// unit cycles and its unit's own counter (share: evaluations, reuse: computed chunks, early: lane
// steps), with spatial pruning positions and skipped positions.
int counters(const Network& net) {
    int n = 0;
    for (const Layer& l : net.layers) {
        if (!l.is_compute()) {
            continue;
        }
        n += 1 + ((l.share || l.reuse || l.early) ? 1 : 0) + (l.spatial ? 2 : 0);
    }
    return n;
}

}  // namespace

ResourceEstimate& ResourceEstimate::operator+=(const ResourceEstimate& o) {
    lut += o.lut;
    ff += o.ff;
    bram36 += o.bram36;
    return *this;
}

ResourceEstimate estimate_layer_resources(const Network& net, size_t index) {
    return layer_estimate(net, index, predict_cycles(net));
}

ResourceEstimate estimate_design_resources(const Network& net) {
    const CycleModel model = predict_cycles(net);
    ResourceEstimate total;
    for (size_t i = 0; i < net.layers.size(); ++i) {
        total += layer_estimate(net, i, model);
    }
    // Without s_axi_ctrl nothing reads the counters and synthesis removes them (not measured: every
    // sample has the AXI-Lite block).
    const double read = net.soc.axi_lite ? counters(net) : 0;
    total.lut += kFitted.top_lut + kFitted.top_lut_counter * read;
    total.ff += kFitted.top_ff + kFitted.top_ff_counter * read;
    return total;
}

}  // namespace bnngen::hw
