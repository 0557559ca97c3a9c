// result_serializer: turns one vector of CLASSES signed scores into the accelerator's result
// stream: CLASSES beats carrying the scores, then one beat with the predicted class, marked last.
//
// Math: with s[c] = in_data[c*SCORE_WIDTH +: SCORE_WIDTH] (two's complement), one input vector
// gives CLASSES + 1 output beats:
//   beat c (c < CLASSES): out_data = s[c] sign-extended to OUT_WIDTH bits, out_last = 0;
//   beat CLASSES:         out_data = argmax_c s[c] (ties go to the lowest c), zero-extended,
//                         out_last = 1.
//
// Structure: accepting a vector puts s[0] (sign-extended) into the output register and s[1 ..] into
// a shift register; each taken score beat loads the next score from the bottom of the shift
// register. The argmax is found while the scores stream out: each score is compared with the best
// so far when it enters the output register (one SCORE_WIDTH-bit signed comparator, strictly
// greater replaces, so a tie keeps the lower index). No variable-index multiplexer.
//
// Timing: out_valid, out_data and out_last are registers; in_ready = !out_valid (one inverter on a
// register, nothing from out_ready). A vector is accepted only while nothing is presented, i.e. in
// the cycle after the last beat of the previous vector is taken. Without stalls a vector takes
// CLASSES + 2 cycles: accepted at edge a, its beat c moves at edge a + 1 + c (c = 0 .. CLASSES, the
// class beat at a + CLASSES + 1), the next vector is accepted at edge a + CLASSES + 2.
// in_ready is high during reset (out_valid is low); the upstream stage shares rst_n and offers
// nothing then. A reset drops the vector being sent.

