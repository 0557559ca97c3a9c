// Block test of templates/stream_fifo against a C++ model (a queue).
//
// Arguments (key=value): WIDTH, DEPTH, LATENCY (must match the -G values of the build), n (beats),
// p_in / p_out (stall probabilities of source and sink), seed.
// Phases: (1) with no stalls, n beats stream through: the FIFO must pass one beat per cycle with a
// latency of exactly LATENCY cycles (last out - first in == n + LATENCY - 1); (2) with the sink stopped, the FIFO must
// accept exactly DEPTH beats and then hold in_ready low; (3) n beats with random stalls.
// Every phase checks data order, no loss or duplication, count == beats held and
// in_ready == (count < DEPTH) after every edge.
#include "Vstream_fifo.h"
#include "tb_common.h"

#include <deque>
#include <memory>

using tb::Bits;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args args(argc, argv);
    const int width = int(args.req("WIDTH"));
    const int depth = int(args.req("DEPTH"));
    const long latency = args.i("LATENCY", 1);
    const long n = args.i("n", 2000);
    const double p_in = args.d("p_in", 0.0), p_out = args.d("p_out", 0.0);
    const uint64_t seed = uint64_t(args.i("seed", 1));

    auto m = std::make_unique<Vstream_fifo>(ctx.get());
    tb::Harness<Vstream_fifo> h(*m);
    tb::Checker chk;
    std::mt19937_64 rng(seed);
    std::deque<Bits> model;  // beats inside the FIFO, oldest first
    long total_in = 0, total_out = 0;

    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();

    // One cycle. force_ready: -1 = sink decides, 0/1 = forced. Returns {in_fired, out_fired}.
    auto step = [&](tb::Source& src, tb::Sink& snk, int force_ready) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        bool rdy = snk.drive();
        if (force_ready >= 0) rdy = force_ready;
        m->out_ready = rdy;
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        Bits out = tb::get_port(m->out_data, width);
        bool out_valid = m->out_valid;
        bool out_fire = out_valid && rdy;
        if (force_ready < 0) snk.sample(out_valid, out, chk, h.cycle());
        h.high();
        if (in_fire) {
            model.push_back(src.data());
            ++total_in;
        }
        if (out_fire) {
            if (model.empty()) chk.fail("cycle " + std::to_string(h.cycle()) + ": output beat with FIFO empty (duplicate)");
            else {
                if (out != model.front())
                    chk.fail("cycle " + std::to_string(h.cycle()) + ": got " + out.hex() + " expected " + model.front().hex());
                model.pop_front();
            }
            ++total_out;
        }
        src.after_edge(in_fire);
        if (long(m->count) != long(model.size()))
            chk.fail("cycle " + std::to_string(h.cycle()) + ": count " + std::to_string(m->count) + " expected " +
                     std::to_string(model.size()));
        if (bool(m->in_ready) != (long(model.size()) < depth))
            chk.fail("cycle " + std::to_string(h.cycle()) + ": in_ready " + std::to_string(m->in_ready) + " with " +
                     std::to_string(model.size()) + " held");
        return std::pair<bool, bool>(in_fire, out_fire);
    };
    auto drain = [&](tb::Source& src, tb::Sink& snk, long limit) {
        long c = 0;
        while ((!src.empty() || !model.empty()) && c++ < limit) step(src, snk, -1);
        if (!src.empty() || !model.empty()) chk.fail("timeout: beats stuck in the FIFO or source");
    };
    h.edge();  // in_ready comes up one cycle after reset

    // Phase 1: throughput and latency, no stalls.
    std::string summary;
    {
        tb::Source src(0.0, seed + 1);
        tb::Sink snk(0.0, seed + 2);
        for (long i = 0; i < n; ++i) src.push(Bits::random(width, rng));
        long first_in = -1, last_out = -1;
        long c = 0;
        while ((!src.empty() || !model.empty()) && c++ < 10 * n + 100) {
            auto [fi, fo] = step(src, snk, -1);
            if (fi && first_in < 0) first_in = h.cycle();
            if (fo) last_out = h.cycle();
        }
        if (last_out - first_in != n + latency - 1)
            chk.fail("throughput: " + std::to_string(n) + " beats took " + std::to_string(last_out - first_in) +
                     " cycles from first in to last out, expected " + std::to_string(n + latency - 1));
        summary += "cycles(n=" + std::to_string(n) + ")=" + std::to_string(last_out - first_in);
    }
    // Phase 2: capacity.
    {
        tb::Source src(0.0, seed + 3);
        tb::Sink snk(0.0, seed + 4);
        for (int i = 0; i < depth + 3; ++i) src.push(Bits::random(width, rng));
        for (int i = 0; i < depth + 6; ++i) step(src, snk, 0);
        if (long(model.size()) != depth)
            chk.fail("capacity: accepted " + std::to_string(model.size()) + " beats, expected " + std::to_string(depth));
        drain(src, snk, 100 + 10 * depth);
    }
    // Phase 3: random stalls.
    {
        tb::Source src(p_in, seed + 5);
        tb::Sink snk(p_out, seed + 6);
        for (long i = 0; i < n; ++i) src.push(Bits::random(width, rng));
        drain(src, snk, 50 * n + 1000);
    }
    if (total_in != total_out) chk.fail("beats in " + std::to_string(total_in) + " != beats out " + std::to_string(total_out));
    m->final();
    summary += ", beats=" + std::to_string(total_out);
    char name[128];
    std::snprintf(name, sizeof name, "stream_fifo WIDTH=%d DEPTH=%d LATENCY=%ld p_in=%.2f p_out=%.2f", width, depth,
                  latency, p_in, p_out);
    return tb::report(name, chk, summary);
}
