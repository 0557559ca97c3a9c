#!/usr/bin/env bash
# End-to-end test of one network: generate, verilate and co-simulate 100 images with random stalls
# on both streams (zero mismatches against the golden model; every layer's performance counters,
# cycles spent and positions skipped, equal to the golden model's counts), again without stalls
# (measured cycles per image within 10% of the cycle model), and the second opinions on the
# generated RTL: verilator --lint-only -Wall, iverilog -g2005, yosys synth (no latches, no errors)
# in a user's plain flow: every .v of the design folder read by read_verilog without -defer (which
# elaborates each module with its default parameters as it is read), synth -auto-top up to its
# fine-grained mapping (elaboration, processes and their latch check, coarse optimisation, memory
# inference; the gate mapping and ABC took 60% of the time and are run in full on every block by
# verif/blocks and on a whole design by the report tests).
# A network folder with unpruned.yaml (the same network without its exact spatial pruning) also
# checks that the design's scores equal the unpruned network's golden scores bit for bit.
#   run_e2e.sh BNNGEN NETWORK_DIR WORK_DIR [IMAGES] [full|cycles|quick] [BAND]
# IMAGES (default 100) for the run with stalls; "quick": only that run, "cycles": that run and the
# one without stalls (large shipped models, whose Yosys synthesis belongs in bench/). BAND (default
# 0.1): the measured interval must be within this fraction of the cycle model's.
set -euo pipefail
bnngen=$1 net=$2 work=$3 count=${4:-100} mode=${5:-full} band=${6:-0.1}
name=$(basename "$net")
images="$net/images.npy"
[ -f "$images" ] || images=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
design="$work/$name"
mkdir -p "$work"
fail() { echo "FAIL $name: $*"; exit 1; }

echo "== $name: co-simulation, $count images, random stalls (p = 0.3) on both streams"
out=$("$bnngen" verify "$net/network.yaml" --images "$images" --limit "$count" --stall 0.3 --seed 7 \
        -o "$design" --build-dir "$work/sim-cache" --out "$work/$name.rtl.npy" 2>&1) || { echo "$out"; fail "verify with stalls"; }
echo "$out" | tail -n 12
echo "$out" | grep -q "^mismatches: 0 of $count images" || fail "expected 0 mismatches of $count images"
if echo "$out" | grep -q "MISMATCH"; then fail "a performance counter differs from the golden model"; fi

if [ -f "$net/unpruned.yaml" ]; then
  echo "== $name: exact spatial pruning gives the unpruned network's scores"
  "$bnngen" infer "$net/unpruned.yaml" --images "$images" --limit "$count" --out "$work/$name.unpruned.npy" >/dev/null \
    || fail "infer unpruned.yaml"
  cmp "$work/$name.rtl.npy" "$work/$name.unpruned.npy" || fail "the RTL's scores differ from the unpruned network's"
  echo "scores of $count images equal the unpruned network's"
fi
if [ "$mode" = quick ]; then
  echo "ok $name (quick)"
  exit 0
fi

echo "== $name: co-simulation without stalls: cycles per image against the cycle model"
out=$("$bnngen" verify "$net/network.yaml" --images "$images" --limit 40 -o "$design" \
        --build-dir "$work/sim-cache" 2>&1) || { echo "$out"; fail "verify without stalls"; }
line=$(echo "$out" | grep "^cycles per image") || fail "no cycles-per-image line"
echo "$line"
ratio=$(echo "$line" | sed -E 's/.*\(ratio ([0-9.]+)\).*/\1/')
awk -v r="$ratio" -v b="$band" 'BEGIN { exit !(r >= 1 - b && r <= 1 + b) }' \
  || fail "measured/predicted interval $ratio is outside 1 -/+ $band"
if [ "$mode" = cycles ]; then
  echo "ok $name (cycles)"
  exit 0
fi

echo "== $name: verilator --lint-only -Wall, iverilog -g2005, yosys read_verilog (plain) + synth -auto-top -run :fine"
top=$(sed -n 's/^module \([A-Za-z_0-9]*\).*/\1/p' "$design/$name.v" | head -n 1)
sources=$(sed "s|^|$design/|" "$design/filelist.f")
verilator --lint-only -Wall --top-module "$top" $sources || fail "verilator lint"
iverilog -g2005 -o /dev/null $sources || fail "iverilog"
(cd "$design" && yosys -q -l "$work/$name.yosys.log" -p "read_verilog $(ls -- *.v | tr '\n' ' '); synth -auto-top -run :fine; stat" \
    >/dev/null) || fail "yosys read_verilog + synth -auto-top -run :fine (log: $work/$name.yosys.log)"
grep -Fqx "Top module:  \\$top" "$work/$name.yosys.log" || fail "yosys synth -auto-top did not choose $top"
if grep -qE '^Latch inferred|[$]_DLATCH|[$]dlatch ' "$work/$name.yosys.log"; then
  fail "yosys inferred a latch"
fi
echo "ok $name"
