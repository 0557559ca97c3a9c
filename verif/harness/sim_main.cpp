// Co-simulation driver for a bnngen-generated accelerator (the shape of Verilator's
// examples/make_tracing_c/sim_main.cpp): streams images into s_axis, collects m_axis, and writes
// what came out, with cycle stamps, for `bnngen verify` to compare against the golden model.
//
//   sim --images FILE --count N --out FILE [--counters FILE] [--stall-in P] [--stall-out P]
//       [--seed S] [--timeout CYCLES] [--trace FILE.fst]
//
// FILE (images): raw little-endian uint16 values [N][C][H][W]. Each image is sent as H*W beats in
// raster order, channel c of a pixel at tdata bits [c*BITS +: BITS], tlast on its last pixel.
// Output file: one line per image: "<score 0> ... <score K-1> <class> <cycle of its first input
// beat> <cycle of its last output beat>". Counter file: one line per performance counter of the
// design at the end of the run, "<layer> <kind> <value>". Exit status: 0 all images came back, 2 the pipeline hung
// (no output beat for --timeout cycles), 3 a framing error (tlast in the wrong place), 1 bad usage.
// The network-specific constants come from bnngen_sim_config.h, written by bnngen.
#include "bnngen_sim_config.h"

#include "axis.h"

#include <verilated.h>
#if BNNGEN_TRACE
#include <verilated_fst_c.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <fstream>
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
        else if (flag.rfind("+verilator", 0) == 0) continue;
        else return false;
    }
    return !o.images.empty() && !o.out.empty() && o.count > 0;
}

// One beat per pixel: the pixel's channels packed at BITS bits each.
Words pixel_beat(const std::vector<uint16_t>& image, int y, int x) {
    Words words((kChannels * kBits + 31) / 32, 0U);
    for (int c = 0; c < kChannels; ++c) {
        uint32_t value = image[static_cast<size_t>((c * kHeight + y) * kWidth + x)];
        for (int b = 0; b < kBits; ++b) {
            if ((value >> b) & 1U) {
                int bit = c * kBits + b;
                words[static_cast<size_t>(bit / 32)] |= 1U << (bit % 32);
            }
        }
    }
    return words;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse(argc, argv, opt)) {
        std::fprintf(stderr, "usage: %s --images FILE --count N --out FILE [--counters FILE] [--stall-in P] [--stall-out P] "
                             "[--seed S] [--timeout CYCLES] [--trace FILE.fst]\n", argv[0]);
        return 1;
    }
    const size_t image_size = static_cast<size_t>(kChannels) * kHeight * kWidth;
    std::vector<uint16_t> pixels(image_size * static_cast<size_t>(opt.count));
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
    auto top = std::make_unique<TopModule>(context.get(), "top");
#if BNNGEN_TRACE
    std::unique_ptr<VerilatedFstC> trace;
    if (!opt.trace.empty()) {
        context->traceEverOn(true);
        trace = std::make_unique<VerilatedFstC>();
        top->trace(trace.get(), 99);
        trace->open(opt.trace.c_str());
    }
#endif

    AxisSource source(opt.stall_in, opt.seed * 2 + 1);
    AxisSink sink(opt.stall_out, opt.seed * 2 + 2);
    for (long n = 0; n < opt.count; ++n) {
        std::vector<uint16_t> image(pixels.begin() + static_cast<long>(image_size) * n,
                                    pixels.begin() + static_cast<long>(image_size) * (n + 1));
        for (int y = 0; y < kHeight; ++y) {
            for (int x = 0; x < kWidth; ++x) {
                source.push(Beat{pixel_beat(image, y, x), y == kHeight - 1 && x == kWidth - 1});
            }
        }
    }

    const uint64_t pixels_per_image = static_cast<uint64_t>(kHeight) * kWidth;
    const size_t beats_per_result = static_cast<size_t>(kClasses) + 1;
    std::vector<uint64_t> first_in(static_cast<size_t>(opt.count), 0);
    std::vector<uint64_t> last_out;
    uint64_t cycle = 0;
    uint64_t idle = 0;
    int status = 0;

    top->aclk = 0;
    top->aresetn = 0;
    for (int i = 0; i < 8; ++i) {  // synchronous reset for a few cycles
        top->aclk = !top->aclk;
        top->eval();
    }
    top->aresetn = 1;
    while (last_out.size() < static_cast<size_t>(opt.count)) {
        top->aclk = 0;
        source.drive(top->s_axis_tvalid, top->s_axis_tdata, top->s_axis_tlast);
        sink.drive(top->m_axis_tready);
        top->eval();
#if BNNGEN_TRACE
        if (trace) trace->dump(context->time());
#endif
        if (source.observe(top->s_axis_tvalid, top->s_axis_tready) &&
            (source.sent() - 1) % pixels_per_image == 0) {
            first_in[(source.sent() - 1) / pixels_per_image] = cycle;
        }
        if (sink.observe(top->m_axis_tvalid, top->m_axis_tready, top->m_axis_tdata, top->m_axis_tlast)) {
            idle = 0;
            const auto& beats = sink.beats();
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
                         static_cast<unsigned long long>(source.sent()));
            status = 2;
            break;
        }
        context->timeInc(1);
        top->aclk = 1;
        top->eval();
#if BNNGEN_TRACE
        if (trace) trace->dump(context->time());
#endif
        context->timeInc(1);
        ++cycle;
    }
    top->final();
#if BNNGEN_TRACE
    if (trace) trace->close();
#endif

    std::ofstream out(opt.out);
    const auto& beats = sink.beats();
    for (size_t n = 0; n < last_out.size(); ++n) {
        for (size_t k = 0; k < beats_per_result; ++k) {
            const Words& w = beats[n * beats_per_result + k].data;
            out << static_cast<int32_t>(w[0]) << ' ';
        }
        out << first_in[n] << ' ' << last_out[n] << '\n';
    }
    if (!opt.counters.empty()) {
        std::ofstream counters(opt.counters);
#define BNNGEN_WRITE_COUNTER(layer, kind, member) \
        counters << layer << ' ' << kind << ' ' << static_cast<unsigned long long>(top->rootp->member) << '\n';
        BNNGEN_COUNTERS(BNNGEN_WRITE_COUNTER)
#undef BNNGEN_WRITE_COUNTER
    }
    std::printf("simulated %llu cycles, %zu images\n", static_cast<unsigned long long>(cycle), last_out.size());
    return status;
}
