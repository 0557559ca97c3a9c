#!/usr/bin/env bash
# Benchmark of early decision in hardware (templates/early_unit), side by side in one run. Each network
# below is built twice, without and with prune.early on the listed layers (pooling pruning where a
# max-pool follows, threshold pruning on all of them), at the listed folding, and
#   - co-simulated on the first IMAGES Fashion-MNIST test images without stalls: 0 mismatches against
#     the golden model, every counter equal to it, and the RTL's scores equal to the trained model's
#     test_scores.npy where the example ships one (outputs unchanged by early decision);
#   - analysed with the golden model (bnngen analyze): the ideal saving, the operations an ideal
#     per-neuron early exit removes;
#   - synthesised with Yosys (bnngen report), unless --no-synth, or only the networks named by
#     --synth=NAME,NAME (a CNV takes 15-40 minutes per variant).
# Prints one Markdown table: per layer the ideal saving, the unit's cycles per image without, predicted
# (golden model, busiest lane) and co-simulated with early decision, the realized saving, LUT/FF both
# ways; per network the interval predicted and measured both ways and the summed unit cycles of the
# layers with early decision.
#   bench/early_decision_hw.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth | --synth=NAME,...]
#                              (default: build/ci/generator/bnngen, build/bench/early_hw, 100)
#   ONLY=NAME,NAME in the environment runs only those networks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bench_options early_hw "$@"

# name:network.yaml:fold changes (layer=PExSIMD, - for none):layers that decide early
networks=(
  "cnv_shipped:examples/fmnist_cnv/network.yaml:-:conv2,conv3,conv4,fc1"
  "cnv_chosen:examples/fmnist_cnv/network.yaml:conv2=8x144,conv3=16x72,conv4=4x288:conv2,conv4"
  "cnv_pruned:examples/fmnist_cnv_pruned/network.yaml:-:conv2,conv4"
  "cnv_pruned_chosen:examples/fmnist_cnv_pruned/network.yaml:conv2=4x72,conv4=2x144:conv2,conv4"
  "small_pe4:verif/e2e/early_decision/unpruned.yaml:-:conv2"
)
[ -f "$root/examples/fmnist_cnv_early/network.yaml" ] &&
  networks+=("cnv_regularized_chosen:examples/fmnist_cnv_early/network.yaml:conv2=8x144,conv3=16x72,conv4=4x288:conv2,conv4")

only_networks

# Writes OUT.plain.yaml and OUT.early.yaml: SRC with absolute weights, the fold changes and, in the
# second, prune.early on the named layers (flow-style layer lines).
variants() {
  /usr/bin/python3 - "$@" <<'EOF'
import os, re, sys
src, folds, layers, out = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
folds = dict(f.split("=") for f in folds.split(",")) if folds != "-" else {}
lines = []
for line in open(src).read().splitlines():  # a layer written over several lines becomes one line
    if lines and lines[-1].lstrip().startswith("- {") and lines[-1].count("{") > lines[-1].count("}"):
        lines[-1] += " " + line.strip()
    else:
        lines.append(line)
for variant in ("plain", "early"):
    result = []
    for i, line in enumerate(lines):
        # the source's own prune.early goes: each variant says itself where early decision is
        if not line.lstrip().startswith("#"):
            line = re.sub(r"prune: \{\}, ", "", re.sub(r"early: \{[^}]*\}(, )?", "", line))
        m = re.search(r"\{name:\s*(\w+),", line)
        if m and m.group(1) in folds:
            pe, simd = folds[m.group(1)].split("x")
            line, n = re.subn(r"fold: \{pe: \d+, simd: \d+\}", f"fold: {{pe: {pe}, simd: {simd}}}", line)
            assert n == 1, line
        if variant == "early" and m and m.group(1) in layers:
            nxt = next((re.search(r"type:\s*(\w+)", l) for l in lines[i + 1:] if re.search(r"type:", l)), None)
            pooled = nxt is not None and nxt.group(1) == "maxpool"
            early = "early: {threshold: true, pooling: true}" if pooled else "early: {threshold: true}"
            if "prune: {" in line:
                line = line.replace("prune: {", "prune: {" + early + ", ", 1)
            else:
                line = line.replace("activation: threshold,", "activation: threshold, prune: {" + early + "},", 1)
            assert early in line, line
        if line.startswith("name: "):
            line = f"name: {os.path.basename(out)}_{variant}"
        if line.startswith("weights: ") and not line.split()[1].startswith("/"):
            line = "weights: " + os.path.join(os.path.dirname(os.path.abspath(src)), line.split()[1])
        result.append(line)
    open(f"{out}.{variant}.yaml", "w").write("\n".join(result) + "\n")
EOF
}

