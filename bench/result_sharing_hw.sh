#!/usr/bin/env bash
# Benchmark of result sharing in hardware (templates/share_unit), side by side in one run. Each network
# below is built twice at the same folding (so at the same interval): without prune.share (every
# layer on mvau) and with prune.share {mode: inverse} on the listed layers, and
#   - co-simulated on the first IMAGES Fashion-MNIST test images without stalls: 0 mismatches against
#     the golden model, every counter (unit cycles, distinct-kernel evaluations) equal to it, and the
#     RTL's scores equal to the trained model's test_scores.npy where the example ships one;
#   - analysed with the golden model (bnngen analyze): XNOR-popcount operations removed by sharing,
#     ideal (each distinct kernel once per input channel) and in the sharing unit (shared among the
#     pe lanes of a fold);
#   - synthesised with Yosys (bnngen report), unless --no-synth, or only the networks named by
#     --synth=NAME,NAME (a CNV takes 5-10 minutes per variant).
# Prints one Markdown table: per shared layer the folding, the unit's engines per input-channel slot,
# the ideal and realized operations removed, the unit's cycles per image without and with sharing,
# LUT / FF / RAMB36 both ways; per network the summed LUTs of the shared layers and the interval.
#   bench/result_sharing_hw.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth | --synth=NAME,...]
#                              (default: build/ci/generator/bnngen, build/bench/share_hw, 100)
#   ONLY=NAME,NAME in the environment runs only those networks.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bench_options share_hw "$@"

# name:network.yaml:fold changes (layer=PExSIMD, - for none):layers that share
networks=(
  "cnv_trained:examples/fmnist_cnv/network.yaml:-:conv2,conv3,conv4"
  "small_pools:verif/e2e/result_sharing/network.yaml:-:conv2,conv3"
)
for example in "$root"/examples/fmnist_cnv_shared*/network.yaml; do
  [ -f "$example" ] || continue
  dir=$(basename "$(dirname "$example")")
  networks+=("${dir#fmnist_}:examples/$dir/network.yaml:-:conv2,conv3,conv4")
done

only_networks

# Writes OUT.plain.yaml and OUT.share.yaml: SRC with absolute weights, the fold changes, no
# prune.share in the first and prune.share {mode: inverse} on the named layers in the second.
variants() {
  /usr/bin/python3 - "$@" <<'EOF'
import os, re, sys
src, folds, layers, out = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
folds = dict(f.split("=") for f in folds.split(",")) if folds != "-" else {}
for variant in ("plain", "share"):
    result = []
    for line in open(src).read().splitlines():
        if not line.lstrip().startswith("#"):
            line = re.sub(r"prune: \{\}, ", "", re.sub(r"(, )?share: \{[^}]*\}", "", line))
            line = line.replace("prune: {, ", "prune: {")
        m = re.search(r"\{name:\s*(\w+),", line)
        if m and m.group(1) in folds:
            pe, simd = folds[m.group(1)].split("x")
            line, n = re.subn(r"fold: \{pe: \d+, simd: \d+\}", f"fold: {{pe: {pe}, simd: {simd}}}", line)
            assert n == 1, line
        if variant == "share" and m and m.group(1) in layers:
            share = "share: {mode: inverse}"
            if "prune: {" in line:
                line = line.replace("prune: {", "prune: {" + share + ", ", 1)
            else:
                line = line.replace("activation: threshold,", "activation: threshold, prune: {" + share + "},", 1)
                if share not in line:
                    line = line.replace(", fold: {", ", prune: {" + share + "}, fold: {", 1)
            assert share in line, line
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
  images_file=$(dirname "$root/$net")/images.npy
  [ -f "$images_file" ] || images_file=$data/t10k-images-idx3-ubyte.gz
  for v in plain share; do
    echo "== $name ($v): verify, $images images"
    verify_clean "$bnngen" "$work/$name.$v.yaml" "$images_file" "$images" "$work/$name.$v" "$work/sim-cache" \
      "$work/$name.$v"
    if [ -f "$trained" ]; then same_scores "$work/$name.$v.scores.npy" "$trained" > "$work/$name.$v.scores.txt" ||
      { cat "$work/$name.$v.scores.txt"; exit 1; }; fi
    if synthesises "$name"; then
      echo "== $name ($v): Yosys"
      "$bnngen" report "$work/$name.$v.yaml" --work "$work/$name.$v.synth" > "$work/$name.$v.report.txt"
    fi
  done
  "$bnngen" analyze "$work/$name.share.yaml" --images "$images_file" --limit "$images" > "$work/$name.share.analyze.txt"
done

/usr/bin/python3 - "$work" "$images" "${networks[@]}" <<'EOF'
import os, re, sys
work, images, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
def verify(path):
    # per layer: co-simulated unit cycles per image; interval measured
    text = open(path).read()
    layers = {m.group(1): float(m.group(2))
              for m in re.finditer(r"^(\w+)\s+\d+\s+\S+(?: \([^)]*\))?\s+([\d.]+) \([\d.]+\)", text, re.M)}
    m = re.search(r"measured ([\d.]+), predicted ([\d.]+)", text)
    return layers, (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))
