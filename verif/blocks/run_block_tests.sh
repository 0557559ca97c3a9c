#!/usr/bin/env bash
# Block tests of the hardware templates (templates/<block>/<block>.v).
#
# For every block: static checks (verilator --lint-only -Wall, iverilog -g2005, yosys synth with a
# latch check), then for each of a few parameter sets one Verilator build of the block's C++
# testbench (verif/blocks/<block>/tb_<block>.cpp) and several runs of it with and without random
# valid/ready stalls. The testbench checks every output beat against its C++ model, that no beat is
# lost or duplicated, and (without stalls) the block's documented cycle formula.
#
# Usage: verif/blocks/run_block_tests.sh [block ...]      (default: all blocks)
#        verif/blocks/run_block_tests.sh --prepare        (only the shared Verilator runtime)
# Environment: JOBS (make -j for Verilator builds, default 2), KEEP_GOING=1 is the default,
# BLOCKS_BUILD_DIR (where builds and logs go, default build/blocks of the repository).
# Output: one line per test, then exactly "N passed, M failed"; exit status 1 on any failure.
set -u
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
T="$ROOT/templates"
V="$ROOT/verif/blocks"
B="${BLOCKS_BUILD_DIR:-$ROOT/build/blocks}"
JOBS="${JOBS:-2}"
mkdir -p "$B"

pass=0
fail=0
failed_names=()
ok()  { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); failed_names+=("$1"); echo "FAIL  $1"; [ -n "${2:-}" ] && sed 's/^/      /' "$2" | head -40; }

for tool in verilator iverilog yosys; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool"; echo "0 passed, 1 failed"; exit 1; }
done

# ------------------------------------------------------------------------------------------------
# The Verilator runtime (verilated.cpp, verilated_threads.cpp) is the same for every build: compile
# it once with the flags Verilator's makefile uses and copy the objects into each build directory.
# Verilator's makefile makes them depend on the freshly generated V<top>.mk, so make is told to take
# them as they are (-o FILE: "consider FILE very old, do not remake it"). This halves the time of a
# build (popcount's ten builds: 115 s -> 65 s).
VINC="$(verilator --getenv VERILATOR_ROOT)/include"
CXXFLAGS_TB="-std=c++20 -I$V/common"
OPTS=(OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O0 -o verilated.o -o verilated_threads.o)
RT="$B/_runtime"
runtime_ready=0
prepare_runtime() {
    [ $runtime_ready = 1 ] && return 0
    mkdir -p "$RT"
    local flags=(-I. -MMD -I"$VINC" -I"$VINC/vltstd" -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0
                 -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0 -faligned-new -fcf-protection=none -Wno-bool-operation
                 -Wno-sign-compare -Wno-uninitialized -Wno-unused-but-set-variable -Wno-unused-parameter
                 -Wno-unused-variable -Wno-shadow $CXXFLAGS_TB -O0)
    if [ ! -f "$RT/verilated.o" ] || [ "$VINC/verilated.cpp" -nt "$RT/verilated.o" ]; then
        g++ "${flags[@]}" -c -o "$RT/verilated.o" "$VINC/verilated.cpp" &
        g++ "${flags[@]}" -c -o "$RT/verilated_threads.o" "$VINC/verilated_threads.cpp" &
        wait
    fi
    runtime_ready=1
}

# build NAME TOP "SOURCES" PARAMS...   -> $B/NAME/tb
build() {
    local name="$1" top="$2" srcs="$3"; shift 3
    local dir="$B/$name"
    prepare_runtime
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$RT"/verilated.o "$RT"/verilated_threads.o "$dir"/ 2>/dev/null
    local gparams=() p
    for p in "$@"; do gparams+=("-G$p"); done
    # shellcheck disable=SC2086
    if verilator --cc --exe --build -Wall -j "$JOBS" --top-module "$top" -Mdir "$dir" -o tb \
           -CFLAGS "$CXXFLAGS_TB" -MAKEFLAGS "${OPTS[*]}" "${gparams[@]}" $srcs \
           > "$dir/build.log" 2>&1; then
        ok "build $name"
        return 0
    fi
    bad "build $name" "$dir/build.log"
    return 1
}

# run NAME ARGS...   (runs $B/NAME/tb with key=value arguments)
run() {
    local name="$1"; shift
    local log="$B/$name/run_$(echo "$*" | tr ' =/' '_-_' | cut -c1-120).log"
    echo "# $B/$name/tb $*" > "$log"
    if timeout 120 "$B/$name/tb" "$@" >> "$log" 2>&1; then
        ok "$(tail -1 "$log" | sed 's/^PASS //')"
    else
        bad "$name $*" "$log"
    fi
}

# plain_yosys BLOCK TOP "SOURCES": the block read alone by Yosys' plain flow (read_verilog without
# -defer elaborates every module with its default parameters as it is read; synth -auto-top) in an
# empty directory: the defaults must not need any file (e.g. a $readmemh image). Once per block.
declare -A plain_done
plain_yosys() {
    local block="$1" top="$2" srcs="$3"
    [ -n "${plain_done[$block]:-}" ] && return 0
    plain_done[$block]=1
    local dir="$B/static_$block/plain"
    rm -rf "$dir"; mkdir -p "$dir"
    if (cd "$dir" && yosys -q -l yosys.log -p "read_verilog $srcs; synth -auto-top" > /dev/null 2>&1) \
       && grep -Fqx "Top module:  \\$top" "$dir/yosys.log"; then
        ok "yosys plain read_verilog + synth -auto-top $block (default parameters, no files)"
    else
        bad "yosys plain read_verilog + synth -auto-top $block (default parameters, no files)" "$dir/yosys.log"
    fi
}

# static_checks BLOCK TOP "SOURCES" "YOSYS_CHPARAMS" LINT_PARAMS...
#   verilator --lint-only -Wall with the given -G parameters, iverilog -g2005, yosys synth + latch
#   grep, and (once per block) plain_yosys.
static_checks() {
    local block="$1" top="$2" srcs="$3" chparams="$4"; shift 4
    local dir="$B/static_$block"; mkdir -p "$dir"
    plain_yosys "$block" "$top" "$srcs"
    # memory images the block reads, if any (written by the caller as $B/static_<block>/*.hex)
    local gparams=() p
    for p in "$@"; do gparams+=("-G$p"); done
    # shellcheck disable=SC2086
    if verilator --lint-only -Wall --top-module "$top" "${gparams[@]}" $srcs > "$dir/lint.log" 2>&1; then
        ok "lint $block ($*)"
    else
        bad "lint $block ($*)" "$dir/lint.log"
    fi
    local pparams=() p
    for p in "$@"; do pparams+=("-P$top.$p"); done
    # shellcheck disable=SC2086
    if iverilog -g2005 -Wall -s "$top" "${pparams[@]}" -o "$dir/iv.vvp" $srcs > "$dir/iverilog.log" 2>&1 \
       && ! grep -qi "warning\|error" "$dir/iverilog.log"; then
        ok "iverilog -g2005 $block"
    else
        bad "iverilog -g2005 $block" "$dir/iverilog.log"
    fi
    local reads=""
    for s in $srcs; do reads="$reads read_verilog -defer $s;"; done
    if (cd "$dir" && yosys -q -l yosys.log -p "$reads $chparams synth -top $top; stat" > /dev/null 2>&1) \
       && ! grep -Eq 'Latch inferred|[$]dlatch|[$]_DLATCH' "$dir/yosys.log"; then
        ok "yosys synth $block (no latches)"
    else
        bad "yosys synth $block (no latches)" "$dir/yosys.log"
    fi
}

# rejects BLOCK TOP "SOURCES" MESSAGE PARAMS...: lint with illegal parameters must stop at
# elaboration naming MESSAGE (the block's generate-time parameter check).
rejects() {
    local block="$1" top="$2" srcs="$3" msg="$4"; shift 4
    local dir="$B/static_$block"; mkdir -p "$dir"
    local gparams=() p
    for p in "$@"; do gparams+=("-G$p"); done
    # shellcheck disable=SC2086
    if ! verilator --lint-only -Wall --top-module "$top" "${gparams[@]}" $srcs > "$dir/reject.log" 2>&1 \
       && grep -q "$msg" "$dir/reject.log"; then
        ok "rejects $block $* ($msg)"
    else
        bad "rejects $block $* ($msg)" "$dir/reject.log"
    fi
}

