#!/usr/bin/env bash
# Benchmark of similarity reuse in hardware (templates/reuse_unit), side by side in one run. Each
# network below is built twice at the same folding: without prune.reuse (every layer on mvau) and
# with prune.reuse {mode: inputs} on the listed layers, and
#   - co-simulated on the first IMAGES Fashion-MNIST test images without stalls: 0 mismatches
#     against the golden model, every counter (unit cycles, computed chunks) equal to its count, and
#     the RTL's scores equal to the trained model's test_scores.npy (both variants);
#   - analysed with the golden model (bnngen analyze --json): per layer the share of window bits
#     and of simd-bit chunks equal to the previous computed window's, the operations input reuse
#     removes ideally (bit by bit), the unit's cycles (predicted = golden count);
#   - synthesised with Yosys (bnngen report --json), unless --no-synth, or only the networks named
#     by --synth=NAME,NAME (a CNV takes 5-10 minutes per variant).
# Prints one Markdown table: per reuse layer the folding, bit and chunk similarity, ideal ops removed,
# realized cycles removed (co-simulated counters, without vs with), predicted vs co-simulated unit
# cycles, LUT / FF / RAMB18 / RAMB36 both ways; per network the summed unit cycles of the reuse layers
# (the ratio issue 14 asks for), the intervals and the summed LUTs.
#   bench/similarity_reuse_hw.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth | --synth=NAME,...]
#                                (default: build/ci/generator/bnngen, build/bench/reuse_hw, 100)
#   ONLY=NAME,NAME in the environment runs only those networks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bench_options reuse_hw "$@"

# name:network.yaml:fold changes (layer=PExSIMD, - for none):layers with reuse
networks=(
  # the folding chosen for reuse: conv2 and conv3 with every output channel in a lane (one neuron
  # fold) and small tap-major chunks (8 channels of one tap), where most chunks repeat; conv4 as
  # shipped (its windows repeat least: analyze recommends none there)
  "cnv_chosen:examples/fmnist_cnv/network.yaml:conv2=32x8,conv3=64x8:conv2,conv3"
  # near the shipped interval: conv2 and conv3 at 32 x 16 (512 lanes each against 1152 and 576)
  "cnv_interval:examples/fmnist_cnv/network.yaml:conv2=32x16,conv3=32x16:conv2,conv3"
  # the shipped folding, reuse on every binary conv layer
  "cnv_shipped:examples/fmnist_cnv/network.yaml:-:conv2,conv3,conv4"
  # with kernel pruning (per-lane masks): the unit steps the union of a fold's kept chunks
  "cnv_pruned:examples/fmnist_cnv_pruned/network.yaml:-:conv2,conv3,conv4"
)
# with kernel pruning whose masks each fold's lanes share: chunks of one kernel (simd 9,
# kernel-major), the unit steps only the kept kernels that changed
[ -f "$root/examples/fmnist_cnv_pruned_g16/network.yaml" ] &&
  networks+=("cnv_pruned_g16:examples/fmnist_cnv_pruned_g16/network.yaml:conv2=16x9,conv3=8x9,conv4=8x9:conv2,conv3,conv4")
only_networks

# Writes OUT.plain.yaml and OUT.reuse.yaml: SRC with absolute weights and the fold changes, without
# prune.reuse in the first and with prune.reuse {mode: inputs} on the named layers in the second.
variants() {
  /usr/bin/python3 - "$@" <<'PY'
import os, re, sys
src, folds, layers, out = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
folds = dict(f.split("=") for f in folds.split(",")) if folds != "-" else {}
for variant in ("plain", "reuse"):
    result = []
    for line in open(src).read().splitlines():
        m = re.search(r"\{name:\s*(\w+),", line)
        if m and m.group(1) in folds:
            pe, simd = folds[m.group(1)].split("x")
            line, n = re.subn(r"fold: \{pe: \d+, simd: \d+\}", f"fold: {{pe: {pe}, simd: {simd}}}", line)
            assert n == 1, line
        if variant == "reuse" and m and m.group(1) in layers:
            reuse = "reuse: {mode: inputs}"
            if "prune: {" in line:
                line = line.replace("prune: {", "prune: {" + reuse + ", ", 1)
            else:
                line = line.replace(", fold: {", ", prune: {" + reuse + "}, fold: {", 1)
            assert reuse in line, line
        if line.startswith("name: "):
            line = f"name: {os.path.basename(out)}_{variant}"
        if line.startswith("weights: ") and not line.split()[1].startswith("/"):
            line = "weights: " + os.path.join(os.path.dirname(os.path.abspath(src)), line.split()[1])
        result.append(line)
    open(f"{out}.{variant}.yaml", "w").write("\n".join(result) + "\n")
PY
}

