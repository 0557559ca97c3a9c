// Block test of templates/reuse_unit against a C++ model.
//
// Arguments (key=value; must match the -G values of the build): TAPS, KT (KERNEL_TAPS), OC
// (OUT_CHANNELS), PE, SIMD, PW (PARAM_WIDTH), KEEP (USE_KEEP), wfile / kfile / sfile / tfile (the
// WEIGHT_FILE / KEEP_FILE / STEP_FILE / THRESHOLD_FILE paths compiled into the build: this program
// writes them, from the seed, before the model reads them), PRUNE (percent of pruned kernels with
// KEEP=1), RST (resets in the middle of the stream), n (windows), p_in / p_out, seed.
//
// The layer: random weights; with KEEP=1 a structured mask: whole KT-element kernels pruned per
// output channel, in some folds all lanes pruning the kernels of one chunk (a STEP bit 0), some
// output channels fully pruned, with NF > 1 sometimes a whole fold (placeholders only); STEP_FILE =
// the OR of the keep bits per (fold, chunk). Thresholds: the P of a random window +-1 mostly, and
// always/never-true edge values. Windows with realistic similarity (internal order): each is the
// previous one with 0 (identical), 1, 2 or more chunks redrawn, or a few single bits flipped, or all
// chunks changed, or a random window.
// The model computes y[o] = (popcount(XNOR(w[o], x) AND keep[o]) >= T[o]) directly (not through
// the delta formula), and, from the contract, each accepted window's steps: per fold nf the chunks
// q with changed[q] (fresh, or chunk q differs from the previous window's) and kept[nf][q], or one
// placeholder; L = their number (placeholders included) cycles.
// Checks: every output beat, no loss or duplication; in every cycle an issued step is one the model
// expects (in order: computing or placeholder), a window is accepted only once the previous one's
// steps are all issued, and `computed` equals the number of computing steps issued in earlier
// cycles (since the last reset); at the end `computed` and the number of `issuing` cycles equal
// the model's. Without stalls: window j+1 is accepted in the cycle that issues window j's last
// step (A[j+1] = A[j] + L[j], no bubble: the last issue is total L cycles after the first accept)
// and its output is transferred at A[j] + L[j] + 4. RST > 0: a reset at a random point (busy or
// not) drops the windows in flight; the next window is fresh.
#include "Vreuse_unit.h"
#include "tb_common.h"

#include <algorithm>
#include <memory>