want() { [ ${#SELECT[@]} -eq 0 ] && return 0; local b; for b in "${SELECT[@]}"; do [ "$b" = "$1" ] && return 0; done; return 1; }
# --prepare: only compile the shared Verilator runtime (CTest's fixture, before the blocks run in parallel)
if [ "${1:-}" = --prepare ]; then
    prepare_runtime
    echo "Verilator runtime ready in $RT"
    echo "1 passed, 0 failed"
    exit 0
fi
SELECT=("$@")
STALLS=("p_in=0.0 p_out=0.0" "p_in=0.3 p_out=0.3" "p_in=0.3 p_out=0.0" "p_in=0.0 p_out=0.3")
START=$(date +%s)

# ------------------------------------------------------------------------------------------------
if want stream_fifo; then
    echo "== stream_fifo"
    S="$T/stream_fifo/stream_fifo.v"
    static_checks stream_fifo stream_fifo "$S" "chparam -set WIDTH 8 -set DEPTH 5 stream_fifo;" WIDTH=8 DEPTH=5
    static_checks stream_fifo_l2 stream_fifo "$S" "chparam -set WIDTH 8 -set DEPTH 5 -set LATENCY 2 stream_fifo;" \
        WIDTH=8 DEPTH=5 LATENCY=2
    rejects stream_fifo stream_fifo "$S" ERROR_stream_fifo_DEPTH_must_be_at_least_2 DEPTH=1
    rejects stream_fifo stream_fifo "$S" ERROR_stream_fifo_LATENCY_must_be_1_or_2_with_DEPTH_at_least_3 DEPTH=2 LATENCY=2
    for cfg in "WIDTH=8 DEPTH=2 LATENCY=1" "WIDTH=70 DEPTH=3 LATENCY=1" "WIDTH=1 DEPTH=16 LATENCY=1" \
               "WIDTH=70 DEPTH=3 LATENCY=2" "WIDTH=5 DEPTH=4 LATENCY=2" "WIDTH=1 DEPTH=16 LATENCY=2"; do
        name="stream_fifo_$(echo "$cfg" | tr ' =' '_-')"
        # shellcheck disable=SC2086
        build "$name" stream_fifo "$S $V/stream_fifo/tb_stream_fifo.cpp" $cfg || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" $cfg $st n=3000 seed=$seed
            seed=$((seed + 1))
        done
    done
fi

# ------------------------------------------------------------------------------------------------
# hex_pattern WIDTH KIND: PAD_PIXEL values (ones, zeros, or an alternating pattern)
hex_pattern() {
    local w="$1" kind="$2" digits=$(( ($1 + 3) / 4 )) s="" i top
    for ((i = 0; i < digits; i++)); do
        case "$kind" in ones) s="${s}f" ;; zeros) s="${s}0" ;; *) s="${s}$(( i % 2 ? 5 : 10 ))" ;; esac
    done
    s=$(echo "$s" | sed 's/10/a/g')
    # mask the top digit to the width
    top=$(( w % 4 ))
    if [ $top -ne 0 ]; then s="$(printf '%x' $(( 0x${s:0:1} & ((1 << top) - 1) )))${s:1}"; fi
    echo "$s"
}

if want sliding_window; then
    echo "== sliding_window"
    S="$T/sliding_window/sliding_window.v"
    static_checks sliding_window sliding_window "$S" \
        "chparam -set PIXEL_WIDTH 4 -set IN_HEIGHT 6 -set IN_WIDTH 7 -set KERNEL 3 -set PADDING 1 sliding_window;" \
        PIXEL_WIDTH=4 IN_HEIGHT=6 IN_WIDTH=7 KERNEL=3 PADDING=1
    rejects sliding_window sliding_window "$S" ERROR_sliding_window_PADDING_must_be_less_than_KERNEL KERNEL=3 PADDING=3
    rejects sliding_window sliding_window "$S" ERROR_sliding_window_padded_image_smaller_than_KERNEL \
        IN_HEIGHT=2 IN_WIDTH=2 KERNEL=5 PADDING=1
    # PW H W K S P PAD-kind: max-pool 2x2/2 on an odd size (remainder dropped); 5x5 pad 2
    # with 70-bit pixels; stride 2 pad 1 on odd sizes; one-column image (register line buffer) with
    # pad 2; 1x1 kernel with 1-bit and 35-bit pixels (a 5-channel 7-bit first layer); 1x1 with stride
    # 2 and 3 (stride above the kernel, remainder rows/columns); 7x7 pad 3; stride 3 with pad 2 and
    # 40-bit pixels; an 8-bit 28x28 first layer.
    while read -r pw h w k s p kind; do
        pad=$(hex_pattern "$pw" "$kind")
        cfg="PIXEL_WIDTH=$pw IN_HEIGHT=$h IN_WIDTH=$w KERNEL=$k STRIDE=$s PADDING=$p"
        name="sliding_window_pw${pw}_${h}x${w}_k${k}_s${s}_p${p}"
        # shellcheck disable=SC2086
        build "$name" sliding_window "$S $V/sliding_window/tb_sliding_window.cpp" $cfg "PAD_PIXEL=${pw}'h$pad" || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" PW=$pw H=$h W=$w K=$k S=$s P=$p PAD=$pad images=4 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
1 7 7 2 2 0 zeros
70 6 5 5 1 2 pattern
5 7 9 3 2 1 ones
2 5 1 3 1 2 ones
1 4 5 1 1 0 zeros
35 6 6 1 1 0 pattern
3 7 6 1 2 0 ones
6 8 7 1 3 0 pattern
2 9 8 7 1 3 pattern
40 3 4 3 3 2 pattern
8 28 28 3 1 1 pattern
CFG
fi

# ------------------------------------------------------------------------------------------------
if want maxpool_stream; then
    echo "== maxpool_stream"
    S="$T/maxpool_stream/maxpool_stream.v"
    static_checks maxpool_stream maxpool_stream "$S" \
        "chparam -set CHANNELS 16 -set IN_HEIGHT 7 -set IN_WIDTH 9 -set KERNEL 2 maxpool_stream;" \
        CHANNELS=16 IN_HEIGHT=7 IN_WIDTH=9 KERNEL=2
    rejects maxpool_stream maxpool_stream "$S" ERROR_maxpool_stream_CHANNELS_KERNEL_at_least_1_image_at_least_KERNEL \
        IN_WIDTH=3 KERNEL=4
    # C H W K: BNN-PYNQ CNV's pool1 shape; odd sizes (dropped rows and columns); 3x3; one window per
    # image; K = 1 (every pixel its own window)
    while read -r cfg; do
        set -- $cfg
        name="maxpool_stream_c$1_h$2_w$3_k$4"
        build "$name" maxpool_stream "$S $V/maxpool_stream/tb_maxpool_stream.cpp" \
            CHANNELS=$1 IN_HEIGHT=$2 IN_WIDTH=$3 KERNEL=$4 || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" C=$1 H=$2 W=$3 K=$4 images=6 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
64 28 28 2
5 7 9 2
3 11 10 3
9 3 3 3
4 5 6 1
CFG
fi

# ------------------------------------------------------------------------------------------------
if want maxpool_or; then
    echo "== maxpool_or"
    S="$T/maxpool_or/maxpool_or.v"
    static_checks maxpool_or maxpool_or "$S" "chparam -set CHANNELS 16 -set TAPS 4 maxpool_or;" CHANNELS=16 TAPS=4
    rejects maxpool_or maxpool_or "$S" ERROR_maxpool_or_CHANNELS_and_TAPS_must_be_at_least_1 CHANNELS=0
    for cfg in "70 9"; do
        set -- $cfg
        name="maxpool_or_c$1_taps$2"
        build "$name" maxpool_or "$S $V/maxpool_or/tb_maxpool_or.cpp" CHANNELS=$1 TAPS=$2 || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" C=$1 TAPS=$2 n=3000 $st seed=$seed
            seed=$((seed + 1))
        done
    done
fi

# ------------------------------------------------------------------------------------------------
# mvau is two tests, so that CTest runs its plain and its kernel-select parameter sets side by side.
if want mvau || want mvau_select; then
    S="$T/mvau/mvau.v $T/popcount/popcount.v $T/slice_mux/slice_mux.v $T/stream_fifo/stream_fifo.v"
