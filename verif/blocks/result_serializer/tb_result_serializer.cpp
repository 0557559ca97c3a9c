// Block test of templates/result_serializer against a C++ model: one vector of CLASSES signed
// SCORE_WIDTH-bit scores gives CLASSES beats with the scores sign-extended to OUT_WIDTH bits
// (out_last 0), then one beat with the argmax class (ties to the lowest index), out_last 1.
//
// Arguments (key=value): CLASSES, SW (SCORE_WIDTH), OW (OUT_WIDTH) (must match the -G values of the
// build), n (vectors), p_in / p_out (stall probabilities of source and sink), seed.
// Score vectors cycle through kinds: uniform random over the full range; values from a set of 3
// (many ties, also of the maximum); all equal (random, most negative, most positive); all most
// negative but one; maximum at the last class, ties of the most positive value; a strictly
// decreasing and a strictly increasing ramp; random near the most negative value.
// Phases: (1) n vectors with the given stalls; without stalls, the exact schedule of the README:
// vector v accepted at edge a + v*(CLASSES+2), its beat c (c = 0 .. CLASSES, the class beat last)
// at edge a + v*(CLASSES+2) + 1 + c; (2) with the sink stopped, one vector is accepted, its first
// beat held, in_ready low; (3) a reset in the middle of a vector (after a large score was sent)
// drops it, and the next vector (all scores most negative but one) gets its own argmax.
// Every phase checks every beat (data and out_last), no loss, no duplicate, no extra beat, valid
// held with stable data and out_last until taken (tb::Sink), and in_ready == !out_valid after every
// edge.
#include "Vresult_serializer.h"
#include "tb_common.h"

#include <algorithm>
#include <deque>
#include <memory>

using tb::Bits;

namespace {

struct Beat {
    Bits data;
    bool last;
};

// The model: the expected output beats of a score vector.
std::vector<Beat> serialize(const std::vector<int64_t>& s, int out_width) {
    std::vector<Beat> beats;
    size_t best = 0;
    for (size_t c = 0; c < s.size(); ++c) {
        Bits d(out_width);
        d.set_field(0, out_width, uint64_t(s[c]));  // two's complement, sign-extended by the cast
        beats.push_back({d, false});
        if (s[c] > s[best]) best = c;
    }
    Bits d(out_width);
    d.set_field(0, out_width, uint64_t(best));
    beats.push_back({d, true});
    return beats;
}

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args args(argc, argv);
    const int classes = int(args.req("CLASSES"));
    const int sw = int(args.req("SW"));
    const int ow = int(args.req("OW"));
    const long n = args.i("n", 300);
    const double p_in = args.d("p_in", 0.0), p_out = args.d("p_out", 0.0);
    const uint64_t seed = uint64_t(args.i("seed", 1));

    auto m = std::make_unique<Vresult_serializer>(ctx.get());
    tb::Harness<Vresult_serializer> h(*m);
    tb::Checker chk;
    std::mt19937_64 rng(seed);
    std::deque<Beat> expected;  // beats of accepted vectors not yet taken
    long vectors_in = 0, beats_out = 0, argmax_ties = 0;
    auto at = [&](const std::string& what) { return "cycle " + std::to_string(h.cycle()) + ": " + what; };

