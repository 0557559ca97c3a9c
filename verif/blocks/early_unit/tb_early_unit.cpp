// Block test of templates/early_unit against two C++ models of its header comment:
//  - a functional model: per group (a pool window of GROUP = POOL*POOL conv positions, arriving as
//    its KS x KS super-window, tap-major), per output channel o, positions j in order: skip(j) =
//    SPATIAL and at most TOL taps of window j differ from BGIN; a computed position's neuron steps
//    through its compact elements SIMD at a time, P = popcount(XNOR(w, x)), and stops after step s
//    if s = SF-1 or (PRUNE) P >= T or P + N - (s+1)*SIMD < T; y = (P >= T) (the model computes y
//    from the full popcount, so it also checks that a decision is final); the channel's value is
//    the OR over positions of (skip ? BGOUT[o] : y), and with POOL > 1 the channel stops at its
//    first position whose value is 1. Every out beat is checked against it, in order, none lost,
//    duplicated or extra; the counters at the end: positions = GROUP per group, skipped = skipped
//    positions, lane_steps = for every (group, channel, computed position reached before the
//    channel stopped) the steps until the neuron was decided; and the cycles with issuing = 1 lie
//    between the busiest lane's steps (lane p owns channels o = p mod PE) and all lanes' steps.
//  - a cycle model of the header's "Lanes" and "Timing" paragraphs: lane p works through the
//    queued groups in order, each costing it one cycle per step of its channels, one idle cycle
//    per channel that stops before any computed position, one idle cycle for a group whose
//    positions are all skipped; it is active while it is behind the last accepted group; a group
//    retires (out register loaded) when every lane is past it and the out register is free;
//    in_ready = fewer than QUEUE groups queued. in_ready, out_valid and issuing are compared in
//    every cycle and positions / skipped / lane_steps after every edge, with and without stalls.
//
// Arguments (key=value; must match the -G values of the build): CH (CHANNELS), K (KERNEL),
// S (STRIDE), POOL, OC (OUT_CHANNELS), PE, SIMD, PRUNE (THRESHOLD_PRUNE), KEPT (KEPT_TAPS), SEL
// (USE_SELECT), G (SELECT_CHUNK), KEEP (with SEL=1: kernels kept per output channel, KEPT = KEEP *
// K*K), SPATIAL, TOL (TOLERANCE), BGIN / BGOUT (hex digits of BACKGROUND_IN / BACKGROUND_OUT),
// QUEUE, wfile / tfile / sfile (the WEIGHT_FILE / THRESHOLD_FILE / SELECT_FILE paths compiled into
// the build: this program writes them, from the seed, before the model reads them), n (groups),
// p_in / p_out (stalls), seed.
// Weights are random bits; thresholds T in 0..N+1: 0 and N+1 (decided at the first step), 1 and N,
// around N/4, N/2 and 3N/4 (every run has T = 0, T = N+1 and one about N/2, on random channels). With SEL=1 every output channel keeps a random sorted set of KEEP of
// the CH input channels (some the first KEEP, some the last), and its compact element r*KT + t is
// internal element kc[r]*KT + t. Groups: without SPATIAL random bits, all zeros / all ones, or
// bits biased to 0 or 1 (so that P varies widely); with SPATIAL every tap is BGIN with a
// probability of 1 (all-background groups), 0.95, 0.8, 0.6 or 0.2, else random or BGIN with one bit
// flipped, so that skipping happens at several tolerances and a one-bit difference must count.
#include "Vearly_unit.h"
#include "tb_common.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

using tb::Bits;
using tb::write_hex;

