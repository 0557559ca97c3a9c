#!/usr/bin/env bash
# BNN-PYNQ's CNV-W1A1 at BNN-PYNQ's own folding, against BNN-PYNQ's published figures (issue 16),
# in one run:
#   - writes the network (bench/make_bnn_pynq_cnv.py: BNN-PYNQ's topology and PE/SIMD, random +-1
#     weights, thresholds at channel medians, random 32x32x3 8-bit images; part xc7z020, the PYNQ-Z1);
#   - co-simulates IMAGES images without stalls (bnngen verify): 0 mismatches against the golden
#     model, every counter equal to its count, and the steady-state cycles per image (BNN-PYNQ:
#     32 768, set by fc6 / fc7);
#   - synthesises it with Yosys (bnngen report --json) unless --no-synth: per layer LUT, the
#     report's LUT lower bound, FF, RAMB18 / RAMB36, LUTRAM; totals against BNN-PYNQ's Vivado figures
#     (26 072 LUT, 41 312 FF, 124 BRAM tiles, 24 DSP; CNV-W1A1 on the Ultra96).
# Prints one Markdown table.
#   bench/bnn_pynq_cnv.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth]
#                         (default: build/ci/generator/bnngen, build/bench/bnn_pynq_cnv, 4)
# About 3 minutes of co-simulation for 4 images, and 7-15 minutes of Yosys.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bench_options bnn_pynq_cnv "${1:-}" "${2:-}" "${3:-4}" "${4:-}"

net=$work/cnv_w1a1
/usr/bin/python3 "$root/bench/make_bnn_pynq_cnv.py" "$net" --images "$images" >/dev/null
echo "== co-simulation: $images images, no stalls" >&2
verify_clean "$bnngen" "$net/network.yaml" "$net/images.npy" "$images" "$work/design" "$work/build" "$work/cnv_w1a1"
if [ -n "$synth" ]; then
  echo "== Yosys (bnngen report)" >&2
  "$bnngen" report "$net/network.yaml" --json "$work/report.json" --work "$work/synth" > "$work/report.md"
else
  rm -f "$work/report.json"
fi

/usr/bin/python3 - "$root" "$work" "$images" <<'PY'
import json, os, sys
root, work, images = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(root, "bench"))
import bench_tables as t
layers, (measured, predicted) = t.verify(os.path.join(work, "cnv_w1a1.verify.txt"))
print(f"## BNN-PYNQ CNV-W1A1 at BNN-PYNQ's folding ({images} images co-simulated, 0 mismatches)\n")
print(f"cycles per image (steady state, co-simulated): {measured:.0f} (cycle model {predicted:.0f}; BNN-PYNQ 32768)\n")
path = os.path.join(work, "report.json")
if not os.path.exists(path):
    print("(no synthesis: --no-synth)")
    sys.exit(0)
report = json.load(open(path))
print(f"Yosys `{report['synth_command']}` on `{report['part']}` ({report['yosys']}).\n")
print("| layer | unit cycles/image | LUT | LUT bound | LUT / bound | FF | RAMB18 | RAMB36 | LUTRAM | levels | est. MHz |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in report["layers"] + [dict(report["top_level"], layer="top-level")]:
    cyc = layers.get(r["layer"], (None, None))[0]
    bound = r.get("lut_bound", 0)
    ratio = f"{r['lut'] / bound:.1f}x" if bound else ""
    print(f"| {r['layer']} | {'' if cyc is None else f'{cyc:.0f}'} | {r['lut']} | {bound or ''} | {ratio} | {r['ff']} | "
          f"{r['ramb18']} | {r['ramb36']} | {r['lutram']} | {r['logic_levels']} | {r['estimated_mhz']:.0f} |")
tot = report["total"]
tiles = tot["ramb36"] + tot["ramb18"] / 2
print(f"| **total** | | **{tot['lut']}** | {tot.get('lut_bound', '')} | {tot['lut'] / tot['lut_bound']:.1f}x | "
      f"**{tot['ff']}** | {tot['ramb18']} | {tot['ramb36']} | {tot['lutram']} | {tot['logic_levels']} | "
      f"{tot['estimated_mhz']:.0f} |\n")
print("| | bnngen (Yosys) | BNN-PYNQ (Vivado) | ratio |")
print("|---|---:|---:|---:|")
for name, ours, theirs in [("LUT + LUTRAM", tot["lut"] + tot["lutram"], 26072), ("FF", tot["ff"], 41312),
                           ("BRAM tiles (36 Kb)", tiles, 124), ("DSP", tot["dsp"], 24),
                           ("cycles per image", measured, 32768)]:
    print(f"| {name} | {ours:g} | {theirs} | {ours / theirs:.2f} |")
PY