    const int64_t smin = -(int64_t{1} << (sw - 1)), smax = (int64_t{1} << (sw - 1)) - 1;
    std::uniform_int_distribution<int64_t> full(smin, smax);
    std::uniform_int_distribution<int> cls(0, classes - 1);
    auto make_vector = [&](int kind) {
        std::vector<int64_t> s(static_cast<size_t>(classes));
        const int64_t r = full(rng);
        int64_t few[3] = {full(rng), full(rng), full(rng)};
        const int k = cls(rng);
        for (int c = 0; c < classes; ++c) {
            int64_t& v = s[static_cast<size_t>(c)];
            switch (kind) {
            case 1: v = few[rng() % 3]; break;                                       // many ties
            case 2: v = r; break;                                                    // all equal
            case 3: v = smin; break;                                                 // all most negative
            case 4: v = smax; break;                                                 // all most positive
            case 5: v = (c == k) ? smin + 1 : smin; break;                           // one above the floor
            case 6: v = (c == classes - 1) ? smax : full(rng) % (smax > 1 ? smax : 1); break;  // max last
            case 7: v = (c % 2) ? smax : smin; break;                                // ties of smax
            case 8: v = smax - int64_t(c) * ((smax - smin) / (classes + 1)); break;  // decreasing
            case 9: v = smin + int64_t(c) * ((smax - smin) / (classes + 1)); break;  // increasing
            case 10: v = smin + int64_t(rng() % 3); break;                           // near the floor
            default: v = full(rng); break;
            }
            if (v < smin) v = smin;
            if (v > smax) v = smax;
        }
        return s;
    };
    auto pack = [&](const std::vector<int64_t>& s) {
        Bits b(classes * sw);
        for (int c = 0; c < classes; ++c) b.set_field(c * sw, sw, uint64_t(s[size_t(c)]));
        return b;
    };
    std::map<std::string, std::vector<int64_t>> by_input;  // packed input -> scores (for the model)

    // One cycle. force_ready: -1 = sink decides, 0/1 = forced. Returns {in_fired, out_fired}.
    auto step = [&](tb::Source& src, tb::Sink& snk, int force_ready) {
        m->in_valid = src.drive();
        if (src.valid()) tb::put_port(m->in_data, src.data());
        bool rdy = snk.drive();
        if (force_ready >= 0) rdy = force_ready;
        m->out_ready = rdy;
        h.low();
        const bool in_fire = m->in_valid && m->in_ready;
        const bool out_valid = m->out_valid;
        const Bits data = tb::get_port(m->out_data, ow);
        const bool last = m->out_last;
        Bits seen(ow + 1);  // data and out_last, for the hold check
        seen.put(0, data);
        seen.set(ow, last);
        const bool out_fire = out_valid && rdy;
        if (force_ready < 0) snk.sample(out_valid, seen, chk, h.cycle());
        h.high();
        if (out_fire) {
            if (expected.empty()) {
                chk.fail(at("output beat with no vector pending (duplicate or extra)"));
            } else {
                const Beat& e = expected.front();
                if (data != e.data || last != e.last)
                    chk.fail(at("beat " + std::to_string(beats_out) + " got " + data.hex() + " last=" +
                                std::to_string(last) + ", expected " + e.data.hex() + " last=" + std::to_string(e.last)));
                expected.pop_front();
            }
            ++beats_out;
        }
        if (in_fire) {
            for (auto& b : serialize(by_input.at(src.data().hex()), ow)) expected.push_back(b);
            ++vectors_in;
        }
        src.after_edge(in_fire);
        if (bool(m->in_ready) == bool(m->out_valid)) chk.fail(at("in_ready != !out_valid"));
        if (bool(m->out_valid) != !expected.empty())
            chk.fail(at(std::string("out_valid ") + (m->out_valid ? "1" : "0") + " with " +
                        std::to_string(expected.size()) + " beat(s) pending"));
        return std::pair<bool, bool>(in_fire, out_fire);
    };
    auto offer = [&](tb::Source& src, const std::vector<int64_t>& s) {
        Bits b = pack(s);
        by_input[b.hex()] = s;
        src.push(b);
        // ties for the maximum, for the summary
        int64_t mx = s[0];
        for (auto v : s) mx = std::max(mx, v);
        int nmax = 0;
        for (auto v : s) nmax += (v == mx);
        if (nmax > 1) ++argmax_ties;
    };
    auto drain = [&](tb::Source& src, tb::Sink& snk, long limit) {
        long c = 0;
        while ((!src.empty() || !expected.empty()) && c++ < limit) step(src, snk, -1);
        if (!src.empty() || !expected.empty()) chk.fail(at("timeout: vectors stuck in the source or the block"));
    };

    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    if (!m->in_ready || m->out_valid) chk.fail(at("after reset: expected in_ready 1, out_valid 0"));

