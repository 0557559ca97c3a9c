// Block test of templates/share_unit against a C++ model.
//
// Arguments (key=value; must match the -G values of the build): C (CHANNELS), K (KERNEL), OC
// (OUT_CHANNELS), PE, CSIMD, E (ENGINES), INV (INVERSE), PW (PARAM_WIDTH), kfile / sfile / tfile
// (the KERNEL_FILE / SELECT_FILE / THRESHOLD_FILE paths compiled into the build: this program
// writes them, from the seed, before the model reads them), NEED (distinct kernels per channel
// and neuron fold, <= E), PRUNE (percent of pruned kernels), EXACT (1: the layer must need exactly
// E engines in some slot), n (vectors), p_in / p_out, seed.
//
// The layer: for every neuron fold nf and input channel c a pool of NEED kernels (KT = K*K bits;
// with INV=1 distinct up to inversion, every use inverted at random; with INV=0 distinct, some pool
// entries the inverse of others), each kept weight kernel w[o][c] drawn from its pool, a random
// pruning mask (PRUNE percent of the (o, c) pairs, some output channels fully pruned). In fold
// (nf = 0, c = 0) the first min(PE, NEED) lanes take distinct pool entries, so the most engines
// needed is min(PE, NEED) (or fewer with tiny kernels). The sharing tables are then built as the
// generator does: per step (nf, sf) and slot q (channel c = sf*CSIMD + q), the distinct kernels
// among the kept kernels of lanes p (up to inversion with INV=1; the engine keeps the first
// lane's kernel or, at random, its inverse), each on an engine at a random position of the E,
// lanes' codes pointing at them; unused engines hold random kernels with U = 0; pruned lanes
// have sel = E (and a random inv bit). The model computes y[o] = (P[o] >= T[o]) directly from w,
// the mask and the window (P = sum over kept c of popcount(XNOR(w[o][c], x_c))), not through the
// tables. Thresholds: the P of a random window +-1 mostly, and always/never-true edge values.
// Checks: every output beat, no loss/duplication, `evaluations` in every cycle (a step issued in
// cycle i counts from cycle i + 3: the sum of its U bits), `issuing` in exactly n*FOLD cycles, and
// without stalls the schedule: vector j taken at edge e1 + j*FOLD, delivered at e1 + j*FOLD +
// FOLD + 4, FOLD = (OC/PE) * (C/CSIMD).
#include "Vshare_unit.h"
#include "tb_common.h"

#include <algorithm>
#include <fstream>
#include <memory>

