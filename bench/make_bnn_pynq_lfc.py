#!/usr/bin/python3
"""Writes BNN-PYNQ's LFC-W1A1 (Xilinx BNN-PYNQ `lfc.py` / `config.h`) at its own folding, with
random +-1 weights and thresholds at channel medians, on Fashion-MNIST test images binarised at 128
(1-bit inputs, as BNN-PYNQ's MNIST host code does), into the folder given as argument
(network.yaml, weights.npz, images.npy):

    fc0 784->1024 (pe 32, simd 49), fc1 1024->1024 (64, 32), fc2 1024->1024 (32, 64),
    fc3 1024->10 scores (pe 10, simd 8)

Every layer computes a vector in 512 cycles except fc3 (128); BNN-PYNQ streams 64 input bits per
beat, so does this network (`input: {pixels_per_beat: 64}`: 13 beats per image, the last with 16
pixels). --pixels-per-beat 1 writes the one-pixel-per-beat variant, whose input stream sets the
interval (784 beats).
    /usr/bin/python3 bench/make_bnn_pynq_lfc.py OUT_DIR [--images N] [--pixels-per-beat P]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verif", "e2e"))
import make_networks as m  # noqa: E402

# (name, out features, pe, simd) of BNN-PYNQ's LFC-W1A1 folding; fc3 at pe 10 on its 10 real rows
DENSE = [("fc0", 1024, 32, 49), ("fc1", 1024, 64, 32), ("fc2", 1024, 32, 64)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--pixels-per-beat", type=int, default=64)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    images = (m.fmnist(args.images) >= 128).astype(np.uint8)
    b = m.Builder(os.path.basename(out), images.astype(np.int64), 1, seed=17)
    for name, features, pe, simd in DENSE:
        b.dense(name, features, pe=pe, simd=simd)
    b.dense("fc3", 10, last=True, pe=10, simd=8)
    m.HERE = os.path.dirname(out)
    b.write((1, 28, 28), images, f"BNN-PYNQ LFC-W1A1 at BNN-PYNQ's folding (random weights), "
            f"{args.pixels_per_beat} pixels per beat", pixels_per_beat=args.pixels_per_beat)
    # BNN-PYNQ's LFC runs on the PYNQ-Z1 (xc7z020) as well as the Ultra96: the 7-series part
    yaml = os.path.join(out, "network.yaml")
    with open(yaml) as f:
        text = f.read()
    with open(yaml, "w") as f:
        f.write(text.replace("part: xczu3eg-sbva484-1-e", "part: xc7z020clg400-1"))


if __name__ == "__main__":
    main()
