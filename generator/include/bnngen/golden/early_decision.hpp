// Early decision (DESIGN.md 4.3; O3BNN, Geng et al. ICS 2019): what stopping decided work saves on
// one binary layer, counted in the order the early-decision unit consumes it.
//
// Order. A neuron (output channel o at one position) consumes its kept taps in kernel-major order
// (kept input channels ascending, then the k*k taps of each kernel in raster order; a dense layer
// in its streaming order, pixel by pixel, channels within a pixel), `fold.simd` taps per step. With
// pooling pruning the unit works one pool window (a *group*) at a time: the conv positions of the
// window in raster order; otherwise a group is one position (or the one vector of a dense layer).
//
// Decisions, in the popcount domain (P = popcount of XNOR over the taps consumed so far, N kept
// taps, T' = ceil((T + N) / 2) as the unit compares):
//   threshold pruning: a neuron is decided once P >= T' (it can only grow: 1) or P + (taps left)
//                      < T' (it cannot reach T': 0);
//   pooling pruning:   a channel of a group is decided at its first position whose output is 1;
//                      the positions after it are not computed.
// A position that spatial pruning skips costs nothing and outputs the layer's background (with
// pooling, a background 1 decides the channel at no cost).
//
// Two counts per image: *ideal* operations, as if each neuron stopped at the very tap that decides
// it; and the unit's *realized* work at its folding: whole steps per neuron, and the `fold.pe`
// lanes (lane p owns channels p, p + pe, ...) each walking their own channels through a group.
// Lanes that wait for each other at every group take the busiest lane's steps per group; lanes
// that may run groups ahead (a queue of groups) take, per image, the busiest lane's total.
#pragma once

#include "bnngen/golden/prediction.hpp"
#include "bnngen/net/network.hpp"

#include <cstdint>
#include <vector>

namespace bnngen::golden {

struct EarlyDecisionCount {
    int64_t operations = 0;        // XNOR-popcount operations without early decision (positions not skipped)
    int64_t ideal_operations = 0;  // with an ideal per-neuron early exit, tap by tap
    int64_t unit_cycles = 0;       // without early decision: (positions not skipped) x fold steps
    int64_t early_steps = 0;       // fold steps the lanes issue with early decision, summed over lanes
    int64_t early_cycles = 0;      // lanes in step per group: each group's busiest lane, summed
    int64_t decoupled_cycles = 0;  // lanes free to run ahead by whole groups: the busiest lane's image
    int64_t positions = 0;         // positions of the groups (a position in two pool windows counts twice)
    int64_t skipped = 0;           // of those, skipped by spatial pruning
    std::vector<int64_t> lane_steps;  // per lane (fold.pe of them): the steps it issues

    // The busiest lane's steps over everything counted: a lower bound on the unit's busy cycles
    // (over several images this is at most the sum of their decoupled_cycles).
    [[nodiscard]] int64_t busiest_lane_steps() const;

    EarlyDecisionCount& operator+=(const EarlyDecisionCount& other);
};

struct EarlyDecisionResult {
    EarlyDecisionCount count;
    // What the decided neurons output: the layer's output (C x H x W), or with pooling pruning the
    // max-pool's. Equal to the network's own by construction of the decisions (tested).
    Tensor output;
};

// The counts of net.layers[index] (a binary conv or dense layer with threshold activation; with
// pooling, a conv followed by a max-pool) for one image whose input to that layer is `input`
// (C x H x W bits 0/1) and whose layer backgrounds are `backgrounds` (background_vectors). The
// layer's own `early` options choose what is counted; without them only the baseline is filled in.
EarlyDecisionResult count_early_decision(const Network& net, size_t index, const Tensor& input,
                                         const std::vector<Tensor>& backgrounds);

// For one image whose every layer's output is `outputs` (FastModel::run_layers): adds each layer
// with early decision's counts to counts[index] (counts has one entry per layer).
void add_early_decision_counts(const Network& net, const std::vector<Tensor>& outputs,
                               const std::vector<Tensor>& backgrounds, std::vector<EarlyDecisionCount>& counts);

}  // namespace bnngen::golden
