#!/usr/bin/python3
"""Writes BNN-PYNQ's CNV-W1A1 (Xilinx BNN-PYNQ `cnv.py` / `config.h`) at its own folding, with
random +-1 weights and thresholds at channel medians on random 32x32x3 8-bit images, into the folder
given as argument (network.yaml, weights.npz, images.npy):

    conv0 3->64, conv1 64->64, pool, conv2 64->128, conv3 128->128, pool, conv4 128->256,
    conv5 256->256 (3x3, no padding), fc6 256->512, fc7 512->512, fc8 512->10 (scores)

Random weights are enough for resources and for exactness checks (every output bit varies).
    /usr/bin/python3 bench/make_bnn_pynq_cnv.py OUT_DIR [--images N]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verif", "e2e"))
import make_networks as m  # noqa: E402

# (name, out channels, pe, simd) of BNN-PYNQ's CNV-W1A1 folding; fc8 at pe 2 on its 10 real rows
CONV = [("conv0", 64, 16, 3), ("conv1", 64, 32, 32), ("conv2", 128, 16, 32),
        ("conv3", 128, 16, 32), ("conv4", 256, 4, 32), ("conv5", 256, 1, 32)]
POOL_AFTER = {"conv1": "pool1", "conv3": "pool2"}
DENSE = [("fc6", 512, 1, 4), ("fc7", 512, 1, 8)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--images", type=int, default=40)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    rng = np.random.default_rng(16)
    images = rng.integers(0, 256, (args.images, 3, 32, 32)).astype(np.uint8)
    b = m.Builder(os.path.basename(out), images.astype(np.int64), 8, seed=16)
    for name, channels, pe, simd in CONV:
        b.conv(name, channels, 3, padding=0, pe=pe, simd=simd)
        if name in POOL_AFTER:
            b.pool(POOL_AFTER[name], 2)
    for name, features, pe, simd in DENSE:
        b.dense(name, features, pe=pe, simd=simd)
    b.dense("fc8", 10, last=True, pe=2, simd=1)
    m.HERE = os.path.dirname(out)
    b.write((3, 32, 32), images, "BNN-PYNQ CNV-W1A1 at BNN-PYNQ's folding (random weights)")
    # BNN-PYNQ's CNV runs on the PYNQ-Z1 (xc7z020) as well as the Ultra96: the 7-series part
    yaml = os.path.join(out, "network.yaml")
    with open(yaml) as f:
        text = f.read()
    with open(yaml, "w") as f:
        f.write(text.replace("part: xczu3eg-sbva484-1-e", "part: xc7z020clg400-1"))


if __name__ == "__main__":
    main()
