// conv_chain: test wrapper (not a template) for a binary conv layer built from the templates the
// way the generator composes them: sliding_window -> stream_fifo -> mvau (threshold mode).
// Pixels are C-bit binary activations, channel c at bit c; the window's tap t, channel c is mvau
// element j = t*C + c.

`default_nettype none

module conv_chain #(
    parameter integer C          = 4,     // input channels
    parameter integer IN_HEIGHT  = 6,
    parameter integer IN_WIDTH   = 6,
    parameter integer KERNEL     = 3,
    parameter integer STRIDE     = 1,
    parameter integer PADDING    = 1,
    parameter integer PAD_ONES   = 0,     // 1: pad_value +1 (all ones), 0: -1 (zeros)
    parameter integer OC         = 4,     // output channels
    parameter integer PE         = 2,
    parameter integer SIMD       = 9,
    parameter integer FIFO_DEPTH = 2,     // windows buffered between window generator and mvau
    parameter         WEIGHT_FILE = "",
    parameter         PARAM_FILE  = ""
) (
    input  wire                clk,
    input  wire                rst_n,
    input  wire                in_valid,
    output wire                in_ready,
    input  wire [C-1:0]        in_data,
    output wire                out_valid,
    input  wire                out_ready,
    output wire [OC-1:0]       out_data
);
    localparam integer TAPS = KERNEL * KERNEL * C;
    localparam [C-1:0] PAD  = (PAD_ONES != 0) ? {C{1'b1}} : {C{1'b0}};

    wire            w_valid, w_ready, f_valid, f_ready;
    wire [TAPS-1:0] w_data, f_data;
    wire [$clog2(FIFO_DEPTH+1)-1:0] unused_count;  // occupancy not needed here
    wire            unused_issuing;                // mvau's busy cycles (performance counters)

    sliding_window #(
        .PIXEL_WIDTH(C), .IN_HEIGHT(IN_HEIGHT), .IN_WIDTH(IN_WIDTH), .KERNEL(KERNEL),
        .STRIDE(STRIDE), .PADDING(PADDING), .PAD_PIXEL(PAD)
    ) u_swg (
        .clk(clk), .rst_n(rst_n),
        .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
        .out_valid(w_valid), .out_ready(w_ready), .out_data(w_data)
    );

    stream_fifo #(.WIDTH(TAPS), .DEPTH(FIFO_DEPTH)) u_fifo (
        .clk(clk), .rst_n(rst_n),
        .in_valid(w_valid), .in_ready(w_ready), .in_data(w_data),
        .out_valid(f_valid), .out_ready(f_ready), .out_data(f_data),
        .count(unused_count)
    );

    mvau #(
        .TAPS(TAPS), .ELEM_WIDTH(1), .INPUT_INTEGER(0), .OUT_CHANNELS(OC), .PE(PE), .SIMD(SIMD),
        .THRESHOLD_MODE(1), .PARAM_WIDTH(16), .SCORE_WIDTH(16),
        .WEIGHT_FILE(WEIGHT_FILE), .PARAM_FILE(PARAM_FILE)
    ) u_mvau (
        .clk(clk), .rst_n(rst_n),
        .in_valid(f_valid), .in_ready(f_ready), .in_data(f_data),
        .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data),
        .issuing(unused_issuing)
    );
endmodule

`default_nettype wire
