// stream_fifo: synchronous first-in first-out buffer with valid/ready on both sides.
//
// Math: the output stream equals the input stream, beat for beat, delayed; at most DEPTH beats are
// held. One beat can enter and one can leave in the same cycle (full throughput).
//
// Structure: a show-ahead output register (the head beat) plus a memory of DEPTH-1 beats read
// into the output register (Vivado: distributed RAM, as a bypass mux sits before the register).
// LATENCY = 1: a beat entering an empty FIFO goes straight to the output register (a 2:1
// multiplexer, one LUT, per bit in front of it), so the latency from in to out is one cycle.
// LATENCY = 2 (DEPTH >= 3): every beat goes through the memory, the output register loads only
// from it: no multiplexer (BNN-PYNQ CNV's layer FIFOs, 64 to 256 bits wide), one cycle more latency,
// the same throughput.
//
// Timing: out_valid, out_data, in_ready and count are registers. Nothing on one side depends
// combinationally on the other side. in_ready = (count < DEPTH): a full FIFO does not accept in the
// cycle it is popped (the freed place is offered one cycle later).
//
// Memory layout: mem[i] holds one beat; read and write pointers wrap at DEPTH-1 (any DEPTH >= 2,
// power of two or not).

`default_nettype none

module stream_fifo #(
    parameter integer WIDTH = 8,  // bits per beat (>= 1)
    parameter integer DEPTH = 2,  // beats held, output register included (>= 2)
    parameter integer LATENCY = 1 // in -> out cycles: 1 (bypass into the output register) or 2 (>= 3 deep)
) (
    input  wire                          clk,
    input  wire                          rst_n,      // synchronous, active low
    input  wire                          in_valid,
    output reg                           in_ready,
    input  wire [WIDTH-1:0]              in_data,
    output reg                           out_valid,
    input  wire                          out_ready,
    output reg  [WIDTH-1:0]              out_data,
    output reg  [$clog2(DEPTH+1)-1:0]    count       // beats held (0..DEPTH)
);

    localparam integer MEM_DEPTH = (DEPTH > 2) ? DEPTH - 1 : 1;       // beats behind the head
    localparam integer PTR_W     = (MEM_DEPTH > 1) ? $clog2(MEM_DEPTH) : 1;
    localparam integer MCNT_W    = $clog2(MEM_DEPTH + 1);
    localparam integer CNT_W     = $clog2(DEPTH + 1);
    localparam integer PTR_LAST_I = MEM_DEPTH - 1;
    localparam [PTR_W-1:0] PTR_LAST = PTR_LAST_I[PTR_W-1:0];         // pointer wrap point
    localparam [CNT_W-1:0] CNT_FULL = DEPTH[CNT_W-1:0];              // count when full

    initial begin
        if (WIDTH < 1) begin
            $display("ERROR: stream_fifo: WIDTH (%0d) must be >= 1", WIDTH);
            $finish;
        end
        if (DEPTH < 2) begin
            $display("ERROR: stream_fifo: DEPTH (%0d) must be >= 2", DEPTH);
            $finish;
        end
        if (LATENCY != 1 && !(LATENCY == 2 && DEPTH >= 3)) begin
            $display("ERROR: stream_fifo: LATENCY (%0d) must be 1, or 2 with DEPTH (%0d) >= 3", LATENCY, DEPTH);
            $finish;
        end
    end

    // Elaboration-time checks (Verilog-2005 has no elaboration-time $error): an illegal
    // combination instantiates a module that does not exist and whose name is the message, so that
    // Icarus, Yosys, Vivado and Verilator all stop at elaboration. The initial block above says the
    // same at simulation time 0.
    generate
        if (WIDTH < 1) begin : g_param_error_0
            ERROR_stream_fifo_WIDTH_must_be_at_least_1 u_error ();
        end
        if (DEPTH < 2) begin : g_param_error_1
            ERROR_stream_fifo_DEPTH_must_be_at_least_2 u_error ();
        end
        // two beats in flight through the memory and the output register, and in_ready a register:
        // LATENCY 2 keeps one beat per cycle only with a third place
        if (LATENCY != 1 && !(LATENCY == 2 && DEPTH >= 3)) begin : g_param_error_2
            ERROR_stream_fifo_LATENCY_must_be_1_or_2_with_DEPTH_at_least_3 u_error ();
        end
    endgenerate

    reg [WIDTH-1:0]   mem [0:MEM_DEPTH-1];
    reg [PTR_W-1:0]   wr_ptr;
    reg [PTR_W-1:0]   rd_ptr;
    reg [MCNT_W-1:0]  mem_count;       // beats in mem (0..MEM_DEPTH)

    wire push      = in_valid && in_ready;
    wire pop       = out_valid && out_ready;
    wire head_free = !out_valid || pop;               // output register takes a beat this cycle
    wire mem_nz    = (mem_count != {MCNT_W{1'b0}});
    wire load_mem  = head_free && mem_nz;             // head <- mem[rd_ptr]
    wire bypass    = (LATENCY == 1) && head_free && !mem_nz && push;  // head <- in_data
    wire mem_wr    = push && !bypass;                 // mem[wr_ptr] <- in_data

    wire [PTR_W-1:0] wr_ptr_inc = (wr_ptr == PTR_LAST) ? {PTR_W{1'b0}} : wr_ptr + 1'b1;
    wire [PTR_W-1:0] rd_ptr_inc = (rd_ptr == PTR_LAST) ? {PTR_W{1'b0}} : rd_ptr + 1'b1;
    wire [CNT_W-1:0] count_next = count + {{(CNT_W-1){1'b0}}, push} - {{(CNT_W-1){1'b0}}, pop};

    // Memory: one write port, one synchronous read port (into the output register).
    always @(posedge clk) begin
        if (mem_wr) mem[wr_ptr] <= in_data;
    end

    always @(posedge clk) begin
        if (load_mem)     out_data <= mem[rd_ptr];
        else if (bypass)  out_data <= in_data;
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            wr_ptr    <= {PTR_W{1'b0}};
            rd_ptr    <= {PTR_W{1'b0}};
            mem_count <= {MCNT_W{1'b0}};
            out_valid <= 1'b0;
            count     <= {CNT_W{1'b0}};
            in_ready  <= 1'b0;
        end else begin
            if (mem_wr) wr_ptr <= wr_ptr_inc;
            if (load_mem) rd_ptr <= rd_ptr_inc;
            if (mem_wr && !load_mem) mem_count <= mem_count + 1'b1;
            else if (!mem_wr && load_mem) mem_count <= mem_count - 1'b1;
            if (head_free) out_valid <= mem_nz || (LATENCY == 1 && push);
            count    <= count_next;
            in_ready <= (count_next != CNT_FULL);
        end
    end

endmodule

`default_nettype wire
