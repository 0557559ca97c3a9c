// Block test of templates/maxpool_stream against a C++ model: out(oy, ox)[c] = OR over the
// KERNEL x KERNEL pixels (oy*K + ky, ox*K + kx) of channel c, OUT_H x OUT_W = floor(H/K) x floor(W/K)
// windows per image, the remaining rows and columns dropped.
//
// Arguments (key=value): C, H, W, K (must match the build), images, p_in / p_out, seed.
// Pixels are sparse random bits (density 1/K^2 .. 1/2 per image) so that both output values are
// common. Checks every output, no loss/duplication, the image count, and without stalls that every
// input pixel is taken in consecutive cycles and each window leaves one cycle after its last pixel.
#include "Vmaxpool_stream.h"
#include "tb_common.h"

#include <memory>

using tb::Bits;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int C = int(a.req("C")), H = int(a.req("H")), W = int(a.req("W")), K = int(a.req("K"));
    const long images = a.i("images", 20);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const int OH = H / K, OW = W / K;

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    std::vector<Bits> expect;
    std::vector<long> due;  // input pixel index after which each window is due
    for (long img = 0; img < images; ++img) {
        const double density = (img % 3 == 0) ? 0.5 : 1.0 / (K * K * (1 + img % 4));
        std::vector<Bits> pix;
        for (int p = 0; p < H * W; ++p) {
            Bits b(C);
            for (int c = 0; c < C; ++c) b.set(c, u(rng) < density);
            pix.push_back(b);
            src.push(b);
        }
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox) {
                Bits o(C);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx)
                        for (int c = 0; c < C; ++c)
                            if (pix[size_t((oy * K + ky) * W + ox * K + kx)].get(c)) o.set(c, true);
                expect.push_back(o);
                due.push_back(img * H * W + (oy * K + K - 1) * W + ox * K + K - 1);
            }
    }
    const long n = long(expect.size()), n_pixels = images * H * W;

    auto m = std::make_unique<Vmaxpool_stream>(ctx.get());
    tb::Harness<Vmaxpool_stream> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    const bool timing = (p_in == 0.0 && p_out == 0.0);
    long n_in = 0, n_out = 0, e1 = -1, ones = 0;
    for (long c = 0; c < 50 * n_pixels + 100 && (n_out < n || n_in < n_pixels); ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        Bits out = tb::get_port(m->out_data, C);
        bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
        h.high();
        if (in_fire) {
            if (e1 < 0) e1 = h.cycle();
            if (timing && h.cycle() - e1 != n_in)
                chk.fail("pixel " + std::to_string(n_in) + " taken at +" + std::to_string(h.cycle() - e1));
            ++n_in;
        }
        src.after_edge(in_fire);
        if (out_fire) {
            if (n_out >= n) {
                chk.fail("extra window");
            } else {
                if (out != expect[size_t(n_out)])
                    chk.fail("window " + std::to_string(n_out) + " got " + out.hex() + " expected " +
                             expect[size_t(n_out)].hex());
                if (timing && h.cycle() - e1 != due[size_t(n_out)] + 1)
                    chk.fail("window " + std::to_string(n_out) + " at +" + std::to_string(h.cycle() - e1) +
                             ", expected +" + std::to_string(due[size_t(n_out)] + 1));
            }
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
    if (n_in != n_pixels) chk.fail("took " + std::to_string(n_in) + " pixels, expected " + std::to_string(n_pixels));
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " windows, expected " + std::to_string(n));
    m->final();
    char name[160], summary[96];
    std::snprintf(name, sizeof name, "maxpool_stream C=%d H=%d W=%d K=%d p_in=%.2f p_out=%.2f", C, H, W, K, p_in,
                  p_out);
    std::snprintf(summary, sizeof summary, "windows=%ld, output ones %.0f%%", n_out,
                  100.0 * double(ones) / double(std::max(1L, n) * C));
    return tb::report(name, chk, summary);
}
