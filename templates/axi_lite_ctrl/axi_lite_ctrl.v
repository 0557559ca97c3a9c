// axi_lite_ctrl: the AXI4-Lite control/status slave of a generated accelerator: identification,
// control (enable, soft reset), status counters observed on the accelerator's stream ports,
// interrupts on finished images and batches, and COUNTERS 32-bit per-layer counter inputs.
//
// Register map (byte offsets; 32-bit registers; the low 2 address bits are ignored; full table in
// README.md):
//   0x00 ID 0x424E4E47 "BNNG"  0x04 VERSION    0x08 NETWORK_HASH        0x0C CONTROL (RW)
//   0x10 STATUS                0x14 IMAGES_IN  0x18 IMAGES_OUT          0x1C CYCLES
//   0x20 BUSY_CYCLES           0x24 IN_STALL_CYCLES                     0x28 OUT_STALL_CYCLES
//   0x2C IRQ_ENABLE (RW)       0x30 IRQ_STATUS (RW1C)                   0x34 BATCH_SIZE (RW)
//   0x38 COUNTER_COUNT         0x3C BEATS_PER_IMAGE                     0x40 + 4*i COUNTER_i
// Reads beyond the last counter return 0 with RRESP = SLVERR, writes there BRESP = SLVERR and
// change nothing; writes to read-only registers are ignored (OKAY); RW registers honour WSTRB.
//
// Math (the status counters are 32 bits and wrap; in_fire = in_valid && in_ready,
// out_fire = out_valid && out_ready; "at an edge" uses the values of the cycle before it):
//   IMAGES_IN   += 1 at every BEATS_PER_IMAGE-th in_fire       IMAGES_OUT += out_fire && out_last
//   CYCLES      += 1 at every edge                             BUSY_CYCLES += STATUS.BUSY
//   IN_STALL    += in_valid && !in_ready                       OUT_STALL  += out_valid && !out_ready
//   STATUS.BUSY  = (IMAGES_IN != IMAGES_OUT) || (beats of the next image accepted != 0)
//   IRQ_STATUS[0] set by out_fire && out_last; IRQ_STATUS[1] set when BATCH_SIZE (!= 0) images
//   have finished since the last batch event; a W1C write in the same edge as an event loses.
//   irq          = |(IRQ_STATUS & IRQ_ENABLE), a register equal to that value in every cycle.
// Soft reset: at every edge at which CONTROL.SOFT_RESET is 1, or is being written to 1, the status
// counters, the beat and batch counts and IRQ_STATUS are zeroed; so they read 0 in every cycle
// in which SOFT_RESET is 1 and in the first cycle after it returns to 0 (CYCLES = 0 there).
// core_rst_n = rst_n && !SOFT_RESET.
//
// Structure: the write address and the write data are each captured in a holding register (AW
// and W in any order, together or apart); the cycle after both are held the write is performed
// from the holding registers and BVALID rises. A read is answered from the registers' values in
// the cycle its address is accepted (read multiplexer from s_axi_ctrl_araddr into the RDATA
// register). One write and one read are in flight at a time.
//
// Timing (README.md "Timing"): AWREADY = up && !aw_held && !BVALID, WREADY = up && !w_held &&
// !BVALID, ARREADY = up && !RVALID (up: a register, 0 in reset and in the first cycle after it);
// BVALID, BRESP, RVALID, RDATA, RRESP, enable, soft_reset and irq are registers. Without
// stalls: AW and W accepted at edge t, the write performed and BVALID up at t+1, B taken at t+2,
// next AW/W at t+3; AR accepted at t, R taken at t+1, next AR at t+2.