def removed(path):
    # per layer: (ideal, in the unit) share of the remaining operations removed
    out = {}
    for line in open(path):
        m = re.match(r"(\w+)\s.*\s([\d.]+)%\s+([\d.]+)%\s*$", line)
        if m:
            out[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return out
def synth(path):
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        m = re.match(r"\| (\w+) \| (\w*) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|", line)
        if m:
            out[m.group(1)] = (int(m.group(3)), int(m.group(4)), int(m.group(6)))
        m = re.match(r"\| \*\*total\*\* \|\s*\| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\*", line)
        if m:
            out["total"] = (int(m.group(1)), int(m.group(2)), int(m.group(4)))
    return out
def engines(design):
    # per shared layer: the share_unit's ENGINES parameter, from the generated top
    text = open(os.path.join(design, os.path.basename(design).replace(".", "_") + ".v")).read()
    return {n: e for e, n in re.findall(r"\.ENGINES\((\d+)\).*?\) (\w+)_share_unit \(", text, re.S)}
fmt = lambda t, k: f"{t[k][0]} / {t[k][1]} / {t[k][2]}" if k in t else "-"
print(f"Result sharing in hardware: first {images} test images, no stalls; 0 mismatches, every counter equal to "
      "the golden model's, scores equal to the trained model's where it ships them. Both variants at the same "
      "folding (same interval). Operations removed: share of the remaining XNOR-popcount operations, ideal / in "
      "the unit. LUT / FF / RAMB36 from Yosys.\n")
print("| network | layer | fold | engines | ops removed ideal / unit | cycles without / with | LUT / FF / RAMB36 without | with |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for entry in entries:
    name, _, _, layers = entry.split(":")
    plain, (plain_interval, _) = verify(f"{work}/{name}.plain.verify.txt")
    shared, (share_interval, _) = verify(f"{work}/{name}.share.verify.txt")
    ops = removed(f"{work}/{name}.share.analyze.txt")
    sp, ss = synth(f"{work}/{name}.plain.report.txt"), synth(f"{work}/{name}.share.report.txt")
    eng = engines(f"{work}/{name}.share")
    yaml_text = open(f"{work}/{name}.share.yaml").read()
    folds = dict((n, f"{p}x{s}") for n, p, s in re.findall(r"\{name: (\w+),.*fold: \{pe: (\d+), simd: (\d+)\}", yaml_text))
    lut_plain = lut_share = 0
    for layer in layers.split(","):
        lut_plain += sp.get(layer, (0,))[0]
        lut_share += ss.get(layer, (0,))[0]
        ideal, unit = ops.get(layer, (0.0, 0.0))
        print(f"| {name} | {layer} | {folds[layer]} | {eng.get(layer, '-')} | {ideal:.1f}% / {unit:.1f}% | "
              f"{plain[layer]:.0f} / {shared[layer]:.0f} | {fmt(sp, layer)} | {fmt(ss, layer)} |")
    ratio = f"{lut_share / lut_plain:.2f}x" if lut_plain else "-"
    print(f"| {name} | **shared layers: LUT {lut_plain} -> {lut_share} ({ratio})**; interval {plain_interval:.0f} / "
          f"{share_interval:.0f} | | | | | {fmt(sp, 'total')} | {fmt(ss, 'total')} |")
EOF