fi
if want mvau; then
    echo "== mvau"
    # memory images for the static checks (TAPS=9 OUT_CHANNELS=4 PE=2 SIMD=3: 6 weight words of 6
    # bits, 2 threshold words of 2x16 bits, 6 kept-tap mask words); yosys reads them (named by
    # chparam: the defaults are "", no image), Verilator lint and iverilog do not.
    mkdir -p "$B/static_mvau"
    printf '%s\n' 2a 15 3f 00 2a 15 > "$B/static_mvau/weights.hex"
    printf '%s\n' 00050004 0003fffe > "$B/static_mvau/params.hex"
    printf '%s\n' 3f 36 09 3f 12 2d > "$B/static_mvau/keep.hex"
    MEMS='-set WEIGHT_FILE "weights.hex" -set PARAM_FILE "params.hex"'
    static_checks mvau mvau "$S" "chparam -set TAPS 9 -set OUT_CHANNELS 4 -set PE 2 -set SIMD 3 $MEMS mvau;" \
        TAPS=9 OUT_CHANNELS=4 PE=2 SIMD=3
    static_checks mvau mvau "$S" \
        "chparam -set TAPS 9 -set ELEM_WIDTH 8 -set OUT_CHANNELS 4 -set PE 2 -set SIMD 3 -set USE_KEEP 1 $MEMS -set KEEP_FILE \"keep.hex\" mvau;" \
        TAPS=9 ELEM_WIDTH=8 OUT_CHANNELS=4 PE=2 SIMD=3 USE_KEEP=1
    # a dense layer wider than Verilator's 1024-iteration loop limit (the CNV's fc1: 3136 inputs)
    if verilator --lint-only -Wall --top-module mvau -GTAPS=3136 -GOUT_CHANNELS=4 -GPE=2 -GSIMD=196 $S \
           > "$B/static_mvau/wide.log" 2>&1; then
        ok "lint mvau TAPS=3136 SIMD=196 (wide dense layer)"
    else
        bad "lint mvau TAPS=3136 SIMD=196 (wide dense layer)" "$B/static_mvau/wide.log"
    fi
    rejects mvau mvau "$S" ERROR_mvau_PE_must_divide_OUT_CHANNELS OUT_CHANNELS=4 PE=3
    rejects mvau mvau "$S" ERROR_mvau_SIMD_must_divide_TAPS TAPS=9 SIMD=2
    rejects mvau mvau "$S" ERROR_mvau_USE_KEEP_must_be_0_or_1 USE_KEEP=2
    rejects mvau mvau "$S" ERROR_mvau_WEIGHT_RAM_must_be_0_or_1 WEIGHT_RAM=2
    rejects mvau mvau "$S" ERROR_mvau_HOLD_INPUT_must_be_0_or_1 HOLD_INPUT=2
    # kernel-select mode (TAPS=18: KERNEL_TAPS=9, 2 channels, keep 1; SIMD=3, chunk 3, SPAN=4: 6
    # steps; select words of 2 offsets x 2 bits per PE (per-PE) or 2 bits (shared), values <= 3)
    printf '%s\n' 3 1 2 0 1 3 > "$B/static_mvau/select.hex"
    for shared in 0 1; do
        static_checks mvau mvau "$S" \
            "chparam -set TAPS 18 -set OUT_CHANNELS 4 -set PE 2 -set SIMD 3 -set KERNEL_TAPS 9 -set USE_SELECT 1 -set KEPT_TAPS 9 -set SELECT_CHUNK 3 -set SELECT_SPAN 4 -set SELECT_SHARED $shared $MEMS -set SELECT_FILE \"select.hex\" mvau;" \
            TAPS=18 OUT_CHANNELS=4 PE=2 SIMD=3 KERNEL_TAPS=9 USE_SELECT=1 KEPT_TAPS=9 SELECT_CHUNK=3 SELECT_SPAN=4 \
            SELECT_SHARED=$shared
    done
    SELP="TAPS=18 OUT_CHANNELS=4 PE=2 SIMD=3 KERNEL_TAPS=9 USE_SELECT=1 KEPT_TAPS=9 SELECT_CHUNK=3 SELECT_SPAN=4"
    # shellcheck disable=SC2086
    {
    rejects mvau mvau "$S" ERROR_mvau_KERNEL_TAPS_must_divide_TAPS $SELP KERNEL_TAPS=4
    rejects mvau mvau "$S" ERROR_mvau_USE_SELECT_must_be_0_or_1 $SELP USE_SELECT=2
    rejects mvau mvau "$S" ERROR_mvau_SELECT_SHARED_must_be_0_or_1 $SELP SELECT_SHARED=2
    rejects mvau mvau "$S" ERROR_mvau_KEPT_TAPS_must_be_1_to_TAPS $SELP KEPT_TAPS=27
    rejects mvau mvau "$S" ERROR_mvau_SIMD_must_divide_KEPT_TAPS $SELP SIMD=6 SELECT_CHUNK=3
    rejects mvau mvau "$S" ERROR_mvau_SELECT_CHUNK_must_divide_SIMD_TAPS_KEPT_TAPS $SELP SELECT_CHUNK=2
    rejects mvau mvau "$S" ERROR_mvau_SELECT_SPAN_out_of_range $SELP SELECT_SPAN=7
    rejects mvau mvau "$S" ERROR_mvau_SELECT_SPAN_out_of_range $SELP SELECT_SPAN=0
    }
    # TAPS EW INT OC PE SIMD THR PW SW KEEP KC KK: fully parallel (PE=OC, SIMD=TAPS, FOLD=1); binary
    # score; 8-bit integer threshold; 8-bit integer score fully parallel; 0/1 integer input; FOLD=3;
    # a 3x3x32 -> 32 conv folded PE=8 SIMD=32 (FOLD=36). With a kept-tap mask (USE_KEEP=1; runs 1
    # and 3 with a structured mask: every output channel keeps KK of KC input channels at all taps,
    # runs 2 and 4 with random masks): binary threshold 3x3x8 keep 3; binary score 3x3x4 keep 1
    # (FOLD=2); 8-bit integer threshold 3x3x3 keep 2 with SIMD=1 (FOLD=54). RAM = WEIGHT_RAM (1:
    # the weights in block RAM, the memory the generator picks for the CNV conv's 36 x 256 bits);
    # HOLD = HOLD_INPUT (1: the held vector read in place, no ibuf): fully parallel, FOLD=3, the
    # CNV conv, and the integer SIMD=1 run (an SF-way multiplexer of 27 elements).
    while read -r taps ew int oc pe simd thr pw sw keep kc kk ram hold; do
        name="mvau_t${taps}_e${ew}_i${int}_o${oc}_pe${pe}_simd${simd}_thr${thr}"
        [ "$keep" = 1 ] && name="${name}_keep"
        [ "$ram" = 1 ] && name="${name}_bram"
        [ "$hold" = 1 ] && name="${name}_hold"
        dir="$B/$name"
        kparams=()
        [ "$keep" = 1 ] && kparams=(USE_KEEP=1 "KEEP_FILE=\"$dir/keep.hex\"")
        build "$name" mvau "$S $V/mvau/tb_mvau.cpp" TAPS=$taps ELEM_WIDTH=$ew INPUT_INTEGER=$int \
            OUT_CHANNELS=$oc PE=$pe SIMD=$simd THRESHOLD_MODE=$thr PARAM_WIDTH=$pw SCORE_WIDTH=$sw \
            WEIGHT_RAM=$ram HOLD_INPUT=$hold "WEIGHT_FILE=\"$dir/weights.hex\"" "PARAM_FILE=\"$dir/params.hex\"" \
            "${kparams[@]}" || continue
        seed=1
        for st in "${STALLS[@]}"; do
            kargs="KEEP=0"
            if [ "$keep" = 1 ]; then
                kargs="KEEP=1 kfile=$dir/keep.hex KC=0"
                [ "$kc" -gt 0 ] && [ $((seed % 2)) = 1 ] && kargs="KEEP=1 kfile=$dir/keep.hex KC=$kc KK=$kk"
            fi
            # shellcheck disable=SC2086
            run "$name" TAPS=$taps EW=$ew INT=$int OC=$oc PE=$pe SIMD=$simd THR=$thr PW=$pw SW=$sw \
                wfile="$dir/weights.hex" pfile="$dir/params.hex" $kargs HOLD=$hold n=300 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