for entry in "${networks[@]}"; do
  IFS=: read -r name net folds layers <<<"$entry"
  variants "$root/$net" "$folds" "$layers" "$work/$name"
  trained=$(dirname "$root/$net")/test_scores.npy
  for v in plain early; do
    echo "== $name ($v): verify, $images images"
    verify_clean "$bnngen" "$work/$name.$v.yaml" "$data/t10k-images-idx3-ubyte.gz" "$images" "$work/$name.$v" "$work/sim-cache" \
      "$work/$name.$v"
    if [ -f "$trained" ]; then same_scores "$work/$name.$v.scores.npy" "$trained" > "$work/$name.$v.scores.txt" ||
      { cat "$work/$name.$v.scores.txt"; exit 1; }; fi
    if synthesises "$name"; then
      echo "== $name ($v): Yosys"
      "$bnngen" report "$work/$name.$v.yaml" --work "$work/$name.$v.synth" > "$work/$name.$v.report.txt"
    fi
  done
  "$bnngen" analyze "$work/$name.early.yaml" --images "$data/t10k-images-idx3-ubyte.gz" --limit "$images" \
    > "$work/$name.early.analyze.txt"
done

/usr/bin/python3 - "$work" "$images" "${networks[@]}" <<'EOF'
import os, re, sys
work, images, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
def verify(path):
    # per layer: (co-simulated, predicted) unit cycles per image; interval measured, predicted
    layers = {}
    text = open(path).read()
    for m in re.finditer(r"^(\w+)\s+\d+\s+\S+\s+([\d.]+) \(([\d.]+)\)", text, re.M):
        layers[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    m = re.search(r"measured ([\d.]+), predicted ([\d.]+)", text)  # absent with too few images
    return layers, (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))
def ideal(path):
    out = {}
    for line in open(path):
        m = re.match(r"(\w+)\s.*\s([\d.]+)%\s+([\d.]+)%\s*$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out
def synth(path):
    # per layer (kind, LUT, FF) in report order, and the total
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        m = re.match(r"\| (\w+) \| (\w*) \| (\d+) \| (\d+) \|", line)
        if m:
            out[m.group(1)] = (m.group(2), int(m.group(3)), int(m.group(4)))
        m = re.match(r"\| \*\*total\*\* \|\s*\| \*\*(\d+)\*\* \| \*\*(\d+)\*\*", line)
        if m:
            out["total"] = ("total", int(m.group(1)), int(m.group(2)))
    return out
def area(table, layer):
    # a layer with pooling pruning does its max-pool's work: count the max-pool after it with it
    if layer not in table:
        return "-"
    names = list(table)
    _, lut, ff = table[layer]
    at = names.index(layer)
    if at + 1 < len(names) and table[names[at + 1]][0] == "maxpool":
        lut, ff = lut + table[names[at + 1]][1], ff + table[names[at + 1]][2]
    return f"{lut} / {ff}"
print(f"Early decision in hardware: first {images} Fashion-MNIST test images, no stalls; 0 mismatches, every counter "
      "equal to the golden model's, scores equal to the trained model's. Unit cycles per image; predicted = golden "
      "model (busiest lane); LUT / FF from Yosys, a layer with pooling pruning counted with its max-pool.\n")
print("| network | layer | fold | ideal ops removed | cycles without | predicted with | co-simulated with | realized saving | LUT / FF without | LUT / FF with |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for entry in entries:
    name, _, _, layers = entry.split(":")
    plain, (plain_interval, plain_predicted) = verify(f"{work}/{name}.plain.verify.txt")
    early, (early_interval, early_predicted) = verify(f"{work}/{name}.early.verify.txt")
    ops = ideal(f"{work}/{name}.early.analyze.txt")
    sp, se = synth(f"{work}/{name}.plain.report.txt"), synth(f"{work}/{name}.early.report.txt")
    folds = dict(re.findall(r"\{name: (\w+),.*fold: \{pe: (\d+), simd: \d+\}", open(f"{work}/{name}.early.yaml").read()))
    simds = dict(re.findall(r"\{name: (\w+),.*fold: \{pe: \d+, simd: (\d+)\}", open(f"{work}/{name}.early.yaml").read()))
    without = with_ = 0.0
    for layer in layers.split(","):
        without += plain[layer][0]
        with_ += early[layer][0]
        print(f"| {name} | {layer} | {folds[layer]}x{simds[layer]} | {ops.get(layer, 0):.1f}% | {plain[layer][0]:.0f} | "
              f"{early[layer][1]:.0f} | {early[layer][0]:.0f} | {100 * (1 - early[layer][0] / plain[layer][0]):.1f}% | "
              f"{area(sp, layer)} | {area(se, layer)} |")
    print(f"| {name} | **layers with early decision** | | | {without:.0f} | | {with_:.0f} | "
          f"**{100 * (1 - with_ / without):.1f}%** | | |")
    total = lambda t: f"{t['total'][1]} / {t['total'][2]}" if "total" in t else "-"
    print(f"| {name} | interval (predicted / measured) | | | {plain_predicted:.0f} / {plain_interval:.0f} | "
          f"{early_predicted:.0f} | {early_interval:.0f} | {100 * (1 - early_interval / plain_interval):.1f}% | "
          f"{total(sp)} | {total(se)} |")
EOF
