// Block test of templates/sliding_window against a C++ model.
//
// Arguments (key=value; the geometry must match the -G values of the build): PW, H, W, K, S, P,
// PAD (hex of PAD_PIXEL), images (streamed back to back), p_in / p_out (stall probabilities),
// seed.
// Model: pix(y, x) = image[y-P][x-P] inside the image, PAD outside; window (oy, ox) tap
// ky*K+kx = pix(oy*S+ky, ox*S+kx); OUT = (IN + 2P - K)/S + 1.
// Checks: every window equals the model, in order, none lost or extra; without stalls, the exact
// schedule of the README: input beat (n, y, x) at edge e1 + n*F + y*COLS + x and the window ending
// at scan position q at edge e1 + n*F + q + 2, with F = ROWS*COLS cycles per image.
#include "Vsliding_window.h"
#include "tb_common.h"

#include <memory>

using tb::Bits;

struct Out {
    Bits data;
    long expect_cycle;  // relative to the first input transfer (schedule without stalls)
    int n, oy, ox;
};

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int pw = int(a.req("PW")), H = int(a.req("H")), W = int(a.req("W"));
    const int K = int(a.req("K")), S = int(a.req("S")), P = int(a.req("P"));
    const int images = int(a.i("images", 3));
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    Bits pad(pw);
    {
        std::string hx = a.s("PAD", "0");
        int bit = 0;
        for (int i = int(hx.size()) - 1; i >= 0 && bit < pw; --i, bit += 4) {
            int v = std::isdigit(hx[i]) ? hx[i] - '0' : std::tolower(hx[i]) - 'a' + 10;
            for (int b = 0; b < 4 && bit + b < pw; ++b) pad.set(bit + b, (v >> b) & 1);
        }
    }
    const int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
    const int ROWS = H + std::max(0, (OH - 1) * S + K - P - H);
    const int COLS = W + std::max(0, (OW - 1) * S + K - P - W);
    const long F = long(ROWS) * COLS;

    std::mt19937_64 rng(seed);
    tb::Source src(p_in, seed + 11);
    tb::Sink snk(p_out, seed + 12);
    std::vector<long> in_expect;  // expected edge (relative) of each input beat
    std::vector<Out> expect;
    for (int n = 0; n < images; ++n) {
        std::vector<Bits> img;
        for (int y = 0; y < H; ++y)
            for (int x = 0; x < W; ++x) {
                img.push_back(Bits::random(pw, rng));
                src.push(img.back());
                in_expect.push_back(n * F + long(y) * COLS + x);
            }
        auto pix = [&](int y, int x) -> const Bits& {
            int yy = y - P, xx = x - P;
            if (yy < 0 || yy >= H || xx < 0 || xx >= W) return pad;
            return img[size_t(yy) * W + xx];
        };
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox) {
                Bits w(K * K * pw);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx) w.put((ky * K + kx) * pw, pix(oy * S + ky, ox * S + kx));
                long q = long(oy * S + K - 1 - P) * COLS + (ox * S + K - 1 - P);
                expect.push_back({w, n * F + q + 2, n, oy, ox});
            }
    }

    auto m = std::make_unique<Vsliding_window>(ctx.get());
    tb::Harness<Vsliding_window> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();

    const bool timing = (p_in == 0.0 && p_out == 0.0);
    long n_in = 0, n_out = 0, e1 = -1, last_out = -1;
    const long limit = (long(images) * F + 100) * (timing ? 2 : 30) + 1000;
    auto where = [&](long c) { return "cycle " + std::to_string(c) + ": "; };
    for (long c = 0; c < limit && (n_out < long(expect.size()) || !src.empty()); ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        Bits out = tb::get_port(m->out_data, K * K * pw);
        bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
        h.high();
        if (in_fire) {
            if (e1 < 0) e1 = h.cycle();
            if (timing && h.cycle() - e1 != in_expect[size_t(n_in)])
                chk.fail(where(h.cycle()) + "input beat " + std::to_string(n_in) + " taken at +" +
                         std::to_string(h.cycle() - e1) + ", schedule says +" + std::to_string(in_expect[size_t(n_in)]));
            ++n_in;
        }
        src.after_edge(in_fire);
        if (out_fire) {
            if (n_out >= long(expect.size())) {
                chk.fail(where(h.cycle()) + "extra output window");
            } else {
                const Out& e = expect[size_t(n_out)];
                std::string id = "window (image " + std::to_string(e.n) + ", oy " + std::to_string(e.oy) + ", ox " +
                                 std::to_string(e.ox) + ")";
                if (out != e.data) chk.fail(where(h.cycle()) + id + " got " + out.hex() + " expected " + e.data.hex());
                if (timing && h.cycle() - e1 != e.expect_cycle)
                    chk.fail(where(h.cycle()) + id + " at +" + std::to_string(h.cycle() - e1) + ", schedule says +" +
                             std::to_string(e.expect_cycle));
            }
            ++n_out;
            last_out = h.cycle();
        }
    }
    // a few idle cycles: nothing more may come out
    for (int c = 0; c < 20; ++c) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail(where(h.cycle()) + "extra output window after the last one");
        h.high();
    }
    if (n_out != long(expect.size()))
        chk.fail("got " + std::to_string(n_out) + " windows, expected " + std::to_string(expect.size()));
    if (n_in != long(images) * H * W) chk.fail("input beats taken " + std::to_string(n_in));
    m->final();
    char name[256], summary[256];
    std::snprintf(name, sizeof name, "sliding_window PW=%d IN=%dx%d K=%d S=%d P=%d images=%d p_in=%.2f p_out=%.2f", pw, H, W,
                  K, S, P, images, p_in, p_out);
    std::snprintf(summary, sizeof summary, "OUT=%dx%d windows=%ld cycles/image=%ld (%dx%d) total=%ld", OH, OW, n_out, F, ROWS,
                  COLS, last_out - e1);
    return tb::report(name, chk, summary);
}
