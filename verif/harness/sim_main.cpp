// Co-simulation driver for a bnngen-generated accelerator (the shape of Verilator's
// examples/make_tracing_c/sim_main.cpp): streams images into s_axis, collects m_axis, and writes
// what came out, with cycle stamps, for `bnngen verify` to compare against the golden model.
//
//   sim --images FILE --count N --out FILE [--counters FILE] [--stall-in P] [--stall-out P]
//       [--seed S] [--timeout CYCLES] [--soft-reset-after BEATS] [--trace FILE.fst]
//
// FILE (images): raw little-endian uint16 values [N][C][H][W]. Each image is sent as H*W beats in
// raster order, channel c of a pixel at tdata bits [c*BITS +: BITS], tlast on its last pixel.
// Output file: one line per image: "<score 0> ... <score K-1> <class> <cycle of its first input
// beat> <cycle of its last output beat>". Counter file: "counter <layer> <kind> <value>" per
// performance counter at the end of the run and, for a design with s_axi_ctrl, "register <name>
// <value> <expected>" per register check: the harness configures the design over AXI-Lite
// (CONTROL, IRQ_ENABLE, BATCH_SIZE), reads every register at the end and compares each with its
// own count of the same thing (cycles, beats, stalls, busy cycles, images), the interrupt line and
// W1C clearing included; the layer counters are read over AXI-Lite too. --soft-reset-after B:
// after B input beats the harness soft-resets the design in the middle of the stream (CONTROL),
// abandons what is in flight and streams all N images again; outputs and counts are those of the
// second stream. Exit status: 0 all images came back, 2 the pipeline hung (no output beat for
// --timeout cycles), 3 a framing error (tlast in the wrong place), 1 bad usage.
// The network-specific constants come from bnngen_sim_config.h, written by bnngen.
#include "bnngen_sim_config.h"

#include "axil.h"
#include "axis.h"

#include <verilated.h>
#if BNNGEN_TRACE
#include <verilated_fst_c.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace bnngen_sim;

namespace {

struct Options {
    std::string images;
    std::string out;
    std::string counters;
    std::string trace;
    long count = 0;
    double stall_in = 0.0;
    double stall_out = 0.0;
    uint64_t seed = 1;
    uint64_t timeout = 1000000;
    uint64_t soft_reset_after = 0;
};

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (flag == "--images") o.images = value;
        else if (flag == "--out") o.out = value;
        else if (flag == "--trace") o.trace = value;
        else if (flag == "--counters") o.counters = value;
        else if (flag == "--count") o.count = std::stol(value);
        else if (flag == "--stall-in") o.stall_in = std::stod(value);
        else if (flag == "--stall-out") o.stall_out = std::stod(value);
        else if (flag == "--seed") o.seed = std::stoull(value);
        else if (flag == "--timeout") o.timeout = std::stoull(value);
        else if (flag == "--soft-reset-after") o.soft_reset_after = std::stoull(value);
        else if (flag.rfind("+verilator", 0) == 0) continue;
        else return false;
    }
    return !o.images.empty() && !o.out.empty() && o.count > 0;
}

// An image's pixels in raster order, kPixelsPerBeat per beat: pixel j of a beat at bits
// [j*kChannels*kBits, ...), its channels packed at kBits bits each; the last beat of an image holds
// the rest, its unused slots 0.
Words image_beat(const std::vector<uint16_t>& image, uint64_t beat) {
    constexpr int pixel_bits = kChannels * kBits;
    Words words((static_cast<size_t>(kPixelsPerBeat) * pixel_bits + 31) / 32, 0U);
    for (int j = 0; j < kPixelsPerBeat; ++j) {
        const uint64_t pixel = beat * kPixelsPerBeat + static_cast<uint64_t>(j);
        if (pixel >= static_cast<uint64_t>(kHeight) * kWidth) {
            break;
        }
        for (int c = 0; c < kChannels; ++c) {
            uint32_t value = image[static_cast<size_t>(c) * kHeight * kWidth + pixel];
            for (int b = 0; b < kBits; ++b) {
                if ((value >> b) & 1U) {
                    int bit = j * pixel_bits + c * kBits + b;
                    words[static_cast<size_t>(bit / 32)] |= 1U << (bit % 32);
                }
            }
        }
    }
    return words;
}