for entry in "${networks[@]}"; do
  IFS=: read -r name net folds layers <<<"$entry"
  variants "$root/$net" "$folds" "$layers" "$work/$name"
  trained=$(dirname "$root/$net")/test_scores.npy
  for v in plain reuse; do
    echo "== $name ($v): verify, $images images"
    verify_clean "$bnngen" "$work/$name.$v.yaml" "$data/t10k-images-idx3-ubyte.gz" "$images" "$work/$name.$v" \
      "$work/sim-cache" "$work/$name.$v"
    if [ -f "$trained" ]; then same_scores "$work/$name.$v.scores.npy" "$trained" > "$work/$name.$v.scores.txt" ||
      { cat "$work/$name.$v.scores.txt"; exit 1; }; fi
    if synthesises "$name"; then
      echo "== $name ($v): Yosys"
      "$bnngen" report "$work/$name.$v.yaml" --json "$work/$name.$v.report.json" --work "$work/$name.$v.synth" \
        > "$work/$name.$v.report.txt"
    fi
  done
  "$bnngen" analyze "$work/$name.reuse.yaml" --images "$data/t10k-images-idx3-ubyte.gz" --limit "$images" \
    --json "$work/$name.reuse.analyze.json" > "$work/$name.reuse.analyze.txt"
done

PYTHONPATH="$root/bench" /usr/bin/python3 - "$work" "$images" "${networks[@]}" <<'PY'
import json, re, sys
from bench_tables import synth, verify
work, images, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
area = lambda t, k: " / ".join(str(v) for v in t[k]) if k in t else "-"
print(f"Similarity reuse in hardware: first {images} test images, no stalls; 0 mismatches, every counter equal to "
      "the golden model's, scores equal to the trained model's. Both variants at the same folding. Same bits / "
      "chunks: share of the computed windows' bits / simd-bit chunks equal to the previous computed window's. "
      "Ideal: operations input reuse removes bit by bit; realized: unit cycles removed (co-simulated counters). "
      "Cycles per image: mvau / reuse unit co-simulated, reuse unit predicted (golden count). "
      "LUT / FF / RAMB18 / RAMB36 from Yosys.\n")
print("| network | layer | fold | same bits / chunks | removed ideal / realized | cycles mvau / reuse (predicted) "
      "| LUT / FF / RAMB18 / RAMB36 without | with |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for entry in entries:
    name, _, _, layers = entry.split(":")
    plain, (plain_interval, plain_predicted) = verify(f"{work}/{name}.plain.verify.txt")
    reuse, (reuse_interval, reuse_predicted) = verify(f"{work}/{name}.reuse.verify.txt")
    stats = {r["layer"]: r for r in json.load(open(f"{work}/{name}.reuse.analyze.json"))["reuse"]}
    sp, sr = synth(f"{work}/{name}.plain.report.json"), synth(f"{work}/{name}.reuse.report.json")
    folds = dict((n, f"{p}x{s}") for n, p, s in
                 re.findall(r"\{name: (\w+),.*fold: \{pe: (\d+), simd: (\d+)\}", open(f"{work}/{name}.reuse.yaml").read()))
    sum_plain = sum_reuse = lut_plain = lut_reuse = 0
    for layer in layers.split(","):
        s = stats[layer]
        cp, cr = plain[layer][0], reuse[layer][0]
        sum_plain, sum_reuse = sum_plain + cp, sum_reuse + cr
        lut_plain += sp.get(layer, (0,))[0]
        lut_reuse += sr.get(layer, (0,))[0]
        print(f"| {name} | {layer} | {folds[layer]} | {100 * s['identical_bits']:.1f}% / {100 * s['identical_chunks']:.1f}% "
              f"| {100 * s['inputs_removed']:.1f}% / {100 * (1 - cr / cp):.1f}% | {cp:.0f} / {cr:.0f} ({reuse[layer][1]:.0f}) "
              f"| {area(sp, layer)} | {area(sr, layer)} |")
    luts = f"; LUT {lut_plain} -> {lut_reuse} ({lut_reuse / lut_plain:.2f}x)" if lut_plain else ""
    print(f"| {name} | **reuse layers: {sum_plain:.0f} -> {sum_reuse:.0f} cycles/image ({sum_plain / sum_reuse:.2f}x "
          f"fewer){luts}**; interval measured (predicted) {plain_interval:.0f} ({plain_predicted:.0f}) / "
          f"{reuse_interval:.0f} ({reuse_predicted:.0f}) | | | | | {area(sp, 'total')} | {area(sr, 'total')} |")
PY
