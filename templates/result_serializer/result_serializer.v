// result_serializer: turns one vector of CLASSES signed scores into the accelerator's result
// stream: CLASSES beats carrying the scores (sign-extended to OUT_WIDTH bits), then one beat with
// the predicted class, the argmax of the scores with ties going to the lowest index, marked last.
//
// in_data[c*SCORE_WIDTH +: SCORE_WIDTH] is the score of class c (two's complement). The argmax is
// found while the scores stream out, one comparison per beat, so no CLASSES-wide comparator tree.
// Throughput: CLASSES + 1 output beats per vector; a new vector is accepted once the last beat of
// the previous one is taken.
`default_nettype none

module result_serializer #(
    parameter integer CLASSES = 10,     // scores per vector
    parameter integer SCORE_WIDTH = 16, // bits per score, signed
    parameter integer OUT_WIDTH = 32    // bits per output beat
) (
    input  wire                           clk,
    input  wire                           rst_n,
    input  wire                           in_valid,
    output wire                           in_ready,
    input  wire [CLASSES*SCORE_WIDTH-1:0] in_data,
    output reg                            out_valid,
    input  wire                           out_ready,
    output reg  [OUT_WIDTH-1:0]           out_data,
    output reg                            out_last
);
    localparam integer INDEX_WIDTH = $clog2(CLASSES + 1);

    initial begin
        if (CLASSES < 1 || SCORE_WIDTH < 1 || SCORE_WIDTH > OUT_WIDTH || INDEX_WIDTH > OUT_WIDTH) begin
            $display("ERROR: result_serializer: need CLASSES >= 1 and 1 <= SCORE_WIDTH (%0d) <= OUT_WIDTH (%0d)",
                     SCORE_WIDTH, OUT_WIDTH);
            $finish;
        end
    end

    reg [CLASSES*SCORE_WIDTH-1:0] scores;
    reg [INDEX_WIDTH-1:0] index;       // beat being presented: 0..CLASSES-1 scores, CLASSES the class
    reg [INDEX_WIDTH-1:0] best_index;  // argmax of the scores already sent
    reg signed [SCORE_WIDTH-1:0] best_score;

    wire signed [SCORE_WIDTH-1:0] current = scores[index*SCORE_WIDTH +: SCORE_WIDTH];
    wire take = out_valid && out_ready;
    assign in_ready = !out_valid;

    // The beat at `index`: a sign-extended score, or the class once every score is out.
    always @(*) begin
        if (index == CLASSES[INDEX_WIDTH-1:0]) begin
            out_data = {{(OUT_WIDTH - INDEX_WIDTH){1'b0}}, best_index};
            out_last = 1'b1;
        end else begin
            out_data = {{(OUT_WIDTH - SCORE_WIDTH){current[SCORE_WIDTH-1]}}, current};
            out_last = 1'b0;
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            out_valid <= 1'b0;
            index <= {INDEX_WIDTH{1'b0}};
            best_index <= {INDEX_WIDTH{1'b0}};
            best_score <= {SCORE_WIDTH{1'b0}};
        end else if (!out_valid) begin
            if (in_valid) begin
                scores <= in_data;
                out_valid <= 1'b1;
                index <= {INDEX_WIDTH{1'b0}};
            end
        end else if (take) begin
            if (index == CLASSES[INDEX_WIDTH-1:0]) begin
                out_valid <= 1'b0;
            end else begin
                // Strictly greater: on a tie the lower index stays.
                if (index == {INDEX_WIDTH{1'b0}} || current > best_score) begin
                    best_index <= index;
                    best_score <= current;
                end
                index <= index + 1'b1;
            end
        end
    end
endmodule

`default_nettype wire