#if BNNGEN_AXI_LITE
// A write is performed one edge after the later of AW and W is accepted, and is in effect from the
// cycle after that: cycles from the later accept to the first cycle with the new CONTROL, in which
// the counters read 0 after a soft reset (templates/axi_lite_ctrl/README.md, "Timing").
constexpr uint64_t kControlWriteLatency = 2;
#endif

// input beats per image
constexpr uint64_t kBeatsPerImage = (static_cast<uint64_t>(kHeight) * kWidth + kPixelsPerBeat - 1) / kPixelsPerBeat;
constexpr size_t kImageSize = static_cast<size_t>(kChannels) * kHeight * kWidth;  // values per image

// What the harness itself counts since the design's counters last started from 0: the reference
// for the status registers.
struct OwnCounts {
    uint64_t cycles = 0;
    uint64_t beats_in = 0;
    uint64_t images_out = 0;
    uint64_t in_stall = 0;
    uint64_t out_stall = 0;
    uint64_t busy = 0;
    uint64_t interrupt_before_first_result = 0;  // cycles the interrupt line was high too early
};

// What happened in one cycle.
struct Events {
    bool input_beat = false;
    bool output_beat = false;
};

class Bench {
public:
    Bench(const Options& opt, VerilatedContext* context)
        : context_(context), top_(std::make_unique<TopModule>(context, "top")),
          source(opt.stall_in, opt.seed * 2 + 1), sink(opt.stall_out, opt.seed * 2 + 2) {
#if BNNGEN_TRACE
        if (!opt.trace.empty()) {
            context_->traceEverOn(true);
            trace_ = std::make_unique<VerilatedFstC>();
            top_->trace(trace_.get(), 99);
            trace_->open(opt.trace.c_str());
        }
#endif
    }

    void reset() {
        top_->aclk = 0;
        top_->aresetn = 0;
        for (int i = 0; i < 8; ++i) {  // synchronous reset for a few cycles
            top_->aclk = !top_->aclk;
            top_->eval();
        }
        top_->aresetn = 1;
    }

    Events tick() {
        Events e;
        top_->aclk = 0;
        source.drive(top_->s_axis_tvalid, top_->s_axis_tdata, top_->s_axis_tlast);
        sink.drive(top_->m_axis_tready);
#if BNNGEN_AXI_LITE
        ctrl.drive(*top_);
#endif
        top_->eval();
        dump();
        e.input_beat = source.observe(top_->s_axis_tvalid, top_->s_axis_tready);
        e.output_beat = sink.observe(top_->m_axis_tvalid, top_->m_axis_tready, top_->m_axis_tdata, top_->m_axis_tlast);
#if BNNGEN_AXI_LITE
        if (!ctrl.idle()) {
            const size_t op = ctrl.current_index();
            if (ctrl.observe(*top_, cycle)) {
                snapshots_[op] = counts;  // the counts of the cycles before this one
            }
        }
        if (top_->irq && counts.images_out == 0) {
            ++counts.interrupt_before_first_result;
        }
#endif
        const bool busy = counts.beats_in != counts.images_out * kBeatsPerImage;
        counts.busy += busy ? 1 : 0;
        counts.in_stall += top_->s_axis_tvalid && !top_->s_axis_tready ? 1 : 0;
        counts.out_stall += top_->m_axis_tvalid && !top_->m_axis_tready ? 1 : 0;
        counts.beats_in += e.input_beat ? 1 : 0;
        counts.images_out += e.output_beat && top_->m_axis_tlast ? 1 : 0;
        ++counts.cycles;
        context_->timeInc(1);
        top_->aclk = 1;
        top_->eval();
        dump();
        context_->timeInc(1);
        ++cycle;
        return e;
    }

