// spatial_skip: dynamic spatial pruning of a binary conv layer, between the window generator and
// the matrix-vector unit (mvau).
//
// Math, per window (one output position) with taps x[t] = in_data[t*PIXEL_WIDTH +: PIXEL_WIDTH]:
//   d    = number of taps t < TAPS with x[t] != BACKGROUND_IN   (a tap differs if any bit differs;
//          padding taps are in the window as the pad pixel and are compared like any other tap)
//   skip = (d <= TOLERANCE)
//   result of the position = BACKGROUND_OUT if skip, else the unit's result for the window.
// Skipped windows are never sent to the unit; the others go to unit_* in window order and their
// results come back on result_* in the same order. out_* carries every position's result in
// window order. positions / skipped count accepted windows / skipped ones (32 bits, wrapping).
//
// Structure: the skip flag is computed from in_data as a window is accepted (the compare and the
// popcount drive register inputs only, never a ready). An accepted window pushes its decision
// (1 = skipped) into an order FIFO (DEPTH x 1 bit) and, if it is computed, itself into a window
// FIFO (WINDOW_DEPTH windows) that feeds unit_*. The unit's results enter a result FIFO
// (RESULT_DEPTH results). The head decision of the order FIFO chooses the next output:
// 1 -> BACKGROUND_OUT, 0 -> the head of the result FIFO. Outputs go through one output register.
// Why two queues: the window generator passes skipped windows at one per cycle. Without a window
// queue, a computed window waiting for the busy unit stops the skipped ones behind it, and the
// unit then idles while a run of skipped windows goes by; without a result queue, the unit stops
// once its own output places are full of results waiting behind skipped positions. Each queue
// lets the unit work through such a run for WINDOW_DEPTH (RESULT_DEPTH) of its windows.
//
// Timing (cycle schedule in README.md): in_ready = (order FIFO not full) && (window FIFO not full),
// result_ready = (result FIFO not full): registers of the FIFOs; unit_valid, out_valid are
// registers. Window accepted at edge t: at the unit from edge t+1; a skipped one is transferred
// out at edge t+2 at the earliest; a result taken at edge e is transferred out at edge e+2 at the
// earliest. One window per cycle in and one result per cycle out. Requires stream_fifo.v.

