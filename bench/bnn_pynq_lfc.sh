#!/usr/bin/env bash
# BNN-PYNQ's LFC-W1A1 at BNN-PYNQ's own folding (issue 16: "an LFC-like network at BNN-PYNQ's folding
# co-simulates at 512 cycles per image"), in one run, side by side:
#   - writes the network twice (bench/make_bnn_pynq_lfc.py: BNN-PYNQ's topology and PE/SIMD, random
#     +-1 weights, thresholds at channel medians, Fashion-MNIST binarised at 128; part xc7z020): with
#     64 pixels per s_axis beat (BNN-PYNQ's 64-bit input stream) and with one pixel per beat;
#   - co-simulates IMAGES images of each without stalls (bnngen verify): 0 mismatches against the
#     golden model, every counter equal to its count, the AXI-Lite registers against the harness's
#     counts, and the steady-state cycles per image (BNN-PYNQ: 512; one pixel per beat: 785, set by
#     the input stream);
#   - synthesises the 64-pixel design with Yosys (bnngen report --json) unless --no-synth.
# Prints one Markdown table.
#   bench/bnn_pynq_lfc.sh [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth]
#                         (default: build/ci/generator/bnngen, build/bench/bnn_pynq_lfc, 20)
# About 2 minutes of Verilator builds, seconds of simulation, and minutes of Yosys.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/bench/lib.sh"
bench_options bnn_pynq_lfc "${1:-}" "${2:-}" "${3:-20}" "${4:-}"

for per_beat in 64 1; do
  net=$work/lfc_w1a1_p$per_beat
  /usr/bin/python3 "$root/bench/make_bnn_pynq_lfc.py" "$net" --images "$images" --pixels-per-beat "$per_beat" >/dev/null
  echo "== co-simulation, $per_beat pixels per beat: $images images, no stalls" >&2
  verify_clean "$bnngen" "$net/network.yaml" "$net/images.npy" "$images" "$work/design_p$per_beat" "$work/build" \
    "$work/lfc_w1a1_p$per_beat"
done
if [ -n "$synth" ]; then
  echo "== Yosys (bnngen report), 64 pixels per beat" >&2
  "$bnngen" report "$work/lfc_w1a1_p64/network.yaml" --json "$work/report.json" --work "$work/synth" > "$work/report.md"
else
  rm -f "$work/report.json"
fi

/usr/bin/python3 - "$root" "$work" "$images" <<'PY'
import json, os, sys
root, work, images = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(root, "bench"))
import bench_tables as t
runs = {p: t.verify(os.path.join(work, f"lfc_w1a1_p{p}.verify.txt")) for p in (64, 1)}
print(f"## BNN-PYNQ LFC-W1A1 at BNN-PYNQ's folding ({images} images co-simulated each, 0 mismatches)\n")
print("| layer | unit cycles/image, 64 pixels per beat | unit cycles/image, 1 pixel per beat |")
print("|---|---:|---:|")
for layer in runs[64][0]:
    print(f"| {layer} | {runs[64][0][layer][0]:.0f} | {runs[1][0][layer][0]:.0f} |")
print(f"| **cycles per image** (steady state; cycle model) | **{runs[64][1][0]:.0f}** ({runs[64][1][1]:.0f}) | "
      f"{runs[1][1][0]:.0f} ({runs[1][1][1]:.0f}) |\n")
print(f"BNN-PYNQ LFC-W1A1: 512 cycles per image; ratio (1 pixel per beat) / (64 per beat): "
      f"{runs[1][1][0] / runs[64][1][0]:.2f}\n")
path = os.path.join(work, "report.json")
if not os.path.exists(path):
    print("(no synthesis: --no-synth)")
    sys.exit(0)
report = json.load(open(path))
print(f"Yosys `{report['synth_command']}` on `{report['part']}` ({report['yosys']}), 64 pixels per beat:\n")
print("| layer | LUT | LUT bound | FF | RAMB18 | RAMB36 | LUTRAM | levels | est. MHz |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in report["layers"] + [dict(report["top_level"], layer="top-level"), dict(report["total"], layer="**total**")]:
    print(f"| {r['layer']} | {r['lut']} | {r.get('lut_bound') or ''} | {r['ff']} | {r['ramb18']} | {r['ramb36']} | "
          f"{r['lutram']} | {r['logic_levels']} | {r['estimated_mhz']:.0f} |")
PY