    std::string summary;
    // Phase 1: n vectors, the given stalls; exact schedule without stalls.
    {
        tb::Source src(p_in, seed + 1);
        tb::Sink snk(p_out, seed + 2);
        for (long v = 0; v < n; ++v) offer(src, make_vector(int(v % 12)));
        const bool timing = (p_in == 0.0 && p_out == 0.0);
        const long period = classes + 2;
        long a = -1, v_in = 0, b_out = 0, last_out = -1;
        long c = 0;
        while ((!src.empty() || !expected.empty()) && c++ < 50 * n * period + 1000) {
            auto [fi, fo] = step(src, snk, -1);
            if (fi) {
                if (a < 0) a = h.cycle();
                if (timing && h.cycle() != a + v_in * period)
                    chk.fail(at("vector " + std::to_string(v_in) + " accepted at +" + std::to_string(h.cycle() - a) +
                                ", expected +" + std::to_string(v_in * period)));
                ++v_in;
            }
            if (fo) {
                const long want = a + (b_out / (classes + 1)) * period + 1 + b_out % (classes + 1);
                if (timing && h.cycle() != want)
                    chk.fail(at("beat " + std::to_string(b_out) + " at +" + std::to_string(h.cycle() - a) + ", expected +" +
                                std::to_string(want - a)));
                ++b_out;
                last_out = h.cycle();
            }
        }
        if (!src.empty() || !expected.empty()) chk.fail(at("phase 1 timeout"));
        if (b_out != n * (classes + 1))
            chk.fail("phase 1: " + std::to_string(b_out) + " beats, expected " + std::to_string(n * (classes + 1)));
        summary += "vectors=" + std::to_string(n) + " (" + std::to_string(argmax_ties) + " with a tied max), beats=" +
                   std::to_string(b_out) + ", cycles accept..last beat=" + std::to_string(last_out - a) +
                   (timing ? " (n*(CLASSES+2)-1=" + std::to_string(n * period - 1) + ")" : "");
    }
    // Phase 2: sink stopped: one vector accepted, its first beat held, in_ready low.
    {
        tb::Source src(0.0, seed + 3);
        tb::Sink snk(0.0, seed + 4);
        offer(src, make_vector(0));
        offer(src, make_vector(1));
        const long before = vectors_in;
        Bits held;
        for (int i = 0; i < classes + 8; ++i) {
            step(src, snk, 0);
            const Bits now = tb::get_port(m->out_data, ow);
            if (i == 0) held = now;
            if (!m->out_valid || m->out_last || now != held) chk.fail(at("phase 2: first beat not held"));
        }
        if (vectors_in - before != 1)
            chk.fail("phase 2: accepted " + std::to_string(vectors_in - before) + " vectors with the sink stopped");
        drain(src, snk, 100 + 10L * classes);
    }
    // Phase 3: reset in the middle of a vector whose first score is the maximum, then a vector
    // whose maximum is elsewhere: stale argmax state would show.
    {
        tb::Source src(0.0, seed + 5);
        tb::Sink snk(0.0, seed + 6);
        std::vector<int64_t> big(size_t(classes), smin);
        big[0] = smax;
        offer(src, big);
        const int sent = classes / 2 + 1;  // beats taken before the reset (1 .. CLASSES)
        step(src, snk, 0);                 // accept
        for (int i = 0; i < sent; ++i) step(src, snk, 1);
        m->in_valid = 0;
        m->out_ready = 0;
        h.reset(2);
        expected.clear();
        if (!m->in_ready || m->out_valid) chk.fail(at("after reset in phase 3: expected in_ready 1, out_valid 0"));
        std::vector<int64_t> s(size_t(classes), smin);
        s[size_t(classes - 1)] = smin + 1;
        offer(src, s);
        drain(src, snk, 100 + 10L * classes);
    }
    // Idle with the sink ready: nothing more may come out.
    for (int i = 0; i < classes + 10; ++i) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail(at("extra output beat"));
        h.high();
    }
    if (vectors_in != n + 4)  // phases 1, 2 (two), 3 (two, one dropped by the reset)
        chk.fail("vectors accepted " + std::to_string(vectors_in) + ", expected " + std::to_string(n + 4));
    m->final();
    char name[160];
    std::snprintf(name, sizeof name, "result_serializer CLASSES=%d SCORE_WIDTH=%d OUT_WIDTH=%d p_in=%.2f p_out=%.2f", classes,
                  sw, ow, p_in, p_out);
    return tb::report(name, chk, summary);
}