9 1 0 4 4 9 1 16 16 0 0 0 0 1
27 1 0 6 3 3 0 16 12 0 0 0 0 0
9 8 0 4 2 3 1 20 16 0 0 0 0 0
9 8 0 6 6 9 0 20 24 0 0 0 0 0
8 1 1 4 2 4 1 12 10 0 0 0 0 0
12 1 0 6 2 12 1 8 16 0 0 0 0 1
288 1 0 32 8 32 1 12 16 0 0 0 1 1
72 1 0 8 4 24 1 12 16 1 8 3 0 0
36 1 0 6 3 36 0 10 12 1 4 1 0 0
27 8 0 4 2 1 1 16 16 1 3 2 0 1
CFG
fi
if want mvau_select; then
    echo "== mvau_select"
    # Kernel-select mode (USE_SELECT=1): a conv layer of KT taps per kernel and C = TAPS/KT input
    # channels whose output channels keep KS kernels each (random sorted sets, some the first or the
    # last KS; SHARED=1: the same set per group of PE channels). KEPT_TAPS = KS*KT, chunk G,
    # SELECT_SPAN = (TAPS - KEPT_TAPS)/G + 1, FOLD = (OC/PE) * (KEPT_TAPS/SIMD).
    # TAPS EW INT OC PE SIMD THR PW SW KEEP KT KS G SHARED:
    #  3x3x8 keep 1 (K=1), SIMD=9 = one kernel, per PE, NF=2 SF=1 (FOLD 2);
    #  3x3x32 keep 8 (K=C/4), SIMD=36 = 4 kernels, shared, NF=4 SF=2 (FOLD 8);
    #  the same per PE with PE = OC (NF=1 SF=2, FOLD 2);
    #  3x3x4 keep 4 (K=C, SPAN=1: the reordering only), SIMD=18, NF=2 SF=2 (FOLD 4);
    #  binary score 3x3x4 keep 2, SIMD=3 = chunk 3 (not a multiple of KT), per PE, NF=2 SF=6 (FOLD 12);
    #  binary score 3x3x4 keep 2, SIMD=6 of chunk 1 (6 slots, SPAN 19), shared, NF=2 SF=3 (FOLD 6);
    #  8-bit integer first layer 3x3x3 keep 2 with a random kept-tap mask (USE_KEEP=1), SIMD=9, per
    #  PE, NF=3 SF=2 (FOLD 6);
    #  3x3x8 keep 6 with SIMD=27, which divides KEPT_TAPS=54 but not TAPS=72, per PE, NF=2 SF=2 (FOLD 4).
    while read -r taps ew int oc pe simd thr pw sw keep kt ks g shared; do
        kept=$((ks * kt)); span=$(( (taps - kept) / g + 1 ))
        name="mvau_sel_t${taps}_e${ew}_o${oc}_pe${pe}_simd${simd}_thr${thr}_k${ks}of$((taps / kt))_g${g}_sh${shared}"
        [ "$keep" = 1 ] && name="${name}_keep"
        dir="$B/$name"
        kparams=()
        [ "$keep" = 1 ] && kparams=(USE_KEEP=1 "KEEP_FILE=\"$dir/keep.hex\"")
        build "$name" mvau "$S $V/mvau/tb_mvau.cpp" TAPS=$taps ELEM_WIDTH=$ew INPUT_INTEGER=$int \
            OUT_CHANNELS=$oc PE=$pe SIMD=$simd THRESHOLD_MODE=$thr PARAM_WIDTH=$pw SCORE_WIDTH=$sw \
            KERNEL_TAPS=$kt USE_SELECT=1 KEPT_TAPS=$kept SELECT_CHUNK=$g SELECT_SPAN=$span SELECT_SHARED=$shared \
            "WEIGHT_FILE=\"$dir/weights.hex\"" "PARAM_FILE=\"$dir/params.hex\"" "SELECT_FILE=\"$dir/select.hex\"" \
            "${kparams[@]}" || continue
        seed=1
        for st in "${STALLS[@]}"; do
            kargs="KEEP=0"
            [ "$keep" = 1 ] && kargs="KEEP=1 kfile=$dir/keep.hex KC=0"
            # shellcheck disable=SC2086
            run "$name" TAPS=$taps EW=$ew INT=$int OC=$oc PE=$pe SIMD=$simd THR=$thr PW=$pw SW=$sw \
                wfile="$dir/weights.hex" pfile="$dir/params.hex" $kargs SEL=1 KT=$kt KS=$ks G=$g SPAN=$span \
                SHARED=$shared sfile="$dir/select.hex" n=300 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
72 1 0 8 4 9 1 12 16 0 9 1 9 0
288 1 0 16 4 36 1 12 16 0 9 8 9 1
288 1 0 8 8 36 1 12 16 0 9 8 9 0
36 1 0 6 3 18 1 12 16 0 9 4 9 0
36 1 0 4 2 3 0 10 12 0 9 2 3 0
36 1 0 4 2 6 0 10 12 0 9 2 1 1
27 8 0 6 2 9 1 16 16 1 9 2 9 0
72 1 0 4 2 27 1 12 16 0 9 6 9 0
CFG
fi

# ------------------------------------------------------------------------------------------------
# Composition: a binary conv layer as the generator builds it (sliding_window -> stream_fifo -> mvau).
if want conv_chain; then
    echo "== conv_chain (sliding_window -> stream_fifo -> mvau)"
    S="$V/conv_chain/conv_chain.v $T/sliding_window/sliding_window.v $T/stream_fifo/stream_fifo.v $T/mvau/mvau.v $T/popcount/popcount.v $T/slice_mux/slice_mux.v"
    # C H W K S P PAD_ONES OC PE SIMD FIFO_DEPTH: window-generator bound (FOLD 1); mvau bound with
    # a 2-deep FIFO (refill bubble per image); stride 2, both 100 cycles per image.
    while read -r c h w k s p po oc pe simd fd; do
        name="conv_chain_c${c}_${h}x${w}_k${k}_s${s}_p${p}_oc${oc}_pe${pe}_simd${simd}_fifo${fd}"
        dir="$B/$name"
        build "$name" conv_chain "$S $V/conv_chain/tb_conv_chain.cpp" C=$c IN_HEIGHT=$h IN_WIDTH=$w \
            KERNEL=$k STRIDE=$s PADDING=$p PAD_ONES=$po OC=$oc PE=$pe SIMD=$simd FIFO_DEPTH=$fd \
            "WEIGHT_FILE=\"$dir/weights.hex\"" "PARAM_FILE=\"$dir/params.hex\"" || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" C=$c H=$h W=$w K=$k S=$s P=$p PAD_ONES=$po OC=$oc PE=$pe SIMD=$simd FD=$fd \
                wfile="$dir/weights.hex" pfile="$dir/params.hex" images=4 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
4 8 8 3 1 1 1 4 4 36 2
4 8 8 3 1 1 1 4 2 36 2
2 9 9 3 2 1 0 4 1 18 2
CFG
fi

# ------------------------------------------------------------------------------------------------
if want stream_collect; then
    echo "== stream_collect"
    S="$T/stream_collect/stream_collect.v"
    static_checks stream_collect stream_collect "$S" "chparam -set WIDTH 7 -set COUNT 5 stream_collect;" WIDTH=7 COUNT=5
    rejects stream_collect stream_collect "$S" ERROR_stream_collect_WIDTH_and_COUNT_must_be_at_least_1 COUNT=0
    # WIDTH COUNT: a 7x7x70 feature map as one 3430-bit vector; 1-bit beats in pairs; pass-through.
    while read -r w c; do
        name="stream_collect_w${w}_c${c}"
        build "$name" stream_collect "$S $V/stream_collect/tb_stream_collect.cpp" WIDTH=$w COUNT=$c || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" WIDTH=$w COUNT=$c n=100 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
70 49
1 2
7 1
CFG
fi

