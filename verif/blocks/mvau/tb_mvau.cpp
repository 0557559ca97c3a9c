// Block test of templates/mvau against a C++ model.
//
// Arguments (key=value; must match the -G values of the build): TAPS, EW (ELEM_WIDTH), INT
// (INPUT_INTEGER), OC (OUT_CHANNELS), PE, SIMD, THR (THRESHOLD_MODE), PW (PARAM_WIDTH), SW
// (SCORE_WIDTH), wfile / pfile (the WEIGHT_FILE / PARAM_FILE paths compiled into the build: this
// program writes them, from the seed, before the model reads them), n (vectors), p_in / p_out,
// seed.
// Model (README): binary mode P = popcount(XNOR(w, x)), y = P >= T, score = 2P - TAPS + B;
// integer mode s = sum (w ? x : -x), y = s >= T, score = s + B; scores modulo 2^SW.
// Thresholds are drawn from the accumulator values of random inputs, so both outputs are common,
// plus edge values (always / never true). Checks every output beat, no loss/duplication, and
// without stalls the schedule: vector j taken at edge e1 + j*FOLD and delivered at
// e1 + j*FOLD + FOLD + 4.
#include "Vmvau.h"
#include "tb_common.h"

#include <fstream>
#include <memory>

using tb::Bits;

