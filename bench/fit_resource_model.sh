#!/usr/bin/env bash
# Refits the resource model of generator/src/hw/resource_model.cpp (hw::estimate_layer_resources):
# writes the sample networks (bench/fit_resource_model.py make), generates and synthesises each
# with `bnngen report` (Yosys synth_xilinx, one job at a time, niced), then fits per-layer LUT and
# FF to the features of each layer's generated blocks, checks the block-RAM rule, and prints the
# coefficient table (and the C++ table for kFitted) and the model's error on the samples and under
# leave-one-network-out cross-validation.
#   bench/fit_resource_model.sh [BNNGEN] [WORK_DIR]     (default: build/ci/generator/bnngen,
#                                                        build/bench/resource_model)
# WORK_DIR caches every report (NAME/report.json): a rerun synthesises only what is missing, so a
# change of the model's features or the fit reruns in seconds. Delete WORK_DIR after a change of the
# templates or the generator (the measurements are then stale).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bnngen=${1:-$root/build/ci/generator/bnngen}
work=${2:-$root/build/bench/resource_model}
mkdir -p "$work" && work=$(cd "$work" && pwd)  # absolute: Yosys runs inside each design folder
bnngen=$(cd "$(dirname "$bnngen")" && pwd)/$(basename "$bnngen")
py=/usr/bin/python3

"$py" "$root/bench/fit_resource_model.py" make "$work"
for dir in "$work"/s*/; do
  name=$(basename "$dir")
  [ -f "$dir/network.yaml" ] || continue
  if [ ! -d "$dir/design" ]; then
    "$bnngen" generate "$dir/network.yaml" -o "$dir/design" > /dev/null
  fi
  if [ ! -f "$dir/report.json" ]; then
    echo "== synthesising $name" >&2
    start=$(date +%s)
    if nice -n 10 "$bnngen" report "$dir/network.yaml" --json "$dir/report.json.tmp" \
         > "$dir/report.md" 2> "$dir/report.err"; then
      mv "$dir/report.json.tmp" "$dir/report.json"
      echo "   $(( $(date +%s) - start )) s" >&2
    else
      echo "   bnngen report failed on $name (see $dir/report.err): left out" >&2
    fi
  fi
done
"$py" "$root/bench/fit_resource_model.py" fit "$work"
