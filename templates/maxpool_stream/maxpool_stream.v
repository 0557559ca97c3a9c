// maxpool_stream: binary max-pool of KERNEL x KERNEL windows at stride KERNEL (the windows do not
// overlap), no padding, computed on the raster pixel stream as it passes: no window is ever formed.
//
// Math: with binary activations (bit 1 = +1, bit 0 = -1) the maximum over a window is the OR of its
// pixels: out(oy, ox)[c] = OR over ky, kx < KERNEL of in(oy*KERNEL + ky, ox*KERNEL + kx)[c], for
// oy < OUT_H = IN_HEIGHT / KERNEL and ox < OUT_W = IN_WIDTH / KERNEL (floor: the last
// IN_WIDTH % KERNEL columns and IN_HEIGHT % KERNEL rows reach no window and are taken and dropped).
//
// Structure: one OR accumulator per output column, acc[ox] (OUT_W words of CHANNELS bits, written
// and read in the same cycle: distributed RAM with an asynchronous read). Each kept pixel of window
// column ox computes pixel | (first pixel of its window ? 0 : acc[ox]) (one LUT3 per channel),
// writes it back to acc[ox] and, at the window's last pixel (ky = kx = KERNEL-1), to the output
// register instead. A window generator followed by maxpool_or holds KERNEL-1 image rows and two
// KERNEL x KERNEL windows and ORs KERNEL^2 taps per channel; this holds one row of partial ORs.
//
// Timing: one input pixel per cycle while the output register is free or being read; the pooled
// pixel is valid in the cycle after its window's last pixel: IN_HEIGHT * IN_WIDTH cycles per image.
// in_ready = !out_valid || out_ready (one gate from out_ready, no datapath); out_valid and out_data
// are registers.