static void write_hex(const std::string& path, const std::vector<Bits>& words) {
    std::ofstream f(path);
    for (const auto& w : words) f << w.hex() << "\n";
    if (!f) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        std::exit(2);
    }
}

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int TAPS = int(a.req("TAPS")), EW = int(a.req("EW")), INT = int(a.i("INT", 0));
    const int OC = int(a.req("OC")), PE = int(a.req("PE")), SIMD = int(a.req("SIMD"));
    const int THR = int(a.req("THR")), PW = int(a.i("PW", 16)), SW = int(a.i("SW", 16));
    const std::string wfile = a.s("wfile", "weights.hex"), pfile = a.s("pfile", "params.hex");
    const long n = a.i("n", 300);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const bool int_mode = EW > 1 || INT != 0;
    const int NF = OC / PE, SF = TAPS / SIMD, FOLD = NF * SF;
    const int OWB = THR ? 1 : SW;

    std::mt19937_64 rng(seed);
    // weights w[o][j] in {0,1} (1 = +1)
    const size_t oc_n = size_t(OC), taps_n = size_t(TAPS), vec_n = size_t(n);
    std::vector<std::vector<int>> w(oc_n, std::vector<int>(taps_n));
    for (auto& row : w)
        for (auto& b : row) b = int(rng() & 1);
    // input vectors
    const uint64_t xmax = (uint64_t(1) << EW) - 1;
    std::vector<std::vector<uint64_t>> xs(vec_n, std::vector<uint64_t>(taps_n));
    for (long v = 0; v < n; ++v)
        for (auto& x : xs[size_t(v)]) x = (v == 0) ? 0 : (v == 1) ? xmax : (rng() & xmax);
    auto acc = [&](int o, const std::vector<uint64_t>& x) -> int64_t {
        int64_t s = 0;
        for (int j = 0; j < TAPS; ++j) {
            if (int_mode) s += w[size_t(o)][size_t(j)] ? int64_t(x[size_t(j)]) : -int64_t(x[size_t(j)]);
            else s += (w[size_t(o)][size_t(j)] == int(x[size_t(j)])) ? 1 : 0;
        }
        return s;
    };
    // thresholds / biases, clamped to PARAM_WIDTH
    const int64_t pmax = (int64_t(1) << (PW - 1)) - 1, pmin = -(int64_t(1) << (PW - 1));
    std::vector<int64_t> param(oc_n);
    for (int o = 0; o < OC; ++o) {
        int64_t v;
        if (THR) {
            int kind = int(rng() % 10);
            if (kind == 0) v = int_mode ? -int64_t(TAPS) * int64_t(xmax) : 0;                 // always 1
            else if (kind == 1) v = int_mode ? int64_t(TAPS) * int64_t(xmax) + 1 : TAPS + 1;   // always 0
            else v = acc(o, xs[size_t(rng() % uint64_t(n))]) + int64_t(rng() % 3) - 1;
        } else {
            v = int64_t(rng() % uint64_t(1 + std::min<int64_t>(pmax, 1000))) - std::min<int64_t>(pmax, 1000) / 2;
        }
        param[size_t(o)] = std::max(pmin, std::min(pmax, v));
    }
    // memory images
    std::vector<Bits> wwords, pwords;
    for (int nf = 0; nf < NF; ++nf)
        for (int sf = 0; sf < SF; ++sf) {
            Bits word(PE * SIMD);
            for (int pe = 0; pe < PE; ++pe)
                for (int i = 0; i < SIMD; ++i) word.set(pe * SIMD + i, w[size_t(nf * PE + pe)][size_t(sf * SIMD + i)]);
            wwords.push_back(word);
        }
    for (int nf = 0; nf < NF; ++nf) {
        Bits word(PE * PW);
        for (int pe = 0; pe < PE; ++pe) word.set_field(pe * PW, PW, uint64_t(param[size_t(nf * PE + pe)]));
        pwords.push_back(word);
    }
    write_hex(wfile, wwords);
    write_hex(pfile, pwords);

    // stimulus and expected outputs
    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    std::vector<Bits> expect;
    long ones = 0;
    for (long v = 0; v < n; ++v) {
        Bits in(TAPS * EW);
        for (int j = 0; j < TAPS; ++j) in.set_field(j * EW, EW, xs[size_t(v)][size_t(j)]);
        src.push(in);
        Bits out(OC * OWB);
        for (int o = 0; o < OC; ++o) {
            int64_t s = acc(o, xs[size_t(v)]);
            if (THR) {
                out.set(o, s >= param[size_t(o)]);
                ones += s >= param[size_t(o)];
            } else {
                int64_t sc = int_mode ? s + param[size_t(o)] : 2 * s - TAPS + param[size_t(o)];
                out.set_field(o * SW, SW, uint64_t(sc));
            }
        }
        expect.push_back(out);
    }

    auto m = std::make_unique<Vmvau>(ctx.get());
    tb::Harness<Vmvau> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    const bool timing = (p_in == 0.0 && p_out == 0.0);
    long n_in = 0, n_out = 0, e1 = -1, last_out = 0;
    const long limit = (long(FOLD) + 8) * n * (timing ? 2 : 20) + 1000;
    for (long c = 0; c < limit && n_out < n; ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        Bits out = tb::get_port(m->out_data, OC * OWB);
        bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
        h.high();
        if (in_fire) {
            if (e1 < 0) e1 = h.cycle();
            if (timing && h.cycle() - e1 != n_in * FOLD)
                chk.fail("vector " + std::to_string(n_in) + " taken at +" + std::to_string(h.cycle() - e1) + ", expected +" +
                         std::to_string(n_in * FOLD));
            ++n_in;
        }
        src.after_edge(in_fire);
        if (out_fire) {
            if (n_out >= n) chk.fail("extra output beat");
            else {
                if (out != expect[size_t(n_out)])
                    chk.fail("vector " + std::to_string(n_out) + " got " + out.hex() + " expected " + expect[size_t(n_out)].hex());
                long want = n_out * FOLD + FOLD + 4;
                if (timing && h.cycle() - e1 != want)
                    chk.fail("output " + std::to_string(n_out) + " at +" + std::to_string(h.cycle() - e1) + ", expected +" +
                             std::to_string(want));
            }
            ++n_out;
            last_out = h.cycle();
        }
    }
    for (int c = 0; c < 2 * FOLD + 10; ++c) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail("extra output beat after the last one");
        h.high();
    }
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " output beats, expected " + std::to_string(n));
    m->final();
    char name[256], summary[200];
    std::snprintf(name, sizeof name, "mvau TAPS=%d EW=%d INT=%d OC=%d PE=%d SIMD=%d %s p_in=%.2f p_out=%.2f", TAPS, EW, INT, OC,
                  PE, SIMD, THR ? "threshold" : "score", p_in, p_out);
    std::snprintf(summary, sizeof summary, "vectors=%ld FOLD=%d cycles total=%ld%s", n_out, FOLD, last_out - e1,
                  THR ? (", ones " + std::to_string(100 * ones / std::max(1L, n * OC)) + "%").c_str() : "");
    return tb::report(name, chk, summary);
}
