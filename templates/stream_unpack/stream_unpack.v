// stream_unpack: splits each wide input beat of PER_BEAT pixels into its pixels, one per output
// beat, dropping the padding slots of every image's last beat (framing by count, no tlast).
//
// Math: an image of PIXELS_PER_IMAGE pixels arrives as BEATS = ceil(PIXELS_PER_IMAGE / PER_BEAT)
// input beats. Pixel j of an input beat is in_data[j*PIXEL_WIDTH +: PIXEL_WIDTH]. Every beat
// carries PER_BEAT pixels except an image's last beat, which carries
// LAST = PIXELS_PER_IMAGE - (BEATS-1)*PER_BEAT pixels (1 .. PER_BEAT) in slots 0 .. LAST-1; its
// slots LAST .. PER_BEAT-1 are padding and never leave the block. The output is the pixels of each
// image in order, one per beat: input beat b of an image (pixels b*PER_BEAT + j) gives output beats
// b*PER_BEAT + j, j = 0 .. n_b - 1.
//
// Structure: a shift register of PER_BEAT slots (PER_BEAT*PIXEL_WIDTH flip-flops) whose bottom
// slot is out_data: an accepted beat is loaded whole, each taken pixel that is not the beat's last
// shifts it down by one slot (no variable-index multiplexer). A down counter (left) of the pixels
// behind the presented one, a flag (last) "the presented pixel is the last of its beat", and a
// beat counter (beat, 0 .. BEATS-1) that selects PER_BEAT or LAST pixels for the beat being loaded.
//
// Timing: out_valid and out_data are registers. in_ready = !out_valid || (last && out_ready): the
// only combinational path from out_ready is one AND-OR (a LUT3) with two registers; nothing from
// in_valid. The next beat is loaded in the cycle in which the previous beat's last pixel is taken,
// so a beat of n pixels costs exactly n cycles and, without stalls, one pixel leaves per cycle
// across beats and images: with e1 the edge of the first input transfer, pixel k of the stream
// (images back to back) leaves at edge e1 + 1 + k, and the input beat whose first pixel is stream
// pixel k is taken at edge e1 + k. The block holds at most one beat: with the sink stopped it takes
// one beat, then in_ready is low. in_ready is high during reset (out_valid is low); the upstream
// stage shares rst_n and offers nothing then. A reset drops a partial beat and restarts at the
// first beat of an image. PER_BEAT = 1: a pipeline register (in_ready = !out_valid || out_ready).

