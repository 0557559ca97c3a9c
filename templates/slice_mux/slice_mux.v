// slice_mux: slice `sel` of COUNT slices of WIDTH bits (slice i at in_data[i*WIDTH +: WIDTH];
// sel < COUNT), as a tree of 2:1 multiplexers, level l choosing on bit l-1 of sel. Written as
// in_data[sel*WIDTH +: WIDTH] with a WIDTH that is not a power of two, Yosys builds a barrel shifter
// over all COUNT*WIDTH bits instead (fmnist_cnv's fc1, 16 slices of 196 bits: 27 146 LUTs against
// 6 696 with the tree). Used by mvau for the held input's fold slice and for the kernel-select
// slot candidates; tested through mvau's block tests (verif/blocks/run_block_tests.sh mvau).
`default_nettype none

module slice_mux #(
    parameter integer WIDTH     = 1,  // bits per slice (>= 1)
    parameter integer COUNT     = 2,  // slices (>= 2)
    parameter integer SEL_WIDTH = 1   // bits of sel: $clog2(COUNT)
) (
    input  wire [COUNT*WIDTH-1:0] in_data,
    input  wire [SEL_WIDTH-1:0]   sel,
    output wire [WIDTH-1:0]       out
);
    initial begin
        if (WIDTH < 1 || COUNT < 2 || (1 << SEL_WIDTH) < COUNT) begin
            $display("ERROR: slice_mux: WIDTH (%0d) must be >= 1, COUNT (%0d) >= 2, 2**SEL_WIDTH (%0d) >= COUNT",
                     WIDTH, COUNT, SEL_WIDTH);
            $finish;
        end
    end
    genvar gl, gj;
    generate
        if (WIDTH < 1 || COUNT < 2 || (1 << SEL_WIDTH) < COUNT) begin : g_param_error
            ERROR_slice_mux_WIDTH_at_least_1_COUNT_at_least_2_SEL_WIDTH_at_least_clog2_COUNT u_error ();
        end
        for (gl = 0; gl <= SEL_WIDTH; gl = gl + 1) begin : g_mux
            localparam integer NN = (COUNT + (1 << gl) - 1) >> gl;  // nodes of this level
            wire [NN*WIDTH-1:0] v;
            if (gl == 0) begin : g_leaves
                assign v = in_data;
            end else begin : g_level
                localparam integer NP = (COUNT + (1 << (gl - 1)) - 1) >> (gl - 1);
                for (gj = 0; gj < NN; gj = gj + 1) begin : g_n
                    if (2*gj + 1 < NP) begin : g_two
                        assign v[gj*WIDTH +: WIDTH] = sel[gl-1] ? g_mux[gl-1].v[(2*gj+1)*WIDTH +: WIDTH]
                                                                : g_mux[gl-1].v[2*gj*WIDTH +: WIDTH];
                    end else begin : g_one
                        assign v[gj*WIDTH +: WIDTH] = g_mux[gl-1].v[2*gj*WIDTH +: WIDTH];
                    end
                end
            end
        end
    endgenerate
    assign out = g_mux[SEL_WIDTH].v[WIDTH-1:0];
endmodule

`default_nettype wire
