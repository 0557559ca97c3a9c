// reuse_unit: binary conv-layer matrix-vector-threshold unit with similarity reuse of input
// windows (Fu et al. 2019; SimBNN): it keeps the previous window and its popcounts, and computes
// only the chunks of a window that changed. Drop-in beside mvau (threshold mode, 1-bit inputs and
// weights, optional kept-tap mask): same streams, same credit-based input flow control, same
// output FIFO, same popcount-domain threshold convention, same `issuing` output.
//
// Math, per accepted window x (TAPS bits, 1 = +1, 0 = -1; internal order below), output channel o
// (nf = o / PE, lane p = o % PE), weights w[o][i], kept-tap mask keep[o][i] (all ones unless
// USE_KEEP = 1):
//     P[o] = popcount over i of (XNOR(w[o][i], x[i]) AND keep[o][i])      y[o] = (P[o] >= T[o])
// (T signed, PARAM_WIDTH bits: exactly mvau's binary threshold mode with a mask). P is not
// computed over the whole window: the unit keeps a reference window R and, per channel, P_ref[o]
// (P of R). After reset there is no reference and the next window is "fresh". Chunk q < SF =
// internal elements [q*SIMD, q*SIMD + SIMD).
//     changed[q] = fresh OR (chunk q of x != chunk q of R)
//     steps of fold nf = the chunks q, ascending, with changed[q] AND kept[nf][q]
//                        (kept = STEP_FILE word nf; all ones with USE_KEEP = 0);
//                        none: one placeholder step that adds 0
//     P[o] = (fresh ? 0 : P_ref[o]) + sum over the fold's steps of delta(q)
//     delta(q) = fresh ? a : 2a - b,  a = popcount over chunk q of (XNOR(w, x) AND m AND keep),
//                                     b = popcount over chunk q of (m AND keep),
//                m = fresh ? all ones : d,  d = x XOR R
// i.e. delta(q) = popcount of chunk q now minus its popcount in R (a flipped input bit changes its
// term from -1 to +1 or back; an unflipped one does not change), so P[o] is always the whole-window
// popcount above, whatever the history. Then P_ref[o] := P[o]; after the window R := x and fresh
// := 0. Output beat: OUT_CHANNELS bits, y[o] at bit o, one per window, in window order.
//
// Internal order: with KERNEL_TAPS = KT > 1 the tap-major input (element j = t*C + c, C = TAPS/KT)
// is reordered (wiring) to kernel-major: internal element c*KT + t = input element t*C + c (as
// mvau). The weights, the mask and the chunks index the internal vector (KT = 1: the input).
//
// Schedule: fold nf = 0 .. NF-1 in order, one step per cycle: a window takes
// L = sum over nf of max(1, |steps of nf|) cycles (NF .. NF*SF), no overhead: the next window is
// taken in the cycle that issues the current one's last step. `issuing` = 1 in every cycle that
// issues a step; `computed` (32 bits, wraps, reset 0) counts the issued steps that are not
// placeholders (sum over nf of |steps of nf| per window); a step issued in cycle i is included
// from cycle i + 1 on. Output beat latency (accept -> transfer) L + 4.
//
// Memory layout ($readmemh images, one hex word per line, line = address, most significant digit
// first; a file parameter left at "" reads no image and that memory starts as zeros, so the module
// elaborates alone):
//   WEIGHT_FILE:    NF*SF words of PE*SIMD bits; word nf*SF + sf, bit p*SIMD + i =
//                   w[nf*PE + p][sf*SIMD + i] (mvau's layout).
//   KEEP_FILE:      (USE_KEEP = 1) the layout of WEIGHT_FILE, bit = keep[nf*PE + p][sf*SIMD + i].
//   STEP_FILE:      (USE_KEEP = 1) NF words of SF bits; bit q of word nf = kept[nf][q] = 1 iff some
//                   lane of fold nf keeps an element of chunk q (the OR of the keep bits: the
//                   generator guarantees it; a chunk whose bit is 0 must have no kept element).
//   THRESHOLD_FILE: NF words of PE*PARAM_WIDTH bits; word nf, bits [p*PARAM_WIDTH +: PARAM_WIDTH] =
//                   T[nf*PE + p] (two's complement; mvau's PARAM_FILE).
// State: P_ref in NF words of PE*ACC_W bits (NF > 1: a memory, one write and one synchronous read
// port: Vivado distributed RAM, or BRAM when large; NF = 1: the accumulator register itself).
//
// Pipeline (never stalls inside; all flow control is at the input, by credit):
//   accept: cur := x, diff := fresh ? ones : x XOR cur, chg := OR per chunk of diff, fresh flag;
//           pend := chg AND kept[0]
//   S0 issue: pend = chunks of the fold still to issue (the current step's included); the lowest
//           set bit (one-hot) selects chunk q of cur and diff (AND-OR mux) and q its binary index;
//           weight/mask address nf*SF + q; after the step pend loses that bit; last step of a fold
//           = no bit left (a placeholder has none to start with); the next fold loads chg AND
//           kept[nf+1] (kept read one cycle ahead)
//   -> S1 (weights, mask, x chunk, m chunk = diff chunk, 0 for a placeholder) -> S2 (per lane a,
//   b: popcount trees of 6-bit leaves; NF > 1: P_ref read) -> S3 (accumulators; the first step
//   starts at 0 (fresh) or P_ref; the last step writes P_ref; threshold compare) -> assembly of the
//   NF folds -> output FIFO (stream_fifo, OUT_DEPTH = 1 + ceil(5/NF) beats). A window is accepted
//   only if fewer than OUT_DEPTH windows are accepted and not yet delivered. in_ready depends on
//   registers only; out_valid/out_data are registers of the FIFO. Requires stream_fifo.v.
// P_ref hazard: fold nf's last step of one window and its first step of the next are >= NF issue
// cycles apart; the write is at the edge that ends the last step's S2 cycle, the read at the edge
// that ends the first step's S1 cycle, at least NF - 1 edges later: with NF >= 2 the read sees the
// write. With NF = 1 the reference is the accumulator register, which holds the last P.

