#!/usr/bin/env bash
# Benchmark of structured kernel pruning and dynamic spatial pruning in hardware on the trained
# CNV-sized Fashion-MNIST networks, all five variants measured in this one run, at the same folding:
#   unpruned   examples/fmnist_cnv                 (trained without pruning)
#   spatial    examples/fmnist_cnv_spatial         (the same weights, spatial pruning on conv2-4)
#   kernel     examples/fmnist_cnv_pruned          (trained keeping 8/32, 8/32, 16/64 kernels)
#   both       examples/fmnist_cnv_pruned_spatial  (the same weights, spatial pruning on conv2-4)
#   lossy      examples/fmnist_cnv_pruned_lossy    (fmnist_cnv_pruned fine-tuned through lossy spatial
#                                                   pruning, tolerance 5/4/5 on conv2/3/4)
# For each: golden-model accuracy on the 10 000 test images, `bnngen analyze --rtl` on the first
# IMAGES test images (operations, the matrix-vector units' cycles predicted and counted in
# co-simulation, the pipeline interval predicted and measured; 0 mismatches required), and Yosys
# synth_xilinx resources. Prints a Markdown table with the ratios to the unpruned network.
#   bench/pruning_cnv.sh [BNNGEN] [WORK_DIR] [IMAGES]     (default: build/ci/generator/bnngen,
#                                                          build/bench/pruning_cnv, 200)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bnngen=${1:-$root/build/ci/generator/bnngen}
work=${2:-$root/build/bench/pruning_cnv}
images=${3:-200}
mkdir -p "$work" && work=$(cd "$work" && pwd)  # absolute: Yosys runs inside each design folder
data=/usr/share/datasets/fashion-mnist
examples=${EXAMPLES:-$root/examples}   # where the five networks are
synth_jobs=()
variants=(unpruned:fmnist_cnv spatial:fmnist_cnv_spatial kernel:fmnist_cnv_pruned both:fmnist_cnv_pruned_spatial
          lossy:fmnist_cnv_pruned_lossy)

for v in "${variants[@]}"; do
  label=${v%%:*} net=$examples/${v#*:}/network.yaml
  echo "== $label: $net"
  "$bnngen" infer "$net" --images "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" \
    > "$work/$label.infer.txt"
  grep '^accuracy' "$work/$label.infer.txt"
  "$bnngen" analyze "$net" --images "$data/t10k-images-idx3-ubyte.gz" --limit "$images" --rtl --rtl-limit "$images" \
    -o "$work/$label" --build-dir "$work/sim-cache" --json "$work/$label.json" | tee "$work/$label.analyze.txt"
  # Yosys runs in the background (one job per variant, minutes each) while the next variant
  # co-simulates; the table waits for all of them.
  top=$(basename "$(tail -n 1 "$work/$label/filelist.f")" .v)
  (cd "$work/$label" && yosys -q -l "$work/$label.yosys.log" \
     -p "read_verilog -defer $(tr '\n' ' ' < filelist.f); synth_xilinx -top $top -flatten; stat" >/dev/null) &
  synth_jobs+=($!)
done
echo "== waiting for Yosys synth_xilinx (${#synth_jobs[@]} designs)"
for job in "${synth_jobs[@]}"; do wait "$job"; done

/usr/bin/python3 - "$work" "${variants[@]}" <<'PY'
import json, re, sys
work, variants = sys.argv[1], sys.argv[2:]

def resources(log):
    cells = {}
    for line in open(log):
        if "Number of cells:" in line:
            cells = {}
        m = re.match(r"\s+(\S+)\s+(\d+)$", line)
        if m:
            cells[m.group(1)] = int(m.group(2))
    lut = sum(n for k, n in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    ff = sum(n for k, n in cells.items() if k.startswith("FD"))
    lutram = sum(n for k, n in cells.items() if re.fullmatch(r"RAM\d+[MX].*", k))
    bram18 = cells.get("RAMB18E1", 0) + cells.get("RAMB18E2", 0)
    bram36 = cells.get("RAMB36E1", 0) + cells.get("RAMB36E2", 0)
    return lut, ff, lutram, bram18, bram36

rows = []
for v in variants:
    label = v.split(":")[0]
    a = json.load(open(f"{work}/{label}.json"))
    acc = re.search(r"accuracy: ([0-9.]+)%", open(f"{work}/{label}.infer.txt").read()).group(1)
    rows.append((label, v.split(":")[1], acc, a, resources(f"{work}/{label}.yosys.log")))
base = rows[0][3]
print()
print("| variant | network | accuracy (10 000) | ops/image | unit cycles/image: predicted | co-simulated | vs unpruned "
      "| interval: predicted | co-simulated | vs unpruned | mismatches | LUT | FF | LUTRAM | RAMB18 | RAMB36 |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for label, name, acc, a, (lut, ff, lutram, b18, b36) in rows:
    t = a["total"]
    print(f"| {label} | `{name}` | {acc}% | {t['remaining_ops']:.0f} | {t['cycles_pruned']:.0f} | "
          f"{t['cycles_rtl']:.0f} | {base['total']['cycles_rtl'] / t['cycles_rtl']:.2f}x | {a['interval_pruned']} | "
          f"{a['interval_rtl']:.0f} | {base['interval_rtl'] / a['interval_rtl']:.2f}x | "
          f"{a['rtl_mismatches']} of {a['rtl_images']} | {lut} | {ff} | {lutram} | {b18} | {b36} |")
PY

# Per layer: the cycles each matrix-vector unit counted in co-simulation, against the unpruned
# network at the same folding (kernel pruning: expected Cin/keep; spatial: the computed share).
/usr/bin/python3 - "$work" "${variants[@]}" <<'PY'
import json, sys
work, variants = sys.argv[1], sys.argv[2:]
runs = {v.split(":")[0]: json.load(open(f"{work}/{v.split(':')[0]}.json")) for v in variants}
base = {l["layer"]: l for l in runs["unpruned"]["layers"]}
print()
print("| layer | unpruned cycles/image | " + " | ".join(f"{k}: cycles (ratio, expected)" for k in runs if k != "unpruned") + " |")
print("|---|---:|" + "---:|" * (len(runs) - 1))
for name, b in base.items():
    if b["type"] == "maxpool":
        continue
    cells = []
    for label, run in runs.items():
        if label == "unpruned":
            continue
        l = next(x for x in run["layers"] if x["layer"] == name)
        expected = (l["in_channels"] / l["kept_kernels"] if l["type"] == "conv" else 1.0) / max(1e-9, 1 - l["skipped_share"])
        cells.append(f"{l['cycles_rtl']:.0f} ({b['cycles_rtl'] / l['cycles_rtl']:.2f}x, {expected:.2f}x)")
    print(f"| {name} | {b['cycles_rtl']:.0f} | " + " | ".join(cells) + " |")
PY
