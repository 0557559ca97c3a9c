#!/usr/bin/env bash
# The main job on the shipped trained example, from a fresh Debian 12 machine: installs what is
# missing, builds bnngen, checks the network and runs its golden model on the 10 000 Fashion-MNIST
# test images, printing per-layer operations, accuracy and throughput.
#   scripts/demo.sh [NETWORK.yaml]
set -euo pipefail
cd "$(dirname "$0")/.."
network=${1:-examples/fmnist_small/network.yaml}
data=/usr/share/datasets/fashion-mnist

scripts/setup.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" --target bnngen >/dev/null
bnngen=build/ci/generator/bnngen

"$bnngen" check "$network"
"$bnngen" infer "$network" --images "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz"
