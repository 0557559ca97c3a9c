// Block test of templates/axi_lite_ctrl against a C++ reference model of its register file and of
// its AXI4-Lite handshakes (README.md "Timing"), compared after every clock edge, plus checks that
// do not use the model:
//  - the model (struct Model): the holding registers of AW and W, BVALID/BRESP, RVALID/RDATA/RRESP,
//    CONTROL, IRQ_ENABLE, IRQ_STATUS, BATCH_SIZE, the status counters, the beat and batch counts,
//    the interrupt register. awready, wready, arready, bvalid, bresp, rvalid, rdata, rresp, enable,
//    soft_reset, core_rst_n and interrupt must equal the model's in every cycle, so every register
//    read (RDATA) is checked against the model's value in the cycle its address was accepted.
//  - without the model: CYCLES read = (cycle the read address was accepted) - (first cycle after
//    the last reset or soft reset, as seen on rst_n and the soft_reset output), i.e. 0 in the first
//    cycle after release, +1 per edge; the status counters and IRQ_STATUS read 0 when their read
//    address is accepted while soft_reset is 1; CONTROL and STATUS bits agree with the enable and
//    soft_reset outputs, unused bits read 0; ID, VERSION, NETWORK_HASH, COUNTER_COUNT,
//    BEATS_PER_IMAGE and COUNTER_i (the value driven on counters in that cycle); reset values after
//    every reset; RRESP/BRESP SLVERR exactly beyond the last counter, RDATA 0 there;
//    core_rst_n == rst_n && !soft_reset; AXI protocol: BVALID and RVALID held with stable
//    BRESP / RDATA, RRESP until taken, one B per write (only after both its AW and W were taken)
//    and one R per read, none lost, none extra, none while idle at the end; without AXI stalls
//    (p_axi=0) B is taken 2 cycles after the later of its AW and W, R 1 cycle after its AR.
//
// The testbench plays an AXI4-Lite master and the accelerator around the block:
//  - writes: AW and W of a write are offered with independent random delays (so AW first, W
//    first and both together all occur), the master runs up to 2 writes ahead on each channel
//    (AWVALID for the next write may be up while the previous B is pending), random BREADY; reads
//    on their own, independent of the writes, random RREADY. p_axi is the probability of each
//    delay step and of a low BREADY/RREADY; p_axi=0: valids as soon as possible, readies always 1.
//  - the write program: IRQ_ENABLE, IRQ_STATUS (W1C, random bits), BATCH_SIZE (0, 1..5, larger),
//    CONTROL (ENABLE toggles, soft resets released a few writes later), writes to read-only
//    registers and beyond the map, random WSTRB (partial and empty), random high data bits and
//    address bits [1:0]. Reads: every register, weighted to CYCLES, STATUS, IRQ_STATUS and the
//    counters, and addresses beyond the map.
//  - the streams alternate in segments between (a) a toy accelerator gated like the generated
//    top (in_ready = soft_reset | (enable & room), out_valid gated by !soft_reset; images of 1-3
//    output beats, out_last on the last, 0-30 cycles after the image's last beat; its state is
//    cleared while core_rst_n is low), with p_in / p_out the source's and the sink's stall
//    probability, and (b) independent random in_valid, in_ready, out_valid, out_ready, out_last
//    with per-segment probabilities. Counter inputs change at random.
//  - a reset in the middle of the run (master idle), and a read of every register after each
//    reset (reset values).
// Coverage that each run must reach is listed at the end (set-wins-over-clear, both IRQ events,
// batch sizes 0 and > 1, soft resets, partial WSTRB, SLVERR both ways when the map leaves room,
// AW-before-W and W-before-AW with stalls).
//
// Arguments (key=value): COUNTERS, AW (ADDR_WIDTH), BPI (BEATS_PER_IMAGE), VERSION, HASH (must
// match the build), n (cycles before draining), p_axi, p_in, p_out, seed.
#include "Vaxi_lite_ctrl.h"
#include "tb_common.h"

#include <algorithm>
#include <deque>
#include <memory>

using tb::Bits;