    // Runs until every queued AXI-Lite transaction is done (or `limit` cycles).
    bool settle(uint64_t limit = 1000) {
#if BNNGEN_AXI_LITE
        for (uint64_t i = 0; i < limit && !ctrl.idle(); ++i) {
            tick();
        }
        return ctrl.idle();
#else
        (void)limit;
        return true;
#endif
    }

    void finish() {
        top_->final();
#if BNNGEN_TRACE
        if (trace_) trace_->close();
#endif
    }

    TopModule& top() { return *top_; }
    [[nodiscard]] const OwnCounts& snapshot(size_t op) const { return snapshots_.at(op); }

    AxisSource source;
    AxisSink sink;
#if BNNGEN_AXI_LITE
    AxiLiteMaster ctrl;
#endif
    uint64_t cycle = 0;
    OwnCounts counts;

private:
    void dump() {
#if BNNGEN_TRACE
        if (trace_) trace_->dump(context_->time());
#endif
    }

    VerilatedContext* context_;
    std::unique_ptr<TopModule> top_;
#if BNNGEN_TRACE
    std::unique_ptr<VerilatedFstC> trace_;
#endif
    std::map<size_t, OwnCounts> snapshots_;  // AXI-Lite read -> the harness's counts when accepted
};

void push_images(Bench& bench, const std::vector<uint16_t>& pixels, long count) {
    for (long n = 0; n < count; ++n) {
        std::vector<uint16_t> image(pixels.begin() + static_cast<long>(kImageSize) * n,
                                    pixels.begin() + static_cast<long>(kImageSize) * (n + 1));
        for (uint64_t beat = 0; beat < kBeatsPerImage; ++beat) {
            bench.source.push(Beat{image_beat(image, beat), beat + 1 == kBeatsPerImage});
        }
    }
}

#if BNNGEN_AXI_LITE
struct RegisterCheck {
    std::string name;
    size_t op = 0;
    uint64_t expected = 0;
    bool response = false;  // compare the response code instead of the data
    // A counter register: its expected value from the harness's counts when the read was accepted.
    uint64_t (*counted)(const OwnCounts&) = nullptr;
};

