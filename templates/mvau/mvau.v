// mvau: matrix-vector-activation unit, folded by PE (output channels in parallel) and SIMD
// (input elements in parallel).
//
// Math, per input vector x (TAPS elements of ELEM_WIDTH bits, element j at [j*ELEM_WIDTH +:
// ELEM_WIDTH]) and output channel o < OUT_CHANNELS, with weights w[o][j] (bit 1 = +1, 0 = -1) and
// kept-tap mask keep[o][j] (1 = tap j counts for channel o; all ones unless USE_KEEP = 1):
//   binary mode  (ELEM_WIDTH == 1 and INPUT_INTEGER == 0; x bit 1 = +1, 0 = -1):
//       acc = P = popcount over j of (XNOR(w[o][j], x[j]) AND keep[o][j])   (0 .. N_kept[o])
//       threshold: y[o] = (P >= T[o])   T = popcount-domain threshold (derived by the generator
//                                       with N = N_kept[o] kept taps: T = ceil((T_s + N) / 2))
//       score:     s[o] = 2*P - TAPS + B[o]   (with a mask the generator gives
//                                              B[o] = B_user[o] + TAPS - N_kept[o])
//   integer mode (ELEM_WIDTH > 1, or INPUT_INTEGER == 1; x unsigned, e.g. 0/1 or 8-bit pixels):
//       acc = sum over j with keep[o][j] of (w[o][j] ? +x[j] : -x[j])   (a pruned tap adds 0)
//       threshold: y[o] = (acc >= T[o]);   score: s[o] = acc + B[o]
// T / B are signed PARAM_WIDTH-bit values; s is output modulo 2^SCORE_WIDTH (signed).
// The mask costs logic (an AND per weight bit), not cycles: the schedule is the same either way.
//
// Internal order: with KERNEL_TAPS = KT > 1 the tap-major input (element j = t*C + c, C = TAPS/KT)
// is reordered (wiring) to kernel-major: internal element c*KT + t = input element t*C + c. The
// weights, the mask and the chunks below index the internal vector (KT = 1: the input itself).
//
// Kernel-select mode (USE_SELECT = 1; structured kernel pruning that skips cycles): output channel
// o processes only a compact vector of KEPT_TAPS elements, cut into chunks of G = SELECT_CHUNK
// elements (chunk q = elements [q*G, q*G+G)); compact chunk sf*M + s (slot s < M = SIMD/G of fold
// step sf) is internal chunk sf*M + s + d, d = the offset (0 .. SELECT_SPAN-1) of (PE p, slot s) in
// word nf*SF + sf of SELECT_FILE (SELECT_SHARED = 1: one offset per slot for all PEs). The sums
// above run over the compact elements; weights and mask are indexed by the compact element.
// Binary score mode still subtracts TAPS (the generator folds TAPS - KEPT_TAPS into B).
//
// Folding: NF = OUT_CHANNELS/PE neuron folds, SF = TAPS/SIMD synapse folds (select mode:
// KEPT_TAPS/SIMD). Fold step k = nf*SF + sf computes channels nf*PE + pe (pe < PE) on (compact)
// elements sf*SIMD + i (i < SIMD). One fold step per cycle, FOLD = NF*SF cycles per vector, no
// overhead: the next vector is taken in the cycle of the current one's last step. Output beat
// latency (accept -> transfer) FOLD + 4. Output `issuing` = 1 in every cycle that issues a step.
//
// Memory layout ($readmemh images, one hex word per line, line = address, most significant digit
// first, bit b of the word = bit b below; a file parameter left at its default "" reads no image
// and the memory starts as zeros, so the module elaborates alone without files):
//   WEIGHT_FILE: FOLD words of PE*SIMD bits; word k = nf*SF + sf, bit pe*SIMD + i =
//                w[nf*PE + pe][sf*SIMD + i].
//   PARAM_FILE:  NF words of PE*PARAM_WIDTH bits; word nf, bits [pe*PARAM_WIDTH +: PARAM_WIDTH] =
//                T[nf*PE + pe] (threshold mode) or B[nf*PE + pe] (score mode), two's complement.
//   KEEP_FILE:   (USE_KEEP = 1 only) the layout of WEIGHT_FILE: word k = nf*SF + sf, bit
//                pe*SIMD + i = keep[nf*PE + pe][sf*SIMD + i].
//   SELECT_FILE: (USE_SELECT = 1 and SELECT_SPAN > 1 only) FOLD words of
//                (SELECT_SHARED ? 1 : PE) * M * SW bits, SW = max(1, clog2(SELECT_SPAN)); word
//                k = nf*SF + sf, bits [((pe*M + s)*SW) +: SW] = offset d of PE pe (0 if shared),
//                slot s. The generator guarantees sf*M + s + d < TAPS/G.
// Output beat: threshold mode OUT_CHANNELS bits, y[o] at bit o; score mode
// OUT_CHANNELS*SCORE_WIDTH bits, s[o] at [o*SCORE_WIDTH +: SCORE_WIDTH].
//
// Pipeline (never stalls inside; all flow control is at issue): S0 issue (fold counters, the
// step's slice of the input copy or the held input through an SF-way multiplexer, weight/mask
// read; select mode with offsets: a rotating input register, the step's offsets, read one cycle
// ahead, drive a SELECT_SPAN-way mux per slot over a fixed window of it)
// -> S1 (weights, mask, input slice, per PE in per-PE select mode) -> S2
// (per-PE partial sums: word-wide terms, 3:2 compression, adder tree; threshold/bias read) -> S3
// (accumulators) -> output FIFO (stream_fifo, OUT_DEPTH beats): a vector is accepted only if fewer
// than OUT_DEPTH vectors are accepted and not yet delivered (credit), so its result always finds
// a place. With OUT_HOLD (see below) one output register instead, and the first step of a
// vector's last neuron fold is not issued while it is full. in_ready depends on registers only;
// out_valid/out_data are registers. Requires stream_fifo.v, slice_mux.v, popcount.v.