`default_nettype none

module reuse_unit #(
    parameter integer TAPS           = 9,    // bits per input window (k*k*C)
    parameter integer KERNEL_TAPS    = 1,    // taps per kernel (k*k); > 1: reorder the tap-major
                                             // input to kernel-major, divides TAPS
    parameter integer OUT_CHANNELS   = 4,    // output channels (neurons)
    parameter integer PE             = 1,    // channels computed in parallel, divides OUT_CHANNELS
    parameter integer SIMD           = 1,    // elements per chunk (step), divides TAPS
    parameter integer PARAM_WIDTH    = 16,   // bits of one threshold (signed)
    parameter integer USE_KEEP       = 0,    // 1: kept-tap mask (KEEP_FILE) and kept steps (STEP_FILE)
    parameter         WEIGHT_FILE    = "",   // $readmemh image of the weights ("": none)
    parameter         KEEP_FILE      = "",   // $readmemh image of the mask (USE_KEEP = 1; "": none)
    parameter         STEP_FILE      = "",   // $readmemh image of the kept chunks (USE_KEEP = 1; "": none)
    parameter         THRESHOLD_FILE = ""    // $readmemh image of the thresholds ("": none)
) (
    input  wire                    clk,
    input  wire                    rst_n,      // synchronous, active low
    input  wire                    in_valid,
    output wire                    in_ready,
    input  wire [TAPS-1:0]         in_data,
    output wire                    out_valid,
    input  wire                    out_ready,
    output wire [OUT_CHANNELS-1:0] out_data,
    output wire                    issuing,    // 1: a step is issued (busy)
    output wire [31:0]             computed    // issued steps that computed a chunk (wraps)
);

    // ---- derived values ------------------------------------------------------------------------
    localparam integer PE1       = (PE >= 1) ? PE : 1;
    localparam integer SIMD1     = (SIMD >= 1) ? SIMD : 1;
    localparam integer KT        = (KERNEL_TAPS >= 1) ? KERNEL_TAPS : 1;
    localparam integer KC        = TAPS / KT;                  // channels of the reordering
    localparam integer NF        = OUT_CHANNELS / PE1;         // neuron folds
    localparam integer SF        = (TAPS >= SIMD1) ? TAPS / SIMD1 : 1;  // chunks per window
    localparam integer FOLD      = NF * SF;                    // weight words
    localparam integer KEEP      = (USE_KEEP == 1) ? 1 : 0;
    // popcount trees: leaves of LB bits (a 6-input LUT each output bit), a balanced binary tree
    // (heap order, NP = 2^TL leaf places) over the NLF leaves of a chunk
    localparam integer LB        = (SIMD1 < 6) ? SIMD1 : 6;
    localparam integer NLF       = (SIMD1 + LB - 1) / LB;
    localparam integer LW        = $clog2(LB + 1);            // leaf bits
    localparam integer TL        = (NLF > 1) ? $clog2(NLF) : 0;
    localparam integer NP        = 1 << TL;
    localparam integer CW        = LW + TL;                   // count bits (>= clog2(SIMD+1))
    localparam integer NT        = PE1 + ((KEEP != 0) ? PE1 : 1);  // trees: a per lane, then b
    localparam integer ACC_W0    = $clog2(TAPS + 1);
    localparam integer ACC_W     = (ACC_W0 > CW) ? ACC_W0 : CW + 1;  // P, modulo 2^ACC_W (exact)
    localparam integer CMP_W     = (ACC_W + 1 > PARAM_WIDTH) ? ACC_W + 1 : PARAM_WIDTH;
    localparam integer LAT       = 5;                         // accept -> credit returned, minus L
    localparam integer OUT_DEPTH = 1 + (LAT + NF - 1) / NF;   // FIFO beats for full rate at L = NF
    localparam integer ADDR_W    = (FOLD > 1) ? $clog2(FOLD) : 1;
    localparam integer NF_W      = (NF > 1) ? $clog2(NF) : 1;
    localparam integer CRED_W    = $clog2(OUT_DEPTH + 1);
    localparam integer NF_LAST_I = NF - 1;
    localparam [NF_W-1:0]   NF_LAST  = NF_LAST_I[NF_W-1:0];
    localparam [ADDR_W-1:0] SF_A     = SF[ADDR_W-1:0];        // address step of a fold
    localparam [CRED_W-1:0] CRED_MAX = OUT_DEPTH[CRED_W-1:0];
    localparam integer MXW       = ADDR_W + 2 * SIMD1;        // mux word: {q, diff, cur} chunk

    initial begin
        if (TAPS < 1 || OUT_CHANNELS < 1 || PE < 1 || SIMD < 1) begin
            $display("ERROR: reuse_unit: TAPS, OUT_CHANNELS, PE, SIMD must be >= 1");
            $finish;
        end
        if (OUT_CHANNELS % PE1 != 0) begin
            $display("ERROR: reuse_unit: PE (%0d) must divide OUT_CHANNELS (%0d)", PE, OUT_CHANNELS);
            $finish;
        end
        if (TAPS % SIMD1 != 0) begin
            $display("ERROR: reuse_unit: SIMD (%0d) must divide TAPS (%0d)", SIMD, TAPS);
            $finish;
        end
        if (KERNEL_TAPS < 1 || TAPS % KT != 0) begin
            $display("ERROR: reuse_unit: KERNEL_TAPS (%0d) must be >= 1 and divide TAPS (%0d)", KERNEL_TAPS, TAPS);
            $finish;
        end
        if (PARAM_WIDTH < 2 || PARAM_WIDTH > 32) begin
            $display("ERROR: reuse_unit: PARAM_WIDTH (%0d) must be in 2..32", PARAM_WIDTH);
            $finish;
        end
        if (USE_KEEP != 0 && USE_KEEP != 1) begin
            $display("ERROR: reuse_unit: USE_KEEP (%0d) must be 0 or 1", USE_KEEP);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (TAPS < 1 || OUT_CHANNELS < 1 || PE < 1 || SIMD < 1) begin : g_param_error_0
            ERROR_reuse_unit_sizes_PE_SIMD_must_be_at_least_1 u_error ();
        end
        if (OUT_CHANNELS % PE1 != 0) begin : g_param_error_1
            ERROR_reuse_unit_PE_must_divide_OUT_CHANNELS u_error ();
        end
        if (TAPS % SIMD1 != 0) begin : g_param_error_2
            ERROR_reuse_unit_SIMD_must_divide_TAPS u_error ();
        end
        if (KERNEL_TAPS < 1 || TAPS % KT != 0) begin : g_param_error_3
            ERROR_reuse_unit_KERNEL_TAPS_must_divide_TAPS u_error ();
        end
        if (PARAM_WIDTH < 2 || PARAM_WIDTH > 32) begin : g_param_error_4
            ERROR_reuse_unit_PARAM_WIDTH_must_be_2_to_32 u_error ();
        end
        if (USE_KEEP != 0 && USE_KEEP != 1) begin : g_param_error_5
            ERROR_reuse_unit_USE_KEEP_must_be_0_or_1 u_error ();
        end
    endgenerate

    // ---- memories ---------------------------------------------------------------------------------
    // An image is read only if its file name is not empty; a memory without one (the default
    // parameters) starts as zeros, so that the module elaborates alone without any file.
    reg [PE1*SIMD1-1:0]       wmem [0:FOLD-1];
    reg [PE1*PARAM_WIDTH-1:0] pmem [0:NF-1];
    generate
        if (WEIGHT_FILE != "") begin : g_wload
            initial $readmemh(WEIGHT_FILE, wmem);
        end else begin : g_wzero
            integer i;
            initial for (i = 0; i < FOLD; i = i + 1) wmem[i] = {(PE1*SIMD1){1'b0}};
        end
        if (THRESHOLD_FILE != "") begin : g_pload
            initial $readmemh(THRESHOLD_FILE, pmem);
        end else begin : g_pzero
            integer i;
            initial for (i = 0; i < NF; i = i + 1) pmem[i] = {(PE1*PARAM_WIDTH){1'b0}};
        end
    endgenerate

    // ---- accept and S0: issue -------------------------------------------------------------------
    reg                 busy;      // a window is in cur and its steps are being issued
    reg [NF_W-1:0]      nf;        // fold being issued; NF-1 while idle
    reg [ADDR_W-1:0]    base;      // nf*SF
    reg [SF-1:0]        pend;      // chunks of the fold still to issue, the current step's included
    reg                 first;     // the current step is its fold's first
    reg                 has_ref;   // a window was accepted since reset
    reg                 fresh;     // the current window has no reference
    reg [TAPS-1:0]      cur;       // current window (internal order): the next one's reference
    reg [TAPS-1:0]      diff;      // cur XOR its reference (all ones when fresh)
    reg [SF-1:0]        chg;       // changed chunks of the current window
    reg [CRED_W-1:0]    pending;   // windows accepted and not yet delivered
    reg [31:0]          computed_r;
    wire [SF-1:0]       kept_ld;   // kept chunks of the fold loaded next (fold 0 while idle)

    wire [SF-1:0] low      = pend & (~pend + 1'b1);   // one-hot: the current step's chunk
    wire [SF-1:0] rest     = pend & ~low;             // left after this step
    wire fold_last = (rest == {SF{1'b0}});           // last step of the fold (or a placeholder)
    wire nf_last   = (nf == NF_LAST);
    wire win_last  = fold_last && nf_last;
    wire advance   = busy && fold_last && !nf_last;  // the next fold starts
    assign in_ready = (pending != CRED_MAX) && (!busy || win_last);
    assign issuing  = busy;
    assign computed = computed_r;
    wire accept    = in_valid && in_ready;
    wire out_pop   = out_valid && out_ready;

    genvar gc, gt, gn, gp;

    // kernel-major reordering (wiring): internal element c*KT + t = input element t*KC + c
    wire [TAPS-1:0] in_km;
    generate
        if (KT == 1) begin : g_ro_none
            assign in_km = in_data;
        end else begin : g_ro
            for (gc = 0; gc < KC; gc = gc + 1) begin : g_ro_c
                for (gt = 0; gt < KT; gt = gt + 1) begin : g_ro_t
                    assign in_km[gc*KT + gt] = in_data[gt*KC + gc];
                end
            end
        end
    endgenerate

    // change detection of the incoming window against cur (its reference), and the chunk mux of the
    // current step: an AND-OR over the chunks of {q, diff chunk, cur chunk} gated by `low` (a
    // placeholder, low = 0, selects zeros: m = 0, the step adds 0). Procedural loops, not generate
    // loops: a window may have thousands of chunks (simd 1), more than a tool unrolls in a generate
    // loop (Verilator stops at 1024); synthesis unrolls them into the same gates either way.
    wire [TAPS-1:0] diff_new = has_ref ? (in_km ^ cur) : {TAPS{1'b1}};
    reg  [SF-1:0]   chg_new;
    reg  [MXW-1:0]  sel_w;
    integer qi;
    always @* begin
        sel_w = {MXW{1'b0}};
        for (qi = 0; qi < SF; qi = qi + 1) begin
            chg_new[qi] = |diff_new[qi*SIMD1 +: SIMD1];
            sel_w = sel_w | ({qi[ADDR_W-1:0], diff[qi*SIMD1 +: SIMD1], cur[qi*SIMD1 +: SIMD1]} & {MXW{low[qi]}});
        end
    end
    wire [SIMD1-1:0]  x_sel = sel_w[SIMD1-1:0];
    wire [SIMD1-1:0]  m_sel = sel_w[2*SIMD1-1:SIMD1];
    wire [ADDR_W-1:0] q_sel = sel_w[MXW-1:2*SIMD1];
    wire [ADDR_W-1:0] addr  = base + q_sel;             // weight / mask word nf*SF + q

    // next fold index (NF-1 while idle: the fold after it is 0) and the kept chunks of the fold
    // after it, read one cycle ahead (kept_ld is the STEP word of the fold loaded next)
    wire [NF_W-1:0] nf_d = !rst_n ? NF_LAST : accept ? {NF_W{1'b0}} : advance ? nf + 1'b1 : nf;
    generate
        if (KEEP != 0) begin : g_steps
            reg [SF-1:0] smem [0:NF-1];
            reg [SF-1:0] kept_r;
            if (STEP_FILE != "") begin : g_sload
                initial $readmemh(STEP_FILE, smem);
            end else begin : g_szero
                integer i;
                initial for (i = 0; i < NF; i = i + 1) smem[i] = {SF{1'b0}};
            end
            wire [NF_W-1:0] ld_d = (nf_d == NF_LAST) ? {NF_W{1'b0}} : nf_d + 1'b1;
            always @(posedge clk) kept_r <= smem[ld_d];
            assign kept_ld = kept_r;
        end else begin : g_nosteps
            assign kept_ld = {SF{1'b1}};
        end
    endgenerate

    always @(posedge clk) begin
        nf <= nf_d;
        if (!rst_n || accept) base <= {ADDR_W{1'b0}};
        else if (advance) base <= base + SF_A;
        first <= accept || fold_last;
        if (accept) begin
            cur   <= in_km;
            diff  <= diff_new;
            chg   <= chg_new;
            fresh <= !has_ref;
        end
    end

    // ---- S1 ---------------------------------------------------------------------------------------
    reg                  s1_valid, s1_first, s1_last, s1_vlast, s1_fresh;
    reg [NF_W-1:0]       s1_nf;
    reg [PE1*SIMD1-1:0]  s1_w;
    reg [SIMD1-1:0]      s1_x;     // chunk q of the window
    reg [SIMD1-1:0]      s1_m;     // its changed bits (all ones when fresh; 0 for a placeholder)
    wire [PE1*SIMD1-1:0] s1_k;     // kept-tap mask of the step (constant ones without USE_KEEP)

    always @(posedge clk) begin
        if (busy) begin
            s1_w <= wmem[addr];
            s1_x <= x_sel;
            s1_m <= m_sel;
        end
    end

    generate
        if (KEEP != 0) begin : g_keep
            reg [PE1*SIMD1-1:0] kmem [0:FOLD-1];
            reg [PE1*SIMD1-1:0] s1_k_r;
            if (KEEP_FILE != "") begin : g_kload
                initial $readmemh(KEEP_FILE, kmem);
            end else begin : g_kzero
                integer i;
                initial for (i = 0; i < FOLD; i = i + 1) kmem[i] = {(PE1*SIMD1){1'b0}};
            end
            always @(posedge clk) begin
                if (busy) s1_k_r <= kmem[addr];
            end
            assign s1_k = s1_k_r;
        end else begin : g_nokeep
            assign s1_k = {(PE1*SIMD1){1'b1}};
        end
    endgenerate

    // ---- per-lane counts of one step (combinational from S1) --------------------------------------
    // terms: tree p < PE: XNOR(w, x) AND m AND keep of lane p (a); then b = m AND keep, per lane
    // (USE_KEEP = 1) or one tree shared by all lanes (m alone)
    wire [PE1*SIMD1-1:0] mk = {PE1{s1_m}} & s1_k;
    wire [NT*SIMD1-1:0]  terms;
    wire [NT*CW-1:0]     cnt;
    assign terms[PE1*SIMD1-1:0] = ~(s1_w ^ {PE1{s1_x}}) & mk;
    generate
        if (KEEP != 0) begin : g_bk
            assign terms[NT*SIMD1-1:PE1*SIMD1] = mk;
        end else begin : g_bs
            assign terms[NT*SIMD1-1:PE1*SIMD1] = s1_m;
        end
    endgenerate

    // popcount of LB bits (one leaf)
    function [LW-1:0] leaf_pop;
        input [LB-1:0] bits;
        integer i;
        reg [LW-1:0] one;
        begin
            leaf_pop = {LW{1'b0}};
            for (i = 0; i < LB; i = i + 1) begin
                one = {LW{1'b0}};
                one[0] = bits[i];
                leaf_pop = leaf_pop + one;
            end
        end
    endfunction

    // per tree, heap-ordered nodes n = 2*NP-1 .. 1 (children 2n, 2n+1 built first): node n >= NP is
    // leaf n - NP (zero past the last), node n < NP at height h = TL - floor(log2 n) has LW + h bits;
    // every addition is exact
    generate
        for (gt = 0; gt < NT; gt = gt + 1) begin : g_tree
            for (gn = 2*NP - 1; gn > 0; gn = gn - 1) begin : g_n
                localparam integer H = (gn >= NP) ? 0 : TL - ($clog2(gn + 1) - 1);
                wire [LW+H-1:0] v;
                if (gn >= NP && gn - NP < NLF) begin : g_leaf
                    localparam integer LSB = gt*SIMD1 + (gn - NP)*LB;
                    localparam integer NB  = (SIMD1 - (gn - NP)*LB < LB) ? SIMD1 - (gn - NP)*LB : LB;
                    if (NB == LB) begin : g_full
                        assign v = leaf_pop(terms[LSB +: LB]);
                    end else begin : g_part
                        assign v = leaf_pop({{(LB-NB){1'b0}}, terms[LSB +: NB]});
                    end
                end else if (gn >= NP) begin : g_pad
                    assign v = {LW{1'b0}};
                end else begin : g_add
                    assign v = {1'b0, g_n[2*gn].v} + {1'b0, g_n[2*gn+1].v};
                end
            end
            assign cnt[gt*CW +: CW] = g_n[1].v;
        end
    endgenerate

    // ---- S2 and S3 --------------------------------------------------------------------------------
    reg                  s2_valid, s2_first, s2_last, s2_vlast, s2_fresh;
    reg [NF_W-1:0]       s2_nf;
    reg [NT*CW-1:0]      s2_cnt;
    wire [PE1*ACC_W-1:0] s2_ref;   // P_ref of fold s2_nf (valid at its first step)
    reg                  s3_done, s3_vlast;
    reg [PE1*ACC_W-1:0]  s3_acc;
    reg [PE1*PARAM_WIDTH-1:0] s3_param;

    // accumulators (S2 -> S3) and thresholds (combinational from S3), per lane
    wire [PE1*ACC_W-1:0] acc_next;
    wire [PE1-1:0]       y_fold;   // results of the fold in S3
    generate
        for (gp = 0; gp < PE1; gp = gp + 1) begin : g_acc
            localparam integer BI = (KEEP != 0) ? PE1 + gp : PE1;      // the lane's b tree
            wire [ACC_W-1:0] a = {{(ACC_W-CW){1'b0}}, s2_cnt[gp*CW +: CW]};
            wire [ACC_W-1:0] b = {{(ACC_W-CW){1'b0}}, s2_cnt[BI*CW +: CW]};
            wire [ACC_W-1:0] delta = s2_fresh ? a : {a[ACC_W-2:0], 1'b0} - b;
            wire [ACC_W-1:0] prev  = !s2_first ? s3_acc[gp*ACC_W +: ACC_W] :
                                     s2_fresh ? {ACC_W{1'b0}} : s2_ref[gp*ACC_W +: ACC_W];
            assign acc_next[gp*ACC_W +: ACC_W] = prev + delta;
            wire [CMP_W-1:0] ca = {{(CMP_W-ACC_W){1'b0}}, s3_acc[gp*ACC_W +: ACC_W]};
            wire [CMP_W-1:0] ct = {{(CMP_W-PARAM_WIDTH){s3_param[gp*PARAM_WIDTH + PARAM_WIDTH - 1]}},
                                   s3_param[gp*PARAM_WIDTH +: PARAM_WIDTH]};
            assign y_fold[gp] = ($signed(ca) >= $signed(ct));
        end
        if (NF > 1) begin : g_ref
            reg [PE1*ACC_W-1:0] rmem [0:NF-1];
            reg [PE1*ACC_W-1:0] s2_ref_r;
            always @(posedge clk) begin
                s2_ref_r <= rmem[s1_nf];
                if (s2_valid && s2_last) rmem[s2_nf] <= acc_next;
            end
            assign s2_ref = s2_ref_r;
        end else begin : g_noref
            assign s2_ref = s3_acc;   // one fold: the accumulator holds the last window's P
        end
    endgenerate

    // ---- control and pipeline registers ------------------------------------------------------------
    always @(posedge clk) begin
        if (!rst_n) begin
            busy       <= 1'b0;
            pend       <= {SF{1'b0}};
            has_ref    <= 1'b0;
            pending    <= {CRED_W{1'b0}};
            computed_r <= 32'd0;
            s1_valid   <= 1'b0;
            s2_valid   <= 1'b0;
            s3_done    <= 1'b0;
        end else begin
            if (accept && !out_pop)      pending <= pending + 1'b1;
            else if (!accept && out_pop) pending <= pending - 1'b1;

            if (accept) busy <= 1'b1;
            else if (win_last) busy <= 1'b0;
            if (accept) has_ref <= 1'b1;

            if (accept) pend <= chg_new & kept_ld;
            else if (advance) pend <= chg & kept_ld;
            else if (busy) pend <= rest;

            computed_r <= computed_r + {31'd0, busy && (pend != {SF{1'b0}})};
            s1_valid   <= busy;
            s2_valid   <= s1_valid;
            s3_done    <= s2_valid && s2_last;
        end
    end

    always @(posedge clk) begin
        s1_first <= first;
        s1_last  <= fold_last;
        s1_vlast <= win_last;
        s1_fresh <= fresh;
        s1_nf    <= nf;
        s2_first <= s1_first;
        s2_last  <= s1_last;
        s2_vlast <= s1_vlast;
        s2_fresh <= s1_fresh;
        s2_nf    <= s1_nf;
        s2_cnt   <= cnt;
        if (s2_valid) s3_acc <= acc_next;
        if (s2_valid && s2_last) s3_param <= pmem[s2_nf];
        s3_vlast <= s2_vlast;
    end

    // ---- output assembly and FIFO -------------------------------------------------------------------
    // the folds' results of the current window shift in from the top; the last one completes it
    wire                    fifo_push = s3_done && s3_vlast;
    wire [OUT_CHANNELS-1:0] fifo_data;
    generate
        if (NF > 1) begin : g_asm
            reg [(NF-1)*PE1-1:0] asm_r;
            assign fifo_data = {y_fold, asm_r};
            always @(posedge clk) begin
                if (s3_done && !s3_vlast) asm_r <= fifo_data[OUT_CHANNELS-1:PE1];
            end
        end else begin : g_noasm
            assign fifo_data = y_fold;
        end
    endgenerate

    wire                           unused_fifo_in_ready;   // 1 when pushing: credit guarantees room
    wire [$clog2(OUT_DEPTH+1)-1:0] unused_fifo_count;
    wire unused_ok = &{1'b0, unused_fifo_in_ready, unused_fifo_count, 1'b0};

    stream_fifo #(
        .WIDTH (OUT_CHANNELS),
        .DEPTH (OUT_DEPTH)
    ) u_out_fifo (
        .clk       (clk),
        .rst_n     (rst_n),
        .in_valid  (fifo_push),
        .in_ready  (unused_fifo_in_ready),
        .in_data   (fifo_data),
        .out_valid (out_valid),
        .out_ready (out_ready),
        .out_data  (out_data),
        .count     (unused_fifo_count)
    );

endmodule

`default_nettype wire
