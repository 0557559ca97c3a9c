// Block test of templates/stream_unpack against a C++ model: an image of PIXELS_PER_IMAGE pixels
// arrives as BEATS = ceil(PIXELS_PER_IMAGE / PER_BEAT) input beats; pixel j of a beat is bits
// [j*PIXEL_WIDTH +: PIXEL_WIDTH]; every beat carries PER_BEAT pixels except the image's last, which
// carries LAST = PIXELS_PER_IMAGE - (BEATS-1)*PER_BEAT (its upper slots are padding); the output is
// the pixels in order, one per beat.
//
// Arguments (key=value): PW, PER_BEAT, PPI (must match the -G values of the build), n (images),
// p_in / p_out (stall probabilities of source and sink), seed.
// Phases: (1) n images (random pixels, all-ones and all-zeros images, pixel-numbered images; the
// padding slots of every last beat hold random garbage, the complement of the pixels in the
// all-ones / all-zeros images) with the given stalls; without stalls, the exact schedule of the
// README: with e1 the edge of the first input transfer, stream pixel k leaves at edge e1 + 1 + k
// and the beat whose first pixel is stream pixel k is taken at edge e1 + k (no bubble, across beats
// and images); (2) with the sink stopped exactly one beat is accepted, then in_ready stays low and
// the presented pixel is held; (3) a reset in the middle of a beat (pixels of it still to send) in
// the middle of an image, and (if BEATS > 1) a reset at a beat boundary in the middle of an image
// (block empty, beat counter not 0); after each, whole images must come out framed from their first
// beat. Every phase checks every output pixel, no loss, no duplicate, no extra beat, valid held with
// stable data until taken (tb::Sink), out_valid == (pixels pending) after every edge, and
// in_ready == !out_valid || (one pixel pending && out_ready) in every cycle.
#include "Vstream_unpack.h"
#include "tb_common.h"

#include <deque>
#include <memory>

using tb::Bits;

namespace {

// The model: frames input beats by count and yields the expected output pixels in order.
class UnpackModel {
public:
    UnpackModel(int pw, int per_beat, int ppi)
        : pw_(pw), n_(per_beat), beats_((ppi + per_beat - 1) / per_beat), last_(ppi - (beats_ - 1) * per_beat) {}
    int beats() const { return beats_; }
    int last() const { return last_; }
    int pixels_in_beat(int b) const { return b == beats_ - 1 ? last_ : n_; }
    int beat() const { return beat_; }  // beat of the image taken next
    // An accepted input beat: its pixels (not its padding) are expected, in order.
    void push(const Bits& beat) {
        const int k = pixels_in_beat(beat_);
        for (int j = 0; j < k; ++j) expected.push_back(beat.slice(j * pw_, pw_));
        beat_ = (beat_ + 1) % beats_;
    }
    // A reset drops the pixels not yet sent and restarts at the first beat of an image.
    long reset() {
        const long dropped = long(expected.size());
        expected.clear();
        beat_ = 0;
        return dropped;
    }
    std::deque<Bits> expected;  // pixels accepted and not yet taken, oldest first

private:
    int pw_, n_, beats_, last_;
    int beat_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args args(argc, argv);
    const int pw = int(args.req("PW"));
    const int per_beat = int(args.req("PER_BEAT"));
    const int ppi = int(args.req("PPI"));
    const long n = args.i("n", 50);
    const double p_in = args.d("p_in", 0.0), p_out = args.d("p_out", 0.0);
    const uint64_t seed = uint64_t(args.i("seed", 1));
    const int in_width = pw * per_beat;

    auto m = std::make_unique<Vstream_unpack>(ctx.get());
    tb::Harness<Vstream_unpack> h(*m);
    tb::Checker chk;
    std::mt19937_64 rng(seed);
    UnpackModel model(pw, per_beat, ppi);
    const int beats = model.beats();
    long total_in = 0, total_out = 0, pushed_pixels = 0, dropped_pixels = 0, padding_slots = 0;
    auto at = [&](const std::string& what) { return "cycle " + std::to_string(h.cycle()) + ": " + what; };