`default_nettype none

module mvau #(
    parameter integer TAPS           = 9,            // elements per input vector
    parameter integer ELEM_WIDTH     = 1,            // bits per element
    parameter integer INPUT_INTEGER  = 0,            // 1: unsigned integer elements even if 1 bit
    parameter integer OUT_CHANNELS   = 4,            // output channels (neurons)
    parameter integer PE             = 1,            // channels computed in parallel, divides OUT_CHANNELS
    parameter integer SIMD           = 1,            // elements per cycle, divides TAPS
    parameter integer THRESHOLD_MODE = 1,            // 1: y = (acc >= T), 1 bit/channel; 0: score
    parameter integer PARAM_WIDTH    = 16,           // bits of one threshold / bias (signed)
    parameter integer SCORE_WIDTH    = 16,           // bits of one score (signed, score mode)
    parameter integer USE_KEEP       = 0,            // 1: kept-tap mask from KEEP_FILE; 0: all taps
    parameter         WEIGHT_FILE    = "",           // $readmemh image of the weights ("": none)
    parameter         PARAM_FILE     = "",           // $readmemh image of thresholds / biases ("": none)
    parameter         KEEP_FILE      = "",           // $readmemh image of the mask (USE_KEEP = 1; "": none)
    parameter integer KERNEL_TAPS    = 1,            // taps per kernel (k*k); > 1: reorder the
                                                     // tap-major input to kernel-major, divides TAPS
    parameter integer USE_SELECT     = 0,            // 1: kernel-select mode (skips pruned chunks)
    parameter integer KEPT_TAPS      = 1,            // select mode: elements per output channel
    parameter integer SELECT_CHUNK   = 1,            // select mode: elements per chunk (G)
    parameter integer SELECT_SPAN    = 1,            // select mode: candidate chunks per slot (D+1)
    parameter integer SELECT_SHARED  = 0,            // select mode: 1 = one selection for all PEs
    parameter         SELECT_FILE    = "",           // $readmemh image of the chunk offsets ("": none)
    parameter integer WEIGHT_RAM     = 0,            // 1: weights in block RAM; 0: synthesis chooses
    parameter integer HOLD_INPUT     = 0             // 1: read the held input vector in place (no
                                                     // ibuf; not with kernel-select offsets)
) (
    input  wire                                clk,
    input  wire                                rst_n,      // synchronous, active low
    input  wire                                in_valid,
    output wire                                in_ready,
    input  wire [TAPS*ELEM_WIDTH-1:0]          in_data,
    output wire                                out_valid,
    input  wire                                out_ready,
    output wire [OUT_CHANNELS*((THRESHOLD_MODE != 0) ? 1 : SCORE_WIDTH)-1:0] out_data,
    output wire                                issuing     // 1: a fold step is issued (busy)
);

    // ---- derived values ------------------------------------------------------------------------
    localparam integer EW        = ELEM_WIDTH;
    localparam integer IN_BITS   = TAPS * ELEM_WIDTH;
    localparam integer NF        = OUT_CHANNELS / PE;          // neuron folds
    localparam integer SEL       = (USE_SELECT == 1) ? 1 : 0;  // kernel-select mode
    localparam integer KT        = (KERNEL_TAPS >= 1) ? KERNEL_TAPS : 1;
    localparam integer KC        = TAPS / KT;                  // channels of the reordering
    localparam integer ELEMS     = (SEL != 0) ? KEPT_TAPS : TAPS;  // elements stepped per channel
    localparam integer SF        = (ELEMS >= SIMD) ? ELEMS / SIMD : 1;  // synapse folds
    localparam integer G         = (SELECT_CHUNK >= 1) ? SELECT_CHUNK : 1;  // chunk elements
    localparam integer GE        = G * ELEM_WIDTH;             // chunk bits
    localparam integer SLOTS     = SIMD / G;                   // slots per fold step (M)
    localparam integer SPAN      = (SEL != 0 && SELECT_SPAN >= 1) ? SELECT_SPAN : 1;
    localparam integer SW        = (SPAN > 1) ? $clog2(SPAN) : 1;  // bits of one offset
    localparam integer SMUX      = (SEL != 0 && SPAN > 1) ? 1 : 0; // slot muxes present
    localparam integer XPE       = (SMUX != 0 && SELECT_SHARED == 0) ? PE : 1;  // input slices
    localparam integer HELD      = (SMUX == 0 && HOLD_INPUT == 1) ? 1 : 0;  // read in_data in place
    localparam integer SMW       = XPE * SLOTS * SW;               // bits of one select word
    localparam integer ROT2      = (ELEMS <= TAPS) ? (TAPS - (SF - 1) * SIMD) % TAPS : SIMD;  // at a fold end
    localparam integer FOLD      = NF * SF;                    // cycles per vector
    localparam integer INT_MODE  = (ELEM_WIDTH > 1 || INPUT_INTEGER != 0) ? 1 : 0;
    localparam integer OW        = (THRESHOLD_MODE != 0) ? 1 : SCORE_WIDTH;  // bits per channel out
    localparam integer CHUNK     = PE * OW;                    // output bits per neuron fold
    localparam integer OUT_BITS  = OUT_CHANNELS * OW;
    localparam integer PSUM_W    = $clog2(SIMD + 1) + ELEM_WIDTH + 1;  // signed partial sum
    localparam integer ACC_W     = $clog2(TAPS + 1) + ELEM_WIDTH + 1;  // signed accumulator
    localparam integer CMP_W     = ((ACC_W > PARAM_WIDTH) ? ACC_W : PARAM_WIDTH) + 1;
    localparam integer SUM_W     = ((ACC_W + 1 > PARAM_WIDTH) ? ACC_W + 1 : PARAM_WIDTH) + 2;
    localparam integer SC_W      = (SUM_W > SCORE_WIDTH) ? SUM_W : SCORE_WIDTH;  // score arithmetic
    localparam integer LAT       = 5;                          // accept -> credit returned, minus FOLD
    localparam integer OUT_DEPTH = 1 + (LAT + FOLD - 1) / FOLD; // output FIFO beats for full rate
    // OUT_HOLD: one output register instead of the FIFO when the last neuron fold starts at least
    // 8 steps into a vector (longer than the pipeline): that fold's first step waits until the
    // register is empty, so the result always finds it free, and the previous vector's result
    // has long left the pipeline by then. A FIFO of two wide beats costs a 2:1 multiplexer per
    // output bit (BNN-PYNQ CNV's fc6: 514 of its 750 LUTs); the register costs none.
    localparam integer OUT_HOLD  = (NF > 1 && SF > 1 && (NF - 1) * SF >= 8) ? 1 : 0;
    localparam integer GATE_I    = (NF - 1) * SF;              // first step of the last neuron fold
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
    localparam [STEP_W-1:0] GATE_STEP = GATE_I[STEP_W-1:0];
    localparam [ACC_W-1:0]  TAPS_A    = TAPS[ACC_W-1:0];       // fits: ACC_W > log2(TAPS+1)

    initial begin
        if (TAPS < 1 || ELEM_WIDTH < 1 || OUT_CHANNELS < 1 || PE < 1 || SIMD < 1) begin
            $display("ERROR: mvau: TAPS, ELEM_WIDTH, OUT_CHANNELS, PE, SIMD must be >= 1");
            $finish;
        end
        if (OUT_CHANNELS % PE != 0) begin
            $display("ERROR: mvau: PE (%0d) must divide OUT_CHANNELS (%0d)", PE, OUT_CHANNELS);
            $finish;
        end
        if (SEL == 0 && TAPS % SIMD != 0) begin  // select mode steps through KEPT_TAPS instead
            $display("ERROR: mvau: SIMD (%0d) must divide TAPS (%0d)", SIMD, TAPS);
            $finish;
        end
        if (PARAM_WIDTH < 2 || PARAM_WIDTH > 32) begin
            $display("ERROR: mvau: PARAM_WIDTH (%0d) must be in 2..32", PARAM_WIDTH);
            $finish;
        end
        if (THRESHOLD_MODE == 0 && (SCORE_WIDTH < 2 || SCORE_WIDTH > 60)) begin
            $display("ERROR: mvau: SCORE_WIDTH (%0d) must be in 2..60", SCORE_WIDTH);
            $finish;
        end
        if (USE_KEEP != 0 && USE_KEEP != 1) begin
            $display("ERROR: mvau: USE_KEEP (%0d) must be 0 or 1", USE_KEEP);
            $finish;
        end
        if (KERNEL_TAPS < 1 || TAPS % KT != 0) begin
            $display("ERROR: mvau: KERNEL_TAPS (%0d) must be >= 1 and divide TAPS (%0d)", KERNEL_TAPS, TAPS);
            $finish;
        end
        if (WEIGHT_RAM != 0 && WEIGHT_RAM != 1) begin
            $display("ERROR: mvau: WEIGHT_RAM (%0d) must be 0 or 1", WEIGHT_RAM);
            $finish;
        end
        if (HOLD_INPUT != 0 && HOLD_INPUT != 1) begin
            $display("ERROR: mvau: HOLD_INPUT (%0d) must be 0 or 1", HOLD_INPUT);
            $finish;
        end
        if (USE_SELECT != 0 && USE_SELECT != 1) begin
            $display("ERROR: mvau: USE_SELECT (%0d) must be 0 or 1", USE_SELECT);
            $finish;
        end
        if (SELECT_SHARED != 0 && SELECT_SHARED != 1) begin
            $display("ERROR: mvau: SELECT_SHARED (%0d) must be 0 or 1", SELECT_SHARED);
            $finish;
        end
        if (SEL != 0 && (KEPT_TAPS < 1 || KEPT_TAPS > TAPS)) begin
            $display("ERROR: mvau: KEPT_TAPS (%0d) must be in 1..TAPS (%0d)", KEPT_TAPS, TAPS);
            $finish;
        end
        if (SEL != 0 && KEPT_TAPS % SIMD != 0) begin
            $display("ERROR: mvau: SIMD (%0d) must divide KEPT_TAPS (%0d)", SIMD, KEPT_TAPS);
            $finish;
        end
        if (SEL != 0 && (SELECT_CHUNK < 1 || SIMD % G != 0 || TAPS % G != 0 || KEPT_TAPS % G != 0)) begin
            $display("ERROR: mvau: SELECT_CHUNK (%0d) must divide SIMD, TAPS and KEPT_TAPS", SELECT_CHUNK);
            $finish;
        end
        if (SEL != 0 && (SELECT_SPAN < 1 || SLOTS + SELECT_SPAN - 1 > TAPS / G)) begin
            $display("ERROR: mvau: SELECT_SPAN (%0d) must be >= 1 with SIMD/SELECT_CHUNK + SELECT_SPAN - 1 <= TAPS/SELECT_CHUNK",
                     SELECT_SPAN);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (TAPS < 1 || ELEM_WIDTH < 1 || OUT_CHANNELS < 1 || PE < 1 || SIMD < 1) begin : g_param_error_0
            ERROR_mvau_sizes_PE_SIMD_must_be_at_least_1 u_error ();
        end
        if (OUT_CHANNELS % PE != 0) begin : g_param_error_1
            ERROR_mvau_PE_must_divide_OUT_CHANNELS u_error ();
        end
        if (SEL == 0 && TAPS % SIMD != 0) begin : g_param_error_2
            ERROR_mvau_SIMD_must_divide_TAPS u_error ();
        end
        if (PARAM_WIDTH < 2 || PARAM_WIDTH > 32) begin : g_param_error_3
            ERROR_mvau_PARAM_WIDTH_must_be_2_to_32 u_error ();
        end
        if (THRESHOLD_MODE == 0 && (SCORE_WIDTH < 2 || SCORE_WIDTH > 60)) begin : g_param_error_4
            ERROR_mvau_SCORE_WIDTH_must_be_2_to_60 u_error ();
        end
        if (USE_KEEP != 0 && USE_KEEP != 1) begin : g_param_error_5
            ERROR_mvau_USE_KEEP_must_be_0_or_1 u_error ();
        end
        if (KERNEL_TAPS < 1 || TAPS % KT != 0) begin : g_param_error_6
            ERROR_mvau_KERNEL_TAPS_must_divide_TAPS u_error ();
        end
        if (WEIGHT_RAM != 0 && WEIGHT_RAM != 1) begin : g_param_error_13
            ERROR_mvau_WEIGHT_RAM_must_be_0_or_1 u_error ();
        end
        if (HOLD_INPUT != 0 && HOLD_INPUT != 1) begin : g_param_error_14
            ERROR_mvau_HOLD_INPUT_must_be_0_or_1 u_error ();
        end
        if (USE_SELECT != 0 && USE_SELECT != 1) begin : g_param_error_7
            ERROR_mvau_USE_SELECT_must_be_0_or_1 u_error ();
        end
        if (SELECT_SHARED != 0 && SELECT_SHARED != 1) begin : g_param_error_8
            ERROR_mvau_SELECT_SHARED_must_be_0_or_1 u_error ();
        end
        if (SEL != 0 && (KEPT_TAPS < 1 || KEPT_TAPS > TAPS)) begin : g_param_error_9
            ERROR_mvau_KEPT_TAPS_must_be_1_to_TAPS u_error ();
        end
        if (SEL != 0 && KEPT_TAPS % SIMD != 0) begin : g_param_error_10
            ERROR_mvau_SIMD_must_divide_KEPT_TAPS u_error ();
        end
        if (SEL != 0 && (SELECT_CHUNK < 1 || SIMD % G != 0 || TAPS % G != 0 || KEPT_TAPS % G != 0))
        begin : g_param_error_11
            ERROR_mvau_SELECT_CHUNK_must_divide_SIMD_TAPS_KEPT_TAPS u_error ();
        end
        if (SEL != 0 && (SELECT_SPAN < 1 || SLOTS + SELECT_SPAN - 1 > TAPS / G)) begin : g_param_error_12
            ERROR_mvau_SELECT_SPAN_out_of_range u_error ();
        end
    endgenerate

    // ---- memories ---------------------------------------------------------------------------------
    // An image is read only if its file name is not empty; a memory without one (the default
    // parameters) starts as zeros, so that the module elaborates alone with its defaults (Yosys'
    // plain read_verilog, a lint tool) without any file.
    reg [PE*PARAM_WIDTH-1:0] pmem [0:NF-1];
    generate
        if (PARAM_FILE != "") begin : g_pload
            initial $readmemh(PARAM_FILE, pmem);
        end else begin : g_pzero
            integer i;
            initial for (i = 0; i < NF; i = i + 1) pmem[i] = {(PE*PARAM_WIDTH){1'b0}};
        end
    endgenerate

    // ---- S0: issue ----------------------------------------------------------------------------------
    // Two input stages. HOLD_INPUT = 1 (HELD, not with kernel-select offsets): the unit reads each
    // step's SIMD elements straight from in_data, which the upstream holds (valid stays up, data
    // stable) until the vector is accepted at its last step: no copy of the vector, an SF-way
    // multiplexer instead of a TAPS-bit rotating register, but the upstream cannot run a vector
    // ahead. Otherwise the unit copies the vector into ibuf when it accepts it and rotates it.
    reg [STEP_W-1:0]    step;      // fold step = weight address
    reg [SF_W-1:0]      sf;
    reg [NF_W-1:0]      nf;
    reg [CRED_W-1:0]    pending;   // vectors accepted and not yet delivered (HELD: and not in progress)

    wire step_last = (step == STEP_LAST);
    wire sf_last   = (sf == SF_LAST);
    wire nf_last   = (nf == NF_LAST);
    wire credit    = (OUT_HOLD != 0) || (pending != CRED_MAX);
    // OUT_HOLD: the last neuron fold does not start while the output register is full
    wire gate_closed = (OUT_HOLD != 0) && (step == GATE_STEP) && out_valid;
    wire issue;                    // a fold step is issued this cycle
    assign issuing = issue;
    wire accept    = in_valid && in_ready;
    wire out_pop   = out_valid && out_ready;
    wire [STEP_W-1:0]   step_next    = !issue ? step : step_last ? {STEP_W{1'b0}} : step + 1'b1;
    wire [CRED_W-1:0]   pending_next = (accept && !out_pop) ? pending + 1'b1 :
                                       (!accept && out_pop) ? pending - 1'b1 : pending;

    genvar gp, gi, gl, gj, gs;

    // kernel-major reordering (wiring): internal element c*KT + t = input element t*KC + c. Without
    // kernels (KT = 1) it is the identity: no loop, so that a wide dense layer (thousands of
    // elements) stays under simulators' generate-loop limits (Verilator: 1024 iterations).
    wire [IN_BITS-1:0] in_km;
    genvar gc, gt;
    generate
        if (KT == 1) begin : g_ro_none
            assign in_km = in_data;
        end else begin : g_ro
            for (gc = 0; gc < KC; gc = gc + 1) begin : g_ro_c
                for (gt = 0; gt < KT; gt = gt + 1) begin : g_ro_t
                    assign in_km[(gc*KT + gt)*EW +: EW] = in_data[(gt*KC + gc)*EW +: EW];
                end
            end
        end
    endgenerate

    // ---- S1 ---------------------------------------------------------------------------------------
    reg                  s1_valid, s1_first, s1_last, s1_vlast;
    reg [NF_W-1:0]       s1_nf;
    reg [PE*SIMD-1:0]    s1_w;
    reg [XPE*SIMD*EW-1:0] s1_x;    // input slice (select mode per PE: PE slices, PE p at p*SIMD*EW)
    wire [XPE*SIMD*EW-1:0] x_next; // the slice(s) of the issued step (combinational from S0)
    wire [PE*SIMD-1:0]   s1_k;     // kept-tap mask of the step (constant ones without USE_KEEP)

    // ---- S2 ---------------------------------------------------------------------------------------
    reg                  s2_valid, s2_first, s2_last, s2_vlast;
    reg [NF_W-1:0]       s2_nf;
    reg [PE*PSUM_W-1:0]  s2_psum;
    reg [PE*PARAM_WIDTH-1:0] s3_param;

    // ---- S3 ---------------------------------------------------------------------------------------
    reg                  s3_done, s3_vlast;
    reg [PE*ACC_W-1:0]   s3_acc;

    always @(posedge clk) begin
        if (issue) s1_x <= x_next;
        if (s2_valid && s2_last) s3_param <= pmem[s2_nf];
    end

    // Weights: FOLD words of PE*SIMD bits, read at the step address. WEIGHT_RAM = 1 asks synthesis
    // for block RAM (rom_style "block", which Yosys and Vivado both read): a wide memory of a few
    // dozen words is otherwise built from LUTs (one LUT6 per bit and 64 words), which the
    // generator avoids where block RAM saves more than it costs (WEIGHT_RAM = 0: synthesis chooses).
    generate
        if (WEIGHT_RAM == 1) begin : g_wblock
            (* rom_style = "block" *) reg [PE*SIMD-1:0] wmem [0:FOLD-1];
            if (WEIGHT_FILE != "") begin : g_wload
                initial $readmemh(WEIGHT_FILE, wmem);
            end else begin : g_wzero
                integer i;
                initial for (i = 0; i < FOLD; i = i + 1) wmem[i] = {(PE*SIMD){1'b0}};
            end
            always @(posedge clk) begin
                if (issue) s1_w <= wmem[step];
            end
        end else begin : g_wauto
            reg [PE*SIMD-1:0] wmem [0:FOLD-1];
            if (WEIGHT_FILE != "") begin : g_wload
                initial $readmemh(WEIGHT_FILE, wmem);
            end else begin : g_wzero
                integer i;
                initial for (i = 0; i < FOLD; i = i + 1) wmem[i] = {(PE*SIMD){1'b0}};
            end
            always @(posedge clk) begin
                if (issue) s1_w <= wmem[step];
            end
        end
    endgenerate

    // kept-tap mask: a third memory in the layout of the weights, read in the same cycle
    generate
        if (USE_KEEP != 0) begin : g_keep
            reg [PE*SIMD-1:0] kmem [0:FOLD-1];
            reg [PE*SIMD-1:0] s1_k_r;
            if (KEEP_FILE != "") begin : g_kload
                initial $readmemh(KEEP_FILE, kmem);
            end else begin : g_kzero
                integer i;
                initial for (i = 0; i < FOLD; i = i + 1) kmem[i] = {(PE*SIMD){1'b0}};
            end
            always @(posedge clk) begin
                if (issue) s1_k_r <= kmem[step];
            end
            assign s1_k = s1_k_r;
        end else begin : g_nokeep
            assign s1_k = {(PE*SIMD){1'b1}};
        end
    endgenerate

    // The fold slices: HOLD_INPUT reads them from the held in_data, the plain ibuf (no kernel-select
    // offsets) from its copy; both through an SF-way multiplexer. The copy is loaded once per vector
    // and never moves: a rotating register costs a 2:1 multiplexer (a LUT) on every bit, the
    // multiplexer about a quarter of a LUT per bit (BNN-PYNQ CNV's fc6, 256 bits in 64 slices of 4).
    wire [IN_BITS-1:0] slice_src;
    localparam integer XW = SIMD * EW;
    generate
        if (HELD != 0 || SMUX == 0) begin : g_slice_select
            if (SF > 1 && SF <= 1024 && (XW & (XW - 1)) != 0) begin : g_slice
                // a tree of 2:1 multiplexers, level l on bit l-1 of sf (src[sf * XW +: XW] made
                // Yosys build a barrel shifter over the whole vector: fmnist_cnv's fc1, 16 slices
                // of 196 bits, 27 146 LUTs instead of 16 k; a power-of-two slice keeps the
                // part-select, a shift by whole slices: BNN-PYNQ CNV's conv5, 72 slices of 32 bits,
                // measured 1 740 LUTs that way, 1 731 as a tree)
                slice_mux #(.WIDTH(XW), .COUNT(SF), .SEL_WIDTH(SF_W)) u_slice (
                    .in_data(slice_src[SF*XW-1:0]),
                    .sel    (sf),
                    .out    (x_next)
                );
            end else if (SF > 1) begin : g_slice_shift  // power-of-two slices, or too many for a loop
                assign x_next = slice_src[sf * XW +: XW];
            end else begin : g_whole
                assign x_next = slice_src[XW-1:0];
            end
            if (IN_BITS > SF*XW) begin : g_rest  // kernel selection: elements past the kept ones
                wire unused_rest = &{1'b0, slice_src[IN_BITS-1:SF*XW]};
            end
        end
    endgenerate

    generate
        if (HELD != 0) begin : g_held
            // A vector's first step is issued when it is offered and a result place is free
            // (credit); every later step while it stays offered; it is accepted at its last step.
            // in_ready depends on registers only (FOLD = 1: the credit; else the last step).
            assign issue     = in_valid && (step != {STEP_W{1'b0}} || credit) && !gate_closed;
            assign in_ready  = step_last && (step != {STEP_W{1'b0}} || credit);
            assign slice_src = in_km;
        end else begin : g_ibuf
            reg               busy;     // a vector is in ibuf and its fold steps are being issued
            reg               ready_r;
            reg [IN_BITS-1:0] ibuf;
            wire              busy_next = accept || (busy && !step_last);
            assign issue = busy && !gate_closed;
            wire unused_credit = credit;  // ready_r below computes it a cycle ahead instead
            // in_ready = credit && (!busy || step_last) as a register computed from the next values
            // of pending, busy and step: every bit of ibuf is loaded on `accept`, and with a
            // combinational in_ready ABC copies its logic into each bit's load LUT.
            assign in_ready = ready_r;
            always @(posedge clk) begin
                if (!rst_n) begin
                    busy    <= 1'b0;
                    ready_r <= 1'b1;
                end else begin
                    busy    <= busy_next;
                    ready_r <= (OUT_HOLD != 0 || pending_next != CRED_MAX) &&
                               (!busy_next || step_next == STEP_LAST);
                end
            end

            if (SMUX == 0) begin : g_still
                // loaded once per vector; the slice multiplexer above reads fold slice sf
                always @(posedge clk) begin
                    if (accept) ibuf <= in_km;
                end
                assign slice_src = ibuf;
            end else begin : g_sel
                // kernel-select mode with offsets: ibuf rotates right by SIMD elements per step and,
                // at the last step of a neuron fold, by ROT2 = TAPS - (SF-1)*SIMD elements instead,
                // so that it is back in order (rotated by TAPS) for the next neuron fold (ROT2 =
                // SIMD when KEPT_TAPS = TAPS; at a vector's last step the next vector is loaded, so
                // with NF = 1 the second rotation is not needed; SF = 1: no rotation). At step
                // (nf, sf) slot s (< M) of PE p takes internal chunk sf*M + s + d (d = offset of
                // (p, s) in smem word nf*SF + sf) as compact chunk sf*M + s. ibuf, rotated by
                // sf*SIMD = sf*M chunks, has that chunk at position s + d: each slot is a SPAN-way
                // mux over the fixed chunks s .. s+SPAN-1 of ibuf. The offsets are read one cycle
                // ahead (address step_nx) so that they are registered together with their step.
                assign slice_src = ibuf;  // not read: the slot multiplexers below read ibuf
                wire unused_slice_src = &{1'b0, slice_src, 1'b0};
                if (SF > 1 && NF > 1 && ROT2 != SIMD) begin : g_rot2
                    always @(posedge clk) begin
                        if (accept) ibuf <= in_km;
                        else if (busy && sf_last) ibuf <= {ibuf[ROT2*EW-1:0], ibuf[IN_BITS-1:ROT2*EW]};
                        else if (busy) ibuf <= {ibuf[SIMD*EW-1:0], ibuf[IN_BITS-1:SIMD*EW]};
                    end
                end else if (SF > 1) begin : g_rot
                    always @(posedge clk) begin
                        if (accept) ibuf <= in_km;
                        else if (busy) ibuf <= {ibuf[SIMD*EW-1:0], ibuf[IN_BITS-1:SIMD*EW]};
                    end
                end else begin : g_norot
                    always @(posedge clk) begin
                        if (accept) ibuf <= in_km;
                    end
                end

                reg [SMW-1:0] smem [0:FOLD-1];
                reg [SMW-1:0] s0_d;                       // offsets of the step being issued
                // the value step takes at this edge (step is 0 whenever !busy): the read address
                wire [STEP_W-1:0] step_nx = (!rst_n || !busy || step_last) ? {STEP_W{1'b0}} : step + 1'b1;
                if (SELECT_FILE != "") begin : g_sload
                    initial $readmemh(SELECT_FILE, smem);
                end else begin : g_szero
                    integer i;
                    initial for (i = 0; i < FOLD; i = i + 1) smem[i] = {SMW{1'b0}};
                end
                always @(posedge clk) s0_d <= smem[step_nx];
                for (gp = 0; gp < XPE; gp = gp + 1) begin : g_pe
                    for (gs = 0; gs < SLOTS; gs = gs + 1) begin : g_slot
                        wire [SW-1:0]      d  = s0_d[(gp*SLOTS + gs)*SW +: SW];
                        wire [SPAN*GE-1:0] cw = ibuf[gs*GE +: SPAN*GE];   // the slot's candidates
                        // candidate d (cw[d*GE +: GE] made Yosys build a barrel shifter over all
                        // SPAN*GE bits of every slot)
                        slice_mux #(.WIDTH(GE), .COUNT(SPAN), .SEL_WIDTH(SW)) u_slot (
                            .in_data(cw),
                            .sel    (d),
                            .out    (x_next[(gp*SLOTS + gs)*GE +: GE])
                        );
                    end
                end
            end
        end
    endgenerate

    // ---- per-PE partial sums of one fold step (combinational from S1) -----------------------------
    // Written so that a simulator evaluates word operations instead of a PE*SIMD-step loop, and
    // synthesis still gets a compressor/adder tree:
    //  1. terms of all PE*SIMD (channel, element) pairs. Binary: XNOR(w, x) AND keep as one vector
    //     operation (the x slice repeated for every PE). Integer: +x, -x or 0 per pair (EW + 1
    //     bits, two's complement; x and -x formed once per element for all PEs).
    //  2. binary: per PE the popcount of its SIMD terms (templates/popcount: a LUT6-shaped
    //     compressor tree, about 1.5 LUTs per bit with the XNOR merged into its first level).
    //  3. integer: per PE, a balanced adder tree over its SIMD leaves, built with generate loops:
    //     level l has ceil(SIMD / 2^l) nodes of LW + l bits, node j = nodes 2j and 2j+1 of level
    //     l-1 (the last one passes through when their number is odd). Nodes are sign-extended as
    //     {0, a ^ M} - M (M = the weight of a's sign bit; the two -M of an addition are one XOR
    //     of the new sign bit): the same value as {a[msb], a}, with a appearing once, so that a
    //     simulator that inlines a node into its only reader (Verilator does) copies no subtree.
    // Every addition is exact (no wrap), so this equals the sequential sum bit for bit.
    localparam integer NL    = SIMD;                                   // leaves per PE
    localparam integer LW    = EW + 1;                                 // integer leaf bits
    localparam integer TL    = (NL > 1) ? $clog2(NL) : 0;              // tree levels
    localparam integer RW    = LW + TL;                                // tree root bits (<= PSUM_W)
    localparam integer CNT_W = $clog2(SIMD + 1);                       // binary: popcount bits
    wire [PE*PSUM_W-1:0] psum;
    generate
        if (INT_MODE != 0) begin : g_int
            // kept, w = 1: +x; kept, w = 0: -x; pruned: 0 (LW = EW + 1 bits, two's complement;
            // x and -x formed once per element for all PEs, the choice is made at the leaf)
            wire [PE*SIMD-1:0] t_pos = s1_w & s1_k;
            wire [PE*SIMD-1:0] t_neg = ~s1_w & s1_k;
            for (gi = 0; gi < XPE*SIMD; gi = gi + 1) begin : g_el
                wire [LW-1:0] xp = {1'b0, s1_x[gi*EW +: EW]};
                wire [LW-1:0] xn = -xp;
            end
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_sum
                for (gl = 0; gl <= TL; gl = gl + 1) begin : g_lv
                    localparam integer N  = (NL + (1 << gl) - 1) >> gl;   // nodes of this level
                    localparam integer W  = LW + gl;                      // bits per node
                    for (gj = 0; gj < N; gj = gj + 1) begin : g_n
                        wire [W-1:0] v;
                        if (gl == 0) begin : g_leaf
                            localparam integer XE = ((XPE > 1) ? gp * SIMD : 0) + gj;  // element
                            assign v = t_pos[gp*SIMD + gj] ? g_el[XE].xp :
                                       t_neg[gp*SIMD + gj] ? g_el[XE].xn : {LW{1'b0}};
                        end else begin : g_node
                            localparam integer NP = (NL + (1 << (gl - 1)) - 1) >> (gl - 1);
                            localparam [W-2:0] M  = {1'b1, {(W-2){1'b0}}};  // sign weight
                            localparam [W-1:0] M2 = {1'b1, {(W-1){1'b0}}};  // 2M = -2M mod 2^W
                            wire [W-2:0] a = g_lv[gl-1].g_n[2*gj].v;
                            if (2*gj + 1 < NP) begin : g_add
                                wire [W-2:0] b = g_lv[gl-1].g_n[2*gj+1].v;
                                assign v = ({1'b0, a ^ M} + {1'b0, b ^ M}) ^ M2;
                            end else begin : g_pass
                                assign v = {1'b0, a ^ M} - {1'b0, M};
                            end
                        end
                    end
                end
                wire [RW-1:0] root = g_lv[TL].g_n[0].v;
                if (RW < PSUM_W) begin : g_ext
                    localparam [RW-1:0] MR = {1'b1, {(RW-1){1'b0}}};
                    assign psum[gp*PSUM_W +: PSUM_W] = {{(PSUM_W-RW){1'b0}}, root ^ MR} -
                                                       {{(PSUM_W-RW){1'b0}}, MR};
                end else begin : g_noext
                    assign psum[gp*PSUM_W +: PSUM_W] = root;
                end
            end
        end else begin : g_bin
            // XNOR(w, x) AND keep, all PE*SIMD bits at once (select mode per PE: each PE its slice)
            wire [PE*SIMD-1:0] t = ~(s1_w ^ {(PE/XPE){s1_x}}) & s1_k;
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_sum
                wire [CNT_W-1:0] ones;
                popcount #(.N(SIMD), .OUT_WIDTH(CNT_W)) u_popcount (
                    .in   (t[gp*SIMD +: SIMD]),
                    .count(ones)
                );
                assign psum[gp*PSUM_W +: PSUM_W] = {{(PSUM_W-CNT_W){1'b0}}, ones};
            end
        end
    endgenerate

    // accumulators (S2 -> S3) and activation of one neuron fold (combinational from S3), per PE
    wire [PE*ACC_W-1:0] acc_next;
    wire [CHUNK-1:0]    chunk;
    generate
        for (gp = 0; gp < PE; gp = gp + 1) begin : g_acc
            wire [PSUM_W-1:0] ps = s2_psum[gp*PSUM_W +: PSUM_W];
            assign acc_next[gp*ACC_W +: ACC_W] = (s2_first ? {ACC_W{1'b0}} : s3_acc[gp*ACC_W +: ACC_W]) +
                                                 {{(ACC_W-PSUM_W){ps[PSUM_W-1]}}, ps};
        end
        if (THRESHOLD_MODE != 0) begin : g_thr
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_pe
                wire [CMP_W-1:0] ca = {{(CMP_W-ACC_W){s3_acc[gp*ACC_W + ACC_W - 1]}},
                                       s3_acc[gp*ACC_W +: ACC_W]};
                wire [CMP_W-1:0] ct = {{(CMP_W-PARAM_WIDTH){s3_param[gp*PARAM_WIDTH + PARAM_WIDTH - 1]}},
                                       s3_param[gp*PARAM_WIDTH +: PARAM_WIDTH]};
                assign chunk[gp] = ($signed(ca) >= $signed(ct));
            end
        end else begin : g_score
            wire [PE*SC_W-1:0] scores;  // full-width scores; the output keeps the low SCORE_WIDTH bits
            for (gp = 0; gp < PE; gp = gp + 1) begin : g_pe
                wire [SC_W-1:0] sa = {{(SC_W-ACC_W){s3_acc[gp*ACC_W + ACC_W - 1]}},
                                      s3_acc[gp*ACC_W +: ACC_W]};
                wire [SC_W-1:0] sb = {{(SC_W-PARAM_WIDTH){s3_param[gp*PARAM_WIDTH + PARAM_WIDTH - 1]}},
                                      s3_param[gp*PARAM_WIDTH +: PARAM_WIDTH]};
                if (INT_MODE != 0) begin : g_int
                    assign scores[gp*SC_W +: SC_W] = sa + sb;
                end else begin : g_bin
                    assign scores[gp*SC_W +: SC_W] = (sa << 1) - {{(SC_W-ACC_W){1'b0}}, TAPS_A} + sb;
                end
                assign chunk[gp*OW +: OW] = scores[gp*SC_W +: OW];
            end
            // bits above SCORE_WIDTH are dropped on purpose (output modulo 2^SCORE_WIDTH)
            wire unused_scores = &{1'b0, scores, 1'b0};
        end
    endgenerate

    // ---- control and pipeline registers ------------------------------------------------------------
    always @(posedge clk) begin
        if (!rst_n) begin
            step     <= {STEP_W{1'b0}};
            sf       <= {SF_W{1'b0}};
            nf       <= {NF_W{1'b0}};
            pending  <= {CRED_W{1'b0}};
            s1_valid <= 1'b0;
            s2_valid <= 1'b0;
            s3_done  <= 1'b0;
        end else begin
            pending <= pending_next;
            step    <= step_next;
            if (issue) begin
                sf   <= sf_last ? {SF_W{1'b0}} : sf + 1'b1;
                if (sf_last) nf <= nf_last ? {NF_W{1'b0}} : nf + 1'b1;
            end

            s1_valid <= issue;
            s2_valid <= s1_valid;
            s3_done  <= s2_valid && s2_last;
        end
    end

    always @(posedge clk) begin
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
    wire                fifo_push = s3_done && s3_vlast;
    wire [OUT_BITS-1:0] fifo_data;
    generate
        if (NF > 1) begin : g_asm
            // neuron folds 0..NF-2 of the current vector, shifted in from the top
            reg [(NF-1)*CHUNK-1:0] asm_r;
            if (NF > 2) begin : g_shift
                always @(posedge clk) begin
                    if (s3_done && !s3_vlast) asm_r <= {chunk, asm_r[(NF-1)*CHUNK-1:CHUNK]};
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

    generate
        if (OUT_HOLD != 0) begin : g_out_reg
            reg                out_valid_r;
            reg [OUT_BITS-1:0] out_data_r;
            always @(posedge clk) begin
                if (!rst_n) out_valid_r <= 1'b0;
                else if (fifo_push) out_valid_r <= 1'b1;  // empty: gate_closed saw to it
                else if (out_pop) out_valid_r <= 1'b0;
            end
            always @(posedge clk) begin
                if (fifo_push) out_data_r <= fifo_data;
            end
            assign out_valid = out_valid_r;
            assign out_data  = out_data_r;
        end else begin : g_out_fifo
            wire                     unused_fifo_in_ready;   // always 1 when pushing: credit guarantees room
            wire [$clog2(OUT_DEPTH+1)-1:0] unused_fifo_count;
            wire unused_ok = &{1'b0, unused_fifo_in_ready, unused_fifo_count, 1'b0};

            stream_fifo #(
                .WIDTH (OUT_BITS),
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
        end
    endgenerate

endmodule

`default_nettype wire
