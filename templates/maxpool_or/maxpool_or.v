// maxpool_or: binary max-pool over one window: OR over the taps, per channel.
//
// Math: with binary activations (bit 1 = +1, bit 0 = -1) the maximum over a window is the OR of its
// taps: out[c] = OR over t < TAPS of in[t*CHANNELS + c]. The input is one window per beat as
// produced by sliding_window (tap t at bits [t*CHANNELS +: CHANNELS]); the output is one
// CHANNELS-bit beat per window.
//
// Timing: one pipeline register (out_valid/out_data). Throughput one window per cycle, latency 1
// cycle. in_ready = !out_valid || out_ready (one gate from out_ready, no datapath).

`default_nettype none

module maxpool_or #(
    parameter integer CHANNELS = 8,  // bits per tap (channels)
    parameter integer TAPS     = 4   // taps per window (KERNEL*KERNEL)
) (
    input  wire                         clk,
    input  wire                         rst_n,     // synchronous, active low
    input  wire                         in_valid,
    output wire                         in_ready,
    input  wire [TAPS*CHANNELS-1:0]     in_data,
    output reg                          out_valid,
    input  wire                         out_ready,
    output reg  [CHANNELS-1:0]          out_data
);

    initial begin
        if (CHANNELS < 1 || TAPS < 1) begin
            $display("ERROR: maxpool_or: CHANNELS (%0d) and TAPS (%0d) must be >= 1", CHANNELS, TAPS);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (CHANNELS < 1 || TAPS < 1) begin : g_param_error_0
            ERROR_maxpool_or_CHANNELS_and_TAPS_must_be_at_least_1 u_error ();
        end
    endgenerate

    reg [CHANNELS-1:0] or_taps;
    integer t;
    always @* begin
        or_taps = {CHANNELS{1'b0}};
        for (t = 0; t < TAPS; t = t + 1) or_taps = or_taps | in_data[t*CHANNELS +: CHANNELS];
    end

    assign in_ready = !out_valid || out_ready;

    always @(posedge clk) begin
        if (in_valid && in_ready) out_data <= or_taps;
    end

    always @(posedge clk) begin
        if (!rst_n) out_valid <= 1'b0;
        else if (in_ready) out_valid <= in_valid;
    end

endmodule

`default_nettype wire
