#!/usr/bin/env bash
# Installs everything bnngen needs from Debian's packages. Idempotent: packages already present are
# not touched, and apt-get runs only when something is missing.
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --train    also PyTorch for the example trainer
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libfmt-dev libcli11-dev libyaml-cpp-dev doctest-dev zlib1g-dev
  verilator yosys iverilog tcl
  dataset-fashion-mnist python3 python3-numpy python3-onnx
)
if [[ "${1:-}" == "--train" ]]; then
  packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