namespace {

enum Reg : uint32_t {
    ID = 0, VERSION, HASH, CONTROL, STATUS, IMAGES_IN, IMAGES_OUT, CYCLES, BUSY_CYCLES, IN_STALL, OUT_STALL,
    IRQ_ENABLE, IRQ_STATUS, BATCH_SIZE, COUNTER_COUNT, BEATS, COUNTER0
};
const char* reg_name(uint32_t w) {
    static const char* n[] = {"ID", "VERSION", "NETWORK_HASH", "CONTROL", "STATUS", "IMAGES_IN", "IMAGES_OUT",
                              "CYCLES", "BUSY_CYCLES", "IN_STALL_CYCLES", "OUT_STALL_CYCLES", "IRQ_ENABLE",
                              "IRQ_STATUS", "BATCH_SIZE", "COUNTER_COUNT", "BEATS_PER_IMAGE"};
    return w < 16 ? n[w] : "COUNTER_i";
}
constexpr uint32_t kId = 0x424E4E47u;

// Inputs of the block in one cycle.
struct In {
    bool rst_n = true;
    bool awvalid = false, wvalid = false, bready = false, arvalid = false, rready = false;
    uint32_t awaddr = 0, wdata = 0, wstrb = 0, araddr = 0;
    bool in_valid = false, in_ready = false, out_valid = false, out_ready = false, out_last = false;
    std::vector<uint32_t> ctr;
};

// Reference model: the register file and the AXI slave, one call of edge() per rising edge.
struct Model {
    int nctr = 1, bpi = 1, word_w = 5;
    uint32_t version = 0, hash = 0;
    // AXI
    bool up = false, aw_held = false, w_held = false, bvalid = false, rvalid = false;
    uint32_t aw_word = 0, w_data = 0, w_strb = 0, bresp = 0, rdata = 0, rresp = 0;
    // registers
    bool enable = true, sr = false, interrupt = false;
    uint32_t irq_en = 0, irq_st = 0, batch_size = 1;
    uint32_t images_in = 0, images_out = 0, cycles = 0, busy_cycles = 0, in_stall = 0, out_stall = 0;
    uint32_t beat = 0, batch_cnt = 0;
    // coverage
    long cov_set_wins = 0, cov_image_ev = 0, cov_batch_ev = 0, cov_batch_gt1 = 0, cov_batch0_images = 0;
    long cov_images_in = 0, cov_irq_rise = 0, cov_sr_enter = 0, cov_clear = 0, cov_busy = 0, cov_in_stall = 0, cov_out_stall = 0;

    void reset() {
        up = aw_held = w_held = bvalid = rvalid = false;
        aw_word = w_data = w_strb = bresp = rdata = rresp = 0;
        enable = true;
        sr = interrupt = false;
        irq_en = irq_st = 0;
        batch_size = 1;
        images_in = images_out = cycles = busy_cycles = in_stall = out_stall = beat = batch_cnt = 0;
    }
    uint32_t word_mask() const { return (1u << word_w) - 1u; }
    bool awready() const { return up && !aw_held && !bvalid; }
    bool wready() const { return up && !w_held && !bvalid; }
    bool arready() const { return up && !rvalid; }
    bool busy() const { return images_in != images_out || beat != 0; }
    bool mapped(uint32_t word) const { return word < uint32_t(16 + nctr); }
    uint32_t read(uint32_t word, const std::vector<uint32_t>& ctr) const {
        if (!mapped(word)) return 0;
        switch (word) {
        case ID: return kId;
        case VERSION: return version;
        case HASH: return hash;
        case CONTROL: return uint32_t(enable) | uint32_t(sr) << 1;
        case STATUS: return uint32_t(busy()) | uint32_t(sr) << 1 | uint32_t(enable) << 2;
        case IMAGES_IN: return images_in;
        case IMAGES_OUT: return images_out;
        case CYCLES: return cycles;
        case BUSY_CYCLES: return busy_cycles;
        case IN_STALL: return in_stall;
        case OUT_STALL: return out_stall;
        case IRQ_ENABLE: return irq_en;
        case IRQ_STATUS: return irq_st;
        case BATCH_SIZE: return batch_size;
        case COUNTER_COUNT: return uint32_t(nctr);
        case BEATS: return uint32_t(bpi);
        default: return ctr[word - COUNTER0];
        }
    }
    void edge(const In& in) {
        if (!in.rst_n) {
            reset();
            return;
        }
        const bool aw_fire = in.awvalid && awready(), w_fire = in.wvalid && wready(), ar_fire = in.arvalid && arready();
        const bool wr_do = aw_held && w_held;
        const uint32_t word = aw_word;
        const bool lane0 = wr_do && word < 16 && (w_strb & 1u);
        const bool wr_ctrl = lane0 && word == CONTROL, wr_ien = lane0 && word == IRQ_ENABLE;
        const bool wr_ist = lane0 && word == IRQ_STATUS, wr_bs = wr_do && word == BATCH_SIZE;
        const bool sr_d = wr_ctrl ? ((w_data >> 1) & 1u) : sr;
        const bool en_d = wr_ctrl ? (w_data & 1u) : enable;
        const uint32_t ien_d = wr_ien ? (w_data & 3u) : irq_en;
        uint32_t bs_d = batch_size;
        if (wr_bs)
            for (int b = 0; b < 4; ++b)
                if ((w_strb >> b) & 1u) bs_d = (bs_d & ~(0xFFu << (8 * b))) | (w_data & (0xFFu << (8 * b)));
        const bool clear = sr || sr_d;
        const bool in_fire = in.in_valid && in.in_ready;
        const bool image_done = in.out_valid && in.out_ready && in.out_last;
        const bool batch_done = image_done && batch_size != 0 && uint32_t(batch_cnt + 1u) >= batch_size;
        const uint32_t clr = wr_ist ? (w_data & 3u) : 0u;
        const uint32_t ev = (batch_done ? 2u : 0u) | (image_done ? 1u : 0u);
        const uint32_t ist_d = clear ? 0u : ((irq_st & ~clr) | ev);

        if (!clear) {
            cov_set_wins += (clr & ev) != 0;
            cov_image_ev += image_done;
            cov_batch_ev += batch_done;
            cov_batch_gt1 += batch_done && batch_size > 1;
            cov_batch0_images += image_done && batch_size == 0;
            cov_irq_rise += !interrupt && (ist_d & ien_d) != 0;
            cov_busy += busy();
            cov_in_stall += in.in_valid && !in.in_ready;
            cov_out_stall += in.out_valid && !in.out_ready;
        }
        cov_sr_enter += !sr && sr_d;
        cov_clear += wr_ist && clr != 0;

        // read (the values of this cycle)
        if (ar_fire) {
            const uint32_t w = (in.araddr >> 2) & word_mask();
            rdata = read(w, in.ctr);
            rresp = mapped(w) ? 0u : 2u;
            rvalid = true;
        } else if (in.rready) {
            rvalid = false;
        }
        // write channels
        if (wr_do) {
            bvalid = true;
            bresp = mapped(word) ? 0u : 2u;
        } else if (in.bready) {
            bvalid = false;
        }
        if (aw_fire) aw_word = (in.awaddr >> 2) & word_mask();
        if (w_fire) {
            w_data = in.wdata;
            w_strb = in.wstrb;
        }
        aw_held = !wr_do && (aw_held || aw_fire);
        w_held = !wr_do && (w_held || w_fire);
        // status counters
        if (clear) {
            images_in = images_out = cycles = busy_cycles = in_stall = out_stall = beat = batch_cnt = 0;
        } else {
            const bool was_busy = busy();
            ++cycles;
            busy_cycles += was_busy;
            in_stall += in.in_valid && !in.in_ready;
            out_stall += in.out_valid && !in.out_ready;
            if (in_fire) {
                if (beat == uint32_t(bpi - 1)) {
                    beat = 0;
                    ++images_in;
                    ++cov_images_in;
                } else {
                    ++beat;
                }
            }
            if (image_done) {
                ++images_out;
                batch_cnt = batch_done ? 0u : batch_cnt + 1u;
            }
        }
        enable = en_d;
        sr = sr_d;
        irq_en = ien_d;
        batch_size = bs_d;
        irq_st = ist_d;
        interrupt = (ist_d & ien_d) != 0;
        up = true;
    }
};

struct WriteTx {
    uint32_t addr, data, strb;
    long aw_cycle = -1, w_cycle = -1;
};
struct ReadTx {
    uint32_t addr;
    bool after_reset;  // part of the read-everything sequence right after a reset
};
struct ReadRec {  // what the testbench saw in the cycle a read address was accepted
    uint32_t word;
    bool after_reset, sr, en;
    uint32_t exp_cycles, ctr;
    long cycle;
};

// The accelerator around the block: the generated top's gating and a toy datapath.
struct Streams {
    int bpi;
    std::mt19937_64 rng;
    std::uniform_real_distribution<double> u{0.0, 1.0};
    double p_in, p_out;
    // toy accelerator
    bool toy = true;
    bool src_valid = false;
    long beat = 0;
    struct Img {
        int beats;
        long ready_at;
    };
    std::deque<Img> imgs;
    bool dp_out_valid = false;
    bool room_stall = false;
    // random mode probabilities
    double pv_in = 0.5, pr_in = 0.5, pv_out = 0.5, pr_out = 0.5, p_last = 0.3;
    long segment_end = 0;
    long toy_images = 0, random_segments = 0, toy_segments = 0;

