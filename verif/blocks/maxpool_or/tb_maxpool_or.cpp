// Block test of templates/maxpool_or against a C++ model: out[c] = OR over taps t of in[t*C + c].
//
// Arguments (key=value): C, TAPS (must match the build), n (windows), p_in / p_out, seed.
// Inputs are sparse random bits (density 1/TAPS .. 1/2) so that both output values are common.
// Checks every output, no loss/duplication, and without stalls window j leaves at edge e1 + j + 1.
#include "Vmaxpool_or.h"
#include "tb_common.h"

#include <memory>

using tb::Bits;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int C = int(a.req("C")), taps = int(a.req("TAPS"));
    const long n = a.i("n", 2000);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));

    std::mt19937_64 rng(seed);
    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    std::vector<Bits> expect;
    for (long i = 0; i < n; ++i) {
        Bits w(taps * C), o(C);
        double density = (i % 3 == 0) ? 0.5 : 1.0 / (taps * (1 + i % 4));
        std::uniform_real_distribution<double> u(0.0, 1.0);
        for (int t = 0; t < taps; ++t)
            for (int c = 0; c < C; ++c)
                if (u(rng) < density) {
                    w.set(t * C + c, true);
                    o.set(c, true);
                }
        src.push(w);
        expect.push_back(o);
    }

    auto m = std::make_unique<Vmaxpool_or>(ctx.get());
    tb::Harness<Vmaxpool_or> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    const bool timing = (p_in == 0.0 && p_out == 0.0);
    long n_out = 0, e1 = -1, ones = 0;
    for (long c = 0; c < 50 * n + 100 && n_out < n; ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        Bits out = tb::get_port(m->out_data, C);
        bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
        h.high();
        if (in_fire && e1 < 0) e1 = h.cycle();
        src.after_edge(in_fire);
        if (out_fire) {
            if (out != expect[size_t(n_out)])
                chk.fail("window " + std::to_string(n_out) + " got " + out.hex() + " expected " + expect[size_t(n_out)].hex());
            if (timing && h.cycle() - e1 != n_out + 1)
                chk.fail("window " + std::to_string(n_out) + " at +" + std::to_string(h.cycle() - e1) + ", expected +" +
                         std::to_string(n_out + 1));
            for (int b = 0; b < C; ++b) ones += out.get(b);
            ++n_out;
        }
    }
    for (int c = 0; c < 10; ++c) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail("extra output beat");
        h.high();
    }
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " windows, expected " + std::to_string(n));
    m->final();
    char name[160], summary[96];
    std::snprintf(name, sizeof name, "maxpool_or C=%d TAPS=%d p_in=%.2f p_out=%.2f", C, taps, p_in, p_out);
    std::snprintf(summary, sizeof summary, "windows=%ld, output ones %.0f%%", n_out, 100.0 * double(ones) / double(n * C));
    return tb::report(name, chk, summary);
}
