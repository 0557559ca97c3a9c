// A scripted AXI4-Lite master for the co-simulation harness: reads and writes are queued and
// performed one at a time on the s_axi_ctrl port, in the two phases per cycle of axis.h
// (drive() before eval, observe() after it, before the rising edge). Every transaction records
// the cycle its address was accepted, so that a register read can be compared with what the
// harness itself counted up to that cycle.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace bnngen_sim {

struct AxiLiteOp {
    bool write = false;
    uint32_t address = 0;
    uint32_t data = 0;             // written, or read back
    uint32_t response = 0;         // BRESP / RRESP: 0 OKAY, 2 SLVERR
    uint64_t address_cycle = 0;    // cycle whose rising edge accepted AW (write) or AR (read)
    uint64_t data_cycle = 0;       // write: cycle whose edge accepted W
    uint64_t response_cycle = 0;   // cycle whose edge took B / R
    bool done = false;
    int tag = 0;                   // caller's: which check this read is for
};

class AxiLiteMaster {
public:
    // Returns the transaction's index for op().
    size_t write(uint32_t address, uint32_t data, int tag = 0) { return add(AxiLiteOp{true, address, data, 0, 0, 0, 0, false, tag}); }
    size_t read(uint32_t address, int tag = 0) { return add(AxiLiteOp{false, address, 0, 0, 0, 0, 0, false, tag}); }
    [[nodiscard]] bool idle() const { return pending_.empty(); }
    [[nodiscard]] const AxiLiteOp& op(size_t index) const { return ops_[index]; }
    [[nodiscard]] size_t size() const { return ops_.size(); }

    template <typename Top>
    void drive(Top& top) {
        const AxiLiteOp* op = current();
        top.s_axi_ctrl_awvalid = op && op->write && !address_done_;
        top.s_axi_ctrl_wvalid = op && op->write && !data_done_;
        top.s_axi_ctrl_arvalid = op && !op->write && !address_done_;
        top.s_axi_ctrl_awaddr = op ? op->address : 0;
        top.s_axi_ctrl_araddr = op ? op->address : 0;
        top.s_axi_ctrl_wdata = op ? op->data : 0;
        top.s_axi_ctrl_wstrb = 0xF;
        top.s_axi_ctrl_awprot = 0;
        top.s_axi_ctrl_arprot = 0;
        top.s_axi_ctrl_bready = 1;
        top.s_axi_ctrl_rready = 1;
    }

    // The handshakes of the coming edge, in cycle `cycle`. Returns true when it accepts a read's
    // address: the read returns the register's value in this cycle.
    template <typename Top>
    bool observe(const Top& top, uint64_t cycle) {
        AxiLiteOp* op = current();
        if (op == nullptr) {
            return false;
        }
        bool read_accepted = false;
        if (op->write) {
            if (top.s_axi_ctrl_awvalid && top.s_axi_ctrl_awready) {
                address_done_ = true;
                op->address_cycle = cycle;
            }
            if (top.s_axi_ctrl_wvalid && top.s_axi_ctrl_wready) {
                data_done_ = true;
                op->data_cycle = cycle;
            }
            if (top.s_axi_ctrl_bvalid && top.s_axi_ctrl_bready) {
                op->response = top.s_axi_ctrl_bresp;
                finish(*op, cycle);
            }
        } else {
            if (top.s_axi_ctrl_arvalid && top.s_axi_ctrl_arready) {
                address_done_ = true;
                op->address_cycle = cycle;
                read_accepted = true;
            }
            if (top.s_axi_ctrl_rvalid && top.s_axi_ctrl_rready) {
                op->data = top.s_axi_ctrl_rdata;
                op->response = top.s_axi_ctrl_rresp;
                finish(*op, cycle);
            }
        }
        return read_accepted;
    }

    // The transaction in progress (valid only when !idle()).
    [[nodiscard]] size_t current_index() const { return pending_.front(); }

private:
    size_t add(AxiLiteOp op) {
        ops_.push_back(op);
        pending_.push_back(ops_.size() - 1);
        return ops_.size() - 1;
    }
    AxiLiteOp* current() { return pending_.empty() ? nullptr : &ops_[pending_.front()]; }
    void finish(AxiLiteOp& op, uint64_t cycle) {
        op.response_cycle = cycle;
        op.done = true;
        pending_.pop_front();
        address_done_ = false;
        data_done_ = false;
    }

    std::vector<AxiLiteOp> ops_;
    std::deque<size_t> pending_;
    bool address_done_ = false;
    bool data_done_ = false;
};

}  // namespace bnngen_sim
