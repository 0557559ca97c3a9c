// popcount: the number of ones among N bits, as a tree of LUT6-shaped compressors.
//
// Math: count = sum over j < N of in[j] (exact; 0 .. N in OUT_WIDTH bits).
//
// Structure (combinational), a Dadda-style column compression: column k holds bits of weight
// 2^k. Level 0 cuts the input into triples, each giving a sum bit (XOR3, column 0) and a carry bit
// (MAJ3, column 1). Every further level cuts each column into groups of six bits (a rest of 4 or
// 5 bits one smaller group; a rest of 1 to 3 bits passes through) and replaces each group by its
// 3-bit count, whose bits go to columns k, k+1 and k+2. A count bit is one 6-input function, read
// from a truth table so that synthesis maps it to one LUT6: a level turns 6 bits of a column into 3
// at 3 LUTs. Once no column holds more than 3 bits, the three rows are added (carry chains).
// Columns at or above $clog2(N + 1) are always 0 (the count is at most N) and are not built.
// Against an adder tree of the bits (Yosys 0.23 synth_xilinx, 196 XNOR bits, flattened): 284 LUTs,
// 5 MUXF7/8, 11 logic levels instead of 411 LUTs, 61 MUXF7/8 and 17 levels.
//
// Why not `+`: Yosys maps every addition to a carry chain (a LUT per bit), and ABC's mapping of a
// long adder tree duplicates logic into wide multiplexers; 6-input truth tables it maps one to one.
// Written as gates (two full adders and a carry), ABC merged the count bits into wide multiplexers
// (418 LUTs); grouping whole numbers six at a time instead of columns leaves columns of 2 to 4
// real bits (434 LUTs).

