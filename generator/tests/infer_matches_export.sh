#!/usr/bin/env bash
# bnngen infer on a shipped example must reproduce, score for score, the integer scores that the
# exporter's independent numpy model wrote (test_scores.npy), on every Fashion-MNIST test image.
#   infer_matches_export.sh BNNGEN EXAMPLE FASHION_MNIST_DIR [EXPECTED_SCORES.npy]
# EXAMPLE is a directory holding network.yaml, or a network's .yaml file. EXPECTED_SCORES defaults
# to EXAMPLE/test_scores.npy; give another network's scores for a variant that must not change them.
set -euo pipefail
bnngen=$1 example=$2 data=$3 expected=${4:-$2/test_scores.npy}
network=$example
[[ -d $example ]] && network=$example/network.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bnngen" infer "$network" --images "$data/t10k-images-idx3-ubyte.gz" \
  --labels "$data/t10k-labels-idx1-ubyte.gz" --out "$out/scores.npy"
/usr/bin/python3 - "$out/scores.npy" "$expected" <<'PY'
import sys
import numpy as np
ours, theirs = np.load(sys.argv[1]), np.load(sys.argv[2])
n = min(len(ours), len(theirs))
assert n > 0, "no scores to compare"
differ = np.nonzero((ours[:n] != theirs[:n]).any(axis=1))[0]
print(f"compared {n} images x {ours.shape[1]} scores: {len(differ)} images differ")
if len(differ):
    i = differ[0]
    print(f"first difference: image {i}: bnngen {ours[i].tolist()} exporter {theirs[i].tolist()}")
    sys.exit(1)
PY
