// Block test of templates/stream_collect against a C++ model: input beat g*COUNT + i is slot i
// (bits [i*WIDTH +: WIDTH]) of output beat g.
//
// Arguments (key=value): WIDTH, COUNT (must match the -G values of the build), n (groups),
// p_in / p_out (stall probabilities of source and sink), seed.
// Phases: (1) n groups (random beats, with all-ones, all-zeros and one-hot groups mixed in) through
// the block with the given stalls; without stalls, the exact schedule of the README: group g's
// input i moves at edge e1 + g*(COUNT+1) + i and its output at edge e1 + g*(COUNT+1) + COUNT
// (COUNT + 1 cycles per group); (2) with the sink stopped, exactly COUNT beats are accepted, then
// in_ready stays low and the output is held; (3) a reset in the middle of a group (COUNT > 1) or
// while an output is held (COUNT = 1) drops it, and the next group is collected from slot 0.
// Every phase checks every output beat, no loss, no duplicate, no extra beat, valid held with
// stable data until taken (tb::Sink), and in_ready == !out_valid after every edge.
#include "Vstream_collect.h"
#include "tb_common.h"

#include <deque>
#include <memory>

using tb::Bits;

namespace {

// The model: groups input beats and yields the expected output beats in order.
class CollectModel {
public:
    CollectModel(int width, int count) : width_(width), count_(count), group_(width * count) {}
    void push(const Bits& beat) {
        group_.put(filled_ * width_, beat);
        if (++filled_ == count_) {
            expected.push_back(group_);
            group_ = Bits(width_ * count_);
            filled_ = 0;
        }
    }
    // A reset drops the partial group and a collected beat not yet taken.
    void reset() {
        expected.clear();
        group_ = Bits(width_ * count_);
        filled_ = 0;
    }
    int filled() const { return filled_; }
    std::deque<Bits> expected;  // collected beats not yet taken, oldest first

private:
    int width_, count_;
    Bits group_;
    int filled_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args args(argc, argv);
    const int width = int(args.req("WIDTH"));
    const int count = int(args.req("COUNT"));
    const long n = args.i("n", 200);
    const double p_in = args.d("p_in", 0.0), p_out = args.d("p_out", 0.0);
    const uint64_t seed = uint64_t(args.i("seed", 1));
    const int out_width = width * count;

    auto m = std::make_unique<Vstream_collect>(ctx.get());
    tb::Harness<Vstream_collect> h(*m);
    tb::Checker chk;
    std::mt19937_64 rng(seed);
    CollectModel model(width, count);
    long total_in = 0, total_out = 0;
    auto at = [&](const std::string& what) { return "cycle " + std::to_string(h.cycle()) + ": " + what; };

    // Input beats of one group of the given kind: 0 random, 1 all ones, 2 all zeros, 3 one-hot
    // (a single 1 bit somewhere in the group), 4 random beats each equal to its slot number.
    auto group_beats = [&](int kind, std::vector<Bits>& out) {
        std::uniform_int_distribution<int> bit(0, out_width - 1);
        const int hot = bit(rng);
        for (int i = 0; i < count; ++i) {
            Bits b(width);
            switch (kind) {
            case 1: b = Bits::ones(width); break;
            case 2: break;
            case 3:
                if (hot / width == i) b.set(hot % width, true);
                break;
            case 4: b.set_field(0, std::min(width, 32), uint64_t(i)); break;
            default: b = Bits::random(width, rng); break;
            }
            out.push_back(b);
        }
    };

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
        const Bits out = tb::get_port(m->out_data, out_width);
        const bool out_fire = out_valid && rdy;
        if (force_ready < 0) snk.sample(out_valid, out, chk, h.cycle());
        h.high();
        if (out_fire) {
            if (model.expected.empty()) {
                chk.fail(at("output beat with no complete group (duplicate or extra)"));
            } else {
                if (out != model.expected.front())
                    chk.fail(at("output beat " + std::to_string(total_out) + " got " + out.hex() + " expected " +
                                model.expected.front().hex()));
                model.expected.pop_front();
            }
            ++total_out;
        }
        if (in_fire) {
            model.push(src.data());
            ++total_in;
        }
        src.after_edge(in_fire);
        if (bool(m->in_ready) == bool(m->out_valid)) chk.fail(at("in_ready != !out_valid"));
        if (bool(m->out_valid) != !model.expected.empty())
            chk.fail(at(std::string("out_valid ") + (m->out_valid ? "1" : "0") + " with " +
                        std::to_string(model.expected.size()) + " collected beat(s) pending"));
        return std::pair<bool, bool>(in_fire, out_fire);
    };
    auto drain = [&](tb::Source& src, tb::Sink& snk, long limit) {
        long c = 0;
        while ((!src.empty() || !model.expected.empty()) && c++ < limit) step(src, snk, -1);
        if (!src.empty() || !model.expected.empty()) chk.fail(at("timeout: beats stuck in the source or the block"));
    };

    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    if (!m->in_ready || m->out_valid) chk.fail(at("after reset: expected in_ready 1, out_valid 0"));

