// stream_collect: gathers COUNT consecutive beats of WIDTH bits into one beat of COUNT*WIDTH bits.
//
// Beat i of a group (i = 0 .. COUNT-1) lands at out_data[i*WIDTH +: WIDTH]. bnngen uses it in
// front of a dense layer: the H*W pixels of a feature map (raster order, C bits each) become one
// vector whose bit (y*W + x)*C + c is channel c of pixel (y, x); the generator orders the dense
// weights to match.
//
// Throughput: one input beat per cycle; the collected beat is held in the same register, so the
// next group starts once it is taken (one bubble per group when out_ready is high).
`default_nettype none

module stream_collect #(
    parameter integer WIDTH = 8,  // bits per input beat
    parameter integer COUNT = 4   // input beats per output beat
) (
    input  wire                     clk,
    input  wire                     rst_n,
    input  wire                     in_valid,
    output wire                     in_ready,
    input  wire [WIDTH-1:0]         in_data,
    output reg                      out_valid,
    input  wire                     out_ready,
    output reg  [COUNT*WIDTH-1:0]   out_data
);
    localparam integer INDEX_WIDTH = COUNT > 1 ? $clog2(COUNT) : 1;

    initial begin
        if (WIDTH < 1 || COUNT < 1) begin
            $display("ERROR: stream_collect: WIDTH (%0d) and COUNT (%0d) must be at least 1", WIDTH, COUNT);
            $finish;
        end
    end

    reg [INDEX_WIDTH-1:0] index;  // the slot the next input beat fills
    assign in_ready = !out_valid;

    always @(posedge clk) begin
        if (!rst_n) begin
            out_valid <= 1'b0;
            index <= {INDEX_WIDTH{1'b0}};
        end else begin
            if (out_valid && out_ready) begin
                out_valid <= 1'b0;
            end
            if (in_valid && in_ready) begin
                out_data[index*WIDTH +: WIDTH] <= in_data;
                if (index == COUNT[INDEX_WIDTH-1:0] - 1'b1 || COUNT == 1) begin
                    index <= {INDEX_WIDTH{1'b0}};
                    out_valid <= 1'b1;
                end else begin
                    index <= index + 1'b1;
                end
            end
        end
    end
endmodule

`default_nettype wire
