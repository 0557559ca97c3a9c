#!/usr/bin/env bash
# Benchmark of early decision in hardware (templates/early_unit), side by side in one run: each
# network below co-simulated without and with prune.early on its binary threshold layers (pooling
# pruning where a max-pool follows, threshold pruning everywhere), on the first IMAGES Fashion-MNIST
# test images without stalls (0 mismatches and every counter equal to the golden model's required),
# then synthesised with Yosys (bnngen report). Prints one Markdown table: per layer the unit's busy
# cycles per image without and with early decision, the ratio, the layer's LUTs both ways, and per
# network the measured interval.
#   bench/early_decision_hw.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth]
#                              (default: build/ci/generator/bnngen, build/bench/early_hw, 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bnngen=${1:-$root/build/ci/generator/bnngen}
work=${2:-$root/build/bench/early_hw}
images=${3:-100}
synth=1
[ "${4:-}" = "--no-synth" ] && synth=0
mkdir -p "$work" && work=$(cd "$work" && pwd)
data=/usr/share/datasets/fashion-mnist
# name:network.yaml:the same with early decision (- : written here, prune.early added to every
# listed layer, pooling where a max-pool follows):layers that decide early
networks=("fmnist_cnv:$root/examples/fmnist_cnv/network.yaml:-:conv2,conv3,conv4,fc1"
          "fmnist_small_pe4:$root/verif/e2e/early_decision/unpruned.yaml:$root/verif/e2e/early_decision/network.yaml:conv2")

# The same network description with prune.early added to the named layers (flow-style layer lines).
with_early() {
  /usr/bin/python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
src, layers, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
lines = open(src).read().splitlines()
text = "\n".join(lines)
names = re.findall(r"name:\s*(\w+)", text)
result = []
for i, line in enumerate(lines):
    m = re.search(r"\{name:\s*(\w+),", line)
    if m and m.group(1) in layers:
        pooled = False
        # pooling pruning when the next layer line is a maxpool
        for nxt in lines[i + 1:]:
            n = re.search(r"type:\s*(\w+)", nxt)
            if n:
                pooled = n.group(1) == "maxpool"
                break
        early = "early: {threshold: true, pooling: true}" if pooled else "early: {threshold: true}"
        if "prune: {" in line:
            line = line.replace("prune: {", "prune: {" + early + ", ", 1)
        else:
            line = line.replace("activation: threshold,", "activation: threshold, prune: {" + early + "},", 1)
    if line.startswith("name: "):
        line = line + "_early"
    if line.startswith("weights: ") and not line.split()[1].startswith("/"):
        line = "weights: " + __import__("os").path.join(__import__("os").path.dirname(src), line.split()[1])
    result.append(line)
open(out, "w").write("\n".join(result) + "\n")
EOF
}

for entry in "${networks[@]}"; do
  IFS=: read -r name net early layers <<<"$entry"
  if [ "$early" = - ]; then
    with_early "$net" "$layers" "$work/$name.early.yaml"
  else
    cp "$early" "$work/$name.early.yaml"
    sed -i "s|^weights: \([^/].*\)|weights: $(dirname "$early")/\1|" "$work/$name.early.yaml"
  fi
  cp "$net" "$work/$name.plain.yaml"
  sed -i "s|^weights: \([^/].*\)|weights: $(dirname "$net")/\1|" "$work/$name.plain.yaml"
  for v in plain early; do
    echo "== $name ($v): verify, $images images"
    "$bnngen" verify "$work/$name.$v.yaml" --images "$data/t10k-images-idx3-ubyte.gz" --limit "$images" \
      -o "$work/$name.$v" --build-dir "$work/sim-cache" > "$work/$name.$v.verify.txt"
    grep -q "^mismatches: 0 of $images images" "$work/$name.$v.verify.txt" || { cat "$work/$name.$v.verify.txt"; exit 1; }
    if grep -q MISMATCH "$work/$name.$v.verify.txt"; then cat "$work/$name.$v.verify.txt"; exit 1; fi
    if [ $synth = 1 ]; then
      "$bnngen" report "$work/$name.$v.yaml" --work "$work/$name.$v.synth" > "$work/$name.$v.report.txt"
    fi
  done
done

/usr/bin/python3 - "$work" "$synth" "${networks[@]}" <<'EOF'
import re, sys
work, synth, entries = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
def cycles(path):
    out = {}
    for line in open(path):
        m = re.match(r"(\w+)\s+\d+\s+\S+.*?\s([\d.]+) \(([\d.]+)\)", line)
        if m and not line.startswith("layer"):
            out[m.group(1)] = float(m.group(2))
    interval = re.search(r"measured ([\d.]+)", open(path).read())
    return out, float(interval.group(1)) if interval else 0.0
def luts(path):
    # per layer, in report order: (kind, LUT); and the total
    out = {}
    for line in open(path):
        m = re.match(r"\| (\w+) \| (\w+) \| (\d+) \|", line)
        if m:
            out[m.group(1)] = (m.group(2), int(m.group(3)))
        m = re.match(r"\| \*\*total\*\* \|\s*\| \*\*(\d+)\*\*", line)
        if m:
            out["total"] = ("total", int(m.group(1)))
    return out
def layer_luts(table, layer):
    # a layer with pooling pruning does its max-pool: count the max-pool after it with it, both ways
    if layer not in table:
        return "-"
    names = list(table)
    total = table[layer][1]
    at = names.index(layer)
    if at + 1 < len(names) and table[names[at + 1]][0] == "maxpool":
        total += table[names[at + 1]][1]
        return f"{total} (with {names[at + 1]})"
    return str(total)
print("| network | layer | unit cycles/image | with early decision | ratio | LUT | LUT with early decision |")
print("|---|---|---:|---:|---:|---:|---:|")
for entry in entries:
    name, _, _, layers = entry.split(":")
    (plain, plain_interval), (early, early_interval) = cycles(f"{work}/{name}.plain.verify.txt"), cycles(f"{work}/{name}.early.verify.txt")
    lp = luts(f"{work}/{name}.plain.report.txt") if synth else {}
    le = luts(f"{work}/{name}.early.report.txt") if synth else {}
    for layer in layers.split(","):
        print(f"| {name} | {layer} | {plain[layer]:.0f} | {early[layer]:.0f} | {early[layer] / plain[layer]:.3f} | "
              f"{layer_luts(lp, layer)} | {layer_luts(le, layer)} |")
    total = lambda t: str(t["total"][1]) if "total" in t else "-"
    print(f"| {name} | interval (measured), total LUT | {plain_interval:.0f} | {early_interval:.0f} | "
          f"{early_interval / plain_interval:.3f} | {total(lp)} | {total(le)} |")
EOF