`default_nettype none

module maxpool_stream #(
    parameter integer CHANNELS  = 8,  // bits per pixel (channels)
    parameter integer IN_HEIGHT = 4,  // input rows per image
    parameter integer IN_WIDTH  = 4,  // input pixels per row
    parameter integer KERNEL    = 2   // window side and stride
) (
    input  wire                  clk,
    input  wire                  rst_n,     // synchronous, active low
    input  wire                  in_valid,
    output wire                  in_ready,
    input  wire [CHANNELS-1:0]   in_data,
    output reg                   out_valid,
    input  wire                  out_ready,
    output reg  [CHANNELS-1:0]   out_data
);

    localparam integer K      = (KERNEL >= 1) ? KERNEL : 1;
    localparam integer OUT_W  = IN_WIDTH / K;
    localparam integer OUT_H  = IN_HEIGHT / K;
    localparam integer K_W    = (K > 1) ? $clog2(K) : 1;
    localparam integer OX_W   = $clog2(OUT_W + 1);   // counts to OUT_W: the dropped columns
    localparam integer OY_W   = $clog2(OUT_H + 1);
    localparam integer AW     = (OUT_W > 1) ? $clog2(OUT_W) : 1;  // acc address
    localparam integer K_LAST_I   = K - 1;
    // The last pixel of a row is the last of the dropped columns (ox = OUT_W, kx = their count - 1)
    // or, without any, the last of the last window (ox = OUT_W - 1, kx = K - 1); rows alike.
    localparam integer TAIL_W     = IN_WIDTH - OUT_W * K;
    localparam integer TAIL_H     = IN_HEIGHT - OUT_H * K;
    localparam integer END_OX_I   = (TAIL_W == 0) ? OUT_W - 1 : OUT_W;
    localparam integer END_KX_I   = (TAIL_W == 0) ? K - 1 : TAIL_W - 1;
    localparam integer END_OY_I   = (TAIL_H == 0) ? OUT_H - 1 : OUT_H;
    localparam integer END_KY_I   = (TAIL_H == 0) ? K - 1 : TAIL_H - 1;
    localparam [K_W-1:0]   K_LAST   = K_LAST_I[K_W-1:0];
    localparam [OX_W-1:0]  OX_END   = OUT_W[OX_W-1:0];
    localparam [OY_W-1:0]  OY_END   = OUT_H[OY_W-1:0];
    localparam [OX_W-1:0]  ROW_END_OX = END_OX_I[OX_W-1:0];
    localparam [K_W-1:0]   ROW_END_KX = END_KX_I[K_W-1:0];
    localparam [OY_W-1:0]  IMG_END_OY = END_OY_I[OY_W-1:0];
    localparam [K_W-1:0]   IMG_END_KY = END_KY_I[K_W-1:0];

    initial begin
        if (CHANNELS < 1 || KERNEL < 1 || IN_WIDTH < KERNEL || IN_HEIGHT < KERNEL) begin
            $display("ERROR: maxpool_stream: CHANNELS (%0d) and KERNEL (%0d) must be >= 1, IN_WIDTH (%0d) and IN_HEIGHT (%0d) >= KERNEL",
                     CHANNELS, KERNEL, IN_WIDTH, IN_HEIGHT);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (CHANNELS < 1 || KERNEL < 1 || IN_WIDTH < KERNEL || IN_HEIGHT < KERNEL) begin : g_param_error_0
            ERROR_maxpool_stream_CHANNELS_KERNEL_at_least_1_image_at_least_KERNEL u_error ();
        end
    endgenerate

    reg [K_W-1:0]   kx;    // column within the window
    reg [K_W-1:0]   ky;    // row within the window
    reg [OX_W-1:0]  ox;    // window column; OUT_W on the dropped columns
    reg [OY_W-1:0]  oy;    // window row; OUT_H on the dropped rows

    reg [CHANNELS-1:0] acc [0:OUT_W-1];  // OR of the pixels of window column ox seen so far

    assign in_ready = !out_valid || out_ready;
    wire accept    = in_valid && in_ready;
    wire row_end   = (ox == ROW_END_OX) && (kx == ROW_END_KX);
    wire image_end = row_end && (oy == IMG_END_OY) && (ky == IMG_END_KY);
    wire kept      = (ox != OX_END) && (oy != OY_END);
    wire first     = (kx == {K_W{1'b0}}) && (ky == {K_W{1'b0}});
    wire last      = (kx == K_LAST) && (ky == K_LAST);
    wire [AW-1:0]   acc_addr = kept ? ox[AW-1:0] : {AW{1'b0}};  // in range also on dropped columns
    wire [CHANNELS-1:0] acc_old = acc[acc_addr];
    wire [CHANNELS-1:0] acc_new = in_data | (first ? {CHANNELS{1'b0}} : acc_old);

    always @(posedge clk) begin
        if (accept && kept && !last) acc[acc_addr] <= acc_new;
    end

    always @(posedge clk) begin
        if (accept && kept && last) out_data <= acc_new;
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            kx        <= {K_W{1'b0}};
            ky        <= {K_W{1'b0}};
            ox        <= {OX_W{1'b0}};
            oy        <= {OY_W{1'b0}};
            out_valid <= 1'b0;
        end else begin
            if (accept && kept && last) out_valid <= 1'b1;
            else if (out_ready) out_valid <= 1'b0;
            if (accept) begin
                if (row_end) begin
                    kx <= {K_W{1'b0}};
                    ox <= {OX_W{1'b0}};
                end else if (kx == K_LAST) begin  // never in the dropped columns (fewer than K)
                    kx <= {K_W{1'b0}};
                    ox <= ox + 1'b1;
                end else begin
                    kx <= kx + 1'b1;
                end
                if (image_end) begin
                    ky  <= {K_W{1'b0}};
                    oy  <= {OY_W{1'b0}};
                end else if (row_end) begin
                    if (ky == K_LAST) begin
                        ky <= {K_W{1'b0}};
                        oy <= oy + 1'b1;
                    end else begin
                        ky <= ky + 1'b1;
                    end
                end
            end
        end
    end

endmodule

`default_nettype wire
