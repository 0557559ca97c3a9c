// Whether a layer's matrix-vector unit reads its input vector in place, held by the block before
// it (mvau HOLD_INPUT = 1), or copies it into its own rotating register first. Reading in place
// saves the copy (a flip-flop and a LUT per input bit: 2304 of each for a 3x3x256 window) but
// takes a buffer slot out of the stream: the block before cannot run a vector ahead while the unit
// works. The generator holds only where that costs no throughput by the cycle model: the layer's
// cycles plus what the missing slot can cost it stay within the network's interval.
#pragma once

#include "bnngen/hw/cycle_model.hpp"
#include "bnngen/net/network.hpp"

#include <cstddef>
#include <cstdint>

namespace bnngen::hw {

// Beats of the stream_fifo after layer `index`: two output rows, at least 2; and, in front of a
// dense layer that reads its vector in place (dense_holds_input), the whole vector (its H*W input
// pixels), so that the layer before never waits while the unit works: a FIFO of LUTRAM instead of
// the unit's copy register of flip-flops and load LUTs (fmnist_cnv's fc1: 3136 of each). After a
// conv layer that does the max-pool after it (early decision, pooling pruning) the pool's output
// is what the FIFO holds.
int output_fifo_depth(const Network& net, size_t index, const CycleModel& model);

// Cycles per image a layer's unit can lose without its copy register, at most:
// dense: the collection of the next vector (in.height * in.width pixels + 1) no longer overlaps
// the unit's work (stream_collect has one register); conv: the window block scans ahead while the
// unit works on the held window, so only scan gaps longer than one vector's steps cost: on each
// output row the positions from one row's last window to the next row's first (stride * scanned
// columns - (out.width - 1) * stride), and once per image kernel * scanned columns. 0 for max-pool.
int64_t hold_penalty(const Layer& layer);

// True if layer `index` (a conv or dense layer computed by an mvau) may read its input in place:
// its cycles in `model` (predict_cycles of `net`) plus hold_penalty stay within model.interval.
// A dense layer also needs the FIFO before it to hold a whole next vector (else the layer before
// stalls while the unit works: fmnist_small's fc1 after a 14-beat FIFO of its 49 pixels measured
// 1153 cycles per image against 841): output_fifo_depth sizes it so. A dense first layer reads
// s_axis (no FIFO) and a dense layer with early decision has no mvau: neither holds.
bool holds_input(const Network& net, size_t index, const CycleModel& model);

}  // namespace bnngen::hw
