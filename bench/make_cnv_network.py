#!/usr/bin/python3
"""Writes the CNV-sized benchmark network (random +-1 weights, thresholds at channel medians on
Fashion-MNIST) into the folder given as argument:
    conv 32, conv 32, pool, conv 64, conv 64, pool, dense 256, dense 10 on 28x28 8-bit inputs,
folded so that every conv layer needs 3136 cycles per image.
    /usr/bin/python3 bench/make_cnv_network.py OUT_DIR
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "verif", "e2e"))
import make_networks as m  # noqa: E402


def main():
    out = os.path.abspath(sys.argv[1])
    b = m.Builder("cnv_bench", m.fmnist(200), 8, seed=11)
    b.conv("conv1", 32, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 32, 3, padding=1, pe=16, simd=144)
    b.pool("pool1", 2)
    b.conv("conv3", 64, 3, padding=1, pe=16, simd=72)
    b.conv("conv4", 64, 3, padding=1, pe=16, simd=144)
    b.pool("pool2", 2)
    b.dense("fc1", 256, pe=16, simd=196)
    b.dense("fc2", 10, last=True, pe=5, simd=32)
    m.HERE = os.path.dirname(out)
    b.name = os.path.basename(out)
    b.write((1, 28, 28), None, "CNV-sized benchmark network")


if __name__ == "__main__":
    main()