`default_nettype none

module popcount #(
    parameter integer N         = 8,  // input bits (>= 1)
    parameter integer OUT_WIDTH = 4   // output bits, >= $clog2(N + 1)
) (
    input  wire [N-1:0]         in,
    output wire [OUT_WIDTH-1:0] count
);

    localparam integer NEED_W = $clog2(N + 1);
    localparam integer K      = (NEED_W > 1) ? NEED_W : 2;  // columns built
    localparam integer CW     = 32;                         // bits of one column's count in a table (an integer)
    localparam integer NT     = 3 * ((N + 2) / 3);          // input bits padded to whole triples

    // Column tables, computed once: level l, column k at [(l*K + k)*CW +: CW]. CNT: bits in the
    // column; OFF: where the column starts in level l's bit vector (column K: the level's total).
    // A level whose columns all hold at most 3 bits is the last and repeats in the levels after it.
    localparam integer LMAX = 16;  // levels at most: enough for N <= 100 827 (checked: N <= 65536)
    function integer groups;       // groups a column of c bits is cut into
        input integer c;
        groups = c / 6 + ((c % 6 >= 4) ? 1 : 0);
    endfunction
    function integer passed;       // bits of a column of c bits that pass through
        input integer c;
        passed = (c % 6 >= 4) ? 0 : c % 6;
    endfunction
    function [LMAX*K*CW-1:0] column_counts;
        input integer bits;
        integer l, j, c, most, here, below1, below2;
        begin
            column_counts = 0;
            column_counts[0 +: CW] = (bits + 2) / 3;
            column_counts[CW +: CW] = (bits + 2) / 3;
            for (l = 1; l < LMAX; l = l + 1) begin
                most = 0;
                for (j = 0; j < K; j = j + 1) begin
                    c = column_counts[((l-1)*K + j)*CW +: CW];
                    if (c > most) most = c;
                end
                for (j = 0; j < K; j = j + 1) begin
                    here = column_counts[((l-1)*K + j)*CW +: CW];
                    below1 = (j >= 1) ? column_counts[((l-1)*K + j - 1)*CW +: CW] : 0;
                    below2 = (j >= 2) ? column_counts[((l-1)*K + j - 2)*CW +: CW] : 0;
                    c = (most <= 3) ? here : groups(here) + passed(here) + groups(below1) + groups(below2);
                    column_counts[(l*K + j)*CW +: CW] = c;
                end
            end
        end
    endfunction
    localparam [LMAX*K*CW-1:0] CNT = column_counts(N);
    function [LMAX*(K+1)*CW-1:0] column_offsets;
        input [LMAX*K*CW-1:0] counts;
        integer l, j, at;
        begin
            column_offsets = 0;
            for (l = 0; l < LMAX; l = l + 1) begin
                at = 0;
                for (j = 0; j <= K; j = j + 1) begin
                    column_offsets[(l*(K+1) + j)*CW +: CW] = at;
                    if (j < K) at = at + counts[(l*K + j)*CW +: CW];
                end
            end
        end
    endfunction
    localparam [LMAX*(K+1)*CW-1:0] OFF = column_offsets(CNT);
    function integer last_level;
        input [LMAX*K*CW-1:0] counts;
        integer l, j, most;
        begin
            last_level = LMAX - 1;
            for (l = LMAX - 1; l >= 0; l = l - 1) begin
                most = 0;
                for (j = 0; j < K; j = j + 1) if (counts[(l*K + j)*CW +: CW] > most) most = counts[(l*K + j)*CW +: CW];
                if (most <= 3) last_level = l;
            end
        end
    endfunction

    localparam integer LEVELS = last_level(CNT);
    // the tables end after LMAX levels: a wider input would need more (N > 100 827)
    localparam integer FITS   = (N <= 65536) ? 1 : 0;
    // bit i of the number of ones of a 6-bit value v: COUNT6_BITi[v]
    localparam [63:0] COUNT6_BIT0 = 64'h6996966996696996;
    localparam [63:0] COUNT6_BIT1 = 64'h8117177E177E7EE8;
    localparam [63:0] COUNT6_BIT2 = 64'hFEE8E880E8808000;

    initial begin
        if (N < 1 || OUT_WIDTH < NEED_W) begin
            $display("ERROR: popcount: N (%0d) must be >= 1 and OUT_WIDTH (%0d) >= $clog2(N + 1)", N, OUT_WIDTH);
            $finish;
        end
        if (FITS == 0) begin
            $display("ERROR: popcount: N (%0d) must be at most 65536", N);
            $finish;
        end
    end
    generate
        if (N < 1 || OUT_WIDTH < NEED_W) begin : g_param_error
            ERROR_popcount_N_must_be_at_least_1_and_OUT_WIDTH_at_least_clog2_N_plus_1 u_error ();
        end
        if (FITS == 0) begin : g_param_error_2
            ERROR_popcount_N_must_be_at_most_65536 u_error ();
        end
    endgenerate

    wire [NT-1:0] bits;
    generate
        if (NT > N) begin : g_pad
            assign bits = {{(NT-N){1'b0}}, in};
        end else begin : g_nopad
            assign bits = in;
        end
    endgenerate

    genvar gl, gk, gg, gi;
    generate
        for (gl = 0; gl <= LEVELS; gl = gl + 1) begin : g_lv
            localparam integer TOTAL = OFF[(gl*(K+1) + K)*CW +: CW];
            wire [((TOTAL > 0) ? TOTAL : 1)-1:0] v;  // column k at [OFF(gl, k) +: CNT(gl, k)]
            if (gl == 0) begin : g_triples
                for (gg = 0; gg < NT / 3; gg = gg + 1) begin : g_t
                    wire [2:0] b = bits[3*gg +: 3];
                    assign v[gg] = b[0] ^ b[1] ^ b[2];                               // column 0
                    assign v[NT/3 + gg] = (b[0] & b[1]) | (b[2] & (b[0] ^ b[1]));    // column 1
                end
            end else begin : g_level
                for (gk = 0; gk < K; gk = gk + 1) begin : g_col
                    localparam integer C    = CNT[((gl-1)*K + gk)*CW +: CW];        // bits below
                    localparam integer AT   = OFF[((gl-1)*(K+1) + gk)*CW +: CW];
                    localparam integer G    = groups(C);
                    localparam integer P    = passed(C);
                    localparam integer DST  = OFF[(gl*(K+1) + gk)*CW +: CW];        // its bits here
                    // where the next columns' bits from these groups go: after their own groups
                    // and passed bits (column gk+1), and after those and gk+1's carries (gk+2)
                    localparam integer C1   = (gk + 1 < K) ? CNT[((gl-1)*K + gk + 1)*CW +: CW] : 0;
                    localparam integer C2   = (gk + 2 < K) ? CNT[((gl-1)*K + gk + 2)*CW +: CW] : 0;
                    localparam integer DST1 = (gk + 1 < K) ? OFF[(gl*(K+1) + gk + 1)*CW +: CW] + groups(C1) + passed(C1) : 0;
                    localparam integer DST2 = (gk + 2 < K) ? OFF[(gl*(K+1) + gk + 2)*CW +: CW] + groups(C2) + passed(C2) + groups(C1) : 0;
                    for (gi = 0; gi < P; gi = gi + 1) begin : g_pass
                        assign v[DST + G + gi] = g_lv[gl-1].v[AT + 6*G + gi];
                    end
                    for (gg = 0; gg < G; gg = gg + 1) begin : g_grp
                        localparam integer NIN = (C - 6*gg >= 6) ? 6 : C - 6*gg;  // 4 .. 6
                        wire [5:0] six;
                        for (gi = 0; gi < 6; gi = gi + 1) begin : g_in
                            if (gi < NIN) begin : g_bit
                                assign six[gi] = g_lv[gl-1].v[AT + 6*gg + gi];
                            end else begin : g_zero
                                assign six[gi] = 1'b0;
                            end
                        end
                        assign v[DST + gg] = COUNT6_BIT0[six];
                        if (gk + 1 < K) begin : g_b1
                            assign v[DST1 + gg] = COUNT6_BIT1[six];
                        end
                        if (gk + 2 < K) begin : g_b2
                            assign v[DST2 + gg] = COUNT6_BIT2[six];
                        end
                    end
                end
            end
        end
    endgenerate

    // the last level: at most three bits per column, added as three rows
    wire [K-1:0] row0, row1, row2;
    generate
        for (gk = 0; gk < K; gk = gk + 1) begin : g_row
            localparam integer C  = CNT[(LEVELS*K + gk)*CW +: CW];
            localparam integer AT = OFF[(LEVELS*(K+1) + gk)*CW +: CW];
            assign row0[gk] = (C > 0) ? g_lv[LEVELS].v[AT] : 1'b0;
            assign row1[gk] = (C > 1) ? g_lv[LEVELS].v[AT + 1] : 1'b0;
            assign row2[gk] = (C > 2) ? g_lv[LEVELS].v[AT + 2] : 1'b0;
        end
    endgenerate
    // the count is at most N < 2^K: the sum's carries out of column K-1 are 0
    wire [K-1:0] sum = row0 + row1 + row2;
    generate
        if (OUT_WIDTH > K) begin : g_wide
            assign count = {{(OUT_WIDTH-K){1'b0}}, sum};
        end else begin : g_fit
            assign count = sum[OUT_WIDTH-1:0];
            if (OUT_WIDTH < K) begin : g_unused  // N = 1: K = 2 columns for one bit
                wire unused_sum = &{1'b0, sum[K-1:OUT_WIDTH]};
            end
        end
    endgenerate

endmodule

`default_nettype wire