    // The input beats of one image of the given kind: 0 random, 1 all ones (padding zeros), 2 all
    // zeros (padding ones), 3 pixel p = its number in the image (padding all ones). Padding of kind
    // 0 is random garbage.
    auto image_beats = [&](int kind, std::vector<Bits>& out) {
        int p = 0;
        for (int b = 0; b < beats; ++b) {
            Bits beat(in_width);
            const int k = model.pixels_in_beat(b);
            for (int j = 0; j < per_beat; ++j) {
                Bits px(pw);
                const bool pad = j >= k;
                switch (kind) {
                case 1: px = pad ? Bits(pw) : Bits::ones(pw); break;
                case 2: px = pad ? Bits::ones(pw) : Bits(pw); break;
                case 3:
                    if (pad) px = Bits::ones(pw);
                    else px.set_field(0, std::min(pw, 32), uint64_t(p));
                    break;
                default: px = Bits::random(pw, rng); break;
                }
                if (pad) ++padding_slots;
                else ++p;
                beat.put(j * pw, px);
            }
            out.push_back(beat);
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
        const Bits out = tb::get_port(m->out_data, pw);
        const bool out_fire = out_valid && rdy;
        const bool want_ready = !out_valid || (model.expected.size() == 1 && rdy);
        if (bool(m->in_ready) != want_ready)
            chk.fail(at(std::string("in_ready ") + (m->in_ready ? "1" : "0") + " with out_valid " +
                        (out_valid ? "1" : "0") + ", " + std::to_string(model.expected.size()) +
                        " pixel(s) pending, out_ready " + (rdy ? "1" : "0")));
        if (force_ready < 0) snk.sample(out_valid, out, chk, h.cycle());
        h.high();
        if (out_fire) {
            if (model.expected.empty()) {
                chk.fail(at("output pixel with none pending (duplicate, padding or extra)"));
            } else {
                if (out != model.expected.front())
                    chk.fail(at("output pixel " + std::to_string(total_out) + " got " + out.hex() + " expected " +
                                model.expected.front().hex()));
                model.expected.pop_front();
            }
            ++total_out;
        }
        if (in_fire) {
            const size_t before = model.expected.size();
            model.push(src.data());
            pushed_pixels += long(model.expected.size() - before);
            ++total_in;
        }
        src.after_edge(in_fire);
        if (bool(m->out_valid) != !model.expected.empty())
            chk.fail(at(std::string("out_valid ") + (m->out_valid ? "1" : "0") + " with " +
                        std::to_string(model.expected.size()) + " pixel(s) pending"));
        return std::pair<bool, bool>(in_fire, out_fire);
    };
    auto drain = [&](tb::Source& src, tb::Sink& snk, long limit) {
        long c = 0;
        while ((!src.empty() || !model.expected.empty()) && c++ < limit) step(src, snk, -1);
        if (!src.empty() || !model.expected.empty()) chk.fail(at("timeout: beats stuck in the source or the block"));
    };
    auto do_reset = [&](int cycles) {
        m->in_valid = 0;
        m->out_ready = 0;
        h.reset(cycles);
        dropped_pixels += model.reset();
        m->out_ready = 1;
        h.low();
        if (!m->in_ready || m->out_valid) chk.fail(at("after reset: expected in_ready 1, out_valid 0"));
    };

    m->in_valid = 0;
    m->out_ready = 0;
    h.reset();
    if (!m->in_ready || m->out_valid) chk.fail(at("after reset: expected in_ready 1, out_valid 0"));

    std::string summary;
    long complete_images = 0;
    // Phase 1: n images, the given stalls; exact schedule without stalls.
    {
        tb::Source src(p_in, seed + 1);
        tb::Sink snk(p_out, seed + 2);
        std::vector<Bits> in_beats;
        for (long g = 0; g < n; ++g) image_beats(g % 6 < 3 ? int(g % 6) + 1 : 0, in_beats);
        // stream index of the first pixel of every input beat
        std::vector<long> first_pixel;
        long p = 0;
        for (size_t i = 0; i < in_beats.size(); ++i) {
            first_pixel.push_back(p);
            p += model.pixels_in_beat(int(i % size_t(beats)));
        }
        const long stream_pixels = p;
        for (auto& b : in_beats) src.push(b);
        const bool timing = (p_in == 0.0 && p_out == 0.0);
        long e1 = -1, k_in = 0, k_out = 0, last_out = -1;
        long c = 0;
        const long limit = 50 * (stream_pixels + long(in_beats.size())) + 1000;
        while ((!src.empty() || !model.expected.empty()) && c++ < limit) {
            auto [fi, fo] = step(src, snk, -1);
            if (fi) {
                if (e1 < 0) e1 = h.cycle();
                const long want = e1 + first_pixel[size_t(k_in)];
                if (timing && h.cycle() != want)
                    chk.fail(at("input beat " + std::to_string(k_in) + " taken at +" + std::to_string(h.cycle() - e1) +
                                ", expected +" + std::to_string(want - e1)));
                ++k_in;
            }
            if (fo) {
                const long want = e1 + 1 + k_out;
                if (timing && h.cycle() != want)
                    chk.fail(at("pixel " + std::to_string(k_out) + " left at +" + std::to_string(h.cycle() - e1) +
                                ", expected +" + std::to_string(want - e1)));
                ++k_out;
                last_out = h.cycle();
            }
        }
        if (!src.empty() || !model.expected.empty()) chk.fail(at("phase 1 timeout"));
        if (k_out != stream_pixels)
            chk.fail("phase 1: " + std::to_string(k_out) + " pixels out, expected " + std::to_string(stream_pixels));
        complete_images += n;
        // first input to last output: n*PPI edges
        summary += "images=" + std::to_string(n) + " (" + std::to_string(beats) + " beats, last " +
                   std::to_string(model.last()) + " px), pixels=" + std::to_string(k_out) +
                   ", cycles e1..last out=" + std::to_string(last_out - e1) +
                   (timing ? " (n*PPI=" + std::to_string(n * ppi) + ")" : "");
    }
    // Phase 2: sink stopped: exactly one beat accepted, the first pixel held, in_ready low.
    {
        tb::Source src(0.0, seed + 3);
        tb::Sink snk(0.0, seed + 4);
        std::vector<Bits> in_beats;
        image_beats(0, in_beats);
        image_beats(3, in_beats);
        for (auto& b : in_beats) src.push(b);
        const long before = total_in;
        Bits held;
        for (int i = 0; i < 12; ++i) {
            step(src, snk, 0);
            if (i == 1) held = tb::get_port(m->out_data, pw);
            if (i > 1 && (!m->out_valid || tb::get_port(m->out_data, pw) != held))
                chk.fail(at("phase 2: output not held while the sink is stopped"));
        }
        if (total_in - before != 1)
            chk.fail("phase 2: accepted " + std::to_string(total_in - before) + " beats with the sink stopped, expected 1");
        drain(src, snk, 100 + 20L * ppi);
        complete_images += 2;
    }
    // Phase 3a: reset in the middle of a beat in the middle of an image: the image's first
    // max(1, BEATS/2) beats are accepted, the last of them partly sent (half of its pixels, at
    // least one, still in the block).
    {
        tb::Source src(0.0, seed + 5);
        tb::Sink snk(0.0, seed + 6);
        std::vector<Bits> in_beats;
        image_beats(0, in_beats);
        const int take = std::max(1, beats / 2);
        for (int i = 0; i < take; ++i) src.push(in_beats[size_t(i)]);
        const int k = model.pixels_in_beat(take - 1);
        const size_t keep = size_t(std::max(1, k / 2));
        long c = 0;
        while ((!src.empty() || model.expected.size() > keep) && c++ < 20L * ppi + 100) step(src, snk, 1);
        if (model.beat() != take % beats || model.expected.size() != keep)
            chk.fail("phase 3a: setup did not reach the intended state");
        do_reset(2);
        in_beats.clear();
        image_beats(0, in_beats);
        image_beats(2, in_beats);
        for (auto& b : in_beats) src.push(b);
        drain(src, snk, 100 + 20L * ppi);
        complete_images += 2;
    }
    // Phase 3b (BEATS > 1): reset at a beat boundary in the middle of an image (nothing pending,
    // beat counter not 0), then whole images.
    if (beats > 1) {
        tb::Source src(0.3, seed + 7);
        tb::Sink snk(0.3, seed + 8);
        std::vector<Bits> in_beats;
        image_beats(3, in_beats);
        const int take = std::max(1, beats - 1);
        for (int i = 0; i < take; ++i) src.push(in_beats[size_t(i)]);
        drain(src, snk, 100 + 20L * ppi);
        if (model.beat() != take || !model.expected.empty())
            chk.fail("phase 3b: setup did not reach the intended state");
        do_reset(1);
        in_beats.clear();
        image_beats(0, in_beats);
        image_beats(1, in_beats);
        for (auto& b : in_beats) src.push(b);
        drain(src, snk, 100 + 20L * ppi);
        complete_images += 2;
    }
    // Idle with the sink ready: nothing more may come out.
    for (int i = 0; i < 2 * per_beat + 10; ++i) {
        m->in_valid = 0;
        m->out_ready = 1;
        h.low();
        if (m->out_valid) chk.fail(at("extra output pixel"));
        h.high();
    }
    if (total_out != pushed_pixels - dropped_pixels)
        chk.fail("pixels out " + std::to_string(total_out) + " != pixels accepted " + std::to_string(pushed_pixels) +
                 " - dropped by resets " + std::to_string(dropped_pixels));
    if (model.beat() != 0) chk.fail("the model ended in the middle of an image");
    m->final();
    summary += ", complete images=" + std::to_string(complete_images) + ", beats in=" + std::to_string(total_in) +
               ", pixels out=" + std::to_string(total_out) + ", dropped by resets=" + std::to_string(dropped_pixels) +
               ", padding slots=" + std::to_string(padding_slots);
    char name[160];
    std::snprintf(name, sizeof name, "stream_unpack PIXEL_WIDTH=%d PER_BEAT=%d PIXELS_PER_IMAGE=%d p_in=%.2f p_out=%.2f",
                  pw, per_beat, ppi, p_in, p_out);
    return tb::report(name, chk, summary);
}
