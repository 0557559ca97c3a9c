// Block test of templates/mvau against a C++ model.
//
// Arguments (key=value; must match the -G values of the build): TAPS, EW (ELEM_WIDTH), INT
// (INPUT_INTEGER), OC (OUT_CHANNELS), PE, SIMD, THR (THRESHOLD_MODE), PW (PARAM_WIDTH), SW
// (SCORE_WIDTH), KEEP (USE_KEEP), wfile / pfile / kfile (the WEIGHT_FILE / PARAM_FILE / KEEP_FILE
// paths compiled into the build: this program writes them, from the seed, before the model reads
// them), n (vectors), p_in / p_out, seed; with KEEP=1 the mask is structured if KC > 0 (every
// output channel keeps exactly KK of KC input channels at all TAPS/KC taps, element
// j = tap*KC + c, as the generator's kernel pruning) and random otherwise (rows with all taps
// pruned, all kept, and random densities).
// Kernel-select mode (SEL=1; the build's USE_SELECT=1, KERNEL_TAPS=KT, KEPT_TAPS=KS*KT,
// SELECT_CHUNK=G, SELECT_SPAN=SPAN, SELECT_SHARED=SHARED, SELECT_FILE=sfile): a conv layer with
// KT taps per kernel and C = TAPS/KT input channels (input element j = tap*C + c); every output
// channel keeps a random sorted set of KS of the C channels (some channels the first KS, some the
// last KS; with SHARED=1 the same set for each group of PE consecutive channels). The test writes
// the weight (and mask) images indexed by the compact element (kernel r of the kept set, tap t:
// element r*KT + t) and the select image (offset d = internal chunk - compact chunk, internal
// element c*KT + t) exactly as the README's layout; the model sums over the kept channels' taps in
// the input's own order, independent of the reordering. With KEEP=1 also a random mask on the kept
// taps. KT > 1 without SEL: the images are indexed by the internal (kernel-major) element.
// Model (README): binary mode P = popcount(XNOR(w, x) & keep), y = P >= T, score = 2P - N + B_user
// with N the channel's kept taps, written to the parameter image as B = B_user + TAPS - N (the
// hardware computes 2P - TAPS + B); integer mode s = sum over kept j of (w ? x : -x), y = s >= T,
// score = s + B; scores modulo 2^SW.
// Thresholds are drawn from the accumulator values of random inputs, so both outputs are common,
// plus edge values (always / never true). Checks every output beat, no loss/duplication, and
// without stalls the schedule: vector j taken at edge e1 + j*FOLD and delivered at
// e1 + j*FOLD + 4 with HOLD=1 (HOLD_INPUT: the unit reads the held vector in place and takes it at
// its last step; not with kernel-select offsets, SEL=1 and SPAN > 1), else e1 + j*FOLD + FOLD + 4
// (the vector is copied into ibuf when taken);
// FOLD = (OC/PE) * (TAPS/SIMD), or (OC/PE) * (KS*KT/SIMD) with SEL=1.
#include "Vmvau.h"
#include "tb_common.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>

