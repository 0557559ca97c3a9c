// share_unit: binary conv-layer matrix-vector-threshold unit with result sharing of repeated and
// inverse 2-D kernels (Chang et al., DATE 2020). Drop-in beside mvau (threshold mode, 1-bit
// inputs and weights): same streams, same schedule, same credit-based input flow control, same
// output FIFO, same popcount-domain threshold convention.
//
// Math, per input window x (TAPS = KT*C bits, KT = KERNEL*KERNEL, C = CHANNELS; tap-major as
// sliding_window emits it: bit t*C + c = tap t (t = ky*KERNEL + kx) of channel c, 1 = +1, 0 = -1).
// x_c = the KT bits of channel c (bit t = window bit t*C + c).
// Fold step s = nf*SF + sf (nf < NF = OUT_CHANNELS/PE, sf < SF = CHANNELS/CSIMD): slot q < CSIMD
// works on channel c = sf*CSIMD + q; its engine b < E (E = ENGINES) holds the kernel d = K[s][q][b]
// (KT bits) and computes S[q][b] = popcount(XNOR(d, x_c)) (0..KT) once for all PE lanes. Lane p
// (output channel o = nf*PE + p) takes from slot q the code {inv, sel} = SEL[s][p][q]:
//     v = (sel >= E) ? 0 : (inv ? KT - S[q][sel] : S[q][sel])   (sel == E: pruned kernel, "none";
//                                                                 codes above E count as none too)
//     P[o] = sum over sf, q of v        y[o] = (P[o] >= T[o])   (T signed, PARAM_WIDTH bits)
// With INVERSE = 0 there is no inv bit (v = S or 0). Output beat: OUT_CHANNELS bits, y[o] at bit o.
//
// Memory layout ($readmemh images, one hex word per line, line = address, most significant digit
// first; a file parameter left at "" reads no image and that memory starts as zeros):
//   KERNEL_FILE:    FOLD words of CSIMD*E*(KT+1) bits; word s, field [((q*E + b)*(KT+1)) +: KT+1]:
//                   bits [KT-1:0] = kernel d of engine b of slot q (bit t = tap t, 1 = +1), bit KT
//                   = used U (counted by `evaluations`; an engine computes whether used or not).
//   SELECT_FILE:    FOLD words of PE*CSIMD*CW bits, SW = clog2(E+1) (>= 1), CW = SW + INVERSE;
//                   word s, field [((p*CSIMD + q)*CW) +: CW]: bits [SW-1:0] = sel, bit SW = inv
//                   (INVERSE = 1 only).
//   THRESHOLD_FILE: NF words of PE*PARAM_WIDTH bits; word nf, bits [p*PARAM_WIDTH +: PARAM_WIDTH]
//                   = T[nf*PE + p] (two's complement).
//
// Timing (exactly mvau's with SIMD = CSIMD*KT): one fold step per cycle, FOLD = NF*SF cycles per
// vector, the next vector taken in the cycle of the current one's last step; output latency
// (accept -> transfer) FOLD + 4; output FIFO OUT_DEPTH = 1 + ceil(5/FOLD) beats; a vector is taken
// only while fewer than OUT_DEPTH vectors are taken and not yet delivered (credit), so the
// pipeline never stalls. in_ready = (pending < OUT_DEPTH) && (!busy || last step), registers only.
// `issuing` = 1 in every cycle that issues a step. `evaluations` (32 bits, wraps) adds, per issued
// step, the number of its engines with U = 1; a step issued in cycle c is included from cycle
// c + 3 on.
//
// Pipeline: S0 issue (fold counters, rotating channel-major input register; the kernel word of the
// step, read one cycle ahead; the CSIMD*E engines: XNOR + popcount of KT bits) -> S1 (engine
// results, U bits, the step's selection codes) -> S2 (per lane and slot: (E+1)-way mux + inversion
// table, per PE an adder tree over the CSIMD slots; threshold read) -> S3 (accumulators, compare)
// -> assembly of the NF neuron folds -> output FIFO (stream_fifo). Requires stream_fifo.v.

