// Reusable AXI-Stream source and sink for Verilator testbenches, with random stalls.
//
// Both are driven from the testbench loop in two phases per clock cycle, before the rising edge:
//   drive()   sets the outputs (tvalid/tdata/tlast for a source, tready for a sink) for this cycle;
//   observe() after eval(), before the edge, records whether a beat transfers (tvalid && tready).
// A source holds its beat until it is taken (AXI-Stream rule: tvalid never drops before tready).
#pragma once

#include <verilated.h>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace bnngen_sim {

// One beat's data as 32-bit words, least significant first (Verilator's VlWide order).
using Words = std::vector<uint32_t>;

// Writes words into a Verilator port of any width (CData/SData/IData/QData or VlWide).
template <typename Port>
void put_words(Port& port, const Words& words) {
    if constexpr (sizeof(Port) <= 8) {
        uint64_t value = 0;
        for (size_t i = 0; i < words.size() && i < 2; ++i) {
            value |= static_cast<uint64_t>(words[i]) << (32 * i);
        }
        port = static_cast<Port>(value);
    } else {
        for (size_t i = 0; i < sizeof(Port) / 4; ++i) {
            port[i] = i < words.size() ? words[i] : 0U;
        }
    }
}

template <typename Port>
Words get_words(const Port& port) {
    Words words;
    if constexpr (sizeof(Port) <= 8) {
        auto value = static_cast<uint64_t>(port);
        words.push_back(static_cast<uint32_t>(value));
        words.push_back(static_cast<uint32_t>(value >> 32));
    } else {
        for (size_t i = 0; i < sizeof(Port) / 4; ++i) {
            words.push_back(port[i]);
        }
    }
    return words;
}

struct Beat {
    Words data;
    bool last = false;
};

class AxisSource {
public:
    AxisSource(double stall_probability, uint64_t seed) : stall_(stall_probability), rng_(seed) {}
    void push(Beat beat) { queue_.push_back(std::move(beat)); }
    [[nodiscard]] bool empty() const { return queue_.empty(); }
    [[nodiscard]] uint64_t sent() const { return sent_; }
    // Abandons the queued beats (an aborted transfer: the design is in soft reset and drops input).
    void clear() {
        queue_.clear();
        presenting_ = false;
    }

    // Decides this cycle's tvalid; keeps it while a beat waits for tready.
    template <typename Data>
    void drive(uint8_t& tvalid, Data& tdata, uint8_t& tlast) {
        if (!presenting_ && !queue_.empty() && !stall()) {
            presenting_ = true;
        }
        tvalid = presenting_ ? 1 : 0;
        if (presenting_) {
            put_words(tdata, queue_.front().data);
            tlast = queue_.front().last ? 1 : 0;
        }
    }
    // Returns true when the presented beat transferred this cycle.
    bool observe(uint8_t tvalid, uint8_t tready) {
        if (tvalid && tready && presenting_) {
            queue_.pop_front();
            presenting_ = false;
            ++sent_;
            return true;
        }
        return false;
    }

private:
    bool stall() { return stall_ > 0 && std::bernoulli_distribution(stall_)(rng_); }
    double stall_;
    std::mt19937_64 rng_;
    std::deque<Beat> queue_;
    bool presenting_ = false;
    uint64_t sent_ = 0;
};

class AxisSink {
public:
    AxisSink(double stall_probability, uint64_t seed) : stall_(stall_probability), rng_(seed) {}
    void drive(uint8_t& tready) { tready = stall() ? 0 : 1; }
    template <typename Data>
    bool observe(uint8_t tvalid, uint8_t tready, const Data& tdata, uint8_t tlast) {
        if (tvalid && tready) {
            beats_.push_back(Beat{get_words(tdata), tlast != 0});
            return true;
        }
        return false;
    }
    [[nodiscard]] const std::vector<Beat>& beats() const { return beats_; }
    void clear() { beats_.clear(); }

private:
    bool stall() { return stall_ > 0 && std::bernoulli_distribution(stall_)(rng_); }
    double stall_;
    std::mt19937_64 rng_;
    std::vector<Beat> beats_;
};

}  // namespace bnngen_sim