// The final reads: every register against what the harness counted, then the W1C clearing of
// IRQ_STATUS and the interrupt line. Returns the lines for the counter file.
std::vector<std::string> check_registers(Bench& bench, long images) {
    AxiLiteMaster& c = bench.ctrl;
    std::vector<RegisterCheck> checks;
    auto expect = [&](const char* name, uint32_t address, uint64_t expected) {
        checks.push_back(RegisterCheck{name, c.read(address), expected, false});
    };
    expect("ID", BNNGEN_REG(ID), BNNGEN_VALUE(ID));
    expect("VERSION", BNNGEN_REG(VERSION), BNNGEN_VALUE(VERSION));
    expect("NETWORK_HASH", BNNGEN_REG(NETWORK_HASH), BNNGEN_VALUE(NETWORK_HASH));
    expect("CONTROL", BNNGEN_REG(CONTROL), BNNGEN_BIT(CONTROL, ENABLE));
    expect("STATUS", BNNGEN_REG(STATUS), BNNGEN_BIT(STATUS, ENABLE));
    expect("COUNTER_COUNT", BNNGEN_REG(COUNTER_COUNT), BNNGEN_COUNTER_COUNT);
    expect("BEATS_PER_IMAGE", BNNGEN_REG(BEATS_PER_IMAGE), kBeatsPerImage);
    expect("IRQ_ENABLE", BNNGEN_REG(IRQ_ENABLE), BNNGEN_BIT(IRQ_ENABLE, IMAGE) | BNNGEN_BIT(IRQ_ENABLE, BATCH));
    expect("BATCH_SIZE", BNNGEN_REG(BATCH_SIZE), static_cast<uint64_t>(images));
    expect("IRQ_STATUS", BNNGEN_REG(IRQ_STATUS), BNNGEN_BIT(IRQ_STATUS, IMAGE) | BNNGEN_BIT(IRQ_STATUS, BATCH));
    auto expect_counted = [&](const char* name, uint32_t address, uint64_t (*counted)(const OwnCounts&)) {
        checks.push_back(RegisterCheck{name, c.read(address), 0, false, counted});
    };
    expect_counted("IMAGES_IN", BNNGEN_REG(IMAGES_IN),
                   [](const OwnCounts& s) { return s.beats_in / kBeatsPerImage; });
    expect_counted("IMAGES_OUT", BNNGEN_REG(IMAGES_OUT), [](const OwnCounts& s) { return s.images_out; });
    expect_counted("CYCLES", BNNGEN_REG(CYCLES), [](const OwnCounts& s) { return s.cycles; });
    expect_counted("BUSY_CYCLES", BNNGEN_REG(BUSY_CYCLES), [](const OwnCounts& s) { return s.busy; });
    expect_counted("IN_STALL_CYCLES", BNNGEN_REG(IN_STALL_CYCLES), [](const OwnCounts& s) { return s.in_stall; });
    expect_counted("OUT_STALL_CYCLES", BNNGEN_REG(OUT_STALL_CYCLES), [](const OwnCounts& s) { return s.out_stall; });
    checks.push_back(RegisterCheck{"UNMAPPED_READ_RESPONSE", c.read(0x40 + 4 * BNNGEN_COUNTER_COUNT), 2, true});
    std::vector<std::pair<std::string, size_t>> counter_reads;
#define BNNGEN_READ_COUNTER(layer, kind, offset) counter_reads.emplace_back(std::string(layer) + " " + kind, c.read(offset));
    BNNGEN_REG_COUNTERS(BNNGEN_READ_COUNTER)
#undef BNNGEN_READ_COUNTER
    bench.settle();
    const bool interrupt_before_clear = bench.top().irq != 0;
    c.write(BNNGEN_REG(IRQ_STATUS), BNNGEN_BIT(IRQ_STATUS, IMAGE) | BNNGEN_BIT(IRQ_STATUS, BATCH));
    const size_t cleared = c.read(BNNGEN_REG(IRQ_STATUS));
    bench.settle();
    for (int i = 0; i < 3; ++i) {
        bench.tick();  // the interrupt output is registered
    }
    std::vector<std::string> lines;
    for (RegisterCheck& check : checks) {
        if (check.counted != nullptr) {
            check.expected = check.counted(bench.snapshot(check.op));
        }
        const AxiLiteOp& op = c.op(check.op);
        const uint64_t got = check.response ? op.response : op.data;
        lines.push_back("register " + check.name + " " + std::to_string(got) + " " +
                        std::to_string(static_cast<uint32_t>(check.expected)));
        if (!check.response && op.response != 0) {
            lines.push_back("register " + check.name + "_RESPONSE " + std::to_string(op.response) + " 0");
        }
    }
    lines.push_back("register INTERRUPT_BEFORE_CLEAR " + std::to_string(interrupt_before_clear ? 1 : 0) + " 1");
    lines.push_back("register IRQ_STATUS_AFTER_CLEAR " + std::to_string(c.op(cleared).data) + " 0");
    lines.push_back("register INTERRUPT_AFTER_CLEAR " + std::to_string(bench.top().irq ? 1 : 0) + " 0");
    lines.push_back("register INTERRUPT_BEFORE_FIRST_RESULT " +
                    std::to_string(bench.counts.interrupt_before_first_result) + " 0");
    for (const auto& [name, op] : counter_reads) {
        lines.push_back("counter " + name + " " + std::to_string(c.op(op).data));
    }
    return lines;
}
#endif

}  // namespace