using tb::Bits;
using tb::write_hex;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int C = int(a.req("C")), K = int(a.req("K")), OC = int(a.req("OC")), PE = int(a.req("PE"));
    const int CSIMD = int(a.req("CSIMD")), E = int(a.req("E")), INV = int(a.req("INV")), PW = int(a.i("PW", 16));
    const int NEED = int(a.i("NEED", E)), PRUNE = int(a.i("PRUNE", 20)), EXACT = int(a.i("EXACT", 0));
    const std::string kfile = a.s("kfile", "kernels.hex"), sfile = a.s("sfile", "select.hex");
    const std::string tfile = a.s("tfile", "thresholds.hex");
    const long n = a.i("n", 200);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const int KT = K * K, TAPS = KT * C;
    if (K < 1 || KT > 63 || C % CSIMD != 0 || OC % PE != 0 || E < 1 || NEED < 1 || NEED > E) {
        std::fprintf(stderr, "bad parameters (K*K <= 63, CSIMD | C, PE | OC, 1 <= NEED <= E)\n");
        return 2;
    }
    const int NF = OC / PE, SF = C / CSIMD, FOLD = NF * SF;
    int SWB = 1;  // bits of sel: clog2(E + 1), at least 1
    while ((1 << SWB) < E + 1) ++SWB;
    const int CW = SWB + (INV ? 1 : 0);
    const uint64_t kmask = (uint64_t(1) << KT) - 1;
    std::mt19937_64 rng(seed);
    auto rnd = [&](uint64_t m) { return rng() % m; };

    // ---- the layer: pools per (nf, c), weights w[o][c], mask kept[o][c]
    std::vector<std::vector<uint64_t>> w(size_t(OC), std::vector<uint64_t>(size_t(C), 0));
    std::vector<std::vector<int>> kept(size_t(OC), std::vector<int>(size_t(C), 0));
    for (int nf = 0; nf < NF; ++nf)
        for (int c = 0; c < C; ++c) {
            std::vector<uint64_t> pool;
            for (int tries = 0; int(pool.size()) < NEED && tries < 1000; ++tries) {
                uint64_t k;
                if (!INV && !pool.empty() && rnd(3) == 0) k = ~pool[size_t(rnd(pool.size()))] & kmask;  // an inverse
                else k = rng() & kmask;
                bool dup = false;
                for (uint64_t p : pool) dup = dup || p == k || (INV && p == (~k & kmask));
                if (!dup) pool.push_back(k);
            }
            for (int p = 0; p < PE; ++p) {
                const size_t o = size_t(nf * PE + p);
                size_t pick = size_t(rnd(pool.size()));
                kept[o][size_t(c)] = int(rnd(100)) >= PRUNE;
                if (nf == 0 && c == 0 && p < int(pool.size())) {  // the fullest slot: all pool entries
                    pick = size_t(p);
                    kept[o][size_t(c)] = 1;
                }
                w[o][size_t(c)] = pool[pick] ^ ((INV && (rng() & 1)) ? kmask : 0);
            }
        }
    for (int o = 0; o < OC; ++o)  // a few output channels with every kernel pruned
        if (rnd(16) == 0 && o / PE != 0)
            for (int c = 0; c < C; ++c) kept[size_t(o)][size_t(c)] = 0;

    // ---- sharing tables (as the generator builds them) and memory images
    std::vector<Bits> kwords, swords;
    std::vector<long> ucount(size_t(FOLD), 0);  // engines with U = 1 per step
    int most = 0;
    long kept_total = 0, evals_per_vector = 0, inv_codes = 0;
    for (int nf = 0; nf < NF; ++nf)
        for (int sf = 0; sf < SF; ++sf) {
            const int s = nf * SF + sf;
            Bits kw(CSIMD * E * (KT + 1)), sw(PE * CSIMD * CW);
            for (int q = 0; q < CSIMD; ++q) {
                const int c = sf * CSIMD + q;
                std::vector<uint64_t> eng;  // engine kernels in order of first use
                std::vector<int> sel(size_t(PE), -1), inv(size_t(PE), 0);
                for (int p = 0; p < PE; ++p) {
                    const size_t o = size_t(nf * PE + p);
                    if (!kept[o][size_t(c)]) continue;
                    ++kept_total;
                    const uint64_t k = w[o][size_t(c)];
                    for (size_t e = 0; e < eng.size() && sel[size_t(p)] < 0; ++e) {
                        if (eng[e] == k) sel[size_t(p)] = int(e);
                        else if (INV && eng[e] == (~k & kmask)) sel[size_t(p)] = int(e), inv[size_t(p)] = 1;
                    }
                    if (sel[size_t(p)] < 0) {
                        const bool store_inverse = INV && (rng() & 1);
                        eng.push_back(store_inverse ? (~k & kmask) : k);
                        sel[size_t(p)] = int(eng.size()) - 1;
                        inv[size_t(p)] = store_inverse;
                    }
                }
                const int need = int(eng.size());
                if (need > E) {
                    std::fprintf(stderr, "step %d slot %d needs %d engines > E = %d\n", s, q, need, E);
                    return 2;
                }
                most = std::max(most, need);
                ucount[size_t(s)] += need;
                // engine i at a random position of the E
                std::vector<int> pos(static_cast<size_t>(E));
                for (int e = 0; e < E; ++e) pos[size_t(e)] = e;
                std::shuffle(pos.begin(), pos.end(), rng);
                for (int e = 0; e < E; ++e) {  // unused positions: random kernel, U = 0
                    kw.set_field((q * E + e) * (KT + 1), KT, rng() & kmask);
                    kw.set((q * E + e) * (KT + 1) + KT, false);
                }
                for (int e = 0; e < need; ++e) {
                    kw.set_field((q * E + pos[size_t(e)]) * (KT + 1), KT, eng[size_t(e)]);
                    kw.set((q * E + pos[size_t(e)]) * (KT + 1) + KT, true);
                }
                for (int p = 0; p < PE; ++p) {
                    const int f = (p * CSIMD + q) * CW;
                    if (sel[size_t(p)] < 0) {  // pruned: none, inv bit random (ignored)
                        sw.set_field(f, SWB, uint64_t(E));
                        if (INV) sw.set(f + SWB, rng() & 1);
                    } else {
                        sw.set_field(f, SWB, uint64_t(pos[size_t(sel[size_t(p)])]));
                        if (INV) sw.set(f + SWB, inv[size_t(p)] != 0);
                        inv_codes += inv[size_t(p)];
                    }
                }
            }
            kwords.push_back(kw);
            swords.push_back(sw);
            evals_per_vector += ucount[size_t(s)];
        }

    // ---- inputs, model, thresholds
    auto P = [&](int o, const Bits& x) -> int64_t {
        int64_t sum = 0;
        for (int c = 0; c < C; ++c) {
            if (!kept[size_t(o)][size_t(c)]) continue;
            for (int t = 0; t < KT; ++t) sum += ((w[size_t(o)][size_t(c)] >> t) & 1) == uint64_t(x.get(t * C + c));
        }
        return sum;
    };
    std::vector<Bits> xs;
    for (long v = 0; v < n; ++v)
        xs.push_back(v == 0 ? Bits(TAPS) : v == 1 ? Bits::ones(TAPS) : Bits::random(TAPS, rng));
    std::vector<int64_t> thr(static_cast<size_t>(OC));
    for (int o = 0; o < OC; ++o) {
        int64_t nk = 0;
        for (int c = 0; c < C; ++c) nk += kept[size_t(o)][size_t(c)] * KT;
        thr[size_t(o)] = tb::draw_threshold(rng, PW, nk, [&] { return P(o, xs[size_t(rnd(uint64_t(n)))]); });
    }
    std::vector<Bits> twords;
    for (int nf = 0; nf < NF; ++nf) {
        Bits word(PE * PW);
        for (int p = 0; p < PE; ++p) word.set_field(p * PW, PW, uint64_t(thr[size_t(nf * PE + p)]));
        twords.push_back(word);
    }
    write_hex(kfile, kwords);
    write_hex(sfile, swords);
    write_hex(tfile, twords);

    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    std::vector<Bits> expect;
    long ones = 0;
    for (long v = 0; v < n; ++v) {
        src.push(xs[size_t(v)]);
        Bits out(OC);
        for (int o = 0; o < OC; ++o) {
            const bool y = P(o, xs[size_t(v)]) >= thr[size_t(o)];
            out.set(o, y);
            ones += y;
        }
        expect.push_back(out);
    }

    // ---- simulation
    auto m = std::make_unique<Vshare_unit>(ctx.get());
    tb::Harness<Vshare_unit> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    const bool timing = (p_in == 0.0 && p_out == 0.0);
    long n_in = 0, n_out = 0, e1 = -1, last_out = 0, n_issuing = 0;
    uint32_t ev_expect = 0;               // evaluations expected in the current cycle
    std::deque<long> ev_pipe(3, 0);       // counts of the steps issued 1, 2, 3 cycles ago
    auto check_evals = [&](long cyc) {
        // the count of the step issued 3 cycles ago is now included
        ev_expect += uint32_t(ev_pipe.back());
        ev_pipe.pop_back();
        if (m->evaluations != ev_expect)
            chk.fail("cycle " + std::to_string(cyc) + ": evaluations " + std::to_string(m->evaluations) + ", expected " +
                     std::to_string(ev_expect));
        ev_pipe.push_front(m->issuing ? ucount[size_t(n_issuing % FOLD)] : 0);
        n_issuing += m->issuing;
    };
    const long limit = (long(FOLD) + 8) * n * (timing ? 2 : 20) + 1000;
    for (long c = 0; c < limit && n_out < n; ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        const bool in_fire = m->in_valid && m->in_ready;
        check_evals(h.cycle());
        Bits out = tb::get_port(m->out_data, OC);
        const bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
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
                const long want = n_out * FOLD + FOLD + 4;
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
        check_evals(h.cycle());
        if (m->out_valid) chk.fail("extra output beat after the last one");
        h.high();
    }
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " output beats, expected " + std::to_string(n));
    if (n_issuing != n * FOLD)
        chk.fail("issuing was 1 in " + std::to_string(n_issuing) + " cycles, expected n*FOLD = " + std::to_string(n * FOLD));
    if (m->evaluations != uint32_t(n * evals_per_vector))
        chk.fail("final evaluations " + std::to_string(m->evaluations) + ", expected " + std::to_string(n * evals_per_vector));
    if (EXACT && most != E) chk.fail("the layer needs " + std::to_string(most) + " engines, expected exactly E (EXACT=1)");
    m->final();
    char name[300], summary[300];
    std::snprintf(name, sizeof name, "share_unit C=%d K=%d OC=%d PE=%d CSIMD=%d E=%d INV=%d NEED=%d p_in=%.2f p_out=%.2f", C, K,
                  OC, PE, CSIMD, E, INV, NEED, p_in, p_out);
    std::snprintf(summary, sizeof summary,
                  "vectors=%ld FOLD=%d cycles total=%ld, ones %ld%%, engines used max %d of %d, evaluations %ld/vector for %ld "
                  "kept kernels (%ld inverted codes)",
                  n_out, FOLD, last_out - e1, 100 * ones / std::max(1L, n * OC), most, E, evals_per_vector, kept_total,
                  inv_codes);
    return tb::report(name, chk, summary);
}
