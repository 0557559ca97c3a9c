#!/usr/bin/env bash
# Benchmark of the generated hardware on the CNV-sized network: Verilator build time, simulated
# images/s, cycles per image measured against the cycle model on 1000 Fashion-MNIST test images,
# and Yosys synth_xilinx resources (LUT, FF, BRAM, DSP). Everything measured in this one run.
#   bench/rtl_cnv.sh [BNNGEN] [WORK_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bnngen=${1:-$root/build/ci/generator/bnngen}
work=${2:-$root/build/bench/rtl_cnv}
data=/usr/share/datasets/fashion-mnist
mkdir -p "$work"
/usr/bin/python3 "$root/bench/make_cnv_network.py" "$work/cnv_bench"

echo "== generate + Verilator build + co-simulation of 1000 images (no stalls)"
rm -rf "$work/sim-cache"
start=$(date +%s.%N)
"$bnngen" verify "$work/cnv_bench/network.yaml" --images "$data/t10k-images-idx3-ubyte.gz" \
  --labels "$data/t10k-labels-idx1-ubyte.gz" --limit 1000 -o "$work/design" --build-dir "$work/sim-cache" \
  | tee "$work/verify.txt"
end=$(date +%s.%N)
echo "wall time of the verify run: $(echo "$end - $start" | bc) s"

echo "== Yosys synth_xilinx (resource estimate; Vivado's numbers will differ)"
top=cnv_bench
(cd "$work/design" && yosys -q -l "$work/yosys.log" \
   -p "read_verilog -defer $(tr '\n' ' ' < filelist.f); synth_xilinx -top $top -flatten; stat" >/dev/null)
# The last statistics block is the flattened top level.
awk '/Number of cells:/ {delete n} $1 ~ /^(LUT[1-6]|FD[A-Z]+|RAMB(18|36)E1|RAM[0-9]+M|DSP48E1)$/ {n[$1] = $2}
     END {
       for (k in n) { if (k ~ /^LUT/) lut += n[k]; if (k ~ /^FD/) ff += n[k]; if (k ~ /^RAMB/) bram = bram " " k "=" n[k];
                      if (k ~ /^RAM[0-9]+M/) lutram += n[k]; if (k ~ /^DSP/) dsp += n[k] }
       printf "resources (Yosys synth_xilinx): LUT %d, FF %d, LUTRAM cells %d, BRAM%s, DSP %d\n", lut, ff, lutram, bram, dsp + 0
     }' "$work/yosys.log"
