// stream_collect: gathers COUNT consecutive beats of WIDTH bits into one beat of COUNT*WIDTH bits.
//
// Math: input beat g*COUNT + i (i = 0 .. COUNT-1) becomes out_data[i*WIDTH +: WIDTH] of output beat
// g. bnngen uses it in front of a dense layer: the H*W pixels of a feature map (raster order, C bits
// each) become one vector whose bit (y*W + x)*C + c is channel c of pixel (y, x); the generator
// orders the dense weights to match.
//
// Structure: the output register out_data is also the collection register. A slot counter (index)
// selects the WIDTH-bit slot the next input beat is written into; no other storage.
//
// Timing: in_ready = !out_valid (one inverter on a register, nothing from out_ready). A group's
// COUNT input beats are accepted one per cycle; after the last one out_valid is high and in_ready
// low until the collected beat is taken; the next group's first beat is accepted in the cycle after
// that. Without stalls a group takes COUNT + 1 cycles (COUNT input beats, one bubble): with e1 the
// edge of the first input transfer, group g's inputs move at edges e1 + g*(COUNT+1) + i and its
// output at edge e1 + g*(COUNT+1) + COUNT. in_ready is high during reset (out_valid is low); the
// upstream stage shares rst_n and offers nothing then. A reset drops a partial group.

`default_nettype none

module stream_collect #(
    parameter integer WIDTH = 8,  // bits per input beat (>= 1)
    parameter integer COUNT = 4   // input beats per output beat (>= 1)
) (
    input  wire                     clk,
    input  wire                     rst_n,      // synchronous, active low
    input  wire                     in_valid,
    output wire                     in_ready,
    input  wire [WIDTH-1:0]         in_data,
    output reg                      out_valid,
    input  wire                     out_ready,
    output reg  [COUNT*WIDTH-1:0]   out_data    // input beat i of the group at [i*WIDTH +: WIDTH]
);

    localparam integer INDEX_WIDTH = (COUNT > 1) ? $clog2(COUNT) : 1;
    localparam integer LAST_I      = COUNT - 1;
    localparam [INDEX_WIDTH-1:0] LAST = LAST_I[INDEX_WIDTH-1:0];     // slot of a group's last beat

    initial begin
        if (WIDTH < 1 || COUNT < 1) begin
            $display("ERROR: stream_collect: WIDTH (%0d) and COUNT (%0d) must be >= 1", WIDTH, COUNT);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (WIDTH < 1 || COUNT < 1) begin : g_param_error_0
            ERROR_stream_collect_WIDTH_and_COUNT_must_be_at_least_1 u_error ();
        end
    endgenerate

    reg [INDEX_WIDTH-1:0] index;  // the slot the next input beat fills (0 .. COUNT-1)

    wire in_fire = in_valid && in_ready;
    assign in_ready = !out_valid;

    // Collection register: written only while out_valid is low, so it is stable while presented.
    // One enable per slot (a comparison with index feeding the flip-flops' clock enables), not a
    // write at a variable part-select: Yosys builds `out_data[index*WIDTH +: WIDTH] <= in_data`
    // as a shifter over the whole register (Yosys 0.23, xcup, WIDTH 32, COUNT 49: 7037 LUTs, this
    // way 58).
    // A procedural loop, not a generate loop, so that a large COUNT (a dense layer on a big
    // feature map) stays under simulators' generate-loop limits.
    integer slot;
    always @(posedge clk) begin
        for (slot = 0; slot < COUNT; slot = slot + 1) begin
            if (in_fire && index == slot[INDEX_WIDTH-1:0]) out_data[slot*WIDTH +: WIDTH] <= in_data;
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            out_valid <= 1'b0;
            index     <= {INDEX_WIDTH{1'b0}};
        end else begin
            if (out_valid && out_ready) out_valid <= 1'b0;
            if (in_fire) begin
                if (index == LAST) begin
                    index     <= {INDEX_WIDTH{1'b0}};
                    out_valid <= 1'b1;
                end else begin
                    index <= index + 1'b1;
                end
            end
        end
    end

endmodule

`default_nettype wire