using tb::Bits;
using tb::write_hex;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int TAPS = int(a.req("TAPS")), EW = int(a.req("EW")), INT = int(a.i("INT", 0));
    const int OC = int(a.req("OC")), PE = int(a.req("PE")), SIMD = int(a.req("SIMD"));
    const int THR = int(a.req("THR")), PW = int(a.i("PW", 16)), SW = int(a.i("SW", 16));
    const std::string wfile = a.s("wfile", "weights.hex"), pfile = a.s("pfile", "params.hex");
    const std::string kfile = a.s("kfile", "keep.hex");
    const int KEEP = int(a.i("KEEP", 0)), KC = int(a.i("KC", 0)), KK = int(a.i("KK", 0));
    if (KEEP && KC > 0 && (TAPS % KC != 0 || KK < 0 || KK > KC)) {
        std::fprintf(stderr, "KC must divide TAPS and 0 <= KK <= KC\n");
        return 2;
    }
    const int KT = int(a.i("KT", 1)), SEL = int(a.i("SEL", 0)), KS = int(a.i("KS", 0));
    const int G = int(a.i("G", 1)), SPAN = int(a.i("SPAN", 1)), SHARED = int(a.i("SHARED", 0));
    const int HOLD = int(a.i("HOLD", 0));  // the build's HOLD_INPUT
    const std::string sfile = a.s("sfile", "select.hex");
    if (KT < 1 || TAPS % KT != 0) {
        std::fprintf(stderr, "KT must divide TAPS\n");
        return 2;
    }
    const int C = TAPS / KT;                  // input channels of the conv layer
    const int KEPT = SEL ? KS * KT : TAPS;    // elements stepped per output channel
    if (SEL && (KS < 1 || KS > C || KEPT % SIMD != 0 || G < 1 || SIMD % G != 0 || TAPS % G != 0 || KEPT % G != 0)) {
        std::fprintf(stderr, "SEL=1 needs 1 <= KS <= C, SIMD | KS*KT, G | SIMD, TAPS, KS*KT\n");
        return 2;
    }
    const long n = a.i("n", 300);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const bool int_mode = EW > 1 || INT != 0;
    const int NF = OC / PE, SF = KEPT / SIMD, FOLD = NF * SF;
    const int M = SIMD / G;
    int SWB = 1;  // bits of one offset: max(1, clog2(SPAN))
    while ((1 << SWB) < SPAN) ++SWB;
    const int OWB = THR ? 1 : SW;

    std::mt19937_64 rng(seed);
    // weights w[o][j] in {0,1} (1 = +1)
    const size_t oc_n = size_t(OC), taps_n = size_t(TAPS), vec_n = size_t(n);
    std::vector<std::vector<int>> w(oc_n, std::vector<int>(taps_n));
    for (auto& row : w)
        for (auto& b : row) b = int(rng() & 1);
    // kept-tap mask keep[o][j] (all ones without KEEP); nkept[o] = kept taps of channel o
    std::vector<std::vector<int>> keep(oc_n, std::vector<int>(taps_n, 1));
    if (KEEP) {
        for (int o = 0; o < OC; ++o) {
            auto& row = keep[size_t(o)];
            if (KC > 0 && !SEL) {
                std::vector<int> ch(size_t(KC), 0);
                for (int c = 0; c < KK; ++c) ch[size_t(c)] = 1;
                std::shuffle(ch.begin(), ch.end(), rng);
                for (int j = 0; j < TAPS; ++j) row[size_t(j)] = ch[size_t(j % KC)];
            } else {
                int kind = int(rng() % 8);
                uint64_t density = rng() % 101;  // percent kept
                for (auto& b : row) b = kind == 0 ? 0 : kind == 1 ? 1 : int(rng() % 100 < density);
            }
        }
    }
    // kept channel sets kc[o] (sorted; all C channels without SEL) and the compact map:
    // cmap[o][e] = input element (tap*C + c) of compact element e = r*KT + t (c = kc[o][r])
    std::vector<std::vector<int>> kc(oc_n);
    for (int o = 0; o < OC; ++o) {
        auto& set = kc[size_t(o)];
        if (!SEL) {
            for (int c = 0; c < C; ++c) set.push_back(c);
        } else if (SHARED && o % PE != 0) {
            set = kc[size_t(o - o % PE)];
        } else {
            std::vector<int> ch(static_cast<size_t>(C));
            for (int c = 0; c < C; ++c) ch[size_t(c)] = c;
            int kind = int(rng() % 6);
            if (kind == 1) std::reverse(ch.begin(), ch.end());        // the last KS channels
            else if (kind > 1) std::shuffle(ch.begin(), ch.end(), rng);  // kind 0: the first KS
            set.assign(ch.begin(), ch.begin() + KS);
            std::sort(set.begin(), set.end());
        }
    }
    std::vector<std::vector<int>> cmap(oc_n, std::vector<int>(size_t(KEPT)));
    for (int o = 0; o < OC; ++o)
        for (int e = 0; e < KEPT; ++e) cmap[size_t(o)][size_t(e)] = (e % KT) * C + kc[size_t(o)][size_t(e / KT)];
    if (SEL) {  // only the kept channels count (and, with KEEP, a random mask on their taps)
        for (int o = 0; o < OC; ++o) {
            std::vector<int> sel(taps_n, 0);
            for (int e = 0; e < KEPT; ++e) sel[size_t(cmap[size_t(o)][size_t(e)])] = 1;
            for (int j = 0; j < TAPS; ++j) keep[size_t(o)][size_t(j)] &= sel[size_t(j)];
        }
    }
    std::vector<int64_t> nkept(oc_n, 0);
    for (int o = 0; o < OC; ++o)
        for (int b : keep[size_t(o)]) nkept[size_t(o)] += b;
    // input vectors
    const uint64_t xmax = (uint64_t(1) << EW) - 1;
    std::vector<std::vector<uint64_t>> xs(vec_n, std::vector<uint64_t>(taps_n));
    for (long v = 0; v < n; ++v)
        for (auto& x : xs[size_t(v)]) x = (v == 0) ? 0 : (v == 1) ? xmax : (rng() & xmax);
    auto acc = [&](int o, const std::vector<uint64_t>& x) -> int64_t {
        int64_t s = 0;
        for (int j = 0; j < TAPS; ++j) {
            if (!keep[size_t(o)][size_t(j)]) continue;  // a pruned tap contributes nothing
            if (int_mode) s += w[size_t(o)][size_t(j)] ? int64_t(x[size_t(j)]) : -int64_t(x[size_t(j)]);
            else s += (w[size_t(o)][size_t(j)] == int(x[size_t(j)])) ? 1 : 0;
        }
        return s;
    };
    // thresholds / biases, clamped to PARAM_WIDTH
    const int64_t pmax = (int64_t(1) << (PW - 1)) - 1, pmin = -(int64_t(1) << (PW - 1));
    // param: the value in the parameter image (T, or B as the hardware takes it); bias: the score
    // mode's B_user (the model's bias: = param, except binary score mode B = B_user + TAPS - N)
    std::vector<int64_t> param(oc_n), bias(oc_n);
    for (int o = 0; o < OC; ++o) {
        const int64_t nk = nkept[size_t(o)];
        const int64_t fold_in = (!THR && !int_mode) ? int64_t(TAPS) - nk : 0;  // pruned taps folded into B
        int64_t v;
        if (THR) {
            int kind = int(rng() % 10);
            if (kind == 0) v = int_mode ? -nk * int64_t(xmax) : 0;                 // always 1
            else if (kind == 1) v = int_mode ? nk * int64_t(xmax) + 1 : nk + 1;    // always 0 (tight)
            else if (kind == 2) v = int_mode ? int64_t(TAPS) * int64_t(xmax) + 1 : TAPS + 1;  // always 0
            else v = acc(o, xs[size_t(rng() % uint64_t(n))]) + int64_t(rng() % 3) - 1;
        } else {
            v = int64_t(rng() % uint64_t(1 + std::min<int64_t>(pmax, 1000))) - std::min<int64_t>(pmax, 1000) / 2 +
                fold_in;
        }
        param[size_t(o)] = std::max(pmin, std::min(pmax, v));
        bias[size_t(o)] = param[size_t(o)] - fold_in;
    }
    // memory images
    std::vector<Bits> wwords, pwords;
    for (int nf = 0; nf < NF; ++nf)
        for (int sf = 0; sf < SF; ++sf) {
            Bits word(PE * SIMD);
            for (int pe = 0; pe < PE; ++pe)
                for (int i = 0; i < SIMD; ++i) {
                    const size_t o = size_t(nf * PE + pe);
                    word.set(pe * SIMD + i, w[o][size_t(cmap[o][size_t(sf * SIMD + i)])]);
                }
            wwords.push_back(word);
        }
    for (int nf = 0; nf < NF; ++nf) {
        Bits word(PE * PW);
        for (int pe = 0; pe < PE; ++pe) word.set_field(pe * PW, PW, uint64_t(param[size_t(nf * PE + pe)]));
        pwords.push_back(word);
    }
    write_hex(wfile, wwords);
    write_hex(pfile, pwords);
    if (KEEP) {  // the layout of the weight image
        std::vector<Bits> kwords;
        for (int nf = 0; nf < NF; ++nf)
            for (int sf = 0; sf < SF; ++sf) {
                Bits word(PE * SIMD);
                for (int pe = 0; pe < PE; ++pe)
                    for (int i = 0; i < SIMD; ++i) {
                        const size_t o = size_t(nf * PE + pe);
                        word.set(pe * SIMD + i, keep[o][size_t(cmap[o][size_t(sf * SIMD + i)])]);
                    }
                kwords.push_back(word);
            }
        write_hex(kfile, kwords);
    }
    if (SEL) {  // select image: word nf*SF + sf, bits [((p*M + s)*SWB) +: SWB] = offset d
        // internal element of compact element e of channel o: kc[o][e/KT]*KT + e%KT; compact chunk
        // q must be the whole internal chunk q + d
        auto offset = [&](int o, int q) -> int {
            const auto& set = kc[size_t(o)];
            auto internal = [&](int e) { return set[size_t(e / KT)] * KT + e % KT; };
            const int e0 = internal(q * G);
            for (int i = 0; i < G; ++i)
                if (internal(q * G + i) != e0 + i || e0 % G != 0) {
                    std::fprintf(stderr, "compact chunk %d of channel %d is not an internal chunk (G must divide KT)\n", q, o);
                    std::exit(2);
                }
            const int d = e0 / G - q;
            if (d < 0 || d >= SPAN) {
                std::fprintf(stderr, "offset %d of channel %d chunk %d out of range (SPAN %d)\n", d, o, q, SPAN);
                std::exit(2);
            }
            return d;
        };
        const int np = SHARED ? 1 : PE;
        std::vector<Bits> swords;
        for (int nf = 0; nf < NF; ++nf)
            for (int sf = 0; sf < SF; ++sf) {
                Bits word(np * M * SWB);
                for (int p = 0; p < np; ++p)
                    for (int sl = 0; sl < M; ++sl)
                        word.set_field((p * M + sl) * SWB, SWB, uint64_t(offset(nf * PE + p, sf * M + sl)));
                swords.push_back(word);
            }
        write_hex(sfile, swords);
    }

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
                int64_t sc = int_mode ? s + bias[size_t(o)] : 2 * s - nkept[size_t(o)] + bias[size_t(o)];
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
    long n_in = 0, n_out = 0, e1 = -1, last_out = 0, n_issuing = 0;  // issuing: cycles with a fold step
    const long limit = (long(FOLD) + 8) * n * (timing ? 2 : 20) + 1000;
    const long c0 = h.cycle();
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    for (long c = 0; c < limit && n_out < n; ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        bool in_fire = m->in_valid && m->in_ready;
        n_issuing += m->issuing;
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
                const bool held = HOLD && !(SEL && SPAN > 1);
                long want = n_out * FOLD + (held ? 0 : FOLD) + 4;
                if (timing && h.cycle() - e1 != want)
                    chk.fail("output " + std::to_string(n_out) + " at +" + std::to_string(h.cycle() - e1) + ", expected +" +
                             std::to_string(want));
            }
            ++n_out;
            last_out = h.cycle();
        }
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu_secs = double(std::clock() - cpu0) / CLOCKS_PER_SEC;
    const long sim_cycles = h.cycle() - c0;
    for (int c = 0; c < 2 * FOLD + 10; ++c) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail("extra output beat after the last one");
        h.high();
    }
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " output beats, expected " + std::to_string(n));
    if (n_issuing != n * FOLD)
        chk.fail("issuing was 1 in " + std::to_string(n_issuing) + " cycles, expected n*FOLD = " + std::to_string(n * FOLD));
    m->final();
    char name[420], summary[200], kdesc[64] = "";
    if (KEEP && KC > 0) std::snprintf(kdesc, sizeof kdesc, " keep %d/%d channels", KK, KC);
    else if (KEEP) std::snprintf(kdesc, sizeof kdesc, " keep random");
    char sdesc[96] = "";
    if (SEL)
        std::snprintf(sdesc, sizeof sdesc, " select %d/%d kernels of %d taps G=%d SPAN=%d %s", KS, C, KT, G, SPAN,
                      SHARED ? "shared" : "per-PE");
    else if (KT > 1) std::snprintf(sdesc, sizeof sdesc, " KT=%d", KT);
    std::snprintf(name, sizeof name, "mvau TAPS=%d EW=%d INT=%d OC=%d PE=%d SIMD=%d %s%s%s p_in=%.2f p_out=%.2f", TAPS, EW,
                  INT, OC, PE, SIMD, THR ? "threshold" : "score", kdesc, sdesc, p_in, p_out);
    std::snprintf(summary, sizeof summary, "vectors=%ld FOLD=%d cycles total=%ld%s", n_out, FOLD, last_out - e1,
                  THR ? (", ones " + std::to_string(100 * ones / std::max(1L, n * OC)) + "%").c_str() : "");
    // simulation speed of the main loop, per CPU second (robust to other load) and per wall second
    // (the log line before PASS/FAIL; used to compare datapaths)
    std::printf("sim speed: %.0f cycles per CPU s, %.0f per wall s (%ld cycles, %.3f CPU s)\n",
                double(sim_cycles) / std::max(cpu_secs, 1e-9), double(sim_cycles) / std::max(secs, 1e-9), sim_cycles,
                cpu_secs);
    return tb::report(name, chk, summary);
}