`default_nettype none

module stream_unpack #(
    parameter integer PIXEL_WIDTH      = 8,   // bits per pixel (>= 1)
    parameter integer PER_BEAT         = 4,   // pixels per input beat (>= 1)
    parameter integer PIXELS_PER_IMAGE = 16   // pixels per image (>= 1)
) (
    input  wire                            clk,
    input  wire                            rst_n,      // synchronous, active low
    input  wire                            in_valid,
    output wire                            in_ready,
    input  wire [PER_BEAT*PIXEL_WIDTH-1:0] in_data,    // pixel j at [j*PIXEL_WIDTH +: PIXEL_WIDTH]
    output reg                             out_valid,
    input  wire                            out_ready,
    output wire [PIXEL_WIDTH-1:0]          out_data    // a register (the shift register's bottom slot)
);

    // Sizes, clamped to 1 so that illegal parameters reach the checks below instead of a division
    // by zero.
    localparam integer N     = (PER_BEAT < 1) ? 1 : PER_BEAT;
    localparam integer P     = (PIXELS_PER_IMAGE < 1) ? 1 : PIXELS_PER_IMAGE;
    localparam integer BEATS = (P + N - 1) / N;                      // input beats per image
    localparam integer LAST  = P - (BEATS - 1) * N;                  // pixels of an image's last beat, 1 .. N
    localparam integer BEAT_W = (BEATS > 1) ? $clog2(BEATS) : 1;     // beat counter bits
    localparam integer LEFT_W = (N > 1) ? $clog2(N) : 1;             // pixel counter bits (0 .. N-1)
    localparam integer BEAT_LAST_I = BEATS - 1;
    localparam integer LEFT_FULL_I = N - 1;
    localparam integer LEFT_LAST_I = LAST - 1;
    localparam integer ONE_I       = 1;
    localparam [BEAT_W-1:0] BEAT_LAST = BEAT_LAST_I[BEAT_W-1:0];    // beat number of an image's last beat
    localparam [LEFT_W-1:0] LEFT_FULL = LEFT_FULL_I[LEFT_W-1:0];    // left after loading a full beat
    localparam [LEFT_W-1:0] LEFT_LAST = LEFT_LAST_I[LEFT_W-1:0];    // left after loading a last beat
    localparam [LEFT_W-1:0] LEFT_ONE  = ONE_I[LEFT_W-1:0];
    localparam              FULL_ONE  = (N == 1);                    // a full beat is one pixel
    localparam              LAST_ONE  = (LAST == 1);                 // a last beat is one pixel

    initial begin
        if (PIXEL_WIDTH < 1 || PER_BEAT < 1 || PIXELS_PER_IMAGE < 1) begin
            $display("ERROR: stream_unpack: PIXEL_WIDTH (%0d), PER_BEAT (%0d) and PIXELS_PER_IMAGE (%0d) must be >= 1",
                     PIXEL_WIDTH, PER_BEAT, PIXELS_PER_IMAGE);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (PIXEL_WIDTH < 1 || PER_BEAT < 1 || PIXELS_PER_IMAGE < 1) begin : g_param_error_0
            ERROR_stream_unpack_parameters_must_be_at_least_1 u_error ();
        end
    endgenerate

    reg [PER_BEAT*PIXEL_WIDTH-1:0] shreg;  // the beat being sent; slot 0 is the presented pixel
    reg [LEFT_W-1:0]               left;   // pixels of the beat behind the presented one
    reg                            last;   // the presented pixel is the last of its beat (left == 0)
    reg [BEAT_W-1:0]               beat;   // input beat of the image that is loaded next

    wire in_fire   = in_valid && in_ready;
    wire out_fire  = out_valid && out_ready;
    wire advance   = out_fire && !last;            // the next pixel of the same beat moves down
    wire last_beat = (beat == BEAT_LAST);          // the beat offered now is its image's last
    assign in_ready = !out_valid || (last && out_ready);
    assign out_data = shreg[PIXEL_WIDTH-1:0];

    // Data: no reset (out_valid qualifies it). The shift is a procedural loop over the slots, so
    // that PER_BEAT = 1 (no shift) needs no special case; the top slot keeps its value (it is not
    // read again before the next load), so it has a load enable only.
    integer slot;
    always @(posedge clk) begin
        if (in_fire) begin
            shreg <= in_data;
        end else if (advance) begin
            for (slot = 0; slot < PER_BEAT - 1; slot = slot + 1)
                shreg[slot*PIXEL_WIDTH +: PIXEL_WIDTH] <= shreg[(slot+1)*PIXEL_WIDTH +: PIXEL_WIDTH];
        end
    end

    // Control. in_fire and advance never coincide (in_fire needs !out_valid or last).
    always @(posedge clk) begin
        if (!rst_n) begin
            out_valid <= 1'b0;
            last      <= 1'b1;
            left      <= {LEFT_W{1'b0}};
            beat      <= {BEAT_W{1'b0}};
        end else if (in_fire) begin
            out_valid <= 1'b1;
            if (last_beat) begin
                beat <= {BEAT_W{1'b0}};
                left <= LEFT_LAST;
                last <= LAST_ONE;
            end else begin
                beat <= beat + 1'b1;
                left <= LEFT_FULL;
                last <= FULL_ONE;
            end
        end else if (advance) begin
            left <= left - 1'b1;
            last <= (left == LEFT_ONE);
        end else if (out_fire) begin
            out_valid <= 1'b0;                         // the beat's last pixel left, no next beat
        end
    end

endmodule

`default_nettype wire
