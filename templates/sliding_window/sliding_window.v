// sliding_window: sliding-window generator with line buffers (convolution and max-pool windows).
//
// Math: the input is a stream of images, each IN_HEIGHT x IN_WIDTH pixels in raster order (row
// major), one PIXEL_WIDTH-bit pixel per beat. Let pix(y, x) be the pixel at row y - PADDING,
// column x - PADDING of the image, or PAD_PIXEL when that lies outside the image. The output is
// one beat per output position (oy, ox) in raster order, 0 <= oy < OUT_HEIGHT, 0 <= ox < OUT_WIDTH,
//     OUT = floor((IN + 2*PADDING - KERNEL) / STRIDE) + 1     (per dimension; remainder dropped)
// whose tap t = ky*KERNEL + kx (bits [t*PIXEL_WIDTH +: PIXEL_WIDTH]) is pix(oy*STRIDE + ky,
// ox*STRIDE + kx): PyTorch cross-correlation order. Images follow each other back to back.
//
// Schedule: the block scans a grid of ROWS x COLS positions per image, one position per cycle:
// the real pixels plus the bottom padding rows and right padding columns that some window needs
// (BOT_ROWS, RIGHT_COLS below). Top padding rows and left padding columns cost no cycles (they are
// produced from the row/column index). A real position consumes one input beat; a position where a
// window ends emits that window. So without stalls an image takes exactly
//     CYCLES_PER_IMAGE = ROWS * COLS = (IN_HEIGHT + BOT_ROWS) * (IN_WIDTH + RIGHT_COLS)
// cycles, and a window ending at scan position q (row-major index in the ROWS x COLS grid) of image
// n leaves at edge first_in + n*CYCLES_PER_IMAGE + q + 2.
//
// Memory layout: one line buffer lbuf[0:IN_WIDTH-1] of (KERNEL-1)*PIXEL_WIDTH bits (no frame
// buffer); entry x, slot j (bits [j*PIXEL_WIDTH +: PIXEL_WIDTH]) holds column x of the row j+1
// rows above the row being scanned. At each real column the entry is read (synchronously, one
// cycle ahead) and rewritten shifted by one slot with the new pixel in slot 0. Rows outside the
// current image (padding, or rows of the previous image) are masked to PAD_PIXEL by row index.
//
// Pipeline: scan stage A (counters, input, line-buffer read) -> stage B (column assembly, window
// shift register, line-buffer write) -> output register. out_valid/out_data are registers;
// in_ready = (A at a real pixel) && (B can move), so in_ready depends combinationally on out_ready
// through two gates (no datapath). B moves through positions that emit nothing while an output
// waits.

