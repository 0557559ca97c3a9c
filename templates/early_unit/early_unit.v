// early_unit: binary threshold neurons with early decision (DESIGN.md 4.3; O3BNN, Geng et al.):
// threshold pruning (a neuron stops once its output is decided) and pooling pruning (a channel of a
// max-pool window stops at its first position whose output is 1), with PE lanes that each walk
// their own output channels and run up to QUEUE groups apart, so that the work a decision removes
// is really not done. Optional spatial pruning (DESIGN.md 4.2) inside: a skipped position costs
// nothing and outputs the background.
//
// Input: one *group* per beat. A group is one pool window of POOL x POOL conv positions, arriving as
// its super-window: KS x KS taps, KS = (POOL-1)*STRIDE + KERNEL, tap-major (tap t at bits
// [t*CHANNELS +: CHANNELS]) as sliding_window produces it with KERNEL = KS and stride POOL_STRIDE *
// STRIDE. Position j = dy*POOL + dx of the group is the conv window whose tap (ky, kx) is super tap
// (dy*STRIDE + ky, dx*STRIDE + kx). POOL = 1: a group is one window. A dense layer is KERNEL = 1,
// CHANNELS = its vector length.
//
// Math, per group, output channel o, position j (its window x, internal element c*KT + t = tap t of
// channel c, KT = KERNEL*KERNEL), compact elements e < KEPT_TAPS (USE_SELECT = 1: the kept
// kernels' elements, else all), weights w[o][e], popcount-domain threshold T[o] (clamped 0..N+1,
// N = KEPT_TAPS):
//   P after step s = popcount of XNOR(w, x) over elements [0, (s+1)*SIMD)
//   neuron (o, j) stops after step s if s = SF-1, or (THRESHOLD_PRUNE) P >= T or P + N - (s+1)*SIMD < T
//   y(o, j) = (P >= T)    (a decision is final: P only grows, P + remaining only falls)
//   skip(j) = SPATIAL and at most TOLERANCE taps of window j differ from BACKGROUND_IN
//   out[o]  = OR over positions j of (skip(j) ? BACKGROUND_OUT[o] : y(o, j)); positions in order,
//             and the channel stops at the first position whose value is 1 (POOL > 1).
// The output beat is one OUT_CHANNELS-bit vector per group (the pooled result when POOL > 1).
//
// Lanes: lane p owns channels o = n*PE + p (n < NF = OUT_CHANNELS/PE) and works through them in
// order, positions in order, one SIMD-element step per cycle. The decision, the next position (the
// first one not skipped, found by priority search) and the next channel are chosen in the cycle of
// the last step, so a lane issues a step in every cycle in which it has work; a channel with no
// position to compute costs the lane one idle cycle, and a group whose positions are all skipped
// costs it one cycle for all its channels. Groups wait in a queue of QUEUE slots; each lane keeps
// its own place in it and its own result bits, and the oldest group leaves when every lane is
// past it. So lanes wait for each other only when one is QUEUE groups ahead.
//
// Memories ($readmemh images, one hex word per line, most significant digit first; "" = zeros):
//   WEIGHT_FILE:    NF*SF words of PE*SIMD bits; word n*SF + s, bits [p*SIMD + i] = w[n*PE + p][s*SIMD + i]
//   THRESHOLD_FILE: NF words of PE*CW bits; word n, bits [p*CW +: CW] = T[n*PE + p] (unsigned),
//                   CW = clog2(KEPT_TAPS + 2)
//   SELECT_FILE:    (USE_SELECT = 1) NF*SF words of PE*M*IW bits, M = SIMD/SELECT_CHUNK chunks per
//                   step, IW = clog2(KT*CHANNELS/SELECT_CHUNK) (at least 1); word n*SF + s, bits
//                   [((p*M + m)*IW) +: IW] = the internal chunk (SELECT_CHUNK elements) holding
//                   compact elements [(s*M + m)*SELECT_CHUNK, +SELECT_CHUNK) of channel n*PE + p.
//                   Without select, step s reads internal elements [s*SIMD, (s+1)*SIMD).
//
// Timing: in_ready = (a queue slot is free), a register compare; out_valid/out_data are registers.
// The lane decision loop (weight and window read, popcount, compare, next position) is one cycle.
// Counters (32 bits, wrap): lane_steps = steps issued summed over lanes; positions / skipped =
// positions of accepted groups / of those, skipped. `issuing` = some lane issues a step.