`default_nettype none

module axi_lite_ctrl #(
    parameter integer ADDR_WIDTH       = 8,      // AXI-Lite byte address bits, 7 .. 32;
                                                 // 0x40 + 4*COUNTERS <= 2**ADDR_WIDTH
    parameter integer COUNTERS         = 1,      // 32-bit counter inputs (COUNTER_i), >= 1
    parameter [31:0]  VERSION          = 32'h0,  // generator version: major<<16 | minor<<8 | patch
    parameter [31:0]  NETWORK_HASH     = 32'h0,  // identifies the network
    parameter integer BEATS_PER_IMAGE  = 1       // input beats (in_fire) per image, >= 1
) (
    input  wire                      clk,
    input  wire                      rst_n,               // synchronous, active low
    // AXI4-Lite slave
    input  wire [ADDR_WIDTH-1:0]     s_axi_ctrl_awaddr,
    input  wire [2:0]                s_axi_ctrl_awprot,   // unused
    input  wire                      s_axi_ctrl_awvalid,
    output wire                      s_axi_ctrl_awready,
    input  wire [31:0]               s_axi_ctrl_wdata,
    input  wire [3:0]                s_axi_ctrl_wstrb,
    input  wire                      s_axi_ctrl_wvalid,
    output wire                      s_axi_ctrl_wready,
    output reg  [1:0]                s_axi_ctrl_bresp,
    output reg                       s_axi_ctrl_bvalid,
    input  wire                      s_axi_ctrl_bready,
    input  wire [ADDR_WIDTH-1:0]     s_axi_ctrl_araddr,
    input  wire [2:0]                s_axi_ctrl_arprot,   // unused
    input  wire                      s_axi_ctrl_arvalid,
    output wire                      s_axi_ctrl_arready,
    output reg  [31:0]               s_axi_ctrl_rdata,
    output reg  [1:0]                s_axi_ctrl_rresp,
    output reg                       s_axi_ctrl_rvalid,
    input  wire                      s_axi_ctrl_rready,
    // observed stream handshakes (the accelerator's s_axis / m_axis at the top's ports)
    input  wire                      in_valid,
    input  wire                      in_ready,
    input  wire                      out_valid,
    input  wire                      out_ready,
    input  wire                      out_last,
    input  wire [32*COUNTERS-1:0]    counters,            // counter i at [32*i +: 32]
    // control
    output wire                      enable,              // CONTROL.ENABLE
    output wire                      soft_reset,          // CONTROL.SOFT_RESET
    output wire                      core_rst_n,          // rst_n && !soft_reset: the datapath's reset
    // "irq", not "interrupt": that is a C++ word to Verilator (SYMRSVDWORD). Vivado infers an
    // interrupt interface from either name.
    output reg                       irq                  // |(IRQ_STATUS & IRQ_ENABLE), level
);

    localparam integer WORD_W    = ADDR_WIDTH - 2;                 // register index bits
    localparam integer NUM_WORDS = 16 + COUNTERS;                  // mapped registers
    localparam integer MAP_LAST  = 4 * NUM_WORDS - 1;              // last mapped byte address
    localparam [31:0]  NUM_WORDS_W = NUM_WORDS;
    localparam integer FIRST_CTR_I = 16;                           // register index of COUNTER_0
    localparam [WORD_W-1:0] FIRST_CTR = FIRST_CTR_I[WORD_W-1:0];
    localparam integer CTR_W     = (COUNTERS > 1) ? $clog2(COUNTERS) : 1;  // counter index bits
    localparam integer CTR_SLOTS = 1 << CTR_W;                     // counter words, padded to 2**CTR_W
    localparam integer BEAT_W    = (BEATS_PER_IMAGE > 1) ? $clog2(BEATS_PER_IMAGE) : 1;
    localparam integer BEAT_LAST_I = BEATS_PER_IMAGE - 1;
    localparam [BEAT_W-1:0] BEAT_LAST = BEAT_LAST_I[BEAT_W-1:0];   // beat count of an image's last beat

    localparam [31:0] ID_VALUE       = 32'h424E_4E47;              // "BNNG"
    localparam [31:0] COUNTERS_VALUE = COUNTERS;
    localparam [31:0] BEATS_VALUE    = BEATS_PER_IMAGE;

    // register numbers of the 16 fixed registers (byte offset / 4)
    localparam [3:0] R_ID         = 4'h0;
    localparam [3:0] R_VERSION    = 4'h1;
    localparam [3:0] R_HASH       = 4'h2;
    localparam [3:0] R_CONTROL    = 4'h3;
    localparam [3:0] R_STATUS     = 4'h4;
    localparam [3:0] R_IMAGES_IN  = 4'h5;
    localparam [3:0] R_IMAGES_OUT = 4'h6;
    localparam [3:0] R_CYCLES     = 4'h7;
    localparam [3:0] R_BUSY       = 4'h8;
    localparam [3:0] R_IN_STALL   = 4'h9;
    localparam [3:0] R_OUT_STALL  = 4'hA;
    localparam [3:0] R_IRQ_ENABLE = 4'hB;
    localparam [3:0] R_IRQ_STATUS = 4'hC;
    localparam [3:0] R_BATCH_SIZE = 4'hD;
    localparam [3:0] R_CTR_COUNT  = 4'hE;
    localparam [3:0] R_BEATS      = 4'hF;

    localparam [1:0] RESP_OKAY   = 2'b00;
    localparam [1:0] RESP_SLVERR = 2'b10;

    initial begin
        if (ADDR_WIDTH < 7 || ADDR_WIDTH > 32) begin
            $display("ERROR: axi_lite_ctrl: ADDR_WIDTH (%0d) must be 7 .. 32", ADDR_WIDTH);
            $finish;
        end
        if (COUNTERS < 1) begin
            $display("ERROR: axi_lite_ctrl: COUNTERS (%0d) must be >= 1", COUNTERS);
            $finish;
        end
        if (BEATS_PER_IMAGE < 1) begin
            $display("ERROR: axi_lite_ctrl: BEATS_PER_IMAGE (%0d) must be >= 1", BEATS_PER_IMAGE);
            $finish;
        end
        if ((MAP_LAST >> ADDR_WIDTH) != 0) begin
            $display("ERROR: axi_lite_ctrl: 0x40 + 4*COUNTERS (COUNTERS = %0d) exceeds 2**ADDR_WIDTH (ADDR_WIDTH = %0d)",
                     COUNTERS, ADDR_WIDTH);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (ADDR_WIDTH < 7 || ADDR_WIDTH > 32) begin : g_param_error_0
            ERROR_axi_lite_ctrl_ADDR_WIDTH_must_be_7_to_32 u_error ();
        end
        if (COUNTERS < 1) begin : g_param_error_1
            ERROR_axi_lite_ctrl_COUNTERS_must_be_at_least_1 u_error ();
        end
        if (BEATS_PER_IMAGE < 1) begin : g_param_error_2
            ERROR_axi_lite_ctrl_BEATS_PER_IMAGE_must_be_at_least_1 u_error ();
        end
        if ((MAP_LAST >> ADDR_WIDTH) != 0) begin : g_param_error_3
            ERROR_axi_lite_ctrl_register_map_exceeds_ADDR_WIDTH u_error ();
        end
    endgenerate

    // The protection types and the byte offset within a register are not used.
    wire unused_axi = &{1'b0, s_axi_ctrl_awprot, s_axi_ctrl_arprot,
                        s_axi_ctrl_awaddr[1:0], s_axi_ctrl_araddr[1:0], 1'b0};

    // ---------------------------------------------------------------------------------------------
    // AXI handshakes. up: no handshake while the registers are in reset (nor in the cycle after).
    reg up;
    always @(posedge clk) begin
        if (!rst_n) up <= 1'b0;
        else up <= 1'b1;
    end

    reg              aw_held;       // a write address is held in aw_word
    reg [WORD_W-1:0] aw_word;       // its register index (byte address / 4)
    reg              w_held;        // write data is held in w_data / w_strb
    reg [31:0]       w_data;
    reg [3:0]        w_strb;

    assign s_axi_ctrl_awready = up && !aw_held && !s_axi_ctrl_bvalid;
    assign s_axi_ctrl_wready  = up && !w_held && !s_axi_ctrl_bvalid;
    assign s_axi_ctrl_arready = up && !s_axi_ctrl_rvalid;

    wire aw_fire = s_axi_ctrl_awvalid && s_axi_ctrl_awready;
    wire w_fire  = s_axi_ctrl_wvalid && s_axi_ctrl_wready;
    wire ar_fire = s_axi_ctrl_arvalid && s_axi_ctrl_arready;
    wire wr_do   = aw_held && w_held;   // perform the held write at this edge, raise BVALID

    always @(posedge clk) begin
        if (aw_fire) aw_word <= s_axi_ctrl_awaddr[ADDR_WIDTH-1:2];
        if (w_fire) begin
            w_data <= s_axi_ctrl_wdata;
            w_strb <= s_axi_ctrl_wstrb;
        end
    end

    // Write decode (from the holding registers).
    wire       wr_fixed  = (aw_word[WORD_W-1:4] == {(WORD_W-4){1'b0}});   // one of the 16 fixed
    wire       wr_mapped = ({{(32-WORD_W){1'b0}}, aw_word} < NUM_WORDS_W);
    wire       wr_lane0  = wr_do && wr_fixed && w_strb[0];                 // byte 0 of a fixed register
    wire       wr_control    = wr_lane0 && (aw_word[3:0] == R_CONTROL);
    wire       wr_irq_enable = wr_lane0 && (aw_word[3:0] == R_IRQ_ENABLE);
    wire       wr_irq_status = wr_lane0 && (aw_word[3:0] == R_IRQ_STATUS);
    wire       wr_batch_size = wr_do && wr_fixed && (aw_word[3:0] == R_BATCH_SIZE);

    always @(posedge clk) begin
        if (!rst_n) begin
            aw_held           <= 1'b0;
            w_held            <= 1'b0;
            s_axi_ctrl_bvalid <= 1'b0;
            s_axi_ctrl_bresp  <= RESP_OKAY;
        end else begin
            aw_held <= !wr_do && (aw_held || aw_fire);
            w_held  <= !wr_do && (w_held || w_fire);
            if (wr_do) begin
                s_axi_ctrl_bvalid <= 1'b1;
                s_axi_ctrl_bresp  <= wr_mapped ? RESP_OKAY : RESP_SLVERR;
            end else if (s_axi_ctrl_bready) begin
                s_axi_ctrl_bvalid <= 1'b0;
            end
        end
    end

    // ---------------------------------------------------------------------------------------------
    // Control registers: CONTROL, IRQ_ENABLE, BATCH_SIZE.
    reg        enable_r;
    reg        soft_reset_r;
    reg [1:0]  irq_enable;
    reg [31:0] batch_size;

    assign enable     = enable_r;
    assign soft_reset = soft_reset_r;
    assign core_rst_n = rst_n && !soft_reset_r;

    wire       soft_reset_d = wr_control ? w_data[1] : soft_reset_r;     // value after this edge
    wire [1:0] irq_enable_d = wr_irq_enable ? w_data[1:0] : irq_enable;
    wire       stats_clear  = soft_reset_r || soft_reset_d;              // in, entering or leaving soft reset

    always @(posedge clk) begin
        if (!rst_n) begin
            enable_r     <= 1'b1;
            soft_reset_r <= 1'b0;
            irq_enable   <= 2'b00;
            batch_size   <= 32'd1;
        end else begin
            if (wr_control) enable_r <= w_data[0];
            soft_reset_r <= soft_reset_d;
            irq_enable   <= irq_enable_d;
            if (wr_batch_size) begin
                if (w_strb[0]) batch_size[7:0]   <= w_data[7:0];
                if (w_strb[1]) batch_size[15:8]  <= w_data[15:8];
                if (w_strb[2]) batch_size[23:16] <= w_data[23:16];
                if (w_strb[3]) batch_size[31:24] <= w_data[31:24];
            end
        end
    end

    // ---------------------------------------------------------------------------------------------
    // Status counters.
    reg [31:0]       images_in;
    reg [31:0]       images_out;
    reg [31:0]       cycles;
    reg [31:0]       busy_cycles;
    reg [31:0]       in_stall_cycles;
    reg [31:0]       out_stall_cycles;
    reg [BEAT_W-1:0] beat_count;     // beats of the current input image accepted (0 .. BEATS_PER_IMAGE-1)
    reg [31:0]       batch_count;    // images finished since the last batch event

    wire in_fire    = in_valid && in_ready;
    wire image_done = out_valid && out_ready && out_last;
    wire busy       = (images_in != images_out) || (beat_count != {BEAT_W{1'b0}});

    wire [31:0] batch_count_inc = batch_count + 32'd1;
    wire        batch_done = image_done && (batch_size != 32'd0) && (batch_count_inc >= batch_size);

    always @(posedge clk) begin
        if (!rst_n || stats_clear) begin
            images_in        <= 32'd0;
            images_out       <= 32'd0;
            cycles           <= 32'd0;
            busy_cycles      <= 32'd0;
            in_stall_cycles  <= 32'd0;
            out_stall_cycles <= 32'd0;
            beat_count       <= {BEAT_W{1'b0}};
            batch_count      <= 32'd0;
        end else begin
            cycles <= cycles + 32'd1;
            if (busy) busy_cycles <= busy_cycles + 32'd1;
            if (in_valid && !in_ready) in_stall_cycles <= in_stall_cycles + 32'd1;
            if (out_valid && !out_ready) out_stall_cycles <= out_stall_cycles + 32'd1;
            if (in_fire) begin
                if (beat_count == BEAT_LAST) begin
                    beat_count <= {BEAT_W{1'b0}};
                    images_in  <= images_in + 32'd1;
                end else begin
                    beat_count <= beat_count + 1'b1;
                end
            end
            if (image_done) begin
                images_out  <= images_out + 32'd1;
                batch_count <= batch_done ? 32'd0 : batch_count_inc;
            end
        end
    end

    // ---------------------------------------------------------------------------------------------
    // Interrupts: IRQ_STATUS (set by the events, write 1 to clear, the event wins), the line.
    reg  [1:0] irq_status;
    wire [1:0] irq_event    = {batch_done, image_done};
    wire [1:0] irq_clear    = wr_irq_status ? w_data[1:0] : 2'b00;
    wire [1:0] irq_status_d = stats_clear ? 2'b00 : ((irq_status & ~irq_clear) | irq_event);

    always @(posedge clk) begin
        if (!rst_n) begin
            irq_status <= 2'b00;
            irq        <= 1'b0;
        end else begin
            irq_status <= irq_status_d;
            irq        <= |(irq_status_d & irq_enable_d);
        end
    end

    // ---------------------------------------------------------------------------------------------
    // Read: the addressed register's value in the cycle the address is accepted.
    wire [WORD_W-1:0] ar_word   = s_axi_ctrl_araddr[ADDR_WIDTH-1:2];
    wire              ar_fixed  = (ar_word[WORD_W-1:4] == {(WORD_W-4){1'b0}});
    wire              ar_mapped = ({{(32-WORD_W){1'b0}}, ar_word} < NUM_WORDS_W);

    // Counter inputs padded with zero words to 2**CTR_W, so that any counter index selects a word.
    wire [32*CTR_SLOTS-1:0] counter_words;
    generate
        if (CTR_SLOTS > COUNTERS) begin : g_pad
            assign counter_words = {{(32*(CTR_SLOTS-COUNTERS)){1'b0}}, counters};
        end else begin : g_nopad
            assign counter_words = counters;
        end
    endgenerate
    wire [WORD_W-1:0] ar_counter = ar_word - FIRST_CTR;         // counter index, if ar_word >= 16
    wire [CTR_W-1:0]  ar_ctr     = ar_counter[CTR_W-1:0];        // (upper bits: ar_mapped covers them)
    wire unused_ar_counter = &{1'b0, ar_counter, 1'b0};

    reg [31:0] rd_value;
    always @* begin
        rd_value = 32'd0;
        if (!ar_fixed) begin
            rd_value = counter_words[{ar_ctr, 5'b00000} +: 32];
        end else begin
            case (ar_word[3:0])
                R_ID:         rd_value = ID_VALUE;
                R_VERSION:    rd_value = VERSION;
                R_HASH:       rd_value = NETWORK_HASH;
                R_CONTROL:    rd_value = {30'd0, soft_reset_r, enable_r};
                R_STATUS:     rd_value = {29'd0, enable_r, soft_reset_r, busy};
                R_IMAGES_IN:  rd_value = images_in;
                R_IMAGES_OUT: rd_value = images_out;
                R_CYCLES:     rd_value = cycles;
                R_BUSY:       rd_value = busy_cycles;
                R_IN_STALL:   rd_value = in_stall_cycles;
                R_OUT_STALL:  rd_value = out_stall_cycles;
                R_IRQ_ENABLE: rd_value = {30'd0, irq_enable};
                R_IRQ_STATUS: rd_value = {30'd0, irq_status};
                R_BATCH_SIZE: rd_value = batch_size;
                R_CTR_COUNT:  rd_value = COUNTERS_VALUE;
                R_BEATS:      rd_value = BEATS_VALUE;
            endcase
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            s_axi_ctrl_rvalid <= 1'b0;
            s_axi_ctrl_rdata  <= 32'd0;
            s_axi_ctrl_rresp  <= RESP_OKAY;
        end else if (ar_fire) begin
            s_axi_ctrl_rvalid <= 1'b1;
            s_axi_ctrl_rdata  <= ar_mapped ? rd_value : 32'd0;
            s_axi_ctrl_rresp  <= ar_mapped ? RESP_OKAY : RESP_SLVERR;
        end else if (s_axi_ctrl_rready) begin
            s_axi_ctrl_rvalid <= 1'b0;
        end
    end

endmodule

`default_nettype wire