namespace {

Bits from_hex(const std::string& s, int width) {
    Bits b(width);
    int bit = 0;
    for (int i = int(s.size()) - 1; i >= 0 && bit < width; --i) {
        char ch = s[size_t(i)];
        if (ch == '_') continue;
        int d = (ch >= '0' && ch <= '9') ? ch - '0' : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 : ch - 'A' + 10;
        for (int k = 0; k < 4 && bit < width; ++k, ++bit) b.set(bit, (d >> k) & 1);
    }
    return b;
}

int clog2(long v) {  // Verilog's $clog2
    int r = 0;
    while ((1L << r) < v) ++r;
    return r;
}

// What one group costs one lane: its cycles in order (1 = a step issued, 0 = an idle cycle).
using LaneCycles = std::vector<uint8_t>;

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int CH = int(a.req("CH")), K = int(a.req("K")), S = int(a.i("S", 1)), POOL = int(a.i("POOL", 1));
    const int OC = int(a.req("OC")), PE = int(a.req("PE")), SIMD = int(a.req("SIMD"));
    const int PRUNE = int(a.i("PRUNE", 1)), KEPT = int(a.req("KEPT")), SEL = int(a.i("SEL", 0));
    const int G = SEL ? int(a.i("G", 1)) : SIMD, KEEP = int(a.i("KEEP", 0));
    const int SPATIAL = int(a.i("SPATIAL", 0)), TOL = int(a.i("TOL", 0)), QUEUE = int(a.i("QUEUE", 2));
    const Bits bg_in = from_hex(a.s("BGIN", "0"), CH), bg_out = from_hex(a.s("BGOUT", "0"), OC);
    const std::string wfile = a.s("wfile", "weights.hex"), tfile = a.s("tfile", "thresholds.hex");
    const std::string sfile = a.s("sfile", "select.hex");
    const long n = a.i("n", 1000);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));

    const int KS = (POOL - 1) * S + K, GROUP = POOL * POOL, KT = K * K, TAPS = KT * CH;
    const int IN_BITS = KS * KS * CH, NF = OC / PE, SF = KEPT / SIMD, N = KEPT;
    const int M = SIMD / G, NCH = TAPS / G, IW = NCH > 1 ? clog2(NCH) : 1, CW = clog2(KEPT + 2);
    if (OC % PE || KEPT % SIMD || SIMD % G || KEPT > TAPS || TOL < 0 || TOL >= KT || QUEUE < 1 ||
        (SEL && (KT % G || KEEP < 1 || KEEP > CH || KEEP * KT != KEPT))) {
        std::fprintf(stderr, "bad parameters (PE | OC, SIMD | KEPT, G | SIMD, G | K*K, KEPT = KEEP*K*K with SEL)\n");
        return 2;
    }

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    const size_t oc_n = size_t(OC);
    // weights w[o][e] (compact element e; 1 = +1)
    std::vector<std::vector<int>> w(oc_n, std::vector<int>(size_t(N)));
    for (auto& row : w)
        for (auto& b : row) b = int(rng() & 1);
    // kept input channels kc[o] (sorted; all CH without SEL) and the compact -> internal map
    std::vector<std::vector<int>> kc(oc_n);
    for (int o = 0; o < OC; ++o) {
        auto& set = kc[size_t(o)];
        if (!SEL) continue;
        std::vector<int> ch(static_cast<size_t>(CH));
        for (int c = 0; c < CH; ++c) ch[size_t(c)] = c;
        int kind = int(rng() % 6);
        if (kind == 1) std::reverse(ch.begin(), ch.end());           // the last KEEP channels
        else if (kind > 1) std::shuffle(ch.begin(), ch.end(), rng);  // kind 0: the first KEEP
        set.assign(ch.begin(), ch.begin() + KEEP);
        std::sort(set.begin(), set.end());
    }
    auto internal = [&](int o, int e) { return SEL ? kc[size_t(o)][size_t(e / KT)] * KT + e % KT : e; };
    // Bit of internal element e (c*KT + t) of position j's window in a group; first bit of tap t of it.
    auto elem_bit = [&](int j, int e) {
        const int c = e / KT, t = e % KT;
        const int row = (j / POOL) * S + t / K, col = (j % POOL) * S + t % K;
        return (row * KS + col) * CH + c;
    };
    auto tap_lsb = [&](int j, int t) { return (((j / POOL) * S + t / K) * KS + (j % POOL) * S + t % K) * CH; };

    // Groups and their skipped positions.
    std::vector<Bits> groups;
    std::vector<std::vector<bool>> skips;
    long n_skip = 0, all_skipped_groups = 0;
    std::vector<long> skip_hist(size_t(KT + 1), 0);  // positions by differing taps (SPATIAL)
    for (long g = 0; g < n; ++g) {
        Bits in(IN_BITS);
        if (SPATIAL) {
            const double p_eq[5] = {1.0, 0.95, 0.8, 0.6, 0.2};
            const double p = p_eq[rng() % 5];
            for (int t = 0; t < KS * KS; ++t) {
                Bits tap = bg_in;
                if (u01(rng) >= p) {
                    if (rng() % 2) tap = Bits::random(CH, rng);
                    else {
                        int b = int(rng() % uint64_t(CH));
                        tap.set(b, !tap.get(b));
                    }
                }
                in.put(t * CH, tap);
            }
        } else {
            int kind = int(rng() % 10);
            if (kind == 0) in = Bits(IN_BITS);
            else if (kind == 1) in = Bits::ones(IN_BITS);
            else if (kind <= 3) {
                const double p1 = kind == 2 ? 0.15 : 0.85;
                for (int i = 0; i < IN_BITS; ++i) in.set(i, u01(rng) < p1);
            } else in = Bits::random(IN_BITS, rng);
        }
        std::vector<bool> skip(size_t(GROUP), false);
        for (int j = 0; j < GROUP; ++j) {
            int differing = 0;
            for (int t = 0; t < KT; ++t) differing += in.slice(tap_lsb(j, t), CH) != bg_in;
            skip[size_t(j)] = SPATIAL && differing <= TOL;
            ++skip_hist[size_t(differing)];
            n_skip += skip[size_t(j)];
        }
        all_skipped_groups += std::all_of(skip.begin(), skip.end(), [](bool b) { return b; });
        groups.push_back(in);
        skips.push_back(skip);
    }
    // popcount of XNOR(w[o], x) over compact elements [0, upto) of position j of group g
    auto popcount = [&](int o, long g, int j, int upto) {
        int P = 0;
        for (int e = 0; e < upto; ++e)
            P += w[size_t(o)][size_t(e)] == int(groups[size_t(g)].get(elem_bit(j, internal(o, e))));
        return P;
    };

    // Thresholds T[o] in 0..N+1 (every run has T = 0, N+1, about N/2 and, with OC > 3, one drawn
    // from the data, on random channels).
    std::vector<int> thr(oc_n), thr_kind(oc_n);
    const int spread = int(std::sqrt(double(N))) + 1;
    for (int o = 0; o < OC; ++o) thr_kind[size_t(o)] = o == 0 ? 0 : o == 1 ? 1 : o == 2 ? 6 : o == 3 ? 8 : int(rng() % 10);
    std::shuffle(thr_kind.begin(), thr_kind.end(), rng);
    for (int o = 0; o < OC; ++o) {
        const int kind = thr_kind[size_t(o)];
        const long g = long(rng() % uint64_t(n));
        int v = 0;
        if (kind == 0) v = 0;
        else if (kind == 1) v = N + 1;
        else if (kind == 2) v = 1;
        else if (kind == 3) v = N;
        else if (kind == 4) v = N / 4 + int(rng() % uint64_t(2 * spread + 1)) - spread;
        else if (kind == 5) v = 3 * N / 4 + int(rng() % uint64_t(2 * spread + 1)) - spread;
        else if (kind == 6) v = N / 2 + int(rng() % uint64_t(2 * spread + 1)) - spread;
        else if (kind == 7) v = popcount(o, g, int(rng() % uint64_t(GROUP)), N) + int(rng() % 3) - 1;  // a window's P
        else {  // the largest P of a group's positions (+0 or +1: the pooled value is often 0)
            for (int j = 0; j < GROUP; ++j) v = std::max(v, popcount(o, g, j, N));
            v += int(rng() % 2);
        }
        thr[size_t(o)] = std::max(0, std::min(N + 1, v));
    }

    // memory images (header "Memories")
    std::vector<Bits> wwords, twords, swords;
    for (int nf = 0; nf < NF; ++nf)
        for (int sf = 0; sf < SF; ++sf) {
            Bits word(PE * SIMD);
            for (int p = 0; p < PE; ++p)
                for (int i = 0; i < SIMD; ++i) word.set(p * SIMD + i, w[size_t(nf * PE + p)][size_t(sf * SIMD + i)]);
            wwords.push_back(word);
        }
    for (int nf = 0; nf < NF; ++nf) {
        Bits word(PE * CW);
        for (int p = 0; p < PE; ++p) word.set_field(p * CW, CW, uint64_t(thr[size_t(nf * PE + p)]));
        twords.push_back(word);
    }
    write_hex(wfile, wwords);
    write_hex(tfile, twords);
    if (SEL) {
        for (int nf = 0; nf < NF; ++nf)
            for (int sf = 0; sf < SF; ++sf) {
                Bits word(PE * M * IW);
                for (int p = 0; p < PE; ++p)
                    for (int mm = 0; mm < M; ++mm) {
                        const int o = nf * PE + p, q = sf * M + mm;  // compact chunk q
                        const int e0 = internal(o, q * G);
                        for (int i = 0; i < G; ++i)
                            if (internal(o, q * G + i) != e0 + i || e0 % G != 0) {
                                std::fprintf(stderr, "compact chunk %d of channel %d is not an internal chunk\n", q, o);
                                return 2;
                            }
                        word.set_field((p * M + mm) * IW, IW, uint64_t(e0 / G));
                    }
                swords.push_back(word);
            }
        write_hex(sfile, swords);
    }

    // Expected outputs, and each group's cycles per lane.
    std::vector<Bits> expect;
    std::vector<std::vector<LaneCycles>> cost;  // cost[g][p]
    std::vector<long> lane_total(size_t(PE), 0);
    long total_steps = 0, full_steps = 0, ones = 0, early = 0, neurons = 0, pool_stops = 0;
    for (long g = 0; g < n; ++g) {
        const auto& skip = skips[size_t(g)];
        const bool all_skipped = std::all_of(skip.begin(), skip.end(), [](bool b) { return b; });
        Bits out(OC);
        std::vector<LaneCycles> lc(static_cast<size_t>(PE));
        for (int o = 0; o < OC; ++o) {
            const int p = o % PE, T = thr[size_t(o)];
            bool value = false;
            int computed = 0;
            for (int j = 0; j < GROUP; ++j) {
                bool v;
                if (skip[size_t(j)]) v = bg_out.get(o);
                else {
                    // the neuron: steps until decided, and y from the full popcount
                    int steps = 0;
                    for (int s = 0; s < SF; ++s) {
                        const int consumed = (s + 1) * SIMD, P = popcount(o, g, j, consumed);
                        if (s == SF - 1 || (PRUNE && (P >= T || P + N - consumed < T))) {
                            steps = s + 1;
                            if ((P >= T) != (popcount(o, g, j, N) >= T)) {
                                std::fprintf(stderr, "model: decision of channel %d not final\n", o);
                                return 2;
                            }
                            break;
                        }
                    }
                    v = popcount(o, g, j, N) >= T;
                    ++computed;
                    ++neurons;
                    early += steps < SF;
                    total_steps += steps;
                    lane_total[size_t(p)] += steps;
                    for (int s = 0; s < steps; ++s) lc[size_t(p)].push_back(1);
                }
                value = value || v;
                if (POOL > 1 && value) {
                    pool_stops += j < GROUP - 1;
                    break;
                }
            }
            if (!all_skipped && computed == 0) lc[size_t(p)].push_back(0);  // nothing to compute: one idle cycle
            out.set(o, value);
            ones += value;
        }
        for (int j = 0; j < GROUP; ++j) full_steps += skip[size_t(j)] ? 0 : long(OC) * SF;
        if (all_skipped)
            for (auto& l : lc) l.assign(1, 0);  // one cycle for all its channels
        expect.push_back(out);
        cost.push_back(lc);
    }

    // Cycle model.
    struct Model {
        int queue, pe;
        long filled = 0, head = 0;  // groups queued; index of the oldest
        std::vector<long> pos;      // groups each lane is past the head
        std::vector<size_t> at;     // cycle within the lane's current group
        bool out_valid = false;
        uint32_t lane_steps = 0;
        bool in_ready() const { return filled != queue; }
        // issue / work of lane p this cycle (-1: no work)
        int lane_now(int p, const std::vector<std::vector<LaneCycles>>& c) const {
            if (pos[size_t(p)] >= filled) return -1;
            return c[size_t(head + pos[size_t(p)])][size_t(p)][at[size_t(p)]];
        }
        bool issuing(const std::vector<std::vector<LaneCycles>>& c) const {
            for (int p = 0; p < pe; ++p)
                if (lane_now(p, c) == 1) return true;
            return false;
        }
        // returns true if a group retires (its result enters the out register) at this edge
        bool edge(bool in_valid, bool out_ready, const std::vector<std::vector<LaneCycles>>& c) {
            const bool accept = in_valid && in_ready();
            bool past = filled > 0;
            for (int p = 0; p < pe; ++p) past = past && pos[size_t(p)] > 0;
            const bool retire = past && (!out_valid || out_ready);
            for (int p = 0; p < pe; ++p) {
                const int now = lane_now(p, c);
                if (now < 0) continue;
                lane_steps += uint32_t(now);
                if (++at[size_t(p)] == c[size_t(head + pos[size_t(p)])][size_t(p)].size()) {
                    at[size_t(p)] = 0;
                    ++pos[size_t(p)];
                }
            }
            if (retire) {
                for (auto& q : pos) --q;
                ++head;
            }
            filled += long(accept) - long(retire);
            if (retire) out_valid = true;
            else if (out_ready) out_valid = false;
            return retire;
        }
    } md{QUEUE, PE, 0, 0, std::vector<long>(size_t(PE), 0), std::vector<size_t>(size_t(PE), 0)};

    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    for (const auto& gin : groups) src.push(gin);
    auto m = std::make_unique<Vearly_unit>(ctx.get());
    tb::Harness<Vearly_unit> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();

    long n_in = 0, n_out = 0, n_issuing = 0, e1 = -1, e_last = -1, skipped_in = 0;
    long worst = 0;  // the busiest lane's cycles per group, summed: a bound on the run's length
    for (const auto& lc : cost) {
        size_t mx = 0;
        for (const auto& l : lc) mx = std::max(mx, l.size());
        worst += long(mx) + 4;
    }
    const long limit = worst * ((p_in > 0.0 || p_out > 0.0) ? 10 : 2) + 1000;
    auto cyc = [&]() { return "cycle " + std::to_string(h.cycle()) + ": "; };
    for (long c = 0; c < limit && n_out < n; ++c) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        m->out_ready = snk.drive();
        h.low();
        const bool in_ready = m->in_ready, issuing = m->issuing;
        if (in_ready != md.in_ready()) chk.fail(cyc() + "in_ready " + std::to_string(in_ready) + ", model " + std::to_string(md.in_ready()));
        if (bool(m->out_valid) != md.out_valid)
            chk.fail(cyc() + "out_valid " + std::to_string(m->out_valid) + ", model " + std::to_string(md.out_valid));
        if (issuing != md.issuing(cost))
            chk.fail(cyc() + "issuing " + std::to_string(issuing) + ", model " + std::to_string(md.issuing(cost)));
        const bool in_fire = m->in_valid && in_ready;
        n_issuing += issuing;
        const Bits out = tb::get_port(m->out_data, OC);
        const bool out_fire = snk.sample(m->out_valid, out, chk, h.cycle());
        md.edge(m->in_valid, m->out_ready, cost);
        h.high();
        if (in_fire) {
            if (e1 < 0) e1 = h.cycle();
            for (bool b : skips[size_t(n_in)]) skipped_in += b;
            ++n_in;
        }
        src.after_edge(in_fire);
        if (out_fire) {
            if (n_out >= n) chk.fail("extra output beat");
            else if (out != expect[size_t(n_out)])
                chk.fail("group " + std::to_string(n_out) + " got " + out.hex() + " expected " + expect[size_t(n_out)].hex());
            ++n_out;
            e_last = h.cycle();
        }
        if (m->positions != uint32_t(n_in * GROUP) || m->skipped != uint32_t(skipped_in))
            chk.fail(cyc() + "positions/skipped " + std::to_string(m->positions) + "/" + std::to_string(m->skipped) +
                     ", expected " + std::to_string(n_in * GROUP) + "/" + std::to_string(skipped_in));
        if (m->lane_steps != md.lane_steps)
            chk.fail(cyc() + "lane_steps " + std::to_string(m->lane_steps) + ", model " + std::to_string(md.lane_steps));
    }
    for (int c = 0; c < 20; ++c) {  // nothing more may come out, no lane may issue
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail("extra output beat after the last one");
        if (m->issuing) chk.fail("issuing after the last group");
        h.high();
    }
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " output beats, expected " + std::to_string(n));
    if (long(m->positions) != n * GROUP || long(m->skipped) != n_skip)
        chk.fail("counters positions=" + std::to_string(m->positions) + " skipped=" + std::to_string(m->skipped) +
                 ", expected " + std::to_string(n * GROUP) + " / " + std::to_string(n_skip));
    if (m->lane_steps != uint32_t(total_steps))
        chk.fail("lane_steps " + std::to_string(m->lane_steps) + ", expected " + std::to_string(total_steps));
    const long busiest = *std::max_element(lane_total.begin(), lane_total.end());
    if (n_issuing < busiest || n_issuing > total_steps)
        chk.fail("issuing was 1 in " + std::to_string(n_issuing) + " cycles, expected between the busiest lane's " +
                 std::to_string(busiest) + " and all lanes' " + std::to_string(total_steps) + " steps");
    m->final();

    std::string tols;  // the positions a tolerance would skip (SPATIAL): how many differ by 0, 1, 2, ...
    if (SPATIAL) {
        tols = ", differing taps 0/1/2/3+:";
        long rest = 0;
        for (int d = 0; d <= KT; ++d) {
            if (d < 3) tols += " " + std::to_string(skip_hist[size_t(d)]);
            else rest += skip_hist[size_t(d)];
        }
        tols += " " + std::to_string(rest);
    }
    char name[400], summary[400];
    std::snprintf(name, sizeof name,
                  "early_unit CH=%d K=%d S=%d POOL=%d OC=%d PE=%d SIMD=%d PRUNE=%d KEPT=%d%s SPATIAL=%d TOL=%d QUEUE=%d "
                  "p_in=%.2f p_out=%.2f",
                  CH, K, S, POOL, OC, PE, SIMD, PRUNE, KEPT,
                  SEL ? (" select " + std::to_string(KEEP) + "/" + std::to_string(CH) + " G=" + std::to_string(G)).c_str() : "",
                  SPATIAL, TOL, QUEUE, p_in, p_out);
    std::snprintf(summary, sizeof summary,
                  "groups=%ld ones %ld%%, skipped %ld/%ld positions (%ld groups all), %ld pool stops, %ld/%ld neurons "
                  "early, lane steps %ld of %ld, issuing %ld cycles (busiest lane %ld), cycles %ld%s",
                  n_out, 100 * ones / std::max(1L, n * OC), n_skip, n * GROUP, all_skipped_groups, pool_stops, early,
                  neurons, total_steps, full_steps, n_issuing, busiest, e_last - e1 + 1, tols.c_str());
    return tb::report(name, chk, summary);
}