// The last result can leave before every layer has finished its image: rows and columns that no
// later window needs are still computed (and counted) after it. Ticks on until no performance
// counter has moved for kDrainQuietCycles (the cycle model's worst-case interval: a layer with work
// left moves a counter within one image's time); false if that takes longer than `limit` cycles.
bool drain(Bench& bench, uint64_t limit) {
    auto counter_sum = [&bench]() {
        uint64_t sum = 0;
#define BNNGEN_ADD_COUNTER(layer, kind, member) sum += static_cast<uint64_t>(bench.top().rootp->member);
        BNNGEN_COUNTERS(BNNGEN_ADD_COUNTER)
#undef BNNGEN_ADD_COUNTER
        return sum;
    };
    uint64_t previous = counter_sum();
    uint64_t quiet = 0;
    for (uint64_t cycles = 0; quiet < kDrainQuietCycles; ++cycles) {
        if (cycles > limit) {
            return false;
        }
        bench.tick();
        const uint64_t now = counter_sum();
        quiet = now == previous ? quiet + 1 : 0;
        previous = now;
    }
    return true;
}

int main(int argc, char** argv) {
    Options opt;
    if (!parse(argc, argv, opt)) {
        std::fprintf(stderr, "usage: %s --images FILE --count N --out FILE [--counters FILE] [--stall-in P] [--stall-out P] "
                             "[--seed S] [--timeout CYCLES] [--soft-reset-after BEATS] [--trace FILE.fst]\n", argv[0]);
        return 1;
    }
    std::vector<uint16_t> pixels(kImageSize * static_cast<size_t>(opt.count));
    {
        std::ifstream in(opt.images, std::ios::binary);
        in.read(reinterpret_cast<char*>(pixels.data()), static_cast<std::streamsize>(pixels.size() * 2));
        if (!in) {
            std::fprintf(stderr, "cannot read %ld images from %s\n", opt.count, opt.images.c_str());
            return 1;
        }
    }

    auto context = std::make_unique<VerilatedContext>();
    context->commandArgs(argc, argv);
    Bench bench(opt, context.get());
    bench.reset();
#if BNNGEN_AXI_LITE
    // Configure as a driver would: enable, interrupt on every image and on the whole batch.
    bench.ctrl.write(BNNGEN_REG(CONTROL), BNNGEN_BIT(CONTROL, ENABLE));
    bench.ctrl.write(BNNGEN_REG(IRQ_ENABLE), BNNGEN_BIT(IRQ_ENABLE, IMAGE) | BNNGEN_BIT(IRQ_ENABLE, BATCH));
    bench.ctrl.write(BNNGEN_REG(BATCH_SIZE), static_cast<uint32_t>(opt.count));
    if (!bench.settle()) {
        std::fprintf(stderr, "AXI-Lite: no response to the configuration writes\n");
        return 2;
    }
#endif
    push_images(bench, pixels, opt.count);

    const size_t beats_per_result = static_cast<size_t>(kClasses) + 1;
    std::vector<uint64_t> first_in(static_cast<size_t>(opt.count), 0);
    std::vector<uint64_t> last_out;
    uint64_t stream_start = 0;  // source.sent() when the current stream began
    bool soft_reset_pending = opt.soft_reset_after > 0;
    uint64_t idle = 0;
    int status = 0;

    // Until every result is out and every input beat taken: a network whose last window ends
    // before the image does (a stride past the last rows) answers before it has read the whole
    // image, and the registers are read only once the stream is complete.
    while (last_out.size() < static_cast<size_t>(opt.count) || !bench.source.empty()) {
#if BNNGEN_AXI_LITE
        if (soft_reset_pending && bench.source.sent() >= opt.soft_reset_after) {
            // Abort the stream in the middle: soft reset, drop what is queued and what came out,
            // release, and stream every image again. The design's counters start again from 0
            // after the release, and so do the harness's.
            soft_reset_pending = false;
            bench.ctrl.write(BNNGEN_REG(CONTROL), BNNGEN_BIT(CONTROL, ENABLE) | BNNGEN_BIT(CONTROL, SOFT_RESET));
            bench.settle();
            bench.source.clear();
            bench.sink.clear();
            for (int i = 0; i < 4; ++i) {
                bench.tick();
            }
            const size_t release = bench.ctrl.write(BNNGEN_REG(CONTROL), BNNGEN_BIT(CONTROL, ENABLE));
            bench.settle();
            const AxiLiteOp& op = bench.ctrl.op(release);
            const uint64_t write_edge = op.address_cycle > op.data_cycle ? op.address_cycle : op.data_cycle;
            bench.counts = OwnCounts{};
            bench.counts.cycles = bench.cycle - (write_edge + kControlWriteLatency);
            stream_start = bench.source.sent();
            last_out.clear();
            push_images(bench, pixels, opt.count);
            continue;
        }
#endif
        const Events e = bench.tick();
        const uint64_t cycle = bench.cycle - 1;
        if (e.input_beat && (bench.source.sent() - stream_start - 1) % kBeatsPerImage == 0) {
            first_in[(bench.source.sent() - stream_start - 1) / kBeatsPerImage] = cycle;
        }
        if (e.output_beat) {
            idle = 0;
            const auto& beats = bench.sink.beats();
            bool should_be_last = beats.size() % beats_per_result == 0;
            if (beats.back().last != should_be_last) {
                std::fprintf(stderr, "framing error: output beat %zu has tlast=%d, expected %d\n", beats.size() - 1,
                             beats.back().last ? 1 : 0, should_be_last ? 1 : 0);
                status = 3;
                break;
            }
            if (should_be_last) {
                last_out.push_back(cycle);
            }
        } else if (++idle > opt.timeout) {
            std::fprintf(stderr, "timeout: no output beat for %llu cycles; %zu of %ld images complete, %llu input beats taken\n",
                         static_cast<unsigned long long>(opt.timeout), last_out.size(), opt.count,
                         static_cast<unsigned long long>(bench.source.sent() - stream_start));
            status = 2;
            break;
        }
    }

    if (status == 0 && !drain(bench, opt.timeout)) {
        std::fprintf(stderr, "timeout: the performance counters still moved %llu cycles after the last result\n",
                     static_cast<unsigned long long>(opt.timeout));
        status = 2;
    }

    std::vector<std::string> counter_lines;
#if BNNGEN_AXI_LITE
    if (status == 0) {
        counter_lines = check_registers(bench, opt.count);
    }
#else
#define BNNGEN_WRITE_COUNTER(layer, kind, member) \
    counter_lines.push_back(std::string("counter ") + layer + " " + kind + " " + \
                            std::to_string(static_cast<unsigned long long>(bench.top().rootp->member)));
    BNNGEN_COUNTERS(BNNGEN_WRITE_COUNTER)
#undef BNNGEN_WRITE_COUNTER
#endif
    bench.finish();

    std::ofstream out(opt.out);
    const auto& beats = bench.sink.beats();
    for (size_t n = 0; n < last_out.size(); ++n) {
        for (size_t k = 0; k < beats_per_result; ++k) {
            const Words& w = beats[n * beats_per_result + k].data;
            out << static_cast<int32_t>(w[0]) << ' ';
        }
        out << first_in[n] << ' ' << last_out[n] << '\n';
    }
    if (!opt.counters.empty()) {
        std::ofstream counters(opt.counters);
        for (const std::string& line : counter_lines) {
            counters << line << '\n';
        }
    }
    std::printf("simulated %llu cycles, %zu images\n", static_cast<unsigned long long>(bench.cycle), last_out.size());
    return status;
}