using tb::Bits;
using tb::write_hex;

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int TAPS = int(a.req("TAPS")), KT = int(a.i("KT", 1)), OC = int(a.req("OC")), PE = int(a.req("PE"));
    const int SIMD = int(a.req("SIMD")), PW = int(a.i("PW", 16)), KEEP = int(a.i("KEEP", 0));
    const int PRUNE = int(a.i("PRUNE", 30)), RST = int(a.i("RST", 0));
    const std::string wfile = a.s("wfile", "weights.hex"), kfile = a.s("kfile", "keep.hex");
    const std::string sfile = a.s("sfile", "steps.hex"), tfile = a.s("tfile", "thresholds.hex");
    const long n = a.i("n", 300);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    if (KT < 1 || TAPS % KT != 0 || TAPS % SIMD != 0 || OC % PE != 0 || PW < 2 || PW > 32) {
        std::fprintf(stderr, "bad parameters (KT | TAPS, SIMD | TAPS, PE | OC, 2 <= PW <= 32)\n");
        return 2;
    }
    const int C = TAPS / KT, NF = OC / PE, SF = TAPS / SIMD;
    std::mt19937_64 rng(seed);
    auto rnd = [&](uint64_t m) { return rng() % m; };

    // ---- the layer (internal order: element c*KT + t = input element t*C + c)
    std::vector<Bits> w, keep;
    for (int o = 0; o < OC; ++o) {
        w.push_back(Bits::random(TAPS, rng));
        keep.push_back(Bits::ones(TAPS));
    }
    auto prune_kernel = [&](int o, int c) {
        for (int t = 0; t < KT; ++t) keep[size_t(o)].set(c * KT + t, false);
    };
    if (KEEP) {
        for (int o = 0; o < OC; ++o)
            for (int c = 0; c < C; ++c)
                if (int(rnd(100)) < PRUNE) prune_kernel(o, c);
        for (int nf = 0; nf < NF; ++nf)  // all lanes of the fold prune the kernels of one chunk
            if (SF > 1 && rnd(2) == 0) {
                const int q = int(rnd(uint64_t(SF)));
                for (int p = 0; p < PE; ++p)
                    for (int c = q * SIMD / KT; c <= (q * SIMD + SIMD - 1) / KT; ++c) prune_kernel(nf * PE + p, c);
            }
        for (int o = 0; o < OC; ++o)  // a few output channels with every kernel pruned
            if (rnd(10) == 0)
                for (int c = 0; c < C; ++c) prune_kernel(o, c);
        if (NF > 1 && rnd(3) == 0) {  // a whole fold pruned: placeholders only, fresh or not
            const int nf = int(rnd(uint64_t(NF)));
            for (int p = 0; p < PE; ++p)
                for (int c = 0; c < C; ++c) prune_kernel(nf * PE + p, c);
        }
    }
    // kept[nf][q]: some lane of fold nf keeps an element of chunk q (all ones without a mask)
    std::vector<Bits> kept;
    long kept_chunks = 0;
    for (int nf = 0; nf < NF; ++nf) {
        Bits k(SF);
        for (int q = 0; q < SF; ++q) {
            bool any = false;
            for (int p = 0; p < PE; ++p)
                for (int i = 0; i < SIMD; ++i) any = any || keep[size_t(nf * PE + p)].get(q * SIMD + i);
            k.set(q, any);
            kept_chunks += any;
        }
        kept.push_back(k);
    }

    auto P = [&](int o, const Bits& x) -> int64_t {  // whole-window popcount, directly
        int64_t s = 0;
        for (int i = 0; i < TAPS; ++i) s += keep[size_t(o)].get(i) && w[size_t(o)].get(i) == x.get(i);
        return s;
    };

    // ---- windows (internal order) with realistic similarity
    std::vector<Bits> xs;
    xs.push_back(Bits::random(TAPS, rng));
    for (long v = 1; v < n; ++v) {
        Bits x = xs.back();
        const int r = int(rnd(100));
        if (r < 22) {
            // identical
        } else if (r < 55) {  // redraw 1 (mostly), 2 or more chunks
            const int k = r < 40 ? 1 : r < 50 ? 2 : 1 + int(rnd(uint64_t(SF)));
            for (int j = 0; j < k; ++j) x.put(int(rnd(uint64_t(SF))) * SIMD, Bits::random(SIMD, rng));
        } else if (r < 75) {  // flip 1..3 single bits
            const int k = 1 + int(rnd(3));
            for (int j = 0; j < k; ++j) {
                const int i = int(rnd(uint64_t(TAPS)));
                x.set(i, !x.get(i));
            }
        } else if (r < 85) {  // every chunk changes
            for (int q = 0; q < SF; ++q) {
                const int i = q * SIMD + int(rnd(uint64_t(SIMD)));
                x.set(i, !x.get(i));
            }
        } else {
            x = Bits::random(TAPS, rng);
        }
        xs.push_back(x);
    }
    auto to_input = [&](const Bits& x) {
        Bits in(TAPS);
        for (int c = 0; c < C; ++c)
            for (int t = 0; t < KT; ++t) in.set(t * C + c, x.get(c * KT + t));
        return in;
    };

    // ---- thresholds and memory images
    std::vector<int64_t> thr(static_cast<size_t>(OC));
    for (int o = 0; o < OC; ++o) {
        int64_t nk = 0;
        for (int i = 0; i < TAPS; ++i) nk += keep[size_t(o)].get(i);
        thr[size_t(o)] = tb::draw_threshold(rng, PW, nk, [&] { return P(o, xs[size_t(rnd(uint64_t(n)))]); });
    }
    std::vector<Bits> wwords, kwords, swords = kept, twords;
    for (int nf = 0; nf < NF; ++nf) {
        for (int sf = 0; sf < SF; ++sf) {
            Bits ww(PE * SIMD), kw(PE * SIMD);
            for (int p = 0; p < PE; ++p) {
                ww.put(p * SIMD, w[size_t(nf * PE + p)].slice(sf * SIMD, SIMD));
                kw.put(p * SIMD, keep[size_t(nf * PE + p)].slice(sf * SIMD, SIMD));
            }
            wwords.push_back(ww);
            kwords.push_back(kw);
        }
        Bits tw(PE * PW);
        for (int p = 0; p < PE; ++p) tw.set_field(p * PW, PW, uint64_t(thr[size_t(nf * PE + p)]));
        twords.push_back(tw);
    }
    write_hex(wfile, wwords);
    write_hex(tfile, twords);
    if (KEEP) {
        write_hex(kfile, kwords);
        write_hex(sfile, swords);
    }

    // ---- the contract's schedule of an accepted window (model state: reference R, fresh)
    Bits R(TAPS);
    bool fresh = true;
    struct Window {
        long index, accepted, len;
        Bits y;
    };
    std::deque<Window> expect;  // accepted, not yet delivered
    std::deque<int> kinds;      // steps still to issue: 1 computes a chunk, 0 placeholder
    long total_len = 0, total_computing = 0;
    auto accept_window = [&](long index, long cycle) {
        const Bits& x = xs[size_t(index)];
        long len = 0;
        for (int nf = 0; nf < NF; ++nf) {
            int steps = 0;
            for (int q = 0; q < SF; ++q)
                if (kept[size_t(nf)].get(q) && (fresh || x.slice(q * SIMD, SIMD) != R.slice(q * SIMD, SIMD))) ++steps;
            for (int s = 0; s < steps; ++s) kinds.push_back(1);
            if (steps == 0) kinds.push_back(0);
            len += std::max(1, steps);
            total_computing += steps;
        }
        Bits y(OC);
        for (int o = 0; o < OC; ++o) y.set(o, P(o, x) >= thr[size_t(o)]);
        expect.push_back(Window{index, cycle, len, y});
        total_len += len;
        R = x;
        fresh = false;
    };

    // ---- simulation
    auto m = std::make_unique<Vreuse_unit>(ctx.get());
    tb::Harness<Vreuse_unit> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    for (long v = 0; v < n; ++v) src.push(to_input(xs[size_t(v)]));
    const bool timing = (p_in == 0.0 && p_out == 0.0);
    // resets: after window reset_at[k] is accepted, RST_DELAY cycles later (busy or idle)
    std::vector<long> reset_at;
    std::vector<long> reset_delay;
    for (int k = 0; k < RST; ++k) {
        reset_at.push_back(long(rnd(uint64_t(n))));
        reset_delay.push_back(long(rnd(uint64_t(NF * SF + 12))));
    }
    long n_in = 0, n_out = 0, n_issuing = 0, e1 = -1, last_issue = -1, resets = 0, dropped = 0, dropped_steps = 0;
    long prev_accept = -1, prev_len = 0, reset_cycle = -1, ones = 0;
    uint32_t comp_expect = 0;
    const long limit = (long(NF * SF) + 8) * n * (timing ? 2 : 20) + 1000;
    for (long c = 0; c < limit && (!src.empty() || !expect.empty()); ++c) {
        if (reset_cycle == h.cycle()) {
            m->in_valid = 0;
            m->out_ready = 0;
            h.reset(2);
            ++resets;
            snk = tb::Sink(p_out, seed + 100 + uint64_t(resets));
            dropped += long(expect.size());
            dropped_steps += long(kinds.size());
            expect.clear();
            kinds.clear();
            fresh = true;
            comp_expect = 0;
            prev_accept = -1;
            reset_cycle = -1;
            continue;
        }
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        const long cyc = h.cycle();
        const bool in_fire = m->in_valid && m->in_ready;
        if (m->computed != comp_expect)
            chk.fail("cycle " + std::to_string(cyc) + ": computed " + std::to_string(m->computed) + ", expected " +
                     std::to_string(comp_expect));
        if (m->issuing) {
            ++n_issuing;
            last_issue = cyc;
            if (kinds.empty()) chk.fail("cycle " + std::to_string(cyc) + ": a step issued that the model does not expect");
            else {
                comp_expect += uint32_t(kinds.front());
                kinds.pop_front();
            }
        }
        Bits out = tb::get_port(m->out_data, OC);
        const bool out_fire = snk.sample(m->out_valid, out, chk, cyc);
        h.high();
        if (in_fire) {
            if (!kinds.empty())
                chk.fail("window " + std::to_string(n_in) + " accepted at cycle " + std::to_string(cyc) + " with " +
                         std::to_string(kinds.size()) + " steps of the previous one not issued");
            if (e1 < 0) e1 = cyc;
            if (timing && prev_accept >= 0 && cyc != prev_accept + prev_len)
                chk.fail("window " + std::to_string(n_in) + " accepted at cycle " + std::to_string(cyc) + ", expected " +
                         std::to_string(prev_accept + prev_len) + " (previous accept + its L, no bubble)");
            accept_window(n_in, cyc);
            prev_accept = cyc;
            prev_len = expect.back().len;
            for (size_t k = 0; k < reset_at.size(); ++k)
                if (reset_at[k] == n_in) reset_cycle = cyc + 1 + reset_delay[k];
            ++n_in;
        }
        src.after_edge(in_fire);
        if (out_fire) {
            if (expect.empty()) chk.fail("cycle " + std::to_string(cyc) + ": output beat with no window in flight");
            else {
                const Window& e = expect.front();
                if (out != e.y)
                    chk.fail("window " + std::to_string(e.index) + " got " + out.hex() + " expected " + e.y.hex());
                if (timing && cyc != e.accepted + e.len + 4)
                    chk.fail("window " + std::to_string(e.index) + " delivered " + std::to_string(cyc - e.accepted) +
                             " cycles after its accept, expected L + 4 = " + std::to_string(e.len + 4));
                for (int o = 0; o < OC; ++o) ones += out.get(o);
                expect.pop_front();
            }
            ++n_out;
        }
    }
    for (int c = 0; c < 2 * NF * SF + 10; ++c) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail("extra output beat after the last one");
        if (m->issuing) chk.fail("issuing after the last window");
        h.high();
    }
    if (n_in != n) chk.fail("accepted " + std::to_string(n_in) + " windows, expected " + std::to_string(n));
    if (n_out != n - dropped)
        chk.fail("got " + std::to_string(n_out) + " output beats, expected " + std::to_string(n - dropped) + " (" +
                 std::to_string(dropped) + " dropped by resets)");
    if (!kinds.empty()) chk.fail(std::to_string(kinds.size()) + " expected steps never issued");
    if (m->computed != comp_expect)
        chk.fail("final computed " + std::to_string(m->computed) + ", expected " + std::to_string(comp_expect));
    if (n_issuing != total_len - dropped_steps)
        chk.fail("issuing was 1 in " + std::to_string(n_issuing) + " cycles, expected " +
                 std::to_string(total_len - dropped_steps));
    if (timing && RST == 0 && last_issue - e1 != total_len)
        chk.fail("busy span " + std::to_string(last_issue - e1) + " cycles (first accept to last issue), expected " +
                 std::to_string(total_len) + " = total L (no bubble)");
    m->final();
    char name[300], summary[400];
    std::snprintf(name, sizeof name, "reuse_unit TAPS=%d KT=%d OC=%d PE=%d SIMD=%d KEEP=%d RST=%d p_in=%.2f p_out=%.2f", TAPS,
                  KT, OC, PE, SIMD, KEEP, RST, p_in, p_out);
    std::snprintf(summary, sizeof summary,
                  "windows=%ld NF=%d SF=%d: %.2f cycles/window (mvau %d), %.2f computed steps/window, kept chunks %ld of %d, "
                  "ones %ld%%, resets %ld (%ld windows dropped)",
                  n_out, NF, SF, double(total_len) / double(std::max(1L, n_in)), NF * SF,
                  double(total_computing) / double(std::max(1L, n_in)), kept_chunks, NF * SF,
                  100 * ones / std::max(1L, n_out * OC), resets, dropped);
    return tb::report(name, chk, summary);
}