`default_nettype none

module result_serializer #(
    parameter integer CLASSES     = 10,  // scores per vector (>= 1)
    parameter integer SCORE_WIDTH = 16,  // bits per score, two's complement (1 .. OUT_WIDTH)
    parameter integer OUT_WIDTH   = 32   // bits per output beat (>= SCORE_WIDTH, >= class index bits)
) (
    input  wire                           clk,
    input  wire                           rst_n,      // synchronous, active low
    input  wire                           in_valid,
    output wire                           in_ready,
    input  wire [CLASSES*SCORE_WIDTH-1:0] in_data,    // score of class c at [c*SCORE_WIDTH +: SCORE_WIDTH]
    output reg                            out_valid,
    input  wire                           out_ready,
    output reg  [OUT_WIDTH-1:0]           out_data,   // a sign-extended score, or the class index
    output reg                            out_last    // high on the class beat
);

    localparam integer CLASS_W = (CLASSES > 1) ? $clog2(CLASSES) : 1;  // bits of a class index
    localparam integer LAST_I  = CLASSES - 1;
    localparam [CLASS_W-1:0] LAST_CLASS = LAST_I[CLASS_W-1:0];        // index of the last score

    initial begin
        if (CLASSES < 1) begin
            $display("ERROR: result_serializer: CLASSES (%0d) must be >= 1", CLASSES);
            $finish;
        end
        if (SCORE_WIDTH < 1 || SCORE_WIDTH > OUT_WIDTH) begin
            $display("ERROR: result_serializer: need 1 <= SCORE_WIDTH (%0d) <= OUT_WIDTH (%0d)",
                     SCORE_WIDTH, OUT_WIDTH);
            $finish;
        end
        if (CLASS_W > OUT_WIDTH) begin
            $display("ERROR: result_serializer: a class index (%0d bits) does not fit OUT_WIDTH (%0d)",
                     CLASS_W, OUT_WIDTH);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (CLASSES < 1) begin : g_param_error_0
            ERROR_result_serializer_CLASSES_must_be_at_least_1 u_error ();
        end
        if (SCORE_WIDTH < 1 || SCORE_WIDTH > OUT_WIDTH) begin : g_param_error_1
            ERROR_result_serializer_SCORE_WIDTH_must_be_1_to_OUT_WIDTH u_error ();
        end
        if (CLASS_W > OUT_WIDTH) begin : g_param_error_2
            ERROR_result_serializer_class_index_wider_than_OUT_WIDTH u_error ();
        end
    endgenerate

    reg [CLASS_W-1:0]            index;       // class of the score in out_data (score beats)
    reg [CLASS_W-1:0]            best_index;  // argmax of the scores loaded so far
    reg signed [SCORE_WIDTH-1:0] best_score;  // their maximum

    wire accept    = in_valid && in_ready;
    wire take      = out_valid && out_ready;
    wire advance   = take && !out_last && (index != LAST_CLASS);  // next score into out_data
    wire to_class  = take && !out_last && (index == LAST_CLASS);  // class beat into out_data
    assign in_ready = !out_valid;

    wire signed [SCORE_WIDTH-1:0] first_score = in_data[0 +: SCORE_WIDTH];  // class 0
    wire signed [SCORE_WIDTH-1:0] next_score;                               // class index + 1

    // Scores of classes index+1 .. CLASSES-1, the next one at the bottom. The top slot is always
    // zero (what shifts in), so that the shift is one expression for every CLASSES > 1; synthesis
    // removes its constant flops.
    generate
        if (CLASSES > 1) begin : g_rest
            reg [CLASSES*SCORE_WIDTH-1:0] rest;
            always @(posedge clk) begin
                if (accept)       rest <= {{SCORE_WIDTH{1'b0}}, in_data[CLASSES*SCORE_WIDTH-1:SCORE_WIDTH]};
                else if (advance) rest <= {{SCORE_WIDTH{1'b0}}, rest[CLASSES*SCORE_WIDTH-1:SCORE_WIDTH]};
            end
            assign next_score = rest[0 +: SCORE_WIDTH];
        end else begin : g_single
            assign next_score = {SCORE_WIDTH{1'b0}};  // unused: with one class, advance never fires
        end
    endgenerate

    // Sign extension of scores and zero extension of the class index to OUT_WIDTH bits.
    wire [OUT_WIDTH-1:0] first_ext;
    wire [OUT_WIDTH-1:0] next_ext;
    wire [OUT_WIDTH-1:0] class_ext;
    generate
        if (OUT_WIDTH > SCORE_WIDTH) begin : g_sext
            assign first_ext = {{(OUT_WIDTH - SCORE_WIDTH){first_score[SCORE_WIDTH-1]}}, first_score};
            assign next_ext  = {{(OUT_WIDTH - SCORE_WIDTH){next_score[SCORE_WIDTH-1]}}, next_score};
        end else begin : g_no_sext
            assign first_ext = first_score;
            assign next_ext  = next_score;
        end
        if (OUT_WIDTH > CLASS_W) begin : g_zext
            assign class_ext = {{(OUT_WIDTH - CLASS_W){1'b0}}, best_index};
        end else begin : g_no_zext
            assign class_ext = best_index;
        end
    endgenerate

    // Strictly greater: on a tie the lower index stays.
    wire next_better = (next_score > best_score);

    always @(posedge clk) begin
        if (accept) begin
            out_data   <= first_ext;
            index      <= {CLASS_W{1'b0}};
            best_index <= {CLASS_W{1'b0}};
            best_score <= first_score;
        end else if (advance) begin
            out_data <= next_ext;
            index    <= index + 1'b1;
            if (next_better) begin
                best_index <= index + 1'b1;
                best_score <= next_score;
            end
        end else if (to_class) begin
            out_data <= class_ext;
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            out_valid <= 1'b0;
            out_last  <= 1'b0;
        end else if (accept) begin
            out_valid <= 1'b1;
            out_last  <= 1'b0;
        end else if (take) begin
            out_valid <= !out_last;   // the class beat ends the vector
            out_last  <= to_class;
        end
    end

endmodule

`default_nettype wire
