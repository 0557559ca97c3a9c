#!/usr/bin/env bash
# bnngen fold at a target, then the folded description co-simulated: every output equal to the
# golden model's, and the co-simulated cycles per image within the target.
#   fold_then_verify.sh BNNGEN NETWORK.yaml IMAGES_FILE IMAGES_PER_SECOND COSIM_IMAGES [fold options...]
set -euo pipefail
bnngen=$1 network=$2 images=$3 ips=$4 count=$5
shift 5
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bnngen" fold "$network" --images-per-second "$ips" --images "$images" -o "$out/folded.yaml" "$@" | tee "$out/fold.txt"
target=$(sed -n 's/^target: \([0-9]*\) cycles.*/\1/p' "$out/fold.txt")
"$bnngen" verify "$out/folded.yaml" --images "$images" --limit "$count" --stall 0 -o "$out/design" > "$out/verify.txt" ||
  { cat "$out/verify.txt"; exit 1; }
grep "^mismatches: 0 of $count images" "$out/verify.txt"
measured=$(sed -n 's/^cycles per image (steady state): measured \([0-9.]*\),.*/\1/p' "$out/verify.txt")
echo "target $target cycles/image, co-simulated $measured"
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$measured') <= $target else 1)" ||
  { echo "the folded design misses its target"; exit 1; }