# ------------------------------------------------------------------------------------------------
if want stream_unpack; then
    echo "== stream_unpack"
    S="$T/stream_unpack/stream_unpack.v"
    static_checks stream_unpack stream_unpack "$S" \
        "chparam -set PIXEL_WIDTH 8 -set PER_BEAT 4 -set PIXELS_PER_IMAGE 30 stream_unpack;" \
        PIXEL_WIDTH=8 PER_BEAT=4 PIXELS_PER_IMAGE=30
    static_checks stream_unpack stream_unpack "$S" \
        "chparam -set PIXEL_WIDTH 1 -set PER_BEAT 64 -set PIXELS_PER_IMAGE 784 stream_unpack;" \
        PIXEL_WIDTH=1 PER_BEAT=64 PIXELS_PER_IMAGE=784
    static_checks stream_unpack stream_unpack "$S" \
        "chparam -set PIXEL_WIDTH 8 -set PER_BEAT 1 -set PIXELS_PER_IMAGE 1 stream_unpack;" \
        PIXEL_WIDTH=8 PER_BEAT=1 PIXELS_PER_IMAGE=1
    static_checks stream_unpack stream_unpack "$S" \
        "chparam -set PIXEL_WIDTH 3 -set PER_BEAT 7 -set PIXELS_PER_IMAGE 5 stream_unpack;" \
        PIXEL_WIDTH=3 PER_BEAT=7 PIXELS_PER_IMAGE=5
    rejects stream_unpack stream_unpack "$S" ERROR_stream_unpack_parameters_must_be_at_least_1 PER_BEAT=0
    rejects stream_unpack stream_unpack "$S" ERROR_stream_unpack_parameters_must_be_at_least_1 PIXEL_WIDTH=0
    rejects stream_unpack stream_unpack "$S" ERROR_stream_unpack_parameters_must_be_at_least_1 PIXELS_PER_IMAGE=0
    # PIXEL_WIDTH PER_BEAT PIXELS_PER_IMAGE n(images): MNIST in 64-pixel beats (13 beats, the last
    # 16 pixels); in 49-pixel beats (16 beats, exact); 24-bit RGB pixels 4 per beat (8 beats, the
    # last 2 pixels); one pixel per beat (pass-through); one beat per image (exact); 16-bit pixels
    # 8 per beat (2 beats, the last 4 pixels). Runs: the four stall patterns, then a source that is
    # mostly idle (valid rises with probability 0.05 per cycle), so that wide beats too leave the
    # block empty between beats.
    SU_RUNS=("${STALLS[@]}" "p_in=0.95 p_out=0.1")
    while read -r pw pb ppi n; do
        name="stream_unpack_pw${pw}_pb${pb}_ppi${ppi}"
        build "$name" stream_unpack "$S $V/stream_unpack/tb_stream_unpack.cpp" PIXEL_WIDTH=$pw PER_BEAT=$pb \
            PIXELS_PER_IMAGE=$ppi || continue
        seed=1
        for st in "${SU_RUNS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" PW=$pw PER_BEAT=$pb PPI=$ppi n=$n $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
1 64 784 30
1 49 784 30
24 4 30 300
8 1 5 500
3 7 7 500
16 8 12 500
CFG
fi

# ------------------------------------------------------------------------------------------------
if want result_serializer; then
    echo "== result_serializer"
    S="$T/result_serializer/result_serializer.v"
    static_checks result_serializer result_serializer "$S" \
        "chparam -set CLASSES 10 -set SCORE_WIDTH 16 -set OUT_WIDTH 32 result_serializer;" CLASSES=10 SCORE_WIDTH=16 OUT_WIDTH=32
    rejects result_serializer result_serializer "$S" ERROR_result_serializer_CLASSES_must_be_at_least_1 CLASSES=0
    rejects result_serializer result_serializer "$S" ERROR_result_serializer_SCORE_WIDTH_must_be_1_to_OUT_WIDTH \
        SCORE_WIDTH=33 OUT_WIDTH=32
    rejects result_serializer result_serializer "$S" ERROR_result_serializer_class_index_wider_than_OUT_WIDTH \
        CLASSES=9 SCORE_WIDTH=2 OUT_WIDTH=3
    # CLASSES SCORE_WIDTH (OUT_WIDTH 32 as generated): 32-bit scores (no sign extension); 11-bit;
    # a single class with 2-bit scores (the width of the 0/1 scores of a threshold last layer).
    while read -r cl sw; do
        name="result_serializer_c${cl}_sw${sw}"
        build "$name" result_serializer "$S $V/result_serializer/tb_result_serializer.cpp" \
            CLASSES=$cl SCORE_WIDTH=$sw OUT_WIDTH=32 || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" CLASSES=$cl SW=$sw OW=32 n=300 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
10 32
3 11
1 2
CFG
fi

# ------------------------------------------------------------------------------------------------
if want spatial_skip; then
    echo "== spatial_skip"
    S="$T/spatial_skip/spatial_skip.v $T/stream_fifo/stream_fifo.v"
    static_checks spatial_skip spatial_skip "$S" \
        "chparam -set PIXEL_WIDTH 4 -set TAPS 9 -set TOLERANCE 0 -set RESULT_WIDTH 4 -set DEPTH 16 spatial_skip;" \
        PIXEL_WIDTH=4 TAPS=9 TOLERANCE=0 RESULT_WIDTH=4 DEPTH=16
    static_checks spatial_skip spatial_skip "$S" \
        "chparam -set PIXEL_WIDTH 8 -set TAPS 9 -set TOLERANCE 2 -set RESULT_WIDTH 20 -set DEPTH 5 spatial_skip;" \
        PIXEL_WIDTH=8 TAPS=9 TOLERANCE=2 RESULT_WIDTH=20 DEPTH=5
    rejects spatial_skip spatial_skip "$S" ERROR_spatial_skip_TOLERANCE_must_be_0_to_TAPS_minus_1 TAPS=9 TOLERANCE=9
    rejects spatial_skip spatial_skip "$S" ERROR_spatial_skip_TOLERANCE_must_be_0_to_TAPS_minus_1 TOLERANCE=-1
    rejects spatial_skip spatial_skip "$S" ERROR_spatial_skip_DEPTH_must_be_at_least_2 DEPTH=1
    rejects spatial_skip spatial_skip "$S" ERROR_spatial_skip_WINDOW_DEPTH_and_RESULT_DEPTH_must_be_at_least_2 WINDOW_DEPTH=1
    rejects spatial_skip spatial_skip "$S" ERROR_spatial_skip_WINDOW_DEPTH_and_RESULT_DEPTH_must_be_at_least_2 RESULT_DEPTH=1
    rejects spatial_skip spatial_skip "$S" ERROR_spatial_skip_PIXEL_WIDTH_TAPS_RESULT_WIDTH_must_be_at_least_1 RESULT_WIDTH=0
    # PW TAPS TOL RW DEPTH WDEPTH RDEPTH BGIN BGOUT (hex): 1-channel 3x3 exact with the smallest
    # FIFOs; 64 channels, 3x3, tolerance 2, 64-bit results, mixed backgrounds; 32 channels 2x2 exact
    # with a 20-bit "score" result and deep FIFOs; 5 channels 2x2 with the largest tolerance (TAPS-1)
    # and a 70-bit result. Runs: no stalls with a unit that answers in one cycle (exact schedule,
    # except DEPTH 2, which cannot keep one window per cycle: see README); random stalls at the window source,
    # the out sink and the unit (ready and answer delay); a unit with mvau's schedule at FOLD 8.
    SS_RUNS=("p_in=0.0 p_out=0.0"
             "p_in=0.3 p_out=0.3 p_unit=0.3 ujit=6 ucap=4"
             "p_in=0.3 p_out=0.0 p_unit=0.0 ujit=3 ucap=2"
             "p_in=0.0 p_out=0.3 p_unit=0.3 ujit=0 ucap=1"
             "p_in=0.0 p_out=0.0 p_unit=0.5 ujit=10 ucap=8"
             "p_in=0.0 p_out=0.0 ufold=8 ulat=4 ucap=4")
    while read -r pw taps tol rw depth wdepth rdepth bgin bgout; do
        name="spatial_skip_pw${pw}_taps${taps}_tol${tol}_rw${rw}_d${depth}_w${wdepth}_r${rdepth}"
        build "$name" spatial_skip "$S $V/spatial_skip/tb_spatial_skip.cpp" PIXEL_WIDTH=$pw TAPS=$taps \
            TOLERANCE=$tol RESULT_WIDTH=$rw DEPTH=$depth WINDOW_DEPTH=$wdepth RESULT_DEPTH=$rdepth \
            "BACKGROUND_IN=${pw}'h$bgin" \
            "BACKGROUND_OUT=${rw}'h$bgout" || continue
        seed=1
        for st in "${SS_RUNS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" PW=$pw TAPS=$taps TOL=$tol RW=$rw DEPTH=$depth WDEPTH=$wdepth RDEPTH=$rdepth BGIN=$bgin \
                BGOUT=$bgout n=3000 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
1 9 0 1 2 2 2 1 0
64 9 2 64 16 3 5 f0a5c3e19b2d4e87 5a0f3c96e1d2b487
32 4 0 20 40 8 16 6c3a0ff5 a5c3e
5 4 3 70 4 2 3 16 2a5f00c3e1d2b4968c
CFG
fi

