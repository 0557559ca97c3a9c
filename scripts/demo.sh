#!/usr/bin/env bash
# The main job on the shipped trained example, from a fresh Debian 12 machine: installs what is
# missing, builds bnngen, checks the network, runs its golden model on the 10 000 Fashion-MNIST
# test images, generates the Verilog accelerator into rtl_out/ and co-simulates it in Verilator on
# the first images (random stalls on both AXI streams), comparing every result and every layer's
# cycle and skip counters with the golden model; then measures, without stalls, the cycles per
# image against the same network unpruned at the same folding (bnngen analyze --rtl).
#   scripts/demo.sh [NETWORK.yaml] [IMAGES_TO_SIMULATE]
# Default: examples/fmnist_cnv_pruned_spatial (CNV-sized, 75% of the binary conv kernels pruned,
# exact spatial pruning on conv2-4).
set -euo pipefail
cd "$(dirname "$0")/.."
network=${1:-examples/fmnist_cnv_pruned_spatial/network.yaml}
simulate=${2:-300}
data=/usr/share/datasets/fashion-mnist

scripts/setup.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" --target bnngen >/dev/null
bnngen=build/ci/generator/bnngen

echo "== check"
"$bnngen" check "$network"
echo "== golden model on all test images"
"$bnngen" infer "$network" --images "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz"
echo "== generate the accelerator into rtl_out/ and co-simulate $simulate images (random stalls) against the golden model"
"$bnngen" verify "$network" --images "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz" \
  --limit "$simulate" --stall 0.1
echo "== cycles per image without stalls, against the same network unpruned at the same folding"
"$bnngen" analyze "$network" --images "$data/t10k-images-idx3-ubyte.gz" --limit "$simulate" --rtl \
  --rtl-limit "$simulate"
