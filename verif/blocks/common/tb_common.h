// Reusable parts of the block testbenches: arbitrary-width bit vectors, port access for every
// Verilator port type (CData/SData/IData/QData/VlWide), key=value command-line parameters, a
// stream source and a stream sink with random stalls and protocol checks, and result reporting.
//
// The clocking convention of every testbench (see Harness::cycle):
//   clk low: drive valid/data/ready from source and sink, eval, sample the handshakes;
//   clk high: eval; the sampled transfers are the ones that happened at this rising edge.
#pragma once

#include <verilated.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace tb {

// ---------------------------------------------------------------------------------------------
// Bits: little-endian vector of 32-bit words, fixed width; bit i of the value is bit i % 32 of
// word i / 32, like Verilator's wide signals.
class Bits {
public:
    Bits() = default;
    explicit Bits(int width) : width_(width), w_((width + 31) / 32, 0u) {}

    int width() const { return width_; }
    bool get(int i) const { return (w_[i / 32] >> (i % 32)) & 1u; }
    void set(int i, bool v) {
        if (v) w_[i / 32] |= (1u << (i % 32));
        else w_[i / 32] &= ~(1u << (i % 32));
    }
    // Field of up to 64 bits at [lsb +: n].
    uint64_t field(int lsb, int n) const {
        uint64_t v = 0;
        for (int i = 0; i < n; ++i) v |= uint64_t(get(lsb + i)) << i;
        return v;
    }
    void set_field(int lsb, int n, uint64_t v) {
        for (int i = 0; i < n; ++i) set(lsb + i, (v >> i) & 1u);
    }
    Bits slice(int lsb, int n) const {
        Bits r(n);
        for (int i = 0; i < n; ++i) r.set(i, get(lsb + i));
        return r;
    }
    void put(int lsb, const Bits& b) {
        for (int i = 0; i < b.width(); ++i) set(lsb + i, b.get(i));
    }
    uint32_t word(int k) const { return k < int(w_.size()) ? w_[k] : 0u; }
    void set_word(int k, uint32_t v) {
        if (k >= int(w_.size())) return;
        w_[k] = v;
        mask_top();
    }
    bool operator==(const Bits& o) const { return width_ == o.width_ && w_ == o.w_; }
    bool operator!=(const Bits& o) const { return !(*this == o); }

    static Bits random(int width, std::mt19937_64& rng) {
        Bits b(width);
        for (auto& x : b.w_) x = uint32_t(rng());
        b.mask_top();
        return b;
    }
    static Bits ones(int width) {
        Bits b(width);
        for (int i = 0; i < width; ++i) b.set(i, true);
        return b;
    }
    std::string hex() const {
        static const char* d = "0123456789abcdef";
        std::string s;
        for (int i = ((width_ + 3) / 4) - 1; i >= 0; --i) s += d[field(i * 4, std::min(4, width_ - i * 4))];
        return s.empty() ? "0" : s;
    }

private:
    void mask_top() {
        if (width_ % 32 && !w_.empty()) w_.back() &= (1u << (width_ % 32)) - 1u;
    }
    int width_ = 0;
    std::vector<uint32_t> w_;
};

// ---------------------------------------------------------------------------------------------
// Port access. Narrow ports are integers; wide ports are VlWide<N>.
template <typename T>
inline void put_port(T& port, const Bits& b) {
    uint64_t v = uint64_t(b.word(0)) | (uint64_t(b.word(1)) << 32);
    port = T(v);
}
template <std::size_t N>
inline void put_port(VlWide<N>& port, const Bits& b) {
    for (std::size_t k = 0; k < N; ++k) port[k] = b.word(int(k));
}
template <typename T>
inline Bits get_port(const T& port, int width) {
    Bits b(width);
    uint64_t v = uint64_t(port);
    b.set_word(0, uint32_t(v));
    b.set_word(1, uint32_t(v >> 32));
    return b;
}
template <std::size_t N>
inline Bits get_port(const VlWide<N>& port, int width) {
    Bits b(width);
    for (std::size_t k = 0; k < N; ++k) b.set_word(int(k), port[k]);
    return b;
}

// A $readmemh image: one word per line, most significant digit first; exits 2 if it cannot write.
inline void write_hex(const std::string& path, const std::vector<Bits>& words) {
    std::ofstream f(path);
    for (const auto& w : words) f << w.hex() << "\n";
    if (!f) {
        std::fprintf(stderr, "cannot write %s\n", path.c_str());
        std::exit(2);
    }
}

// A popcount-domain threshold (PARAM_WIDTH = `width` signed bits) for a lane with `kept` kept
// taps: mostly the P of a typical input +-1, so that both outputs occur (`typical()` gives that
// P), sometimes an edge: always 1 (0, or any negative value) or always 0 (kept + 1, the largest).
template <typename Typical>
inline int64_t draw_threshold(std::mt19937_64& rng, int width, int64_t kept, Typical typical) {
    const int64_t pmax = (int64_t(1) << (width - 1)) - 1, pmin = -(int64_t(1) << (width - 1));
    const int kind = int(rng() % 12);
    int64_t v;
    if (kind == 0) v = 0;                                             // always 1
    else if (kind == 1) v = -int64_t(rng() % uint64_t(-pmin)) - 1;    // always 1, negative
    else if (kind == 2) v = kept + 1;                                 // always 0 (tight)
    else if (kind == 3) v = pmax;                                     // always 0
    else v = typical() + int64_t(rng() % 3) - 1;
    return v < pmin ? pmin : v > pmax ? pmax : v;
}