# ------------------------------------------------------------------------------------------------
if want axi_lite_ctrl; then
    echo "== axi_lite_ctrl"
    S="$T/axi_lite_ctrl/axi_lite_ctrl.v"
    static_checks axi_lite_ctrl axi_lite_ctrl "$S" \
        "chparam -set ADDR_WIDTH 8 -set COUNTERS 12 -set BEATS_PER_IMAGE 784 -set VERSION 32'h00010203 axi_lite_ctrl;" \
        ADDR_WIDTH=8 COUNTERS=12 BEATS_PER_IMAGE=784 "VERSION=32'h00010203"
    # the register map filling the address space exactly (0x40 + 4*16 = 2**7), one counter, 32-bit addresses
    static_checks axi_lite_ctrl axi_lite_ctrl "$S" \
        "chparam -set ADDR_WIDTH 7 -set COUNTERS 16 -set BEATS_PER_IMAGE 1 axi_lite_ctrl;" \
        ADDR_WIDTH=7 COUNTERS=16 BEATS_PER_IMAGE=1
    static_checks axi_lite_ctrl axi_lite_ctrl "$S" \
        "chparam -set ADDR_WIDTH 32 -set COUNTERS 1 -set BEATS_PER_IMAGE 1024 axi_lite_ctrl;" \
        ADDR_WIDTH=32 COUNTERS=1 BEATS_PER_IMAGE=1024
    rejects axi_lite_ctrl axi_lite_ctrl "$S" ERROR_axi_lite_ctrl_ADDR_WIDTH_must_be_7_to_32 ADDR_WIDTH=6
    rejects axi_lite_ctrl axi_lite_ctrl "$S" ERROR_axi_lite_ctrl_ADDR_WIDTH_must_be_7_to_32 ADDR_WIDTH=33
    rejects axi_lite_ctrl axi_lite_ctrl "$S" ERROR_axi_lite_ctrl_COUNTERS_must_be_at_least_1 COUNTERS=0
    rejects axi_lite_ctrl axi_lite_ctrl "$S" ERROR_axi_lite_ctrl_BEATS_PER_IMAGE_must_be_at_least_1 BEATS_PER_IMAGE=0
    rejects axi_lite_ctrl axi_lite_ctrl "$S" ERROR_axi_lite_ctrl_register_map_exceeds_ADDR_WIDTH ADDR_WIDTH=7 COUNTERS=17
    rejects axi_lite_ctrl axi_lite_ctrl "$S" ERROR_axi_lite_ctrl_register_map_exceeds_ADDR_WIDTH ADDR_WIDTH=8 COUNTERS=49
    # ADDR_WIDTH COUNTERS BEATS_PER_IMAGE VERSION NETWORK_HASH (hex): the smallest map (1 counter, 7
    # bits); 12 counters in 8 bits, an MNIST image of 1-pixel beats; 48 counters in 9 bits (the map
    # fills 8 bits exactly: unmapped space above it); 16 counters filling 7 bits exactly (no unmapped
    # address).
    # Runs: no AXI or stream stalls (exact handshake schedule); random delays and ready stalls on
    # every AXI channel with stalls of the stream source and sink, or of one of them.
    AX_RUNS=("p_axi=0.0 p_in=0.0 p_out=0.0"
             "p_axi=0.3 p_in=0.3 p_out=0.3"
             "p_axi=0.6 p_in=0.0 p_out=0.5"
             "p_axi=0.3 p_in=0.5 p_out=0.0")
    while read -r aw nc bpi ver hash; do
        name="axi_lite_ctrl_aw${aw}_c${nc}_bpi${bpi}"
        build "$name" axi_lite_ctrl "$S $V/axi_lite_ctrl/tb_axi_lite_ctrl.cpp" ADDR_WIDTH=$aw COUNTERS=$nc \
            BEATS_PER_IMAGE=$bpi "VERSION=32'h$ver" "NETWORK_HASH=32'h$hash" || continue
        seed=1
        for st in "${AX_RUNS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" AW=$aw COUNTERS=$nc BPI=$bpi VERSION=0x$ver HASH=0x$hash n=60000 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
7 1 1 00000100 00000000
8 12 784 00010203 9e3779b9
9 48 5 00ff0a01 ffffffff
7 16 3 00000001 a5a5c3c3
CFG
fi

# ------------------------------------------------------------------------------------------------
if want early_unit; then
    echo "== early_unit"
    S="$T/early_unit/early_unit.v $T/popcount/popcount.v"
    # memory images for the static checks (CHANNELS=3 KERNEL=3 POOL=2 OUT_CHANNELS=4 PE=2 SIMD=3,
    # KEPT_TAPS=27: 18 weight words of 6 bits, 2 threshold words of 2x5 bits; with select,
    # CHANNELS=4 keep 2 (KEPT_TAPS=18) SIMD=6 chunk 3: 6 weight words of 12 bits, 2 threshold words
    # of 2x5 bits, 6 select words of 2 lanes x 2 chunks x 4 bits, chunk indices < 12);
    # yosys reads them (named by chparam), Verilator lint and iverilog do not.
    mkdir -p "$B/static_early_unit"
    printf '%s\n' 2a 15 3f 00 2a 15 31 0e 2b 14 3c 03 2a 15 3f 00 11 22 > "$B/static_early_unit/weights.hex"
    printf '%s\n' 1b0 0dc > "$B/static_early_unit/thresholds.hex"
    printf '%s\n' a2a 515 c3f 300 92a 615 > "$B/static_early_unit/weights_sel.hex"
    printf '%s\n' 129 0a6 > "$B/static_early_unit/thresholds_sel.hex"
    printf '%s\n' 1045 2367 9ab8 0123 4567 89ab > "$B/static_early_unit/select.hex"
    EU_P="CHANNELS=3 KERNEL=3 POOL=2 STRIDE=1 OUT_CHANNELS=4 PE=2 SIMD=3 KEPT_TAPS=27 SPATIAL=1 TOLERANCE=2"
    # shellcheck disable=SC2086
    static_checks early_unit early_unit "$S" \
        "chparam -set CHANNELS 3 -set KERNEL 3 -set POOL 2 -set STRIDE 1 -set OUT_CHANNELS 4 -set PE 2 -set SIMD 3 -set KEPT_TAPS 27 -set SPATIAL 1 -set TOLERANCE 2 -set BACKGROUND_IN 3'h5 -set BACKGROUND_OUT 4'ha -set WEIGHT_FILE \"weights.hex\" -set THRESHOLD_FILE \"thresholds.hex\" early_unit;" \
        $EU_P "BACKGROUND_IN=3'h5" "BACKGROUND_OUT=4'ha"
    # shellcheck disable=SC2086
    static_checks early_unit early_unit "$S" \
        "chparam -set CHANNELS 4 -set KERNEL 3 -set POOL 3 -set STRIDE 2 -set OUT_CHANNELS 4 -set PE 2 -set SIMD 6 -set KEPT_TAPS 18 -set USE_SELECT 1 -set SELECT_CHUNK 3 -set THRESHOLD_PRUNE 0 -set WEIGHT_FILE \"weights_sel.hex\" -set THRESHOLD_FILE \"thresholds_sel.hex\" -set SELECT_FILE \"select.hex\" early_unit;" \
        CHANNELS=4 KERNEL=3 POOL=3 STRIDE=2 OUT_CHANNELS=4 PE=2 SIMD=6 KEPT_TAPS=18 USE_SELECT=1 SELECT_CHUNK=3 THRESHOLD_PRUNE=0
    rejects early_unit early_unit "$S" ERROR_early_unit_PE_SIMD_SELECT_CHUNK_QUEUE_or_TOLERANCE_do_not_fit OUT_CHANNELS=5 PE=2
    # Random flow seed 20010: a dense layer of 8442 inputs; the backgrounds' default values were
    # replications, which Verilator refuses past 8192 bits (WIDTHCONCAT), so the build failed.
    if verilator --lint-only -Wall --top-module early_unit -GCHANNELS=8442 -GKERNEL=1 -GOUT_CHANNELS=47 -GPE=1 \
         -GSIMD=126 -GKEPT_TAPS=8442 $S > "$B/static_early_unit/lint_wide.log" 2>&1; then
        ok "lint early_unit (8442 inputs, default backgrounds)"
    else
        bad "lint early_unit (8442 inputs, default backgrounds)" "$B/static_early_unit/lint_wide.log"
    fi
    # CH K S POOL OC PE SIMD PRUNE KEPT SEL G KEEP SPATIAL TOL BGIN BGOUT QUEUE n (BGIN/BGOUT hex):
    #  (a) a small conv with threshold pruning, SF=5, PE=2;
    #  (b) 2x2 pooling (stride 1, overlapping windows) with spatial skip at tolerance 2 and nonzero
    #      backgrounds (BGOUT 1 on some channels: a skipped position ends the channel), PE=3 SIMD=3;
    #  (c) kernel select (keep 2 of 4 kernels, chunk 3, SIMD=6 = 2 chunks, SF=3), 3x3 pooling with
    #      stride 2, no threshold pruning (pooling and spatial pruning only);
    #  (d) a dense layer (KERNEL=1, 64 inputs, SIMD=16) with PE=5 and a 1-group queue (lanes in step);
    #  (e) a 2x2 kernel with SIMD=1 (SF=12), PE=4, QUEUE=3, 2x2 pooling stride 2, spatial tolerance 1.
    while read -r ch k s pool oc pe simd prune kept sel g keep sp tol bgin bgout q n; do
        name="early_unit_c${ch}_k${k}_s${s}_pool${pool}_oc${oc}_pe${pe}_simd${simd}_pr${prune}_kept${kept}_sel${sel}_sp${sp}_tol${tol}_q${q}"
        dir="$B/$name"
        sparams=()
        [ "$sel" = 1 ] && sparams=("SELECT_FILE=\"$dir/select.hex\"")
        build "$name" early_unit "$S $V/early_unit/tb_early_unit.cpp" CHANNELS=$ch KERNEL=$k STRIDE=$s POOL=$pool \
            OUT_CHANNELS=$oc PE=$pe SIMD=$simd THRESHOLD_PRUNE=$prune KEPT_TAPS=$kept USE_SELECT=$sel \
            SELECT_CHUNK=$g SPATIAL=$sp TOLERANCE=$tol "BACKGROUND_IN=${ch}'h$bgin" "BACKGROUND_OUT=${oc}'h$bgout" \
            QUEUE=$q "WEIGHT_FILE=\"$dir/weights.hex\"" "THRESHOLD_FILE=\"$dir/thresholds.hex\"" "${sparams[@]}" \
            || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" CH=$ch K=$k S=$s POOL=$pool OC=$oc PE=$pe SIMD=$simd PRUNE=$prune KEPT=$kept SEL=$sel G=$g \
                KEEP=$keep SPATIAL=$sp TOL=$tol BGIN=$bgin BGOUT=$bgout QUEUE=$q wfile="$dir/weights.hex" \
                tfile="$dir/thresholds.hex" sfile="$dir/select.hex" n=$n $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