`default_nettype none

module share_unit #(
    parameter integer CHANNELS       = 2,    // input channels C
    parameter integer KERNEL         = 3,    // kernel side k: KT = k*k taps per 2-D kernel
    parameter integer OUT_CHANNELS   = 4,    // output channels (neurons)
    parameter integer PE             = 1,    // output channels in parallel, divides OUT_CHANNELS
    parameter integer CSIMD          = 1,    // input channels per step, divides CHANNELS
    parameter integer ENGINES        = 1,    // E: distinct-kernel engines per channel slot (>= 1)
    parameter integer INVERSE        = 1,    // 1: selection codes carry an inversion bit; 0: not
    parameter integer PARAM_WIDTH    = 16,   // bits of one threshold (signed)
    parameter         KERNEL_FILE    = "",   // $readmemh image of the engine kernels ("": none)
    parameter         SELECT_FILE    = "",   // $readmemh image of the selection codes ("": none)
    parameter         THRESHOLD_FILE = ""    // $readmemh image of the thresholds ("": none)
) (
    input  wire                                  clk,
    input  wire                                  rst_n,       // synchronous, active low
    input  wire                                  in_valid,
    output wire                                  in_ready,
    input  wire [KERNEL*KERNEL*CHANNELS-1:0]     in_data,
    output wire                                  out_valid,
    input  wire                                  out_ready,
    output wire [OUT_CHANNELS-1:0]               out_data,
    output wire                                  issuing,     // 1: a fold step is issued (busy)
    output wire [31:0]                           evaluations  // used engines of issued steps (wraps)
);

    // ---- derived values ------------------------------------------------------------------------
    localparam integer KT        = (KERNEL >= 1) ? KERNEL * KERNEL : 1;  // taps per 2-D kernel
    localparam integer C         = (CHANNELS >= 1) ? CHANNELS : 1;
    localparam integer TAPS      = KT * C;                     // window bits
    localparam integer E         = (ENGINES >= 1) ? ENGINES : 1;
    localparam integer CS        = (CSIMD >= 1) ? CSIMD : 1;
    localparam integer NF        = OUT_CHANNELS / PE;          // neuron folds
    localparam integer SF        = C / CS;                     // synapse folds
    localparam integer FOLD      = NF * SF;                    // cycles per vector
    localparam integer INV       = (INVERSE != 0) ? 1 : 0;
    localparam integer SW        = ($clog2(E + 1) >= 1) ? $clog2(E + 1) : 1;  // bits of sel
    localparam integer NSEL      = 1 << SW;                    // sel values (>= E + 1)
    localparam integer CW        = SW + INV;                   // bits of one selection code
    localparam integer KW        = KT + 1;                     // kernel field: d and U
    localparam integer KWORD     = CS * E * KW;                // bits of one kernel word
    localparam integer SWORD     = PE * CS * CW;               // bits of one select word
    localparam integer SBITS     = CS * KT;                    // input bits per step
    localparam integer NENG      = CS * E;                     // engines
    localparam integer RW        = $clog2(KT + 1);             // engine result bits (0..KT)
    // per-PE adder tree over CS leaves of RW bits: level l nodes are clog2(KT*2^l + 1) bits
    localparam integer TLP       = (CS > 1) ? $clog2(CS) : 0;
    localparam integer PSUM_W    = $clog2(KT * (1 << TLP) + 1);     // tree root bits
    localparam integer ACC_W0    = $clog2(TAPS + 1);
    localparam integer ACC_W     = (ACC_W0 > PSUM_W) ? ACC_W0 : PSUM_W;  // unsigned accumulator
    localparam integer CMP_W     = ((ACC_W + 1 > PARAM_WIDTH) ? ACC_W + 1 : PARAM_WIDTH);
    localparam integer LAT       = 5;                          // accept -> credit returned, minus FOLD
    localparam integer OUT_DEPTH = 1 + (LAT + FOLD - 1) / FOLD; // output FIFO beats for full rate
    localparam integer STEP_W    = (FOLD > 1) ? $clog2(FOLD) : 1;
    localparam integer SF_W      = (SF > 1) ? $clog2(SF) : 1;
    localparam integer NF_W      = (NF > 1) ? $clog2(NF) : 1;
    localparam integer CRED_W    = $clog2(OUT_DEPTH + 1);
    localparam integer STEP_LAST_I = FOLD - 1;
    localparam integer SF_LAST_I   = SF - 1;
    localparam integer NF_LAST_I   = NF - 1;
    localparam [STEP_W-1:0] STEP_LAST = STEP_LAST_I[STEP_W-1:0];
    localparam [SF_W-1:0]   SF_LAST   = SF_LAST_I[SF_W-1:0];
    localparam [NF_W-1:0]   NF_LAST   = NF_LAST_I[NF_W-1:0];
    localparam [CRED_W-1:0] CRED_MAX  = OUT_DEPTH[CRED_W-1:0];
    localparam [SW-1:0]     E_SEL     = E[SW-1:0];             // sel of "none" (fits: E < 2^SW)

    // inversion table: entry m = (KT - m) mod 2^RW, so that inv ? KT - S : S is LUT logic (no
    // carry chain per lane and slot)
    function [(1 << RW)*RW-1:0] inv_table;
        input [RW-1:0] kt;
        integer i;
        begin
            inv_table = {((1 << RW)*RW){1'b0}};
            for (i = 0; i < (1 << RW); i = i + 1)
                inv_table[i*RW +: RW] = kt - i[RW-1:0];
        end
    endfunction
    localparam [RW-1:0] KT_R = KT[RW-1:0];
    localparam [(1 << RW)*RW-1:0] INV_TAB = inv_table(KT_R);

    initial begin
        if (CHANNELS < 1 || OUT_CHANNELS < 1 || PE < 1 || CSIMD < 1) begin
            $display("ERROR: share_unit: CHANNELS, OUT_CHANNELS, PE, CSIMD must be >= 1");
            $finish;
        end
        if (KERNEL < 1) begin
            $display("ERROR: share_unit: KERNEL (%0d) must be >= 1", KERNEL);
            $finish;
        end
        if (ENGINES < 1) begin
            $display("ERROR: share_unit: ENGINES (%0d) must be >= 1", ENGINES);
            $finish;
        end
        if (OUT_CHANNELS % PE != 0) begin
            $display("ERROR: share_unit: PE (%0d) must divide OUT_CHANNELS (%0d)", PE, OUT_CHANNELS);
            $finish;
        end
        if (CHANNELS % CSIMD != 0) begin
            $display("ERROR: share_unit: CSIMD (%0d) must divide CHANNELS (%0d)", CSIMD, CHANNELS);
            $finish;
        end
        if (INVERSE != 0 && INVERSE != 1) begin
            $display("ERROR: share_unit: INVERSE (%0d) must be 0 or 1", INVERSE);
            $finish;
        end
        if (PARAM_WIDTH < 2 || PARAM_WIDTH > 32) begin
            $display("ERROR: share_unit: PARAM_WIDTH (%0d) must be in 2..32", PARAM_WIDTH);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (CHANNELS < 1 || OUT_CHANNELS < 1 || PE < 1 || CSIMD < 1) begin : g_param_error_0
            ERROR_share_unit_sizes_PE_CSIMD_must_be_at_least_1 u_error ();
        end
        if (KERNEL < 1) begin : g_param_error_1
            ERROR_share_unit_KERNEL_must_be_at_least_1 u_error ();
        end
        if (ENGINES < 1) begin : g_param_error_2
            ERROR_share_unit_ENGINES_must_be_at_least_1 u_error ();
        end
        if (PE >= 1 && OUT_CHANNELS % PE != 0) begin : g_param_error_3
            ERROR_share_unit_PE_must_divide_OUT_CHANNELS u_error ();
        end
        if (CSIMD >= 1 && CHANNELS % CSIMD != 0) begin : g_param_error_4
            ERROR_share_unit_CSIMD_must_divide_CHANNELS u_error ();
        end
        if (INVERSE != 0 && INVERSE != 1) begin : g_param_error_5
            ERROR_share_unit_INVERSE_must_be_0_or_1 u_error ();
        end
        if (PARAM_WIDTH < 2 || PARAM_WIDTH > 32) begin : g_param_error_6
            ERROR_share_unit_PARAM_WIDTH_must_be_2_to_32 u_error ();
        end
    endgenerate

    // ---- memories ---------------------------------------------------------------------------------
    // An image is read only if its file name is not empty; a memory without one (the default
    // parameters) starts as zeros, so that the module elaborates alone without any file.
    reg [KWORD-1:0]          kmem [0:FOLD-1];
    reg [SWORD-1:0]          smem [0:FOLD-1];
    reg [PE*PARAM_WIDTH-1:0] pmem [0:NF-1];
    generate
        if (KERNEL_FILE != "") begin : g_kload
            initial $readmemh(KERNEL_FILE, kmem);
        end else begin : g_kzero
            integer i;
            initial for (i = 0; i < FOLD; i = i + 1) kmem[i] = {KWORD{1'b0}};
        end
        if (SELECT_FILE != "") begin : g_sload
            initial $readmemh(SELECT_FILE, smem);
        end else begin : g_szero
            integer i;
            initial for (i = 0; i < FOLD; i = i + 1) smem[i] = {SWORD{1'b0}};
        end
        if (THRESHOLD_FILE != "") begin : g_pload
            initial $readmemh(THRESHOLD_FILE, pmem);
        end else begin : g_pzero
            integer i;
            initial for (i = 0; i < NF; i = i + 1) pmem[i] = {(PE*PARAM_WIDTH){1'b0}};
        end
    endgenerate

    // ---- S0: issue ----------------------------------------------------------------------------------
    reg                 busy;      // a vector is in ibuf and its fold steps are being issued
    reg [STEP_W-1:0]    step;      // fold step = select address
    reg [SF_W-1:0]      sf;
    reg [NF_W-1:0]      nf;
    reg [TAPS-1:0]      ibuf;      // channel-major; rotates right by CSIMD channels per step
    reg [CRED_W-1:0]    pending;   // vectors accepted and not yet delivered
    reg [KWORD-1:0]     s0_k;      // kernel word of the step being issued (read one cycle ahead)

    wire step_last = (step == STEP_LAST);
    wire sf_last   = (sf == SF_LAST);
    wire nf_last   = (nf == NF_LAST);
    // in_ready = (pending != CRED_MAX) && (!busy || step_last) as a register, computed from the next
    // values of pending, busy and step (as in mvau): with a combinational in_ready, ABC copies its
    // logic into the load LUT of every ibuf bit.
    reg                 ready_r;
    assign in_ready = ready_r;
    assign issuing  = busy;
    wire accept    = in_valid && in_ready;
    wire out_pop   = out_valid && out_ready;
    wire                busy_next    = accept || (busy && !step_last);
    wire [CRED_W-1:0]   pending_next = (accept && !out_pop) ? pending + 1'b1 :
                                       (!accept && out_pop) ? pending - 1'b1 : pending;
    // the value step takes at this edge (step is 0 whenever !busy): the kernel read address
    wire [STEP_W-1:0] step_nx = (!rst_n || !busy || step_last) ? {STEP_W{1'b0}} : step + 1'b1;
    always @(posedge clk) s0_k <= kmem[step_nx];

    genvar gc, gt, gq, gb, gp, gl, gj;

    // channel-major reordering (wiring): internal bit c*KT + t = window bit t*C + c, so that x_c is
    // contiguous
    wire [TAPS-1:0] in_cm;
    generate
        for (gc = 0; gc < C; gc = gc + 1) begin : g_ro_c
            for (gt = 0; gt < KT; gt = gt + 1) begin : g_ro_t
                assign in_cm[gc*KT + gt] = in_data[gt*C + gc];
            end
        end
        if (SF > 1) begin : g_rot
            always @(posedge clk) begin
                if (accept) ibuf <= in_cm;
                else if (busy) ibuf <= {ibuf[SBITS-1:0], ibuf[TAPS-1:SBITS]};
            end
        end else begin : g_norot
            always @(posedge clk) begin
                if (accept) ibuf <= in_cm;
            end
        end
    endgenerate
    wire [SBITS-1:0] xs = ibuf[SBITS-1:0];   // x of channels sf*CSIMD + q at [q*KT +: KT]

    // engines (combinational in S0): engine (q, b) = popcount(XNOR(d, x_c)), as mvau's partial sums:
    // with KT >= 9 two rounds of 3:2 compression (leaves of 4 bits, 0..9, each the number of ones
    // among the bits j + k*NL, k < 9), otherwise the bits themselves; then a balanced adder tree
    // (level l nodes of clog2(LMAX*2^l + 1) bits, one more than the level below).
    localparam integer FA_ON = (KT >= 9) ? 1 : 0;
    localparam integer NB9   = ((KT + 8) / 9) * 9;     // KT padded to a multiple of 9
    localparam integer T3    = NB9 / 3;
    localparam integer ENL   = (FA_ON != 0) ? NB9 / 9 : KT;   // leaves per engine
    localparam integer ELMAX = (FA_ON != 0) ? 9 : 1;          // largest leaf value
    localparam integer ETL   = (ENL > 1) ? $clog2(ENL) : 0;   // tree levels
    localparam integer ERW   = $clog2(ELMAX * (1 << ETL) + 1);  // tree root bits (>= RW)
    wire [NENG*RW-1:0] eng_s;   // S[q][b] at [(q*E + b)*RW +: RW]
    wire [NENG-1:0]    eng_u;   // U[q][b] at bit q*E + b
    generate
        for (gq = 0; gq < CS; gq = gq + 1) begin : g_eq
            for (gb = 0; gb < E; gb = gb + 1) begin : g_eb
                localparam integer F = (gq*E + gb) * KW;    // field of the engine in the word
                wire [KT-1:0] t = ~(s0_k[F +: KT] ^ xs[gq*KT +: KT]);
                assign eng_u[gq*E + gb] = s0_k[F + KT];
                if (FA_ON != 0) begin : g_fa
                    wire [NB9-1:0] b0;
                    if (NB9 > KT) begin : g_pad
                        assign b0 = {{(NB9-KT){1'b0}}, t};
                    end else begin : g_nopad
                        assign b0 = t;
                    end
                    wire [T3-1:0] a1 = b0[0 +: T3], b1 = b0[T3 +: T3], c1 = b0[2*T3 +: T3];
                    wire [T3-1:0] s1w1 = a1 ^ b1 ^ c1;                  // weight 1
                    wire [T3-1:0] s1w2 = (a1 & b1) | (c1 & (a1 ^ b1));  // weight 2
                    wire [ENL-1:0] a2 = s1w1[0 +: ENL], b2 = s1w1[ENL +: ENL], c2 = s1w1[2*ENL +: ENL];
                    wire [ENL-1:0] d2 = s1w2[0 +: ENL], e2 = s1w2[ENL +: ENL], f2 = s1w2[2*ENL +: ENL];
                    wire [ENL-1:0] s2w1 = a2 ^ b2 ^ c2;                 // weight 1
                    wire [ENL-1:0] s2w2 = (a2 & b2) | (c2 & (a2 ^ b2)); // weight 2
                    wire [ENL-1:0] t2w2 = d2 ^ e2 ^ f2;                 // weight 2
                    wire [ENL-1:0] t2w4 = (d2 & e2) | (f2 & (d2 ^ e2)); // weight 4
                end
                for (gl = 0; gl <= ETL; gl = gl + 1) begin : g_lv
                    localparam integer N = (ENL + (1 << gl) - 1) >> gl;   // nodes of this level
                    localparam integer W = $clog2(ELMAX * (1 << gl) + 1); // bits per node
                    for (gj = 0; gj < N; gj = gj + 1) begin : g_n
                        wire [W-1:0] v;
                        if (gl == 0 && FA_ON != 0) begin : g_leaf_fa
                            assign v = {1'b0, g_fa.t2w4[gj], g_fa.s2w2[gj], g_fa.s2w1[gj]} +
                                       {2'b00, g_fa.t2w2[gj], 1'b0};
                        end else if (gl == 0) begin : g_leaf_bit
                            assign v = t[gj];
                        end else begin : g_node
                            localparam integer NP = (ENL + (1 << (gl - 1)) - 1) >> (gl - 1);
                            wire [W-2:0] a = g_lv[gl-1].g_n[2*gj].v;
                            if (2*gj + 1 < NP) begin : g_add
                                wire [W-2:0] b = g_lv[gl-1].g_n[2*gj+1].v;
                                assign v = {1'b0, a} + {1'b0, b};
                            end else begin : g_pass
                                assign v = {1'b0, a};
                            end
                        end
                    end
                end
                wire [ERW-1:0] root = g_lv[ETL].g_n[0].v;   // <= KT: the top ERW-RW bits are 0
                assign eng_s[(gq*E + gb)*RW +: RW] = root[RW-1:0];
                if (ERW > RW) begin : g_top
                    wire unused_root_top = &{1'b0, root[ERW-1:RW], 1'b0};  // always zero
                end
            end
        end
    endgenerate

    // ---- S1 ---------------------------------------------------------------------------------------
    reg                  s1_valid, s1_first, s1_last, s1_vlast;
    reg [NF_W-1:0]       s1_nf;
    reg [NENG*RW-1:0]    s1_s;      // engine results of the step
    reg [NENG-1:0]       s1_u;      // used bits of the step's engines
    reg [SWORD-1:0]      s1_sel;    // selection codes of the step

    // ---- S2 ---------------------------------------------------------------------------------------
    reg                  s2_valid, s2_first, s2_last, s2_vlast;
    reg [NF_W-1:0]       s2_nf;
    reg [PE*PSUM_W-1:0]  s2_psum;
    reg [PE*PARAM_WIDTH-1:0] s3_param;

    // ---- S3 ---------------------------------------------------------------------------------------
    reg                  s3_done, s3_vlast;
    reg [PE*ACC_W-1:0]   s3_acc;

    always @(posedge clk) begin
        if (busy) begin
            s1_s   <= eng_s;
            s1_sel <= smem[step];
        end
        if (s2_valid && s2_last) s3_param <= pmem[s2_nf];
    end

    // per lane p and slot q: the selected, optionally inverted engine result (S1), then per PE a
    // balanced adder tree over the CS slots (level l nodes of clog2(KT*2^l + 1) bits)
    wire [PE*PSUM_W-1:0] psum;
    generate
        for (gq = 0; gq < CS; gq = gq + 1) begin : g_cand
            // the slot's candidates: E engine results, then zeros up to NSEL entries (sel >= E: 0)
            wire [NSEL*RW-1:0] cand = {{((NSEL-E)*RW){1'b0}}, s1_s[gq*E*RW +: E*RW]};
        end
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_sum
            for (gl = 0; gl <= TLP; gl = gl + 1) begin : g_lv
                localparam integer N = (CS + (1 << gl) - 1) >> gl;    // nodes of this level
                localparam integer W = $clog2(KT * (1 << gl) + 1);    // bits per node
                for (gj = 0; gj < N; gj = gj + 1) begin : g_n
                    wire [W-1:0] v;
                    if (gl == 0) begin : g_leaf
                        wire [CW-1:0] code = s1_sel[(gp*CS + gj)*CW +: CW];
                        wire [SW-1:0] sel  = code[SW-1:0];
                        wire [RW-1:0] m    = g_cand[gj].cand[sel*RW +: RW];
                        if (INV != 0) begin : g_inv
                            // a pruned kernel (sel >= E, m = 0) stays 0 whatever its inv bit
                            assign v = (code[SW] && sel < E_SEL) ? INV_TAB[m*RW +: RW] : m;
                        end else begin : g_noinv
                            assign v = m;
                        end
                    end else begin : g_node
                        localparam integer NP = (CS + (1 << (gl - 1)) - 1) >> (gl - 1);
                        wire [W-2:0] a = g_lv[gl-1].g_n[2*gj].v;
                        if (2*gj + 1 < NP) begin : g_add
                            wire [W-2:0] b = g_lv[gl-1].g_n[2*gj+1].v;
                            assign v = {1'b0, a} + {1'b0, b};
                        end else begin : g_pass
                            assign v = {1'b0, a};
                        end
                    end
                end
            end
            assign psum[gp*PSUM_W +: PSUM_W] = g_lv[TLP].g_n[0].v;
        end
    endgenerate

    // used engines of the step (S1 -> S2, popcount as an adder tree of the U bits)
    localparam integer UTL = (NENG > 1) ? $clog2(NENG) : 0;
    localparam integer UCW = UTL + 1;                    // bits of the count
    reg [UCW-1:0] s2_ucnt;
    reg [31:0]    evals;
    generate
        for (gl = 0; gl <= UTL; gl = gl + 1) begin : g_ulv
            localparam integer N = (NENG + (1 << gl) - 1) >> gl;
            for (gj = 0; gj < N; gj = gj + 1) begin : g_n
                wire [gl:0] v;
                if (gl == 0) begin : g_leaf
                    assign v = s1_u[gj];
                end else begin : g_node
                    localparam integer NP = (NENG + (1 << (gl - 1)) - 1) >> (gl - 1);
                    wire [gl-1:0] a = g_ulv[gl-1].g_n[2*gj].v;
                    if (2*gj + 1 < NP) begin : g_add
                        wire [gl-1:0] b = g_ulv[gl-1].g_n[2*gj+1].v;
                        assign v = {1'b0, a} + {1'b0, b};
                    end else begin : g_pass
                        assign v = {1'b0, a};
                    end
                end
            end
        end
    endgenerate
    wire [UCW-1:0] ucnt = g_ulv[UTL].g_n[0].v;
    assign evaluations = evals;

    // accumulators (S2 -> S3) and thresholds of one neuron fold (combinational from S3), per PE
    wire [PE*ACC_W-1:0] acc_next;
    wire [PE-1:0]       chunk;
    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_acc
            wire [ACC_W-1:0] ps = {{(ACC_W-PSUM_W){1'b0}}, s2_psum[gp*PSUM_W +: PSUM_W]};
            assign acc_next[gp*ACC_W +: ACC_W] = (s2_first ? {ACC_W{1'b0}} : s3_acc[gp*ACC_W +: ACC_W]) + ps;
            wire [CMP_W-1:0] ca = {{(CMP_W-ACC_W){1'b0}}, s3_acc[gp*ACC_W +: ACC_W]};
            wire [CMP_W-1:0] ct = {{(CMP_W-PARAM_WIDTH){s3_param[gp*PARAM_WIDTH + PARAM_WIDTH - 1]}},
                                   s3_param[gp*PARAM_WIDTH +: PARAM_WIDTH]};
            assign chunk[gp] = ($signed(ca) >= $signed(ct));
        end
    endgenerate

    // ---- control and pipeline registers ------------------------------------------------------------
    always @(posedge clk) begin
        if (!rst_n) begin
            busy     <= 1'b0;
            step     <= {STEP_W{1'b0}};
            sf       <= {SF_W{1'b0}};
            nf       <= {NF_W{1'b0}};
            pending  <= {CRED_W{1'b0}};
            ready_r  <= 1'b1;
            s1_valid <= 1'b0;
            s2_valid <= 1'b0;
            s3_done  <= 1'b0;
            s2_ucnt  <= {UCW{1'b0}};
            evals    <= 32'd0;
        end else begin
            pending <= pending_next;
            busy    <= busy_next;
            step    <= step_nx;
            ready_r <= (pending_next != CRED_MAX) && (!busy_next || step_nx == STEP_LAST);
            if (busy) begin
                sf   <= sf_last ? {SF_W{1'b0}} : sf + 1'b1;
                if (sf_last) nf <= nf_last ? {NF_W{1'b0}} : nf + 1'b1;
            end

            s1_valid <= busy;
            s2_valid <= s1_valid;
            s3_done  <= s2_valid && s2_last;
            s2_ucnt  <= s1_valid ? ucnt : {UCW{1'b0}};
            evals    <= evals + {{(32-UCW){1'b0}}, s2_ucnt};
        end
    end

    always @(posedge clk) begin
        s1_u     <= eng_u;
        s1_first <= (sf == {SF_W{1'b0}});
        s1_last  <= sf_last;
        s1_vlast <= step_last;
        s1_nf    <= nf;
        s2_first <= s1_first;
        s2_last  <= s1_last;
        s2_vlast <= s1_vlast;
        s2_nf    <= s1_nf;
        s2_psum  <= psum;
        if (s2_valid) s3_acc <= acc_next;
        s3_vlast <= s2_vlast;
    end

    // ---- output assembly and FIFO -------------------------------------------------------------------
    wire                    fifo_push = s3_done && s3_vlast;
    wire [OUT_CHANNELS-1:0] fifo_data;
    generate
        if (NF > 1) begin : g_asm
            // neuron folds 0..NF-2 of the current vector, shifted in from the top
            reg [(NF-1)*PE-1:0] asm_r;
            if (NF > 2) begin : g_shift
                always @(posedge clk) begin
                    if (s3_done && !s3_vlast) asm_r <= {chunk, asm_r[(NF-1)*PE-1:PE]};
                end
            end else begin : g_one
                always @(posedge clk) begin
                    if (s3_done && !s3_vlast) asm_r <= chunk;
                end
            end
            assign fifo_data = {chunk, asm_r};
        end else begin : g_noasm
            assign fifo_data = chunk;
        end
    endgenerate

    wire                     unused_fifo_in_ready;   // always 1 when pushing: credit guarantees room
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