    Streams(int bpi_, uint64_t seed, double pi, double po) : bpi(bpi_), rng(seed), p_in(pi), p_out(po) {}
    void new_segment(long c) {
        toy = u(rng) < 0.6;
        segment_end = c + 1000 + long(rng() % 6000);
        if (toy) ++toy_segments;
        else {
            ++random_segments;
            pv_in = 0.1 + 0.8 * u(rng);
            pr_in = 0.1 + 0.8 * u(rng);
            pv_out = 0.1 + 0.8 * u(rng);
            pr_out = 0.1 + 0.8 * u(rng);
            p_last = 0.05 + 0.9 * u(rng);
        }
    }
    void dp_reset() {
        beat = 0;
        imgs.clear();
        dp_out_valid = false;
    }
    // Drive in_valid/in_ready/out_valid/out_ready/out_last for cycle c.
    void drive(long c, bool enable, bool sr, In& in) {
        if (c >= segment_end) new_segment(c);
        if (!toy) {
            in.in_valid = u(rng) < pv_in;
            in.in_ready = u(rng) < pr_in;
            in.out_valid = u(rng) < pv_out;
            in.out_ready = u(rng) < pr_out;
            in.out_last = u(rng) < p_last;
            return;
        }
        if (!src_valid) src_valid = !(u(rng) < p_in);
        room_stall = u(rng) < 0.1;
        const bool dp_ready = imgs.size() < 3 && !room_stall;
        if (!dp_out_valid && !imgs.empty() && imgs.front().ready_at <= c) dp_out_valid = true;
        in.in_valid = src_valid;
        in.in_ready = sr || (enable && dp_ready);  // as the generated top
        in.out_valid = dp_out_valid && !sr;
        in.out_ready = !(u(rng) < p_out);
        in.out_last = dp_out_valid && imgs.front().beats == 1;
    }
    // After the edge: the handshakes of cycle c; core_rst_n as it was in cycle c.
    void after(long c, const In& in, bool core_rst_n, bool sr) {
        if (!toy) return;
        const bool in_fire = in.in_valid && in.in_ready, out_fire = in.out_valid && in.out_ready;
        if (in_fire) src_valid = false;
        if (!core_rst_n) {
            dp_reset();
            return;
        }
        if (in_fire && !sr) {
            if (++beat == bpi) {
                beat = 0;
                imgs.push_back({1 + int(rng() % 3), c + long(rng() % 31)});
                ++toy_images;
            }
        }
        if (out_fire) {
            dp_out_valid = false;
            if (--imgs.front().beats == 0) imgs.pop_front();
        }
    }
};

}  // namespace

