#!/usr/bin/env bash
# Automatic folding against FINN's rule at the same target (issue 17), in one run. For each network
# (the shipped fmnist_cnv, fmnist_cnv_pruned, fmnist_cnv_pruned_spatial, and the trained CNV-like
# network imported from FINN-ONNX, bench/make_imported_cnv.py):
#   - `bnngen fold --all` at the target with our rule (fewest predicted LUTs; kernel pruning's kept
#     taps and, with --images, spatial pruning's measured skipping counted) and with FINN's rule
#     (each layer the smallest pe * simd whose cycles, every kernel counted, meet the target);
#   - co-simulates each folded network (bnngen verify, no stalls): 0 mismatches, every counter
#     equal to the golden model's, and the steady-state cycles per image against the target;
#   - synthesises each with Yosys (bnngen report) unless --no-synth: LUT (+ LUTRAM), FF, BRAM, next
#     to what the resource model predicted.
# Prints one Markdown table.
#   bench/fold_auto.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth | --synth=NAME,...]
#                      (default: build/ci/generator/bnngen, build/bench/fold_auto, 20)
# Targets: FMNIST_IPS (default 50000 images/s, 4 000 cycles at 200 MHz) for the Fashion-MNIST
# models, CNV_IPS (default 10000, 20 000 cycles) for the 32x32 CNV-like one; ONLY=NAME,NAME picks
# networks. About 3 minutes of co-simulation and 2-10 minutes of Yosys per network and rule.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bench_options fold_auto "${1:-}" "${2:-}" "${3:-20}" "${4:-}"
fmnist_ips=${FMNIST_IPS:-50000}
cnv_ips=${CNV_IPS:-10000}

networks=(
  "fmnist_cnv:$root/examples/fmnist_cnv/network.yaml:$data/t10k-images-idx3-ubyte.gz:$fmnist_ips"
  "fmnist_cnv_pruned:$root/examples/fmnist_cnv_pruned/network.yaml:$data/t10k-images-idx3-ubyte.gz:$fmnist_ips"
  "fmnist_cnv_pruned_spatial:$root/examples/fmnist_cnv_pruned_spatial/network.yaml:$data/t10k-images-idx3-ubyte.gz:$fmnist_ips"
  "cnv_like:$work/cnv_like/net/network.yaml:$work/cnv_like/images.npy:$cnv_ips"
)
only_networks

rows=$work/rows.txt
: > "$rows"
for entry in "${networks[@]}"; do
  IFS=: read -r name yaml images_file ips <<< "$entry"
  if [ "$name" = cnv_like ]; then
    /usr/bin/python3 "$root/bench/make_imported_cnv.py" "$bnngen" "$work/cnv_like" "$images"
  fi
  for rule in fewest-luts finn; do
    out=$work/$name.$rule
    echo "== $name: fold ($rule, $ips images/s)" >&2
    "$bnngen" fold "$yaml" --all --rule "$rule" --images-per-second "$ips" --images "$images_file" --limit 100 \
      -o "$out.yaml" > "$out.fold.txt"
    echo "== $name ($rule): co-simulation, $images images" >&2
    verify_clean "$bnngen" "$out.yaml" "$images_file" "$images" "$out.design" "$work/build" "$out"
    if [ -n "$synth" ] && synthesises "$name"; then
      echo "== $name ($rule): Yosys" >&2
      "$bnngen" report "$out.yaml" --json "$out.report.json" > /dev/null
    else
      rm -f "$out.report.json"
    fi
    echo "$name $rule $ips $out" >> "$rows"
  done
done

/usr/bin/python3 - "$root" "$rows" "$images" <<'PY'
import json, os, re, sys
root, rows, images = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(root, "bench"))
import bench_tables as t

def folds(path):
    """(layer, pe, simd) of each folded layer and the predicted figures of a `bnngen fold` printout."""
    text = open(path).read()
    layers = re.findall(r"^(\S+)\s+(?:conv|dense)\s+.*?pe (\d+) simd (\d+)\s+(\d+)", text, re.M)
    lanes = sum(int(pe) * int(simd) for _, pe, simd, _ in layers)
    interval = int(re.search(r"^interval: (\d+)", text, re.M).group(1))
    luts = float(re.search(r"predicted (\d+) LUT", text).group(1))
    target = int(re.search(r"^target: (\d+)", text, re.M).group(1))
    return lanes, interval, luts, target, " ".join(f"{n} {pe}x{simd}" for n, pe, simd, _ in layers)

print(f"## Automatic folding against FINN's rule ({images} images co-simulated per network and rule, 0 mismatches)\n")
print("| network | rule | target cycles | lanes (sum pe*simd) | predicted interval | co-simulated interval | "
      "predicted LUT | Yosys LUT + LUTRAM | FF | BRAM tiles |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
foldings = []
for line in open(rows):
    name, rule, ips, out = line.split()
    lanes, interval, luts, target, text = folds(out + ".fold.txt")
    _, (measured, _) = t.verify(out + ".verify.txt")
    path = out + ".report.json"
    lut = ff = tiles = ""
    if os.path.exists(path):
        tot = json.load(open(path))["total"]
        lut, ff, tiles = tot["lut"] + tot["lutram"], tot["ff"], tot["ramb36"] + tot["ramb18"] / 2
    print(f"| {name} | {rule} | {target} | {lanes} | {interval} | {measured:.0f} | {luts:.0f} | {lut} | {ff} | {tiles} |")
    foldings.append(f"- {name}, {rule}: {text}")
print("\nFoldings (pe x simd per layer):\n")
print("\n".join(foldings))
PY