5 3 1 1 4 2 9 1 45 0 1 0 0 0 00 0 2 2000
3 3 1 2 6 3 3 1 27 0 1 0 1 2 5 2d 2 2000
4 3 2 3 6 2 6 0 18 1 3 2 1 4 9 25 2 1000
64 1 1 1 10 5 16 1 64 0 1 0 0 0 0 0 1 2000
3 2 2 2 8 4 1 1 12 0 1 0 1 1 3 81 3 2000
CFG
fi

# ------------------------------------------------------------------------------------------------
if want share_unit; then
    echo "== share_unit"
    S="$T/share_unit/share_unit.v $T/stream_fifo/stream_fifo.v"
    # memory images for the static checks (CHANNELS=3 KERNEL=3 OUT_CHANNELS=4 PE=2 CSIMD=1
    # ENGINES=2 INVERSE=1: 6 kernel words of 2 engines x 10 bits, 6 select words of 2 lanes x 3
    # bits, 2 threshold words of 2x16 bits); yosys reads them (named by chparam), Verilator lint and
    # iverilog do not.
    mkdir -p "$B/static_share_unit"
    printf '%s\n' 5a3c1 e0f32 00155 a7b00 3ff2a 61b9c > "$B/static_share_unit/kernels.hex"
    printf '%s\n' 08 1a 2c 10 32 03 > "$B/static_share_unit/select.hex"
    printf '%s\n' 00050004 000dfffe > "$B/static_share_unit/thresholds.hex"
    SU_P="CHANNELS=3 KERNEL=3 OUT_CHANNELS=4 PE=2 CSIMD=1 ENGINES=2 INVERSE=1"
    # shellcheck disable=SC2086
    static_checks share_unit share_unit "$S" \
        "chparam -set CHANNELS 3 -set KERNEL 3 -set OUT_CHANNELS 4 -set PE 2 -set CSIMD 1 -set ENGINES 2 -set INVERSE 1 -set KERNEL_FILE \"kernels.hex\" -set SELECT_FILE \"select.hex\" -set THRESHOLD_FILE \"thresholds.hex\" share_unit;" \
        $SU_P
    static_checks share_unit share_unit "$S" \
        "chparam -set CHANNELS 5 -set KERNEL 5 -set OUT_CHANNELS 6 -set PE 3 -set CSIMD 5 -set ENGINES 6 -set INVERSE 0 share_unit;" \
        CHANNELS=5 KERNEL=5 OUT_CHANNELS=6 PE=3 CSIMD=5 ENGINES=6 INVERSE=0
    # shellcheck disable=SC2086
    {
    rejects share_unit share_unit "$S" ERROR_share_unit_PE_must_divide_OUT_CHANNELS $SU_P PE=3
    rejects share_unit share_unit "$S" ERROR_share_unit_CSIMD_must_divide_CHANNELS $SU_P CSIMD=2
    rejects share_unit share_unit "$S" ERROR_share_unit_ENGINES_must_be_at_least_1 $SU_P ENGINES=0
    rejects share_unit share_unit "$S" ERROR_share_unit_KERNEL_must_be_at_least_1 $SU_P KERNEL=0
    rejects share_unit share_unit "$S" ERROR_share_unit_INVERSE_must_be_0_or_1 $SU_P INVERSE=2
    }
    # C K OC PE CSIMD E INV NEED EXACT: NEED = distinct kernels per (neuron fold, channel) drawn by
    # the test (EXACT=1: some slot needs exactly E engines; 0: E larger than needed, spare engines
    # with U = 0). 3x3 on 3 channels, CSIMD=1, PE=2, E=2 = needed, inverse (FOLD 6); 3x3 on 5
    # channels fully parallel (PE=OC, CSIMD=C, FOLD 1), E=1, no inverse; 1x1 (KT=1: a kernel and its
    # inverse are one class) E=1 inverse (FOLD 4); 1x1 without inverse, E=2 (the two 1-bit kernels);
    # 5x5 on 5 channels, PE=1 (1 engine used) with E=6, inverse (FOLD 4); 2x2 (no 3:2 compression)
    # E=3 no inverse (FOLD 4); 3x3 on 6 channels E=6 = needed, no inverse (FOLD 4); 5x5 on 3
    # channels, PE=OC=8, CSIMD=C, E=8 > needed 5, inverse (FOLD 1); a CNV-like 3x3x16 -> 16,
    # PE=8, CSIMD=4, E=4 inverse (FOLD 8).
    while read -r c k oc pe cs e inv need exact; do
        name="share_unit_c${c}_k${k}_oc${oc}_pe${pe}_cs${cs}_e${e}_inv${inv}"
        dir="$B/$name"
        build "$name" share_unit "$S $V/share_unit/tb_share_unit.cpp" CHANNELS=$c KERNEL=$k OUT_CHANNELS=$oc \
            PE=$pe CSIMD=$cs ENGINES=$e INVERSE=$inv PARAM_WIDTH=12 "KERNEL_FILE=\"$dir/kernels.hex\"" \
            "SELECT_FILE=\"$dir/select.hex\"" "THRESHOLD_FILE=\"$dir/thresholds.hex\"" || continue
        seed=1
        for st in "${STALLS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" C=$c K=$k OC=$oc PE=$pe CSIMD=$cs E=$e INV=$inv PW=12 NEED=$need EXACT=$exact \
                kfile="$dir/kernels.hex" sfile="$dir/select.hex" tfile="$dir/thresholds.hex" n=300 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
