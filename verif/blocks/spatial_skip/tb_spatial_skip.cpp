// Block test of templates/spatial_skip against two C++ models:
//  - a functional model: window j is skipped iff at most TOL of its taps differ from BGIN (a tap
//    differs if any bit does); position j's result is BGOUT if skipped, else unit(window j). The
//    testbench checks every out beat against it, in order, none lost, duplicated or extra; that
//    the unit receives exactly the non-skipped windows, in order; and the counters at the end.
//  - a cycle model of the block (order FIFO of DEPTH decisions, window FIFO of WDEPTH windows and
//    result FIFO of RDEPTH results, each with a registered "room" flag; output register; README.md
//    "Cycles"): in_ready, unit_valid, result_ready, out_valid, unit_data, out_data, positions and
//    skipped are compared after every clock edge, with and without stalls.
// The testbench plays the unit: it takes windows from unit_* (ready low when it holds ucap windows,
// and at random with probability p_unit), starts window i at max(accept edge, start of i-1 + ufold)
// and offers its result (a hash of the window, RESULT_WIDTH bits) from edge start + ufold - 1 +
// ulat + a random 0..ujit on (ufold=1 ulat=0: a unit that registers the result of the window it
// takes at edge E and offers it right after E), in order, held until taken. ufold=F ulat=4 is the
// schedule of mvau (vector taken at E, its result transferred at E + F + 4 at the earliest).
//
// Arguments (key=value): PW, TAPS, TOL, RW, DEPTH, WDEPTH, RDEPTH, BGIN, BGOUT (hex digits; must
// match the build), n (windows), bg, p_in / p_out (stalls of the window source and the out sink),
// p_unit, ufold, ulat, ucap, ujit (the unit model), seed.
// Windows come in regions of 1..24 windows; a region is all background with probability bg
// (default 0.2), otherwise each of its taps equals BGIN with probability 0.2 (so that a large TOL
// still sees computed windows), 0.6, 0.75 or 0.9, and is else random or BGIN with one bit flipped
// (so a one-bit difference must count).
// Timing (no stalls, ufold=1 ulat=0 ujit=0 ucap>=3, DEPTH>=4): window j is taken at edge e1 + j
// (one per cycle), reaches the unit at edge e1 + j + 1, and leaves at edge
// o_j = max(e1 + j + 2 + c_j, o_{j-1} + 1), c_j = 2 if window j is computed (its result enters
// the result FIFO at e1 + j + 2, the output register at e1 + j + 3), 0 if skipped; so n windows
// are taken in exactly n cycles and the last result leaves at edge e1 + n + 1 (all skipped) or
// e1 + n + 3 (any computed): n + 4 cycles from the first input to the last output transfer.
#include "Vspatial_skip.h"
#include "tb_common.h"

#include <algorithm>
#include <deque>
#include <memory>

using tb::Bits;

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

uint64_t mix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// The unit's function of a window: a hash, RESULT_WIDTH bits.
Bits unit_result(const Bits& win, int rw) {
    Bits r(rw);
    for (int k = 0; k * 64 < rw; ++k) {
        uint64_t h = mix(0x5bd1e995ull + uint64_t(k));
        for (int w = 0; w * 32 < win.width(); ++w) h = mix(h ^ win.word(w));
        r.set_field(k * 64, std::min(64, rw - k * 64), h);
    }
    return r;
}

int differing_taps(const Bits& win, const Bits& bg, int pw, int taps) {
    int d = 0;
    for (int t = 0; t < taps; ++t) d += (win.slice(t * pw, pw) != bg);
    return d;
}

// Cycle model of the block (see README.md). Each stream_fifo is a queue whose "room" flag is a
// register (size < depth after the edge, low right after reset) and whose head is visible from
// the edge after a push.
struct Model {
    int depth, window_depth, result_depth;
    Bits bg_out;
    std::deque<bool> order;      // decisions, 1 = skipped
    std::deque<Bits> windows;    // computed windows for the unit
    std::deque<Bits> results;    // the unit's results
    bool order_rdy = false, window_rdy = false, result_rdy = false;
    bool out_valid = false;
    Bits out_data;
    uint32_t positions = 0, skipped = 0;