`default_nettype none

module spatial_skip #(
    parameter integer PIXEL_WIDTH  = 4,   // bits of one window tap (one bit per input channel)
    parameter integer TAPS         = 9,   // taps per window (k*k)
    parameter integer TOLERANCE    = 0,   // skip when at most this many taps differ; 0 <= TOLERANCE < TAPS
    parameter integer RESULT_WIDTH = 4,   // bits of one result beat of the unit
    parameter [PIXEL_WIDTH-1:0]  BACKGROUND_IN  = 0,  // the previous layer's background vector (one tap)
    parameter [RESULT_WIDTH-1:0] BACKGROUND_OUT = 0,  // this layer's result for a skipped position
    parameter integer WINDOW_DEPTH = 2,   // computed windows queued for the unit (>= 2)
    parameter integer RESULT_DEPTH = 2,   // unit results queued behind earlier positions (>= 2)
    parameter integer DEPTH        = 16   // decisions in flight: entries of the order FIFO (positions
                                          // accepted whose result has not entered the output register)
) (
    input  wire                          clk,
    input  wire                          rst_n,         // synchronous, active low
    input  wire                          in_valid,      // windows, tap t at [t*PIXEL_WIDTH +: PIXEL_WIDTH]
    output wire                          in_ready,
    input  wire [TAPS*PIXEL_WIDTH-1:0]   in_data,
    output wire                          unit_valid,    // windows to compute
    input  wire                          unit_ready,
    output wire [TAPS*PIXEL_WIDTH-1:0]   unit_data,
    input  wire                          result_valid,  // results of the unit, in order
    output wire                          result_ready,  // a register
    input  wire [RESULT_WIDTH-1:0]       result_data,
    output reg                           out_valid,     // every position's result, in window order
    input  wire                          out_ready,
    output reg  [RESULT_WIDTH-1:0]       out_data,
    output wire [31:0]                   positions,     // windows accepted since reset (wraps)
    output wire [31:0]                   skipped        // of those, skipped (wraps)
);

    localparam integer WIN_W = TAPS * PIXEL_WIDTH;                 // bits of one window
    localparam integer CNT_W = $clog2(TAPS + 1) + 1;               // differing-tap count (0..TAPS)
    localparam integer TOL_I = (TOLERANCE >= 0) ? TOLERANCE : 0;
    localparam [CNT_W-1:0] TOL_C = TOL_I[CNT_W-1:0];               // TOLERANCE as a count
    localparam integer FCNT_W = $clog2(DEPTH + 1);                 // order FIFO occupancy
    localparam integer WCNT_W = $clog2(WINDOW_DEPTH + 1);          // window FIFO occupancy
    localparam integer RCNT_W = $clog2(RESULT_DEPTH + 1);          // result FIFO occupancy

    initial begin
        if (PIXEL_WIDTH < 1 || TAPS < 1 || RESULT_WIDTH < 1) begin
            $display("ERROR: spatial_skip: PIXEL_WIDTH (%0d), TAPS (%0d) and RESULT_WIDTH (%0d) must be >= 1",
                     PIXEL_WIDTH, TAPS, RESULT_WIDTH);
            $finish;
        end
        if (TOLERANCE < 0 || TOLERANCE >= TAPS) begin
            $display("ERROR: spatial_skip: TOLERANCE (%0d) must be 0 .. TAPS-1 (TAPS = %0d)", TOLERANCE, TAPS);
            $finish;
        end
        if (DEPTH < 2) begin
            $display("ERROR: spatial_skip: DEPTH (%0d) must be >= 2", DEPTH);
            $finish;
        end
        if (WINDOW_DEPTH < 2 || RESULT_DEPTH < 2) begin
            $display("ERROR: spatial_skip: WINDOW_DEPTH (%0d) and RESULT_DEPTH (%0d) must be >= 2",
                     WINDOW_DEPTH, RESULT_DEPTH);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (PIXEL_WIDTH < 1 || TAPS < 1 || RESULT_WIDTH < 1) begin : g_param_error_0
            ERROR_spatial_skip_PIXEL_WIDTH_TAPS_RESULT_WIDTH_must_be_at_least_1 u_error ();
        end
        if (TOLERANCE < 0 || TOLERANCE >= TAPS) begin : g_param_error_1
            ERROR_spatial_skip_TOLERANCE_must_be_0_to_TAPS_minus_1 u_error ();
        end
        if (DEPTH < 2) begin : g_param_error_2
            ERROR_spatial_skip_DEPTH_must_be_at_least_2 u_error ();
        end
        if (WINDOW_DEPTH < 2 || RESULT_DEPTH < 2) begin : g_param_error_3
            ERROR_spatial_skip_WINDOW_DEPTH_and_RESULT_DEPTH_must_be_at_least_2 u_error ();
        end
    endgenerate

    // ---------------------------------------------------------------------------------------------
    // Skip decision of the window on in_data (data path only: it feeds register inputs).
    reg [TAPS-1:0] tap_differs;
    integer t;
    always @* begin
        for (t = 0; t < TAPS; t = t + 1)
            tap_differs[t] = (in_data[t*PIXEL_WIDTH +: PIXEL_WIDTH] != BACKGROUND_IN);
    end

    wire skip_now;
    generate
        if (TOLERANCE == 0) begin : g_exact
            assign skip_now = ~|tap_differs;                 // no tap differs
        end else begin : g_tolerant
            reg [CNT_W-1:0] n_differ;                        // popcount of tap_differs
            integer u;
            always @* begin
                n_differ = {CNT_W{1'b0}};
                for (u = 0; u < TAPS; u = u + 1)
                    n_differ = n_differ + {{(CNT_W-1){1'b0}}, tap_differs[u]};
            end
            assign skip_now = (n_differ <= TOL_C);
        end
    endgenerate

    // ---------------------------------------------------------------------------------------------
    // Input side: accept when both FIFOs have room (their registered flags: in_ready depends on
    // neither the unit, in_valid nor in_data). A skipped window needs no place in the window FIFO,
    // but waiting for one costs nothing: when it is full, the unit has WINDOW_DEPTH windows to do.
    wire win_fifo_in_ready;   // register inside stream_fifo: windows held < WINDOW_DEPTH
    wire fifo_in_ready;       // register inside stream_fifo: decisions held < DEPTH
    wire in_fire = in_valid && in_ready;
    wire [WCNT_W-1:0] unused_win_count;   // occupancy is not needed: win_fifo_in_ready says "room"

    assign in_ready = fifo_in_ready && win_fifo_in_ready;

    stream_fifo #(
        .WIDTH(WIN_W),
        .DEPTH(WINDOW_DEPTH)
    ) u_windows (
        .clk      (clk),
        .rst_n    (rst_n),
        .in_valid (in_valid && fifo_in_ready && !skip_now),  // push = this && win_fifo_in_ready
        .in_ready (win_fifo_in_ready),
        .in_data  (in_data),
        .out_valid(unit_valid),
        .out_ready(unit_ready),
        .out_data (unit_data),
        .count    (unused_win_count)
    );

    // ---------------------------------------------------------------------------------------------
    // Order FIFO of decisions (1 = skipped), one per accepted window, in window order.
    wire              head_valid;
    wire              head_skip;
    wire              head_pop;
    wire [FCNT_W-1:0] unused_fifo_count;   // occupancy is not needed: fifo_in_ready says "room"

    stream_fifo #(
        .WIDTH(1),
        .DEPTH(DEPTH)
    ) u_order (
        .clk      (clk),
        .rst_n    (rst_n),
        .in_valid (in_valid && win_fifo_in_ready),  // push = this && fifo_in_ready = in_fire
        .in_ready (fifo_in_ready),
        .in_data  (skip_now),
        .out_valid(head_valid),
        .out_ready(head_pop),
        .out_data (head_skip),
        .count    (unused_fifo_count)
    );

    // ---------------------------------------------------------------------------------------------
    // Results of the unit queue in the result FIFO, so that the unit goes on computing while the
    // skipped positions ahead of its results leave (one per cycle).
    wire                    res_valid;
    wire                    res_pop;
    wire [RESULT_WIDTH-1:0] res_data;
    wire [RCNT_W-1:0] unused_res_count;   // occupancy is not needed: result_ready says "room"

    stream_fifo #(
        .WIDTH(RESULT_WIDTH),
        .DEPTH(RESULT_DEPTH)
    ) u_results (
        .clk      (clk),
        .rst_n    (rst_n),
        .in_valid (result_valid),
        .in_ready (result_ready),
        .in_data  (result_data),
        .out_valid(res_valid),
        .out_ready(res_pop),
        .out_data (res_data),
        .count    (unused_res_count)
    );

    // ---------------------------------------------------------------------------------------------
    // Output side: the head decision picks BACKGROUND_OUT or the next queued result.
    wire out_free = !out_valid || out_ready;

    assign head_pop = out_free && (head_skip || res_valid);   // the FIFO gates it with head_valid
    assign res_pop  = out_free && head_valid && !head_skip;   // the FIFO gates it with res_valid

    always @(posedge clk) begin
        if (out_free && head_valid) out_data <= head_skip ? BACKGROUND_OUT : res_data;
    end

    always @(posedge clk) begin
        if (!rst_n) out_valid <= 1'b0;
        else if (out_free) out_valid <= head_valid && (head_skip || res_valid);
    end

    // ---------------------------------------------------------------------------------------------
    // Counters.
    reg [31:0] positions_r;
    reg [31:0] skipped_r;
    assign positions = positions_r;
    assign skipped   = skipped_r;

    always @(posedge clk) begin
        if (!rst_n) begin
            positions_r <= 32'd0;
            skipped_r   <= 32'd0;
        end else if (in_fire) begin
            positions_r <= positions_r + 32'd1;
            if (skip_now) skipped_r <= skipped_r + 32'd1;
        end
    end

endmodule

`default_nettype wire