    std::string summary;
    // Phase 1: n groups, the given stalls; exact schedule without stalls.
    {
        tb::Source src(p_in, seed + 1);
        tb::Sink snk(p_out, seed + 2);
        std::vector<Bits> beats;
        for (long g = 0; g < n; ++g) group_beats(g % 7 < 3 ? int(g % 7) + 1 : (g % 7 == 3 ? 4 : 0), beats);
        for (auto& b : beats) src.push(b);
        const bool timing = (p_in == 0.0 && p_out == 0.0);
        long e1 = -1, k_in = 0, g_out = 0, last_out = -1;
        long c = 0;
        const long limit = 50 * n * (count + 1) + 1000;
        while ((!src.empty() || !model.expected.empty()) && c++ < limit) {
            auto [fi, fo] = step(src, snk, -1);
            if (fi) {
                if (e1 < 0) e1 = h.cycle();
                const long want = e1 + (k_in / count) * (count + 1) + k_in % count;
                if (timing && h.cycle() != want)
                    chk.fail(at("input beat " + std::to_string(k_in) + " moved at +" + std::to_string(h.cycle() - e1) +
                                ", expected +" + std::to_string(want - e1)));
                ++k_in;
            }
            if (fo) {
                const long want = e1 + g_out * (count + 1) + count;
                if (timing && h.cycle() != want)
                    chk.fail(at("group " + std::to_string(g_out) + " output at +" + std::to_string(h.cycle() - e1) +
                                ", expected +" + std::to_string(want - e1)));
                ++g_out;
                last_out = h.cycle();
            }
        }
        if (!src.empty() || !model.expected.empty()) chk.fail(at("phase 1 timeout"));
        if (g_out != n) chk.fail("phase 1: " + std::to_string(g_out) + " groups out, expected " + std::to_string(n));
        // first input to last output: n*(COUNT+1) - 1 edges
        summary += "groups=" + std::to_string(g_out) + ", cycles e1..last out=" + std::to_string(last_out - e1) +
                   (timing ? " (n*(COUNT+1)-1=" + std::to_string(n * (count + 1) - 1) + ")" : "");
    }
    // Phase 2: sink stopped: exactly COUNT beats accepted, the output held, in_ready low.
    {
        tb::Source src(0.0, seed + 3);
        tb::Sink snk(0.0, seed + 4);
        std::vector<Bits> beats;
        group_beats(0, beats);
        group_beats(0, beats);
        for (auto& b : beats) src.push(b);
        const long before = total_in;
        Bits held;
        for (int i = 0; i < count + 8; ++i) {
            step(src, snk, 0);
            if (i == count) held = tb::get_port(m->out_data, out_width);
            if (i > count && (!m->out_valid || tb::get_port(m->out_data, out_width) != held))
                chk.fail(at("phase 2: output not held while the sink is stopped"));
        }
        if (total_in - before != count)
            chk.fail("phase 2: accepted " + std::to_string(total_in - before) + " beats with the sink stopped, expected " +
                     std::to_string(count));
        drain(src, snk, 100 + 10L * count);
    }
    // Phase 3: reset with a partial group (or, for COUNT = 1, a held output), then one group.
    {
        tb::Source src(0.0, seed + 5);
        tb::Sink snk(0.0, seed + 6);
        std::vector<Bits> beats;
        group_beats(1, beats);
        const int partial = count > 1 ? count / 2 : 1;
        for (int i = 0; i < partial; ++i) src.push(beats[size_t(i)]);
        for (int i = 0; i < partial + 1; ++i) step(src, snk, 0);
        if (model.filled() != partial % count || model.expected.size() != (count == 1 ? 1u : 0u))
            chk.fail("phase 3: setup did not reach the intended state");
        m->in_valid = 0;
        m->out_ready = 0;
        h.reset(2);
        model.reset();
        if (!m->in_ready || m->out_valid) chk.fail(at("after reset in phase 3: expected in_ready 1, out_valid 0"));
        beats.clear();
        group_beats(0, beats);
        for (auto& b : beats) src.push(b);
        drain(src, snk, 100 + 10L * count);
    }
    // Idle with the sink ready: nothing more may come out.
    for (int i = 0; i < 2 * count + 10; ++i) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail(at("extra output beat"));
        h.high();
    }
    const long groups_in = n + 2 + 1;  // phases 1, 2, 3 (dropped partial groups not counted)
    if (total_out != groups_in)
        chk.fail("beats out " + std::to_string(total_out) + " != complete groups in " + std::to_string(groups_in));
    m->final();
    summary += ", beats in=" + std::to_string(total_in) + ", out=" + std::to_string(total_out);
    char name[128];
    std::snprintf(name, sizeof name, "stream_collect WIDTH=%d COUNT=%d p_in=%.2f p_out=%.2f", width, count, p_in, p_out);
    return tb::report(name, chk, summary);
}