int main(int argc, char** argv) {
    auto ctx = std::make_unique<VerilatedContext>();
    ctx->commandArgs(argc, argv);
    tb::Args a(argc, argv);
    const int nctr = int(a.req("COUNTERS")), aw = int(a.req("AW")), bpi = int(a.req("BPI"));
    const uint32_t version = uint32_t(std::strtoul(a.s("VERSION", "0").c_str(), nullptr, 0));
    const uint32_t hash = uint32_t(std::strtoul(a.s("HASH", "0").c_str(), nullptr, 0));
    const long n = a.i("n", 50000);
    const double p_axi = a.d("p_axi", 0.0), p_in = a.d("p_in", 0.0), p_out = a.d("p_out", 0.0);
    const uint64_t seed = uint64_t(a.i("seed", 1));
    const int word_w = aw - 2;
    const uint32_t words_total = 1u << word_w, num_words = uint32_t(16 + nctr);
    const bool has_unmapped = num_words < words_total;

    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    auto u = [&]() { return u01(rng); };
    auto delay = [&]() {
        long k = 0;
        while (p_axi > 0.0 && u() < p_axi && k < 12) ++k;
        return k;
    };

    auto m = std::make_unique<Vaxi_lite_ctrl>(ctx.get());
    tb::Harness<Vaxi_lite_ctrl> h(*m);
    tb::Checker chk;
    auto at = [&](const std::string& what) { return "cycle " + std::to_string(h.cycle()) + ": " + what; };
    auto hex = [](uint32_t v) {
        char b[16];
        std::snprintf(b, sizeof b, "0x%08x", v);
        return std::string(b);
    };

    Model md;
    md.nctr = nctr;
    md.bpi = bpi;
    md.word_w = word_w;
    md.version = version;
    md.hash = hash;
    Streams st(bpi, seed + 7, p_in, p_out);

    In in;
    in.ctr.assign(size_t(nctr), 0u);
    for (auto& v : in.ctr) v = uint32_t(rng());
    auto apply = [&]() {
        m->rst_n = in.rst_n;
        m->s_axi_ctrl_awaddr = in.awaddr;
        m->s_axi_ctrl_awprot = uint32_t(rng() % 8);
        m->s_axi_ctrl_awvalid = in.awvalid;
        m->s_axi_ctrl_wdata = in.wdata;
        m->s_axi_ctrl_wstrb = in.wstrb;
        m->s_axi_ctrl_wvalid = in.wvalid;
        m->s_axi_ctrl_bready = in.bready;
        m->s_axi_ctrl_araddr = in.araddr;
        m->s_axi_ctrl_arprot = uint32_t(rng() % 8);
        m->s_axi_ctrl_arvalid = in.arvalid;
        m->s_axi_ctrl_rready = in.rready;
        m->in_valid = in.in_valid;
        m->in_ready = in.in_ready;
        m->out_valid = in.out_valid;
        m->out_ready = in.out_ready;
        m->out_last = in.out_last;
        Bits c(32 * nctr);
        for (int i = 0; i < nctr; ++i) c.set_field(32 * i, 32, in.ctr[size_t(i)]);
        tb::put_port(m->counters, c);
    };

    // Master state.
    std::vector<WriteTx> wr;
    size_t aw_i = 0, w_i = 0, b_i = 0;
    bool awv = false, wv = false;
    long aw_wait = -1, w_wait = -1;
    std::vector<ReadTx> rd;
    size_t ar_i = 0, r_i = 0;
    bool arv = false;
    long ar_wait = -1;
    std::deque<ReadRec> rrec;
    std::deque<ReadTx> directed;  // reads to issue before anything else (after a reset)
    int sr_release_in = -1;       // writes until the soft reset is released (-1: none pending)
    long next_sr = 2000;          // no soft reset before this cycle (images of BPI beats must finish)
    long write_gap = 0;           // idle cycles before the next write is generated
    long reset_reads_open = 0;    // reads of the after-reset sequence whose address is not yet taken
    bool gen = true;              // generate new transactions
    bool want_hard_reset = false, hard_reset_done = false;
    int reset_cycles_left = 0;

    // coverage and counts
    long n_wr = 0, n_rd = 0, n_slverr_w = 0, n_slverr_r = 0, n_ro_w = 0, n_partial = 0, n_empty_strb = 0;
    long n_aw_first = 0, n_w_first = 0, n_together = 0, n_cycles_reads = 0, n_sr_reads = 0, n_hard_resets = 0;

    auto push_reset_reads = [&]() {
        for (uint32_t w = 0; w < num_words; ++w) directed.push_back({(w << 2) | uint32_t(rng() % 4), true});
        if (has_unmapped) directed.push_back({(num_words + uint32_t(rng() % (words_total - num_words))) << 2, true});
        reset_reads_open = long(directed.size());
    };
    auto rand_unmapped = [&]() { return num_words + uint32_t(rng() % (words_total - num_words)); };
    auto gen_write = [&]() {
        WriteTx t{};
        uint32_t word;
        uint32_t data = uint32_t(rng());
        uint32_t strb = 0xF;
        if (u() < 0.25) strb = uint32_t(rng() % 16);
        const unsigned r = unsigned(rng() % 100);
        if (sr_release_in == 0) {
            word = CONTROL;
            data = (data & ~3u) | (u() < 0.8 ? 1u : 0u);
            strb |= 1u;
            sr_release_in = -1;
        } else if (r < 12) {
            word = IRQ_ENABLE;
        } else if (r < 32) {
            word = IRQ_STATUS;
        } else if (r < 44) {
            word = BATCH_SIZE;
            const double v = u();
            const uint32_t val = v < 0.12 ? 0u : v < 0.75 ? 1u + uint32_t(rng() % 5) : v < 0.92 ? 6u + uint32_t(rng() % 15) : uint32_t(rng());
            if (u() < 0.7) {  // keep the other bytes 0 (strobes as drawn otherwise)
                data = val;
                if (u() < 0.8) strb = 0xF;
            } else {
                data = (data & 0xFFFFFF00u) | (val & 0xFFu);
            }
        } else if (r < 52) {
            word = CONTROL;
            data = (data & ~3u) | (u() < 0.8 ? 1u : 0u);
        } else if (r < 55 && h.cycle() >= next_sr) {
            word = CONTROL;  // soft reset
            next_sr = h.cycle() + 3000 + long(rng() % 6000);
            data = (data & ~3u) | 2u | (u() < 0.5 ? 1u : 0u);
            strb |= 1u;
        } else if (r < 75 && r >= 55) {
            static const uint32_t ro[] = {ID, VERSION, HASH, STATUS, IMAGES_IN, IMAGES_OUT, CYCLES, BUSY_CYCLES,
                                          IN_STALL, OUT_STALL, COUNTER_COUNT, BEATS};
            word = u() < 0.7 ? ro[rng() % 12] : COUNTER0 + uint32_t(rng() % uint64_t(nctr));
        } else if (r < 87 && has_unmapped) {
            word = rand_unmapped();
        } else {
            word = uint32_t(rng() % words_total);
            if (word == CONTROL) data &= ~2u;  // soft resets come from the branches above
        }
        if (word == CONTROL && (strb & 1u) && (data & 2u)) sr_release_in = 1 + int(rng() % 4);
        else if (sr_release_in > 0) --sr_release_in;
        t.addr = (word << 2) | uint32_t(rng() % 4);
        t.data = data;
        t.strb = strb;
        wr.push_back(t);
    };
    auto gen_read = [&]() {
        uint32_t word;
        const unsigned r = unsigned(rng() % 100);
        if (r < 20) word = CYCLES;
        else if (r < 28) word = STATUS;
        else if (r < 38) word = IRQ_STATUS;
        else if (r < 46) word = IMAGES_IN + uint32_t(rng() % 2);
        else if (r < 56) word = BUSY_CYCLES + uint32_t(rng() % 3);
        else if (r < 76) word = uint32_t(rng() % num_words);
        else if (r < 88) word = COUNTER0 + uint32_t(rng() % uint64_t(nctr));
        else word = has_unmapped ? rand_unmapped() : uint32_t(rng() % num_words);
        rd.push_back({(word << 2) | uint32_t(rng() % 4), false});
    };

    // Reset.
    in.rst_n = false;
    apply();
    h.reset();
    in.rst_n = true;
    md.reset();
    st.dp_reset();
    push_reset_reads();

    bool prev_in_reset = true;
    long release = -1;
    bool b_pend = false, r_pend = false;
    uint32_t b_held = 0, r_held_data = 0, r_held_resp = 0;
    const long limit = n + 200000;
    long c = 0;
    for (; c < limit; ++c) {
        const long cyc = h.cycle();
        // ---- clk low: drive the inputs
        if (cyc >= n) gen = false;
        if (!hard_reset_done && cyc >= n / 2) want_hard_reset = true;
        const bool master_idle = b_i == wr.size() && r_i == rd.size() && !awv && !wv && !arv && directed.empty();
        if (want_hard_reset && master_idle && reset_cycles_left == 0 && !hard_reset_done) {
            reset_cycles_left = 1 + int(rng() % 3);
            hard_reset_done = true;
            want_hard_reset = false;
            ++n_hard_resets;
        }
        in.rst_n = reset_cycles_left == 0;
        const bool quiet = want_hard_reset || !in.rst_n;  // no new transactions
        if (!in.rst_n) {
            --reset_cycles_left;
            if (reset_cycles_left == 0) push_reset_reads();
        }
        // new transactions
        if (write_gap > 0) --write_gap;
        if (gen && !quiet && reset_reads_open == 0 && wr.size() < b_i + 2 && write_gap == 0) {
            gen_write();
            write_gap = u() < 0.5 ? 0 : long(rng() % 60);
        }
        if ((gen || !directed.empty()) && !quiet && rd.size() < r_i + 2) {
            if (!directed.empty()) {
                if (b_i == wr.size()) {  // the reset reads go first, with no write in flight
                    rd.push_back(directed.front());
                    directed.pop_front();
                }
            } else if (p_axi == 0.0 || u() < 0.4) {
                gen_read();
            }
        }
        // AW, W, AR valids (each held until its handshake)
        if (!awv && aw_i < wr.size() && in.rst_n) {
            if (aw_wait < 0) aw_wait = delay();
            if (aw_wait == 0) awv = true;
            else --aw_wait;
        }
        if (!wv && w_i < wr.size() && in.rst_n) {
            if (w_wait < 0) w_wait = delay();
            if (w_wait == 0) wv = true;
            else --w_wait;
        }
        if (!arv && ar_i < rd.size() && in.rst_n) {
            if (ar_wait < 0) ar_wait = delay();
            if (ar_wait == 0) arv = true;
            else --ar_wait;
        }
        in.awvalid = awv;
        in.wvalid = wv;
        in.arvalid = arv;
        in.awaddr = awv ? wr[aw_i].addr : uint32_t(rng()) & ((1u << word_w << 2) - 1u);
        in.wdata = wv ? wr[w_i].data : uint32_t(rng());
        in.wstrb = wv ? wr[w_i].strb : uint32_t(rng() % 16);
        in.araddr = arv ? rd[ar_i].addr : uint32_t(rng()) & ((1u << word_w << 2) - 1u);
        in.bready = p_axi == 0.0 || !(u() < p_axi);
        in.rready = p_axi == 0.0 || !(u() < p_axi);
        const bool enable_out = m->enable, sr_out = m->soft_reset;
        if (reset_reads_open > 0 || !in.rst_n) {  // streams idle from a reset until its reads are taken
            in.in_valid = in.in_ready = in.out_valid = in.out_ready = in.out_last = false;
        } else {
            st.drive(cyc, enable_out, sr_out, in);
        }
        for (auto& v : in.ctr)
            if (u() < 0.1) v = u() < 0.5 ? v + 1u : uint32_t(rng());
        apply();
        h.low();

        // ---- outputs of this cycle: against the model, and the checks without it
        const bool awready = m->s_axi_ctrl_awready, wready = m->s_axi_ctrl_wready, arready = m->s_axi_ctrl_arready;
        const bool bvalid = m->s_axi_ctrl_bvalid, rvalid = m->s_axi_ctrl_rvalid;
        const uint32_t bresp = m->s_axi_ctrl_bresp, rresp = m->s_axi_ctrl_rresp, rdata = m->s_axi_ctrl_rdata;
        const bool irq = m->irq;
        if (awready != md.awready()) chk.fail(at("awready " + std::to_string(awready)));
        if (wready != md.wready()) chk.fail(at("wready " + std::to_string(wready)));
        if (arready != md.arready()) chk.fail(at("arready " + std::to_string(arready)));
        if (bvalid != md.bvalid) chk.fail(at("bvalid " + std::to_string(bvalid)));
        if (bvalid && bresp != md.bresp) chk.fail(at("bresp " + std::to_string(bresp) + ", model " + std::to_string(md.bresp)));
        if (rvalid != md.rvalid) chk.fail(at("rvalid " + std::to_string(rvalid)));
        if (rvalid && (rdata != md.rdata || rresp != md.rresp))
            chk.fail(at("rdata " + hex(rdata) + " rresp " + std::to_string(rresp) + ", model " + hex(md.rdata) + " " +
                        std::to_string(md.rresp)));
        if (enable_out != md.enable) chk.fail(at("enable " + std::to_string(enable_out)));
        if (sr_out != md.sr) chk.fail(at("soft_reset " + std::to_string(sr_out)));
        if (irq != md.interrupt) chk.fail(at("interrupt " + std::to_string(irq)));
        if (bool(m->core_rst_n) != (in.rst_n && !sr_out)) chk.fail(at("core_rst_n != rst_n && !soft_reset"));
        // protocol: valid held with stable payload until the handshake
        if (b_pend && (!bvalid || bresp != b_held)) chk.fail(at("BVALID dropped or BRESP changed before BREADY"));
        if (r_pend && (!rvalid || rdata != r_held_data || rresp != r_held_resp))
            chk.fail(at("RVALID dropped or RDATA/RRESP changed before RREADY"));
        b_pend = bvalid && !in.bready;
        b_held = bresp;
        r_pend = rvalid && !in.rready;
        r_held_data = rdata;
        r_held_resp = rresp;
        // CYCLES without the model: 0 in the first cycle out of reset / soft reset, +1 per edge
        const bool in_reset = !in.rst_n || sr_out;
        if (!in_reset && prev_in_reset) release = cyc;
        prev_in_reset = in_reset;
        const uint32_t exp_cycles = in_reset ? 0u : uint32_t(cyc - release);

        const bool aw_fire = in.awvalid && awready, w_fire = in.wvalid && wready, ar_fire = in.arvalid && arready;
        const bool b_fire = bvalid && in.bready, r_fire = rvalid && in.rready;
        if (!in.rst_n && (aw_fire || w_fire || ar_fire)) chk.fail(at("handshake in reset"));
        if (ar_fire) {
            const uint32_t word = (in.araddr >> 2) & md.word_mask();
            const uint32_t cv = word >= COUNTER0 && word < num_words ? in.ctr[word - COUNTER0] : 0u;
            rrec.push_back({word, rd[ar_i].after_reset, sr_out, enable_out, exp_cycles, cv, cyc});
        }
        md.edge(in);
        const bool core_rst_before = m->core_rst_n;
        h.high();

        // ---- after the edge: the master and the streams
        if (!(reset_reads_open > 0 || !in.rst_n) || !core_rst_before) st.after(cyc, in, core_rst_before, sr_out);
        if (aw_fire) {
            wr[aw_i].aw_cycle = cyc;
            ++aw_i;
            awv = false;
            aw_wait = -1;
        }
        if (w_fire) {
            wr[w_i].w_cycle = cyc;
            ++w_i;
            wv = false;
            w_wait = -1;
        }
        if (ar_fire) {
            if (rd[ar_i].after_reset) --reset_reads_open;
            ++ar_i;
            arv = false;
            ar_wait = -1;
        }
        if (b_fire) {
            if (b_i >= std::min(aw_i, w_i)) {
                chk.fail(at("B response without a write whose AW and W were both taken"));
            } else {
                const WriteTx& t = wr[b_i];
                const uint32_t word = (t.addr >> 2) & md.word_mask();
                const uint32_t want = word < num_words ? 0u : 2u;
                if (bresp != want)
                    chk.fail(at("write " + std::to_string(b_i) + " to word " + std::to_string(word) + ": BRESP " +
                                std::to_string(bresp) + ", expected " + std::to_string(want)));
                n_slverr_w += want == 2u;
                n_ro_w += word < num_words && word != CONTROL && word != IRQ_ENABLE && word != IRQ_STATUS &&
                          word != BATCH_SIZE;
                n_partial += t.strb != 0xFu && t.strb != 0u;
                n_empty_strb += t.strb == 0u;
                // without stalls: B taken 2 cycles after the later of AW and W (README "Timing")
                if (p_axi == 0.0 && cyc != std::max(t.aw_cycle, t.w_cycle) + 2)
                    chk.fail(at("write " + std::to_string(b_i) + ": B at +" + std::to_string(cyc - std::max(t.aw_cycle, t.w_cycle)) +
                                " cycles after its AW and W, expected +2"));
                if (t.aw_cycle < t.w_cycle) ++n_aw_first;
                else if (t.w_cycle < t.aw_cycle) ++n_w_first;
                else ++n_together;
                ++n_wr;
            }
            ++b_i;
        }
        if (r_fire) {
            if (rrec.empty()) {
                chk.fail(at("R response without a read"));
            } else {
                const ReadRec rr = rrec.front();
                rrec.pop_front();
                if (p_axi == 0.0 && cyc != rr.cycle + 1)
                    chk.fail(at("read: R at +" + std::to_string(cyc - rr.cycle) + " cycles after its AR, expected +1"));
                const uint32_t w = rr.word;
                const std::string what = "read of " + std::string(reg_name(w)) + " (word " + std::to_string(w) +
                                         ", address accepted at cycle " + std::to_string(rr.cycle) + "): ";
                auto expect = [&](uint32_t v, const char* why) {
                    if (rdata != v) chk.fail(at(what + hex(rdata) + ", expected " + hex(v) + " (" + why + ")"));
                };
                if (w >= num_words) {
                    if (rresp != 2u || rdata != 0u) chk.fail(at(what + "expected SLVERR with data 0"));
                    ++n_slverr_r;
                } else {
                    if (rresp != 0u) chk.fail(at(what + "RRESP " + std::to_string(rresp)));
                    switch (w) {
                    case ID: expect(kId, "ID"); break;
                    case VERSION: expect(version, "VERSION"); break;
                    case HASH: expect(hash, "NETWORK_HASH"); break;
                    case COUNTER_COUNT: expect(uint32_t(nctr), "COUNTERS"); break;
                    case BEATS: expect(uint32_t(bpi), "BEATS_PER_IMAGE"); break;
                    case CONTROL:
                        expect(uint32_t(rr.en) | uint32_t(rr.sr) << 1, "enable, soft_reset outputs");
                        if (rr.after_reset) expect(1u, "reset value");
                        break;
                    case STATUS:
                        if ((rdata & ~1u) != (uint32_t(rr.sr) << 1 | uint32_t(rr.en) << 2))
                            chk.fail(at(what + hex(rdata) + " disagrees with the enable / soft_reset outputs"));
                        break;
                    case CYCLES:
                        expect(rr.exp_cycles, "cycles since the release of reset / soft reset");
                        ++n_cycles_reads;
                        break;
                    case IRQ_ENABLE:
                    case IRQ_STATUS:
                        if (rdata & ~3u) chk.fail(at(what + "bits 31:2 not 0"));
                        if (rr.after_reset) expect(0u, "reset value");
                        break;
                    case IMAGES_IN:
                    case IMAGES_OUT:
                    case BUSY_CYCLES:
                    case IN_STALL:
                    case OUT_STALL:
                        if (rr.after_reset) expect(0u, "reset value, streams idle since the reset");
                        break;
                    case BATCH_SIZE:
                        if (rr.after_reset) expect(1u, "reset value");
                        break;
                    default:
                        if (w >= COUNTER0) expect(rr.ctr, "counters input in that cycle");
                        break;
                    }
                    if (rr.sr && ((w >= IMAGES_IN && w <= OUT_STALL) || w == IRQ_STATUS)) {
                        expect(0u, "held at 0 during soft reset");
                        ++n_sr_reads;
                    }
                }
                ++n_rd;
            }
            ++r_i;
        }
        const bool done = !gen && b_i == wr.size() && r_i == rd.size() && directed.empty() && !awv && !wv && !arv;
        if (done) break;
    }
    if (c >= limit) chk.fail(at("timeout: transactions not answered"));
    // Idle: no further response may come.
    for (int k = 0; k < 20; ++k) {
        in.awvalid = in.wvalid = in.arvalid = false;
        in.bready = in.rready = true;
        apply();
        h.low();
        if (m->s_axi_ctrl_bvalid || m->s_axi_ctrl_rvalid) chk.fail(at("response without a request"));
        h.high();
    }
    m->final();

    // Coverage.
    auto need = [&](long v, const char* what) {
        if (v <= 0) chk.fail(std::string("coverage: no ") + what);
    };
    need(n_wr, "writes");
    need(n_rd, "reads");
    need(md.cov_image_ev, "image event");
    need(md.cov_images_in, "complete input image");
    need(md.cov_batch_ev, "batch event");
    need(md.cov_batch_gt1, "batch event with BATCH_SIZE > 1");
    need(md.cov_batch0_images, "finished image with BATCH_SIZE 0");
    need(md.cov_set_wins, "event in the same edge as its W1C clear");
    need(md.cov_clear, "W1C clear");
    need(md.cov_irq_rise, "interrupt rise");
    need(md.cov_sr_enter, "soft reset");
    need(md.cov_busy, "busy cycle");
    need(md.cov_in_stall, "in stall cycle");
    need(md.cov_out_stall, "out stall cycle");
    need(n_sr_reads, "counter read during soft reset");
    need(n_cycles_reads, "CYCLES read");
    need(n_partial, "partial WSTRB");
    need(n_ro_w, "read-only write");
    need(n_hard_resets, "reset in the run");
    if (has_unmapped) {
        need(n_slverr_r, "SLVERR read");
        need(n_slverr_w, "SLVERR write");
    }
    if (p_axi > 0.0) {
        need(n_aw_first, "write with AW before W");
        need(n_w_first, "write with W before AW");
    }
    need(n_together, "write with AW and W together");

    char name[200], summary[600];
    std::snprintf(name, sizeof name, "axi_lite_ctrl COUNTERS=%d ADDR_WIDTH=%d BPI=%d p_axi=%.2f p_in=%.2f p_out=%.2f seed=%llu",
                  nctr, aw, bpi, p_axi, p_in, p_out, static_cast<unsigned long long>(seed));
    std::snprintf(summary, sizeof summary,
                  "%ld cycles, %ld writes (AW first %ld, W first %ld, together %ld; %ld SLVERR, %ld read-only, %ld "
                  "partial WSTRB, %ld empty), %ld reads (%ld SLVERR, %ld CYCLES, %ld during soft reset); images in %ld, "
                  "out %ld (image events); events: batch %ld (%ld with BATCH_SIZE > 1), set-wins %ld, "
                  "interrupt rises %ld, soft resets %ld, resets %ld",
                  h.cycle(), n_wr, n_aw_first, n_w_first, n_together, n_slverr_w, n_ro_w, n_partial, n_empty_strb, n_rd,
                  n_slverr_r, n_cycles_reads, n_sr_reads, md.cov_images_in, md.cov_image_ev, md.cov_batch_ev,
                  md.cov_batch_gt1, md.cov_set_wins, md.cov_irq_rise, md.cov_sr_enter, n_hard_resets + 1);
    return tb::report(name, chk, summary);
}