`default_nettype none

module early_unit #(
    parameter integer CHANNELS        = 4,   // bits per tap (input channels)
    parameter integer KERNEL          = 3,   // conv kernel (1 for a dense layer)
    parameter integer STRIDE          = 1,   // conv stride: positions of a group are STRIDE taps apart
    parameter integer POOL            = 1,   // pool kernel with pooling pruning, else 1
    parameter integer OUT_CHANNELS    = 4,
    parameter integer PE              = 1,   // lanes; divides OUT_CHANNELS
    parameter integer SIMD            = 1,   // elements per step; divides KEPT_TAPS
    parameter integer THRESHOLD_PRUNE = 1,   // 1: stop a neuron once decided
    parameter integer KEPT_TAPS       = 36,  // elements per neuron (N)
    parameter integer USE_SELECT      = 0,   // 1: compact vectors through SELECT_FILE (kernel pruning)
    parameter integer SELECT_CHUNK    = 1,   // elements per chunk, divides SIMD and KERNEL*KERNEL
    parameter integer SPATIAL         = 0,   // 1: skip positions close to the background
    parameter integer TOLERANCE       = 0,   // skip when at most this many taps differ
    // plain 0 defaults, not replications: Verilator refuses replications past 8192 bits
    parameter [CHANNELS-1:0]     BACKGROUND_IN  = 0,
    parameter [OUT_CHANNELS-1:0] BACKGROUND_OUT = 0,
    parameter integer QUEUE           = 2,   // groups buffered (>= 1)
    parameter         WEIGHT_FILE     = "",
    parameter         THRESHOLD_FILE  = "",
    parameter         SELECT_FILE     = ""
) (
    input  wire                                                              clk,
    input  wire                                                              rst_n,  // synchronous, active low
    input  wire                                                              in_valid,
    output wire                                                              in_ready,
    input  wire [((POOL-1)*STRIDE+KERNEL)*((POOL-1)*STRIDE+KERNEL)*CHANNELS-1:0] in_data,
    output reg                                                               out_valid,
    input  wire                                                              out_ready,
    output reg  [OUT_CHANNELS-1:0]                                           out_data,
    output wire                                                              issuing,
    output reg  [31:0]                                                       lane_steps,
    output reg  [31:0]                                                       positions,
    output reg  [31:0]                                                       skipped
);

    // ---- derived values ------------------------------------------------------------------------
    localparam integer KS      = (POOL - 1) * STRIDE + KERNEL;  // super-window side
    localparam integer GROUP   = POOL * POOL;                    // positions per group
    localparam integer KT      = KERNEL * KERNEL;
    localparam integer TAPS    = KT * CHANNELS;                  // elements of one window
    localparam integer IN_BITS = KS * KS * CHANNELS;
    localparam integer NF      = OUT_CHANNELS / PE;
    localparam integer SF      = KEPT_TAPS / SIMD;
    localparam integer G       = (USE_SELECT != 0) ? SELECT_CHUNK : SIMD;
    localparam integer M       = SIMD / G;                       // chunks per step
    localparam integer NCH     = TAPS / G;                       // chunks of one window
    localparam integer IW      = (NCH > 1) ? $clog2(NCH) : 1;
    localparam integer CI_W    = (QUEUE * GROUP * NCH > 1) ? $clog2(QUEUE * GROUP * NCH) : 1;  // chunk index
    localparam integer LP2     = (G > 1) ? $clog2(G) : 0;        // a chunk's slot: 2^LP2 bits
    localparam integer P2      = 1 << LP2;
    localparam integer CW      = $clog2(KEPT_TAPS + 2);          // holds 0 .. N+1
    localparam integer AW      = CW + 1;                         // arithmetic on counts
    localparam integer PCW     = $clog2(SIMD + 1);               // popcount bits (0 .. SIMD)
    localparam integer J_W     = $clog2(GROUP + 1);              // 0 .. GROUP
    localparam integer Q_W     = (QUEUE > 1) ? $clog2(QUEUE) : 1;
    localparam integer QP_W    = $clog2(QUEUE + 1);              // 0 .. QUEUE
    localparam integer SM_DEPTH = (USE_SELECT != 0) ? NF * SF : 1;
    localparam integer A_W     = (NF * SF > 1) ? $clog2(NF * SF) : 1;  // weight / select address
    localparam integer NF_W    = (NF > 1) ? $clog2(NF) : 1;
    localparam integer NF_LAST_I = NF - 1;
    localparam integer QUEUE_LAST_I = QUEUE - 1;
    localparam [NF_W-1:0] NF_LAST = NF_LAST_I[NF_W-1:0];
    localparam [A_W-1:0]  SF_A    = SF[A_W-1:0];
    localparam [Q_W-1:0]  Q_LAST  = QUEUE_LAST_I[Q_W-1:0];
    localparam [QP_W-1:0] Q_FULL  = QUEUE[QP_W-1:0];
    localparam [AW-1:0]   N_A     = KEPT_TAPS[AW-1:0];
    localparam [AW-1:0]   SIMD_A  = SIMD[AW-1:0];
    localparam [J_W-1:0]  GROUP_J = GROUP[J_W-1:0];

    initial begin
        if (CHANNELS < 1 || KERNEL < 1 || STRIDE < 1 || POOL < 1 || PE < 1 || SIMD < 1 || QUEUE < 1 ||
            OUT_CHANNELS % PE != 0 || KEPT_TAPS % SIMD != 0 || SIMD % G != 0 || KEPT_TAPS > TAPS ||
            (USE_SELECT != 0 && KT % G != 0) || TOLERANCE < 0 || TOLERANCE >= KT) begin
            $display("ERROR: early_unit: bad parameters (PE %0d | OUT_CHANNELS %0d, SIMD %0d | KEPT_TAPS %0d, chunk %0d, TOLERANCE %0d < %0d)",
                     PE, OUT_CHANNELS, SIMD, KEPT_TAPS, G, TOLERANCE, KT);
            $finish;
        end
    end
    generate
        if (OUT_CHANNELS % PE != 0 || KEPT_TAPS % SIMD != 0 || SIMD % G != 0 || KEPT_TAPS > TAPS ||
            QUEUE < 1 || (USE_SELECT != 0 && KT % G != 0) || TOLERANCE < 0 || TOLERANCE >= KT) begin : g_param_error
            ERROR_early_unit_PE_SIMD_SELECT_CHUNK_QUEUE_or_TOLERANCE_do_not_fit u_error ();
        end
    endgenerate

    // The first position >= from of a group that is not skipped, or GROUP if none is.
    function [J_W-1:0] first_computed(input [GROUP-1:0] skip, input [J_W-1:0] from);
        integer j;
        begin
            first_computed = GROUP_J;
            for (j = GROUP - 1; j >= 0; j = j - 1) begin
                if (j >= from && !skip[j]) first_computed = j[J_W-1:0];
            end
        end
    endfunction

    // ---- memories --------------------------------------------------------------------------------
    reg [PE*SIMD-1:0] wmem [0:NF*SF-1];
    reg [PE*CW-1:0]   tmem [0:NF-1];
    // Kernel pruning: each step's chunks, per lane (one unused word without select).
    reg [PE*M*IW-1:0] smem [0:SM_DEPTH-1];
    generate
        if (USE_SELECT != 0 && SELECT_FILE != "") begin : g_sload
            initial $readmemh(SELECT_FILE, smem);
        end else begin : g_szero
            integer i;
            initial for (i = 0; i < SM_DEPTH; i = i + 1) smem[i] = 0;
        end
        if (USE_SELECT == 0) begin : g_sunused
            wire unused_smem = &{1'b0, smem[0]};
        end
        if (WEIGHT_FILE != "") begin : g_wload
            initial $readmemh(WEIGHT_FILE, wmem);
        end else begin : g_wzero
            integer i;
            initial for (i = 0; i < NF * SF; i = i + 1) wmem[i] = 0;
        end
        if (THRESHOLD_FILE != "") begin : g_tload
            initial $readmemh(THRESHOLD_FILE, tmem);
        end else begin : g_tzero
            integer i;
            initial for (i = 0; i < NF; i = i + 1) tmem[i] = 0;
        end
    endgenerate

    // ---- the group queue -------------------------------------------------------------------------
    reg  [GROUP-1:0]         slot_skip [0:QUEUE-1];
    reg  [Q_W-1:0]           head;
    reg  [Q_W-1:0]           tail;
    reg  [QP_W-1:0]          filled;
    wire [PE-1:0]            lane_past_head;   // lane p has finished the oldest group
    wire [PE-1:0]            lane_issue;
    wire [OUT_CHANNELS-1:0]  head_result;
    wire                     accept = in_valid && in_ready;
    wire                     retire = (filled != {QP_W{1'b0}}) && (&lane_past_head) && (!out_valid || out_ready);

    assign in_ready = (filled != Q_FULL);
    assign issuing  = |lane_issue;

    genvar gp;

    // Spatial pruning's decision for each position of a group: at most TOLERANCE of its window's
    // taps differ from the background (no position is skipped without SPATIAL).
    function [GROUP-1:0] skipped_of(input [IN_BITS-1:0] group_in);
        integer pj, t, differing;
        begin
            for (pj = 0; pj < GROUP; pj = pj + 1) begin
                differing = 0;
                for (t = 0; t < KT; t = t + 1) begin
                    if (group_in[(((pj / POOL) * STRIDE + t / KERNEL) * KS + (pj % POOL) * STRIDE + t % KERNEL) * CHANNELS
                                 +: CHANNELS] != BACKGROUND_IN) differing = differing + 1;
                end
                skipped_of[pj] = (SPATIAL != 0) && (differing <= TOLERANCE);
            end
        end
    endfunction

    function [31:0] count_of(input [GROUP-1:0] flags);
        integer pj;
        begin
            count_of = 32'd0;
            for (pj = 0; pj < GROUP; pj = pj + 1) count_of = count_of + {31'd0, flags[pj]};
        end
    endfunction

    // Chunk `chunk` (G elements) of an incoming group's windows in internal (kernel-major) order:
    // window j at elements [j*TAPS, (j+1)*TAPS), element c*KT + t = tap t of channel c. Wiring for
    // synthesis; called only when a group is accepted, so a simulator reorders once per group.
    function [G-1:0] chunk_of_group(input [IN_BITS-1:0] group_in, input integer chunk);
        integer i, el, pj, c, t;
        begin
            for (i = 0; i < G; i = i + 1) begin
                el = chunk * G + i;
                pj = el / TAPS;
                c = (el % TAPS) / KT;
                t = el % KT;
                chunk_of_group[i] = group_in[(((pj / POOL) * STRIDE + t / KERNEL) * KS + (pj % POOL) * STRIDE + t % KERNEL)
                                             * CHANNELS + c];
            end
        end
    endfunction

    // All queued windows as one vector of chunks: chunk (q*GROUP + j)*NCH + c is chunk c of window j
    // of slot q. Each sits in a slot of P2 = 2^ceil(log2 G) bits (the padding is constant 0;
    // synthesis removes it), so a lane's read is a shift by a multiple of a power of two: a
    // multiplexer over the QUEUE*GROUP*NCH chunks. With G-bit slots Yosys built a shifter over every queued bit at G = 144
    // (101 324 LUTs for the CNV's conv4 against 6 798 for its mvau). One register and one always
    // block per queue slot: written as one register under a loop over the slots, Yosys' proc_mux
    // spent 54 s on a 9-position, 108-chunk group (the block test's select configuration).
    wire [QUEUE*GROUP*NCH*P2-1:0] windows_all;
    genvar gq, ge;
    generate
        for (gq = 0; gq < QUEUE; gq = gq + 1) begin : g_slot
            localparam integer SLOT_I = gq;
            localparam [Q_W-1:0] SLOT = SLOT_I[Q_W-1:0];
            reg [GROUP*NCH*G-1:0] windows;
            integer e;
            always @(posedge clk) begin
                if (accept && tail == SLOT) begin
                    for (e = 0; e < GROUP * NCH; e = e + 1) windows[e*G +: G] <= chunk_of_group(in_data, e);
                end
            end
            for (ge = 0; ge < GROUP * NCH; ge = ge + 1) begin : g_chunk
                assign windows_all[(gq*GROUP*NCH + ge)*P2 +: G] = windows[ge*G +: G];
                if (P2 > G) begin : g_pad
                    assign windows_all[(gq*GROUP*NCH + ge)*P2 + G +: P2 - G] = {(P2 - G){1'b0}};
                end
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (accept) begin
            slot_skip[tail] <= skipped_of(in_data);
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            head <= {Q_W{1'b0}};
            tail <= {Q_W{1'b0}};
            filled <= {QP_W{1'b0}};
            out_valid <= 1'b0;
            positions <= 32'd0;
            skipped <= 32'd0;
        end else begin
            if (accept) begin
                tail <= (tail == Q_LAST) ? {Q_W{1'b0}} : tail + 1'b1;
                positions <= positions + GROUP;
                skipped <= skipped + count_of(skipped_of(in_data));
            end
            if (retire) head <= (head == Q_LAST) ? {Q_W{1'b0}} : head + 1'b1;
            filled <= filled + {{(QP_W-1){1'b0}}, accept} - {{(QP_W-1){1'b0}}, retire};
            if (retire) out_valid <= 1'b1;
            else if (out_ready) out_valid <= 1'b0;
        end
    end

    always @(posedge clk) begin
        if (retire) out_data <= head_result;
    end

    // Steps issued, summed over lanes.
    integer k;
    reg [$clog2(PE + 1)-1:0] issued_now;
    always @* begin
        issued_now = 0;
        for (k = 0; k < PE; k = k + 1) issued_now = issued_now + {{($clog2(PE + 1)-1){1'b0}}, lane_issue[k]};
    end
    always @(posedge clk) begin
        if (!rst_n) lane_steps <= 32'd0;
        else lane_steps <= lane_steps + {{(32-$clog2(PE + 1)){1'b0}}, issued_now};
    end

    // ---- the lanes -------------------------------------------------------------------------------
    // Addresses are kept in registers that step with the walk (waddr = n*SF + s, chunk = s*SIMD/G
    // without select, consumed = (s+1)*SIMD after the step), so the loop has no multiplier.
    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_lane
            reg  [QP_W-1:0] pos;       // groups this lane is past the head
            reg  [Q_W-1:0]  slot;      // the queue slot of the group it works on
            reg             run;       // 0: at the start of channel n; 1: computing position j of it
            reg  [NF_W-1:0] n;
            reg  [J_W-1:0]  j;
            reg  [A_W-1:0]  base;      // n*SF
            reg  [A_W-1:0]  waddr;     // n*SF + s
            reg  [IW-1:0]   chunk_at;  // s*SIMD/G (without select)
            reg  [AW-1:0]   consumed;  // s*SIMD
            reg  [AW-1:0]   acc;       // P so far
            reg             bit_or;    // channel n's value over the positions so far
            reg  [NF-1:0]   result [0:QUEUE-1];  // per slot, this lane's channel bits

            wire            active = (pos < filled);
            wire [GROUP-1:0] skip = slot_skip[slot];
            wire [SIMD-1:0] weight = wmem[waddr][gp*SIMD +: SIMD];
            wire [CW-1:0]   thr = tmem[n][gp*CW +: CW];
            wire            background = BACKGROUND_OUT[n*PE + gp];

            wire [J_W-1:0]  start_at = first_computed(skip, {J_W{1'b0}});
            wire            all_skipped = (start_at == GROUP_J);
            wire            start_work = !all_skipped && !((start_at != {J_W{1'b0}}) && background);
            wire            working = run || start_work;
            wire [J_W-1:0]  j_now = run ? j : start_at;
            wire [J_W-1:0]  j_after = j_now + 1'b1;
            assign lane_issue[gp] = active && working;

            // The step's input elements.
            wire [SIMD-1:0] x;
            genvar gm;
            for (gm = 0; gm < M; gm = gm + 1) begin : g_chunk
                wire [IW-1:0] chunk;
                if (USE_SELECT != 0) begin : g_sel
                    assign chunk = smem[waddr][(gp*M + gm)*IW +: IW];
                end else begin : g_dir
                    assign chunk = chunk_at;  // M = 1
                end
                // the chunk's index, (slot*GROUP + position)*NCH + chunk, < 2^CI_W
                wire [31:0] at_wide = ({{(32-Q_W){1'b0}}, slot} * GROUP + {{(32-J_W){1'b0}}, j_now}) * NCH +
                                      {{(32-IW){1'b0}}, chunk};
                wire [CI_W-1:0] at = at_wide[CI_W-1:0];
                wire unused_at = &{1'b0, at_wide[31:CI_W]};
                assign x[gm*G +: G] = windows_all[{at, {LP2{1'b0}}} +: G];
            end

            // popcount of XNOR(w, x): templates/popcount's compressor tree, as mvau's lanes (an
            // adder tree of the bits took 1.45x its LUTs at 196 bits)
            wire [SIMD-1:0] agree = ~(weight ^ x);
            wire [PCW-1:0]  hits;
            popcount #(.N(SIMD), .OUT_WIDTH(PCW)) u_hits (.in(agree), .count(hits));
            wire [AW-1:0]  p_new    = acc + {{(AW-PCW){1'b0}}, hits};
            wire [AW-1:0]  consumed_new = consumed + SIMD_A;
            wire           fires    = (p_new >= {1'b0, thr});
            wire           dead     = (p_new + (N_A - consumed_new) < {1'b0, thr});
            wire           last     = (consumed_new == N_A);
            wire           neuron_done = last || ((THRESHOLD_PRUNE != 0) && (fires || dead));
            wire           value    = bit_or | fires;
            wire [J_W-1:0] next_at  = first_computed(skip, j_after);
            wire           next_background = (next_at != j_after) && background;
            // Channel n ends this cycle with channel_value: decided by pooling, out of positions,
            // or a skipped position whose background is 1; or it had nothing to compute.
            wire           channel_done = active && !all_skipped &&
                                          (!working || (neuron_done && ((POOL > 1 && fires) || next_at == GROUP_J ||
                                                                        next_background)));
            wire           channel_value = working ? (value || next_background) : background;
            wire           group_done = active && (all_skipped || (channel_done && n == NF_LAST));
            assign lane_past_head[gp] = (pos != {QP_W{1'b0}});

            // this lane's channels' background bits: the result of a group whose positions are all skipped
            wire [NF-1:0] lane_background;
            for (gm = 0; gm < NF; gm = gm + 1) begin : g_background
                assign lane_background[gm] = BACKGROUND_OUT[gm*PE + gp];
            end
            always @(posedge clk) begin
                if (active && all_skipped) begin
                    result[slot] <= lane_background;
                end else if (channel_done) begin
                    result[slot][n] <= channel_value;
                end
            end

            always @(posedge clk) begin
                if (!rst_n) begin
                    pos <= {QP_W{1'b0}};
                    slot <= {Q_W{1'b0}};
                    run <= 1'b0;
                    n <= {NF_W{1'b0}};
                    j <= {J_W{1'b0}};
                    base <= {A_W{1'b0}};
                    waddr <= {A_W{1'b0}};
                    chunk_at <= {IW{1'b0}};
                    consumed <= {AW{1'b0}};
                    acc <= {AW{1'b0}};
                    bit_or <= 1'b0;
                end else begin
                    pos <= pos + {{(QP_W-1){1'b0}}, group_done} - {{(QP_W-1){1'b0}}, retire};
                    if (group_done || channel_done) begin
                        run <= 1'b0;
                        chunk_at <= {IW{1'b0}};
                        consumed <= {AW{1'b0}};
                        acc <= {AW{1'b0}};
                        bit_or <= 1'b0;
                        if (group_done) begin
                            slot <= (slot == Q_LAST) ? {Q_W{1'b0}} : slot + 1'b1;
                            n <= {NF_W{1'b0}};
                            base <= {A_W{1'b0}};
                            waddr <= {A_W{1'b0}};
                        end else begin
                            n <= n + 1'b1;
                            base <= base + SF_A;
                            waddr <= base + SF_A;
                        end
                    end else if (lane_issue[gp]) begin
                        run <= 1'b1;
                        if (neuron_done) begin
                            j <= next_at;
                            waddr <= base;
                            chunk_at <= {IW{1'b0}};
                            consumed <= {AW{1'b0}};
                            acc <= {AW{1'b0}};
                            bit_or <= value;
                        end else begin
                            j <= j_now;
                            waddr <= waddr + 1'b1;
                            chunk_at <= chunk_at + 1'b1;
                            consumed <= consumed_new;
                            acc <= p_new;
                        end
                    end
                end
            end

            wire [NF-1:0] head_bits = result[head];
            for (gm = 0; gm < NF; gm = gm + 1) begin : g_out
                assign head_result[gm*PE + gp] = head_bits[gm];
            end
        end
    endgenerate

endmodule

`default_nettype wire