3 3 4 2 1 2 1 2 1
5 3 6 6 5 1 0 1 1
4 1 8 4 2 1 1 1 1
3 1 4 2 3 2 0 2 1
5 5 4 1 5 6 1 3 0
4 2 6 3 2 3 0 3 1
6 3 12 6 3 6 0 6 1
3 5 8 8 3 8 1 5 0
16 3 16 8 4 4 1 4 1
CFG
fi

# ------------------------------------------------------------------------------------------------
if want reuse_unit; then
    echo "== reuse_unit"
    S="$T/reuse_unit/reuse_unit.v $T/stream_fifo/stream_fifo.v"
    # memory images for the static checks (TAPS=27 KERNEL_TAPS=9 OUT_CHANNELS=6 PE=3 SIMD=9
    # USE_KEEP=1: 6 weight and mask words of 27 bits, 2 step words of 3 bits, 2 threshold words of
    # 3x16 bits); yosys reads them (named by chparam), Verilator lint and iverilog do not.
    mkdir -p "$B/static_reuse_unit"
    printf '%s\n' 5a3c1e7 0e0f32a 7ff0155 2a7b001 3ff2a5c 161b9c0 > "$B/static_reuse_unit/weights.hex"
    printf '%s\n' 7fffe00 00001ff 7fc01ff 0000000 7ffffff 003fe00 > "$B/static_reuse_unit/keep.hex"
    printf '%s\n' 7 5 > "$B/static_reuse_unit/steps.hex"
    printf '%s\n' 0005fffe0004 000d00090000 > "$B/static_reuse_unit/thresholds.hex"
    RU_P="TAPS=27 KERNEL_TAPS=9 OUT_CHANNELS=6 PE=3 SIMD=9 USE_KEEP=1"
    # shellcheck disable=SC2086
    static_checks reuse_unit reuse_unit "$S" \
        "chparam -set TAPS 27 -set KERNEL_TAPS 9 -set OUT_CHANNELS 6 -set PE 3 -set SIMD 9 -set USE_KEEP 1 -set WEIGHT_FILE \"weights.hex\" -set KEEP_FILE \"keep.hex\" -set STEP_FILE \"steps.hex\" -set THRESHOLD_FILE \"thresholds.hex\" reuse_unit;" \
        $RU_P
    static_checks reuse_unit reuse_unit "$S" \
        "chparam -set TAPS 288 -set OUT_CHANNELS 32 -set PE 16 -set SIMD 8 -set PARAM_WIDTH 12 reuse_unit;" \
        TAPS=288 OUT_CHANNELS=32 PE=16 SIMD=8 PARAM_WIDTH=12
    # shellcheck disable=SC2086
    {
    rejects reuse_unit reuse_unit "$S" ERROR_reuse_unit_PE_must_divide_OUT_CHANNELS $RU_P PE=4
    rejects reuse_unit reuse_unit "$S" ERROR_reuse_unit_SIMD_must_divide_TAPS $RU_P SIMD=4
    rejects reuse_unit reuse_unit "$S" ERROR_reuse_unit_KERNEL_TAPS_must_divide_TAPS $RU_P KERNEL_TAPS=4
    rejects reuse_unit reuse_unit "$S" ERROR_reuse_unit_USE_KEEP_must_be_0_or_1 $RU_P USE_KEEP=2
    rejects reuse_unit reuse_unit "$S" ERROR_reuse_unit_PARAM_WIDTH_must_be_2_to_32 $RU_P PARAM_WIDTH=33
    rejects reuse_unit reuse_unit "$S" ERROR_reuse_unit_sizes_PE_SIMD_must_be_at_least_1 $RU_P SIMD=0
    }
    # TAPS KT OC PE SIMD KEEP: NF=1 (PE = OC) with 3 chunks; SF=1 (SIMD = TAPS) with NF=1, so every
    # window is one step and one-step windows follow back to back (P_ref = the accumulator), with and
    # without a mask; SF=1 with NF=4; 3x3 on 3 channels (odd sizes, C 3, OC 6 PE 3) with KT=9, chunk
    # = one kernel, mask, and the same with KT=1 and no mask; NF=1 with KT=9 and SIMD=6 (chunks
    # straddle kernels), mask; NF=5 (OUT_DEPTH 2), mask; SIMD=1, NF=3 (tiny chunks); the CNV's conv2
    # (3x3x32 -> 32, PE 16, SIMD 8: NF=2, SF=36) without and with a mask. Runs: the four stall
    # patterns, then no stalls with 2 resets in the stream (busy or idle) and stalls with 3.
    RU_RUNS=("${STALLS[@]/%/ RST=0}" "p_in=0.0 p_out=0.0 RST=2" "p_in=0.3 p_out=0.3 RST=3")
    while read -r taps kt oc pe simd keep; do
        name="reuse_unit_t${taps}_kt${kt}_oc${oc}_pe${pe}_simd${simd}_keep${keep}"
        dir="$B/$name"
        kparams=()
        [ "$keep" = 1 ] && kparams=("KEEP_FILE=\"$dir/keep.hex\"" "STEP_FILE=\"$dir/steps.hex\"")
        build "$name" reuse_unit "$S $V/reuse_unit/tb_reuse_unit.cpp" TAPS=$taps KERNEL_TAPS=$kt OUT_CHANNELS=$oc \
            PE=$pe SIMD=$simd PARAM_WIDTH=12 USE_KEEP=$keep "WEIGHT_FILE=\"$dir/weights.hex\"" \
            "THRESHOLD_FILE=\"$dir/thresholds.hex\"" "${kparams[@]}" || continue
        seed=1
        for st in "${RU_RUNS[@]}"; do
            # shellcheck disable=SC2086
            run "$name" TAPS=$taps KT=$kt OC=$oc PE=$pe SIMD=$simd PW=12 KEEP=$keep wfile="$dir/weights.hex" \
                kfile="$dir/keep.hex" sfile="$dir/steps.hex" tfile="$dir/thresholds.hex" n=400 $st seed=$seed
            seed=$((seed + 1))
        done
    done <<'CFG'
9 1 4 4 3 0
36 9 4 4 36 0
36 9 4 4 36 1
24 1 8 2 24 0
27 9 6 3 9 1
27 1 6 3 9 0
72 9 8 8 6 1
45 9 10 2 15 1
7 1 3 1 1 0
288 1 32 16 8 0
288 1 32 16 8 1
CFG
fi

# ------------------------------------------------------------------------------------------------
# popcount (combinational): every input for N <= 16, else directed and random vectors (tb_popcount.cpp).
if want popcount; then
    echo "== popcount"
    S="$T/popcount/popcount.v"
    for cfg in "1 1" "9 8" "72 7" "196 8"; do
        set -- $cfg
        static_checks popcount popcount "$S" "chparam -set N $1 -set OUT_WIDTH $2 popcount;" N=$1 OUT_WIDTH=$2
    done
    PC_ERR=ERROR_popcount_N_must_be_at_least_1_and_OUT_WIDTH_at_least_clog2_N_plus_1
    rejects popcount popcount "$S" $PC_ERR N=0 OUT_WIDTH=1
    rejects popcount popcount "$S" $PC_ERR N=8 OUT_WIDTH=3
    rejects popcount popcount "$S" $PC_ERR N=1000 OUT_WIDTH=9
    # N OUT_WIDTH: exhaustive up to 16 (N <= 9 the triples and the final add only, 7 and 9 with
    # columns of 3 bits; 13 one level of 5-bit groups, 16 of 6-bit groups); from 36 up passed bits,
    # 3 to 5 levels (36, 72: mvau SIMD sizes; 196); 9 with OUT_WIDTH above $clog2(N + 1) (upper
    # bits 0). 2, 6, 64, 576 and 1000 passed as well when the block went in (2026-12-07); left out
    # of CI for its time (a Verilator build each, 25 s for 1000).
    while read -r nb w; do
        name="popcount_n${nb}_w${w}"
        build "$name" popcount "$S $V/popcount/tb_popcount.cpp" N=$nb OUT_WIDTH=$w || continue
        run "$name" N=$nb OUT_WIDTH=$w n=1000 seed=1
        [ "$nb" -gt 16 ] && run "$name" N=$nb OUT_WIDTH=$w n=1000 seed=2
    done <<'CFG'
1 1
3 2
7 3
9 4
13 4
16 5
36 6
72 7
196 8
9 8
CFG
fi

# ------------------------------------------------------------------------------------------------
echo "block tests took $(( $(date +%s) - START )) s"
if [ $fail -ne 0 ]; then
    echo "failed:"; printf '  %s\n' "${failed_names[@]}"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
