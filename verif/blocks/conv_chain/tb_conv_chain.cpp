// Composition test: a binary conv layer as the generator builds it (conv_chain.v:
// sliding_window -> stream_fifo -> mvau), against a direct C++ model of the layer.
//
// Arguments (key=value; must match the build): C, H, W, K, S, P, PAD_ONES, OC, PE, SIMD, wfile,
// pfile (weight/threshold images compiled into the build; written here from the seed), images,
// p_in / p_out, seed.
// Model: window tap t = ky*K+kx, channel c is element j = t*C + c; padding taps take the pad value;
// P[o] = popcount XNOR(w[o][j], x[j]); y[o] = P[o] >= T[o].
// Checks every output, no loss/duplication; without stalls, the steady-state interval per image
// (between the last outputs of consecutive images) must match, within 1% + 2 cycles,
//     max(SWG, MVAU + max(0, FILL - (FD + 1)*FOLD))
// with SWG = the window generator's CYCLES_PER_IMAGE, MVAU = OUT_H*OUT_W*FOLD, FD the FIFO depth
// between them and FILL = (K-1-P)*COLS + (K-1-P) + 2 the window generator's latency from the
// start of an image to its first window: when the mvau is the bottleneck it runs dry at each image
// boundary unless the FIFO (plus its input register) covers that latency. (The rule is measured
// on the sets of run_block_tests.sh, not derived for every case.)
#include "Vconv_chain.h"
#include "tb_common.h"

#include <fstream>
#include <memory>

using tb::Bits;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int C = int(a.req("C")), H = int(a.req("H")), W = int(a.req("W")), K = int(a.req("K"));
    const int S = int(a.req("S")), P = int(a.req("P")), pad_ones = int(a.req("PAD_ONES"));
    const int OC = int(a.req("OC")), PE = int(a.req("PE")), SIMD = int(a.req("SIMD"));
    const std::string wfile = a.s("wfile", "weights.hex"), pfile = a.s("pfile", "params.hex");
    const int images = int(a.i("images", 4)), FD = int(a.req("FD"));
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const int TAPS = K * K * C, NF = OC / PE, SF = TAPS / SIMD, FOLD = NF * SF;
    const int OH = (H + 2 * P - K) / S + 1, OW = (W + 2 * P - K) / S + 1;
    const long swg = long(H + std::max(0, (OH - 1) * S + K - P - H)) * (W + std::max(0, (OW - 1) * S + K - P - W));
    const long cols = W + std::max(0, (OW - 1) * S + K - P - W);
    const long fill = long(K - 1 - P) * cols + (K - 1 - P) + 2;
    const long mvau = long(OH) * OW * FOLD;
    const long model_cycles = std::max(swg, mvau + std::max(0L, fill - long(FD + 1) * FOLD));

    std::mt19937_64 rng(seed);
    const size_t oc_n = size_t(OC), taps_n = size_t(TAPS);
    std::vector<std::vector<int>> w(oc_n, std::vector<int>(taps_n));
    for (auto& r : w)
        for (auto& b : r) b = int(rng() & 1);
    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    std::vector<Bits> windows;  // all windows of all images, in order
    for (int n = 0; n < images; ++n) {
        std::vector<Bits> img;
        for (int i = 0; i < H * W; ++i) {
            img.push_back(Bits::random(C, rng));
            src.push(img.back());
        }
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox) {
                Bits x(TAPS);
                for (int ky = 0; ky < K; ++ky)
                    for (int kx = 0; kx < K; ++kx) {
                        int y = oy * S + ky - P, xx = ox * S + kx - P;
                        bool in = y >= 0 && y < H && xx >= 0 && xx < W;
                        for (int c = 0; c < C; ++c)
                            x.set((ky * K + kx) * C + c, in ? img[size_t(y) * W + xx].get(c) : pad_ones != 0);
                    }
                windows.push_back(x);
            }
    }
    auto popc = [&](int o, const Bits& x) {
        int p = 0;
        for (int j = 0; j < TAPS; ++j) p += (w[size_t(o)][size_t(j)] == int(x.get(j)));
        return p;
    };
    std::vector<int> thr(oc_n);
    for (int o = 0; o < OC; ++o) thr[size_t(o)] = popc(o, windows[rng() % windows.size()]) + int(rng() % 3) - 1;
    {
        std::ofstream wf(wfile), pf(pfile);
        for (int nf = 0; nf < NF; ++nf)
            for (int sf = 0; sf < SF; ++sf) {
                Bits word(PE * SIMD);
                for (int pe = 0; pe < PE; ++pe)
                    for (int i = 0; i < SIMD; ++i) word.set(pe * SIMD + i, w[size_t(nf * PE + pe)][size_t(sf * SIMD + i)]);
                wf << word.hex() << "\n";
            }
        for (int nf = 0; nf < NF; ++nf) {
            Bits word(PE * 16);
            for (int pe = 0; pe < PE; ++pe) word.set_field(pe * 16, 16, uint64_t(int64_t(thr[size_t(nf * PE + pe)])));
            pf << word.hex() << "\n";
        }
    }
    std::vector<Bits> expect;
    for (const auto& x : windows) {
        Bits y(OC);
        for (int o = 0; o < OC; ++o) y.set(o, popc(o, x) >= thr[size_t(o)]);
        expect.push_back(y);
    }

    auto m = std::make_unique<Vconv_chain>(ctx.get());
    tb::Harness<Vconv_chain> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    const bool timing = (p_in == 0.0 && p_out == 0.0);
    const long per_image = long(OH) * OW;
    long n_out = 0;
    std::vector<long> last_of_image;
    const long limit = model_cycles * images * (timing ? 2 : 10) + 2000;
    for (long c = 0; c < limit && n_out < long(expect.size()); ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        Bits out = tb::get_port(m->out_data, OC);
        bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
        h.high();
        src.after_edge(in_fire);
        if (out_fire) {
            if (out != expect[size_t(n_out)])
                chk.fail("image " + std::to_string(n_out / per_image) + " position " + std::to_string(n_out % per_image) +
                         ": got " + out.hex() + " expected " + expect[size_t(n_out)].hex());
            ++n_out;
            if (n_out % per_image == 0) last_of_image.push_back(h.cycle());
        }
    }
    if (n_out != long(expect.size())) chk.fail("got " + std::to_string(n_out) + " outputs, expected " + std::to_string(expect.size()));
    double interval = 0;
    if (last_of_image.size() >= 2)
        interval = double(last_of_image.back() - last_of_image.front()) / double(last_of_image.size() - 1);
    if (timing && images >= 2 && std::abs(interval - double(model_cycles)) > 0.01 * double(model_cycles) + 2)
        chk.fail("cycles per image " + std::to_string(interval) + ", model " + std::to_string(model_cycles));
    m->final();
    char name[200], summary[200];
    std::snprintf(name, sizeof name, "conv_chain C=%d IN=%dx%d K=%d S=%d P=%d OC=%d PE=%d SIMD=%d p_in=%.2f p_out=%.2f", C, H,
                  W, K, S, P, OC, PE, SIMD, p_in, p_out);
    std::snprintf(summary, sizeof summary, "outputs=%ld, cycles/image %.1f (model %ld: swg %ld, mvau %ld, fill %ld, fifo %d)",
                  n_out, interval, model_cycles, swg, mvau, fill, FD);
    return tb::report(name, chk, summary);
}