`default_nettype none

module sliding_window #(
    parameter integer PIXEL_WIDTH = 1,                          // bits per pixel (C or C*BITS)
    parameter integer IN_HEIGHT   = 8,                          // image rows
    parameter integer IN_WIDTH    = 8,                          // image columns
    parameter integer KERNEL      = 3,                          // window size (KERNEL x KERNEL)
    parameter integer STRIDE      = 1,                          // window step in both dimensions
    parameter integer PADDING     = 0,                          // padding on every side (< KERNEL)
    parameter [PIXEL_WIDTH-1:0] PAD_PIXEL = 0 // value of every padding tap
) (
    input  wire                                    clk,
    input  wire                                    rst_n,      // synchronous, active low
    input  wire                                    in_valid,
    output wire                                    in_ready,
    input  wire [PIXEL_WIDTH-1:0]                  in_data,
    output reg                                     out_valid,
    input  wire                                    out_ready,
    output reg  [KERNEL*KERNEL*PIXEL_WIDTH-1:0]    out_data
);

    // ---- derived values ------------------------------------------------------------------------
    localparam integer PW         = PIXEL_WIDTH;
    localparam integer K          = KERNEL;
    localparam integer KK         = KERNEL * KERNEL;
    localparam integer OUT_HEIGHT = (IN_HEIGHT + 2 * PADDING - KERNEL) / STRIDE + 1;
    localparam integer OUT_WIDTH  = (IN_WIDTH + 2 * PADDING - KERNEL) / STRIDE + 1;
    // padding rows below / columns right of the image that the last window row / column reaches
    localparam integer BOT_NEED   = (OUT_HEIGHT - 1) * STRIDE + KERNEL - PADDING - IN_HEIGHT;
    localparam integer RIGHT_NEED = (OUT_WIDTH - 1) * STRIDE + KERNEL - PADDING - IN_WIDTH;
    localparam integer BOT_ROWS   = (BOT_NEED > 0) ? BOT_NEED : 0;
    localparam integer RIGHT_COLS = (RIGHT_NEED > 0) ? RIGHT_NEED : 0;
    localparam integer ROWS       = IN_HEIGHT + BOT_ROWS;      // scanned rows per image
    localparam integer COLS       = IN_WIDTH + RIGHT_COLS;     // scanned columns per row
    // cycles per image without stalls: ROWS * COLS (see the header)
    localparam integer WAIT0      = KERNEL - 1 - PADDING;      // positions before the first window
    localparam integer WAIT_MAX   = (WAIT0 > STRIDE - 1) ? WAIT0 : STRIDE - 1;
    localparam integer RW   = $clog2(ROWS + 1);                // row counter width
    localparam integer CW   = $clog2(COLS + 1);                // column counter width
    localparam integer OHW  = $clog2(OUT_HEIGHT + 1);
    localparam integer OWW  = $clog2(OUT_WIDTH + 1);
    localparam integer WW   = $clog2(WAIT_MAX + 1) + 1;        // wait counter width
    localparam integer AW   = (IN_WIDTH > 1) ? $clog2(IN_WIDTH) : 1;  // line-buffer address width
    localparam integer LBW  = (KERNEL > 1) ? (KERNEL - 1) * PIXEL_WIDTH : 1;  // line-buffer word

    localparam integer ROW_LAST_I = ROWS - 1;
    localparam integer COL_LAST_I = COLS - 1;
    localparam integer WAIT_S_I   = STRIDE - 1;
    localparam integer ROWPAD0_I  = (1 << (KERNEL - 1)) - 1;
    localparam [RW-1:0]  ROW_LAST = ROW_LAST_I[RW-1:0];
    localparam [RW-1:0]  ROW_REAL = IN_HEIGHT[RW-1:0];
    localparam [CW-1:0]  COL_LAST = COL_LAST_I[CW-1:0];
    localparam [CW-1:0]  COL_REAL = IN_WIDTH[CW-1:0];
    localparam [OHW-1:0] OH_C     = OUT_HEIGHT[OHW-1:0];
    localparam [OWW-1:0] OW_C     = OUT_WIDTH[OWW-1:0];
    localparam [WW-1:0]  WAIT0_C  = WAIT0[WW-1:0];
    localparam [WW-1:0]  WAIT_S   = WAIT_S_I[WW-1:0];
    // at the first row of an image, the rows above are padding (or in no window): mask them
    localparam [K-1:0]   ROWPAD0  = ROWPAD0_I[K-1:0];

    initial begin
        if (PIXEL_WIDTH < 1 || IN_HEIGHT < 1 || IN_WIDTH < 1 || KERNEL < 1 || STRIDE < 1) begin
            $display("ERROR: sliding_window: PIXEL_WIDTH, IN_HEIGHT, IN_WIDTH, KERNEL, STRIDE must be >= 1");
            $finish;
        end
        if (PADDING < 0 || PADDING >= KERNEL) begin
            $display("ERROR: sliding_window: PADDING (%0d) must be in 0..KERNEL-1 (KERNEL = %0d)", PADDING, KERNEL);
            $finish;
        end
        if (IN_HEIGHT + 2 * PADDING < KERNEL || IN_WIDTH + 2 * PADDING < KERNEL) begin
            $display("ERROR: sliding_window: padded image %0dx%0d smaller than KERNEL %0d",
                     IN_HEIGHT + 2 * PADDING, IN_WIDTH + 2 * PADDING, KERNEL);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (PIXEL_WIDTH < 1 || IN_HEIGHT < 1 || IN_WIDTH < 1 || KERNEL < 1 || STRIDE < 1) begin : g_param_error_0
            ERROR_sliding_window_sizes_and_STRIDE_must_be_at_least_1 u_error ();
        end
        if (PADDING < 0 || PADDING >= KERNEL) begin : g_param_error_1
            ERROR_sliding_window_PADDING_must_be_less_than_KERNEL u_error ();
        end
        if (IN_HEIGHT + 2 * PADDING < KERNEL || IN_WIDTH + 2 * PADDING < KERNEL) begin : g_param_error_2
            ERROR_sliding_window_padded_image_smaller_than_KERNEL u_error ();
        end
    endgenerate

    // ---- stage A: scan counters -------------------------------------------------------------
    reg  [RW-1:0]  a_row;      // scanned row, 0 = first image row (padded row PADDING)
    reg  [CW-1:0]  a_col;      // scanned column, 0 = first image column
    reg  [K-1:0]   a_rowpad;   // bit ky: window row ky of a window ending in this row is padding
    reg  [WW-1:0]  a_rwait;    // rows until the next window row
    reg  [OHW-1:0] a_ory;      // window rows emitted so far in this image
    reg  [WW-1:0]  a_cwait;    // columns until the next window column
    reg  [OWW-1:0] a_ocx;      // windows emitted so far in this row

    wire a_real_row = (a_row < ROW_REAL);
    wire a_real_col = (a_col < COL_REAL);
    wire a_need_in  = a_real_row && a_real_col;
    wire a_emit     = (a_rwait == {WW{1'b0}}) && (a_ory < OH_C) &&
                      (a_cwait == {WW{1'b0}}) && (a_ocx < OW_C);
    wire a_row_end  = (a_col == COL_LAST);
    wire a_img_end  = a_row_end && (a_row == ROW_LAST);
    wire a_next_pad = (a_row + 1'b1 >= ROW_REAL);   // the next row is a bottom padding row
    wire [K-1:0] rowpad_next;                        // a_rowpad of the next row
    generate
        if (KERNEL == 1) begin : g_rp1
            assign rowpad_next = a_next_pad;
        end else begin : g_rpn
            assign rowpad_next = {a_next_pad, a_rowpad[K-1:1]};
        end
    endgenerate

    // ---- stage B registers --------------------------------------------------------------------
    reg            b_valid;
    reg  [PW-1:0]  b_pix;      // pixel of the scanned position (PAD_PIXEL if padding)
    reg            b_colreal;  // the position is in an image column (line buffer used)
    reg            b_first;    // first position of a row: older window columns are padding
    reg            b_emit;     // a window ends here
    reg  [K-1:0]   b_rowpad;   // a_rowpad of the position
    reg  [AW-1:0]  b_addr;     // line-buffer entry of the position
    reg  [KK*PW-1:0] win;      // window shift register, tap t at [t*PW +: PW]

    wire b_adv  = b_valid && (!b_emit || !out_valid || out_ready);
    wire b_free = !b_valid || b_adv;
    wire a_fire = b_free && (!a_need_in || in_valid);

    assign in_ready = a_need_in && b_free;

    // ---- line buffer ----------------------------------------------------------------------------
    wire [LBW-1:0] lb_rd;      // entry of the position in stage B (rows above, slot j = j+1 up)
    wire [LBW-1:0] lb_wr;      // entry written back
    wire [AW-1:0]  a_addr = a_col[AW-1:0];

    generate
        if (KERNEL == 1) begin : g_no_lbuf
            assign lb_rd = {LBW{1'b0}};
            assign lb_wr = {LBW{1'b0}};
            // no line buffer and no older columns: the window is the pixel; these are not needed
            wire unused_lb = &{1'b0, a_addr, b_addr, lb_rd, lb_wr, b_colreal, b_rowpad, b_first, 1'b0};
        end else begin : g_lbuf
            if (KERNEL == 2) begin : g_k2
                assign lb_wr = b_pix;
            end else begin : g_kn
                assign lb_wr = {lb_rd[(K-2)*PW-1:0], b_pix};
            end
            if (IN_WIDTH == 1) begin : g_reg
                // one column: the entry is a register, read directly in stage B
                reg [LBW-1:0] lbuf_r;
                always @(posedge clk) begin
                    if (b_adv && b_colreal) lbuf_r <= lb_wr;
                end
                assign lb_rd = lbuf_r;
                wire unused_lb = &{1'b0, a_addr, b_addr, 1'b0};  // single entry, no address
            end else begin : g_mem
                reg [LBW-1:0] lbuf [0:IN_WIDTH-1];
                reg [LBW-1:0] lbuf_q;
                always @(posedge clk) begin
                    if (b_adv && b_colreal) lbuf[b_addr] <= lb_wr;
                end
                always @(posedge clk) begin
                    if (a_fire && a_real_col) lbuf_q <= lbuf[a_addr];
                end
                assign lb_rd = lbuf_q;
            end
        end
    endgenerate

    // ---- stage B: column of the new position and the window after the shift -------------------
    // Generate loops, not an always block: the line-buffer slot of row ky exists only for
    // ky < K-1, so no select of lb_rd is elaborated for the current row (with KERNEL = 1, lb_rd
    // has no slot at all).
    wire unused_rowpad_top = b_rowpad[K-1];   // the current row comes from b_pix, not the mask
    // Without padding no emitted window reaches a padding tap, a column of the previous row or a
    // row of the previous image (each window's taps are shifted in after its row's first column
    // and below its image's first rows), so the masks below are left out: a 2:1 multiplexer per
    // window bit (Yosys, 3x3 windows of 256 channels: about 1300 LUTs).
    localparam [0:0] MASK = (PADDING > 0) ? 1'b1 : 1'b0;
    wire unused_masks = &{1'b0, b_first, b_rowpad, 1'b0};
    wire [KK*PW-1:0] win_next;
    genvar gy, gx;
    generate
        for (gy = 0; gy < K; gy = gy + 1) begin : g_wrow
            wire [PW-1:0] unused_oldest = win[(gy*K)*PW +: PW];     // column 0 is shifted out
            for (gx = 0; gx < K - 1; gx = gx + 1) begin : g_wcol   // older columns shift left
                assign win_next[(gy*K+gx)*PW +: PW] = (MASK && b_first) ? PAD_PIXEL : win[(gy*K+gx+1)*PW +: PW];
            end
            if (gy == K - 1) begin : g_cur                           // the scanned row
                assign win_next[(gy*K+K-1)*PW +: PW] = b_pix;
            end else begin : g_above                                 // a row above: line buffer
                assign win_next[(gy*K+K-1)*PW +: PW] =
                    (MASK && (!b_colreal || b_rowpad[gy])) ? PAD_PIXEL : lb_rd[(K-2-gy)*PW +: PW];
            end
        end
    endgenerate

    always @(posedge clk) begin
        if (b_adv) win <= win_next;
        if (b_adv && b_emit) out_data <= win_next;
        if (a_fire) begin
            b_pix     <= a_need_in ? in_data : PAD_PIXEL;
            b_colreal <= a_real_col;
            b_first   <= (a_col == {CW{1'b0}});
            b_emit    <= a_emit;
            b_rowpad  <= a_rowpad;
            b_addr    <= a_addr;
        end
    end

    // ---- control ----------------------------------------------------------------------------------
    always @(posedge clk) begin
        if (!rst_n) begin
            a_row     <= {RW{1'b0}};
            a_col     <= {CW{1'b0}};
            a_rowpad  <= ROWPAD0;
            a_rwait   <= WAIT0_C;
            a_ory     <= {OHW{1'b0}};
            a_cwait   <= WAIT0_C;
            a_ocx     <= {OWW{1'b0}};
            b_valid   <= 1'b0;
            out_valid <= 1'b0;
        end else begin
            if (a_fire) b_valid <= 1'b1;
            else if (b_adv) b_valid <= 1'b0;

            if (b_adv && b_emit) out_valid <= 1'b1;
            else if (out_ready) out_valid <= 1'b0;

            if (a_fire) begin
                if (a_row_end) begin
                    a_col   <= {CW{1'b0}};
                    a_cwait <= WAIT0_C;
                    a_ocx   <= {OWW{1'b0}};
                    if (a_img_end) begin
                        a_row    <= {RW{1'b0}};
                        a_rowpad <= ROWPAD0;
                        a_rwait  <= WAIT0_C;
                        a_ory    <= {OHW{1'b0}};
                    end else begin
                        a_row    <= a_row + 1'b1;
                        a_rowpad <= rowpad_next;
                        if (a_rwait == {WW{1'b0}}) begin
                            a_rwait <= WAIT_S;
                            if (a_ory < OH_C) a_ory <= a_ory + 1'b1;
                        end else begin
                            a_rwait <= a_rwait - 1'b1;
                        end
                    end
                end else begin
                    a_col <= a_col + 1'b1;
                    if (a_cwait == {WW{1'b0}}) begin
                        a_cwait <= WAIT_S;
                        if (a_ocx < OW_C) a_ocx <= a_ocx + 1'b1;
                    end else begin
                        a_cwait <= a_cwait - 1'b1;
                    end
                end
            end
        end
    end

endmodule

`default_nettype wire