// ---------------------------------------------------------------------------------------------
// key=value arguments (Verilator's own +verilator+ arguments are skipped).
class Args {
public:
    Args(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            if (a.rfind("+verilator", 0) == 0) continue;
            auto eq = a.find('=');
            if (eq == std::string::npos) {
                std::fprintf(stderr, "bad argument '%s' (expected key=value)\n", a.c_str());
                std::exit(2);
            }
            kv_[a.substr(0, eq)] = a.substr(eq + 1);
        }
    }
    long i(const std::string& k, long def) const {
        auto it = kv_.find(k);
        return it == kv_.end() ? def : std::strtol(it->second.c_str(), nullptr, 0);
    }
    long req(const std::string& k) const {
        auto it = kv_.find(k);
        if (it == kv_.end()) {
            std::fprintf(stderr, "missing argument %s=...\n", k.c_str());
            std::exit(2);
        }
        return std::strtol(it->second.c_str(), nullptr, 0);
    }
    double d(const std::string& k, double def) const {
        auto it = kv_.find(k);
        return it == kv_.end() ? def : std::strtod(it->second.c_str(), nullptr);
    }
    std::string s(const std::string& k, const std::string& def) const {
        auto it = kv_.find(k);
        return it == kv_.end() ? def : it->second;
    }

private:
    std::map<std::string, std::string> kv_;
};

// ---------------------------------------------------------------------------------------------
// Failure collection: the first few messages are printed, all are counted.
struct Checker {
    long errors = 0;
    void fail(const std::string& msg) {
        if (errors < 10) std::printf("  MISMATCH: %s\n", msg.c_str());
        ++errors;
    }
};

// Source: offers queued beats; with probability p_stall it withholds valid in a cycle where it
// is free to choose. Once valid is up it stays up, with the same data, until the transfer.
class Source {
public:
    Source(double p_stall, uint64_t seed) : p_(p_stall), rng_(seed) {}
    void push(const Bits& b) { q_.push_back(b); }
    // Decide valid for this cycle (call with clk low, before eval).
    bool drive() {
        if (!valid_ && !q_.empty()) valid_ = !(dist_(rng_) < p_);
        return valid_;
    }
    const Bits& data() const { return q_.front(); }
    bool valid() const { return valid_; }
    // Call after the rising edge with the sampled handshake.
    void after_edge(bool fired) {
        if (fired) {
            q_.pop_front();
            valid_ = false;
            ++sent_;
        }
    }
    bool empty() const { return q_.empty(); }
    long sent() const { return sent_; }

private:
    double p_;
    std::mt19937_64 rng_;
    std::uniform_real_distribution<double> dist_{0.0, 1.0};
    std::deque<Bits> q_;
    bool valid_ = false;
    long sent_ = 0;
};

// Sink: ready is low with probability p_stall each cycle. Checks that a valid beat that was not
// taken stays valid with the same data in the next cycle.
class Sink {
public:
    Sink(double p_stall, uint64_t seed) : p_(p_stall), rng_(seed) {}
    bool drive() {
        ready_ = !(dist_(rng_) < p_);
        return ready_;
    }
    bool ready() const { return ready_; }
    // Call with clk low after eval with the output's valid and data; returns true on transfer.
    bool sample(bool valid, const Bits& data, Checker& chk, long cycle) {
        if (pending_ && !valid) chk.fail("cycle " + std::to_string(cycle) + ": valid dropped before transfer");
        if (pending_ && valid && data != held_)
            chk.fail("cycle " + std::to_string(cycle) + ": data changed while valid and not ready");
        bool fired = valid && ready_;
        pending_ = valid && !ready_;
        if (pending_) held_ = data;
        return fired;
    }

private:
    double p_;
    std::mt19937_64 rng_;
    std::uniform_real_distribution<double> dist_{0.0, 1.0};
    bool ready_ = true;
    bool pending_ = false;
    Bits held_;
};

// ---------------------------------------------------------------------------------------------
// Clock/reset driver for a Verilated model with ports clk and rst_n.
template <typename M>
class Harness {
public:
    explicit Harness(M& m) : m_(m) {}
    void reset(int cycles = 4) {
        m_.rst_n = 0;
        for (int i = 0; i < cycles; ++i) edge();
        m_.rst_n = 1;
    }
    // The half cycle with clk low: call drive functions, then low() evaluates.
    void low() {
        m_.clk = 0;
        m_.eval();
    }
    void high() {
        m_.clk = 1;
        m_.eval();
        ++cycle_;
    }
    void edge() {
        low();
        high();
    }
    long cycle() const { return cycle_; }

private:
    M& m_;
    long cycle_ = 0;
};

inline int report(const std::string& name, const Checker& chk, const std::string& summary) {
    if (chk.errors == 0) {
        std::printf("PASS %s: %s\n", name.c_str(), summary.c_str());
        return 0;
    }
    std::printf("FAIL %s: %ld error(s); %s\n", name.c_str(), chk.errors, summary.c_str());
    return 1;
}

}  // namespace tb