    bool in_ready() const { return order_rdy && window_rdy; }
    bool unit_valid() const { return !windows.empty(); }
    bool result_ready() const { return result_rdy; }
    void edge(bool in_valid, const Bits& in_data, bool in_skip, bool unit_ready, bool result_valid,
              const Bits& result_data, bool out_ready) {
        const bool in_fire = in_valid && in_ready();
        const bool unit_fire = unit_valid() && unit_ready;
        const bool result_fire = result_valid && result_rdy;
        const bool out_free = !out_valid || out_ready;
        const bool head_valid = !order.empty();
        const bool head_skip = head_valid && order.front();
        const bool pop = head_valid && out_free && (head_skip || !results.empty());
        if (out_free) {
            if (pop) out_data = head_skip ? bg_out : results.front();
            out_valid = pop;
        }
        if (pop) {
            order.pop_front();
            if (!head_skip) results.pop_front();
        }
        if (unit_fire) windows.pop_front();
        if (result_fire) results.push_back(result_data);
        if (in_fire) {
            order.push_back(in_skip);
            if (!in_skip) windows.push_back(in_data);
            ++positions;
            skipped += in_skip;
        }
        order_rdy = int(order.size()) < depth;
        window_rdy = int(windows.size()) < window_depth;
        result_rdy = int(results.size()) < result_depth;
    }
};

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int pw = int(a.req("PW")), taps = int(a.req("TAPS")), tol = int(a.req("TOL"));
    const int rw = int(a.req("RW")), depth = int(a.req("DEPTH"));
    const int window_depth = int(a.req("WDEPTH")), result_depth = int(a.req("RDEPTH"));
    const Bits bg_in = from_hex(a.s("BGIN", "0"), pw), bg_out = from_hex(a.s("BGOUT", "0"), rw);
    const long n = a.i("n", 2000);
    const double p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0), p_unit = a.d("p_unit", 0.0);
    const long ufold = a.i("ufold", 1), ulat = a.i("ulat", 0), ucap = a.i("ucap", 3), ujit = a.i("ujit", 0);
    const double bg = a.d("bg", 0.2);  // share of all-background regions
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const int win_w = pw * taps;

    // Windows and the functional model.
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    tb::Source src(p_in, seed + 1);
    tb::Sink snk(p_out, seed + 2);
    std::mt19937_64 urng(seed + 3);
    std::vector<Bits> win, expect_out, expect_unit;
    std::vector<bool> skip;
    long n_skip = 0;
    {
        const double p_eq[4] = {0.2, 0.6, 0.75, 0.9};
        double p = 1.0;
        long left = 0;
        for (long j = 0; j < n; ++j) {
            if (left == 0) {
                left = 1 + long(rng() % 24);
                p = (u01(rng) < bg) ? 1.0 : p_eq[rng() % 4];
            }
            --left;
            Bits w(win_w);
            for (int t = 0; t < taps; ++t) {
                Bits tap = bg_in;
                if (u01(rng) >= p) {
                    if (rng() % 2) tap = Bits::random(pw, rng);
                    else {
                        int b = int(rng() % uint64_t(pw));
                        tap.set(b, !tap.get(b));
                    }
                }
                w.put(t * pw, tap);
            }
            const bool s = differing_taps(w, bg_in, pw, taps) <= tol;
            win.push_back(w);
            skip.push_back(s);
            expect_out.push_back(s ? bg_out : unit_result(w, rw));
            if (!s) expect_unit.push_back(w);
            n_skip += s;
            src.push(w);
        }
    }

    auto m = std::make_unique<Vspatial_skip>(ctx.get());
    tb::Harness<Vspatial_skip> h(*m);
    tb::Checker chk;
    m->in_valid = 0;
    m->unit_ready = 0;
    m->result_valid = 0;
    m->out_ready = 0;
    h.reset();

    Model md{depth, window_depth, result_depth, bg_out};
    md.out_data = Bits(rw);

    struct UnitEntry {
        Bits result;
        long done;  // result valid after this edge
    };
    std::deque<UnitEntry> uq;
    long last_start = -1000000, last_done = -1000000;
    bool unit_pending = false;
    Bits unit_held;

    const bool timing = p_in == 0.0 && p_out == 0.0 && p_unit == 0.0 && ufold == 1 && ulat == 0 &&
                        ujit == 0 && ucap >= 3 && depth >= 4;
    long n_in = 0, n_unit = 0, n_out = 0, e1 = -1, e_last_in = -1, e_last = -1, prev_o = -1;
    const long limit = 200 * n + 1000;
    auto cyc = [&]() { return "cycle " + std::to_string(h.cycle()) + ": "; };
    for (long c = 0; c < limit && n_out < n; ++c) {
        // clk low: drive the inputs.
        m->in_valid = src.drive();
        const Bits in_data = src.valid() ? src.data() : Bits(win_w);
        if (src.valid()) tb::put_port(m->in_data, in_data);
        const bool unit_ready = long(uq.size()) < ucap && !(u01(urng) < p_unit);
        m->unit_ready = unit_ready;
        const bool result_valid = !uq.empty() && uq.front().done <= h.cycle();
        const Bits result_data = result_valid ? uq.front().result : Bits(rw);
        m->result_valid = result_valid;
        tb::put_port(m->result_data, result_data);
        m->out_ready = snk.drive();
        h.low();

        // Outputs against the cycle model.
        const bool in_ready = m->in_ready, unit_valid = m->unit_valid, result_ready = m->result_ready;
        const Bits unit_data = tb::get_port(m->unit_data, win_w);
        const Bits out_data = tb::get_port(m->out_data, rw);
        if (in_ready != md.in_ready()) chk.fail(cyc() + "in_ready " + std::to_string(in_ready));
        if (unit_valid != md.unit_valid()) chk.fail(cyc() + "unit_valid " + std::to_string(unit_valid));
        if (unit_valid && md.unit_valid() && unit_data != md.windows.front())
            chk.fail(cyc() + "unit_data " + unit_data.hex());
        if (result_ready != md.result_ready()) chk.fail(cyc() + "result_ready " + std::to_string(result_ready));
        if (bool(m->out_valid) != md.out_valid) chk.fail(cyc() + "out_valid " + std::to_string(m->out_valid));
        if (m->out_valid && out_data != md.out_data) chk.fail(cyc() + "out_data " + out_data.hex());
        if (m->positions != md.positions || m->skipped != md.skipped)
            chk.fail(cyc() + "counters " + std::to_string(m->positions) + "/" + std::to_string(m->skipped));

        // Handshakes of this edge.
        const bool in_fire = m->in_valid && in_ready;
        const bool unit_fire = unit_valid && unit_ready;
        const bool result_fire = result_valid && result_ready;
        if (unit_pending && (!unit_valid || unit_data != unit_held))
            chk.fail(cyc() + "unit_valid dropped or unit_data changed before the transfer");
        unit_pending = unit_valid && !unit_ready;
        if (unit_pending) unit_held = unit_data;
        const bool out_fire = snk.sample(m->out_valid, out_data, chk, h.cycle());
        md.edge(m->in_valid, in_data, src.valid() && skip[size_t(n_in)], unit_ready, result_valid, result_data,
                snk.ready());
        h.high();
        const long e = h.cycle();

        if (in_fire) {
            if (e1 < 0) e1 = e;
            if (timing && e != e1 + n_in) chk.fail("window " + std::to_string(n_in) + " taken at +" + std::to_string(e - e1));
            e_last_in = e;
            ++n_in;
        }
        src.after_edge(in_fire);
        if (result_fire) uq.pop_front();
        if (unit_fire) {
            if (n_unit >= long(expect_unit.size())) chk.fail("extra window to the unit");
            else if (unit_data != expect_unit[size_t(n_unit)])
                chk.fail("unit window " + std::to_string(n_unit) + " got " + unit_data.hex() + " expected " +
                         expect_unit[size_t(n_unit)].hex());
            const long start = std::max(e, last_start + ufold);
            last_start = start;
            last_done = std::max(last_done, start + ufold - 1 + ulat + (ujit ? long(urng() % uint64_t(ujit + 1)) : 0));
            uq.push_back({unit_result(unit_data, rw), last_done});
            ++n_unit;
        }
        if (out_fire) {
            if (out_data != expect_out[size_t(n_out)])
                chk.fail("position " + std::to_string(n_out) + " got " + out_data.hex() + " expected " +
                         expect_out[size_t(n_out)].hex() + (skip[size_t(n_out)] ? " (skipped)" : " (computed)"));
            if (timing) {
                const long o = std::max(e1 + n_out + 2 + (skip[size_t(n_out)] ? 0 : 2), prev_o + 1);
                if (e != o)
                    chk.fail("position " + std::to_string(n_out) + " out at +" + std::to_string(e - e1) +
                             ", expected +" + std::to_string(o - e1));
                prev_o = e;
            }
            e_last = e;
            ++n_out;
        }
    }
    for (int c = 0; c < 20; ++c) {  // nothing more may come out, nothing more may go to the unit
        m->in_valid = 0;
        m->unit_ready = 1;
        m->result_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail("extra output beat");
        if (m->unit_valid) chk.fail("extra window to the unit");
        h.high();
    }
    if (n_out != n) chk.fail("got " + std::to_string(n_out) + " positions, expected " + std::to_string(n));
    if (n_unit != long(expect_unit.size()))
        chk.fail("unit got " + std::to_string(n_unit) + " windows, expected " + std::to_string(expect_unit.size()));
    if (long(m->positions) != n || long(m->skipped) != n_skip)
        chk.fail("counters positions=" + std::to_string(m->positions) + " skipped=" + std::to_string(m->skipped) +
                 ", expected " + std::to_string(n) + " / " + std::to_string(n_skip));
    m->final();

    // Throughput: one window per cycle in, and (the schedule above) the last result leaves 2 cycles
    // after the last window is taken, 4 if any window was computed.
    const long span_in = e_last_in - e1 + 1, span = e_last - e1 + 1;
    const long expect_span = n + 2 + (n_skip < n ? 2 : 0);
    if (timing && (span_in != n || span != expect_span))
        chk.fail(std::to_string(n) + " windows in over " + std::to_string(span_in) + " cycles, first in to last out " +
                 std::to_string(span) + ", expected " + std::to_string(n) + " and " + std::to_string(expect_span));
    char name[200], summary[220];
    std::snprintf(name, sizeof name,
                  "spatial_skip PW=%d TAPS=%d TOL=%d RW=%d DEPTH=%d WDEPTH=%d RDEPTH=%d p_in=%.2f p_out=%.2f p_unit=%.2f unit=%ld/%ld/%ld/%ld",
                  pw, taps, tol, rw, depth, window_depth, result_depth, p_in, p_out, p_unit, ufold, ulat, ucap, ujit);
    std::snprintf(summary, sizeof summary,
                  "windows=%ld skipped=%ld (%.0f%%); %ld windows in over %ld cycles, first in to last out %ld "
                  "cycles (unit-bound %ld)%s",
                  n, n_skip, 100.0 * double(n_skip) / double(n), n, span_in, span, (n - n_skip) * ufold,
                  timing ? ", exact schedule checked" : "");
    return tb::report(name, chk, summary);
}
