#!/usr/bin/python3
"""Writes the end-to-end test networks of verif/e2e/ (network.yaml, weights.npz, and images.npy
where Fashion-MNIST does not fit) with fixed seeds, so the committed files can be regenerated
byte for byte:  /usr/bin/python3 verif/e2e/make_networks.py

Weights are random +-1; thresholds are set near the median pre-activation of each channel on the
network's own test images, so that output bits really vary and a wrong bit shows up in the scores.
"""
import gzip
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FMNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def fmnist(count):
    with gzip.open(FMNIST, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 1, 28, 28)[:count].astype(np.int64)


def conv(x, w, stride, padding, pad_value):
    """x [N,C,H,W] integers (+-1 for binary layers), w [O,C,k,k] +-1 -> s [N,O,H',W']."""
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.full((n, c, h + 2 * padding, wd + 2 * padding), pad_value, np.int64)
    xp[:, :, padding:padding + h, padding:padding + wd] = x
    oh = (h + 2 * padding - k) // stride + 1
    ow = (wd + 2 * padding - k) // stride + 1
    s = np.zeros((n, o, oh, ow), np.int64)
    for ky in range(k):
        for kx in range(k):
            patch = xp[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride]
            s += np.einsum("nchw,oc->nohw", patch, w[:, :, ky, kx].astype(np.int64))
    return s


def pool(bits, k, stride):
    n, c, h, w = bits.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.zeros((n, c, oh, ow), np.int64)
    for ky in range(k):
        for kx in range(k):
            out = np.maximum(out, bits[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride])
    return out


def median_threshold(s):
    """Per-channel median of s over images and positions, as int32."""
    axes = (0, 2, 3) if s.ndim == 4 else (0,)
    return np.median(s, axis=axes).round().astype(np.int32)


class Builder:
    def __init__(self, name, images, bits, seed):
        self.rng = np.random.default_rng(seed)
        self.name = name
        self.x = images              # current activations: integers, then 0/1 bits
        self.integer = True
        self.bits = bits
        self.arrays = {}
        self.layers = []

    def signs(self, *shape):
        return (self.rng.integers(0, 2, shape) * 2 - 1).astype(np.int8)

    def values(self):
        return self.x if self.integer else self.x * 2 - 1

    def conv(self, name, out, k, stride=1, padding=0, pad_value=-1, pe=1, simd=1):
        c = self.x.shape[1]
        w = self.signs(out, c, k, k)
        pad = 0 if self.integer else pad_value
        s = conv(self.values(), w, stride, padding, pad)
        t = median_threshold(s)
        self.arrays[f"{name}.weight"], self.arrays[f"{name}.threshold"] = w, t
        extra = "" if self.integer else f", pad_value: {pad_value:+d}"
        self.layers.append(f"{{name: {name}, type: conv, out_channels: {out}, kernel: {k}, stride: {stride}, "
                           f"padding: {padding}{extra}, fold: {{pe: {pe}, simd: {simd}}}}}")
        self.x = (s >= t[None, :, None, None]).astype(np.int64)
        self.integer = False

    def pool(self, name, k, stride=None):
        stride = stride or k
        self.layers.append(f"{{name: {name}, type: maxpool, kernel: {k}, stride: {stride}}}")
        self.x = pool(self.x, k, stride)

    def dense(self, name, out, last=False, threshold_last=False, pe=1, simd=1):
        flat = self.values().reshape(self.x.shape[0], -1)
        w = self.signs(out, flat.shape[1])
        s = flat @ w.T.astype(np.int64)
        self.arrays[f"{name}.weight"] = w
        if last and not threshold_last:
            self.arrays[f"{name}.bias"] = self.rng.integers(-3, 4, out).astype(np.int32)
            act = "none"
        else:
            t = median_threshold(s)
            self.arrays[f"{name}.threshold"] = t
            act = "threshold"
            self.x = (s >= t[None, :]).astype(np.int64).reshape(-1, out, 1, 1)
        self.integer = False
        self.layers.append(f"{{name: {name}, type: dense, out_features: {out}, activation: {act}, "
                           f"fold: {{pe: {pe}, simd: {simd}}}}}")

    def write(self, shape, images_file, note):
        folder = os.path.join(HERE, self.name)
        os.makedirs(folder, exist_ok=True)
        c, h, w = shape
        lines = [f"# End-to-end test network: {note}.",
                 "# Written by verif/e2e/make_networks.py (random weights, thresholds at channel medians).",
                 f"name: {self.name}",
                 f"input: {{channels: {c}, height: {h}, width: {w}, bits: {self.bits}}}",
                 "weights: weights.npz",
                 "target: {part: xczu3eg-sbva484-1-e, clock_mhz: 200}",
                 "layers:"] + [f"  - {layer}" for layer in self.layers]
        with open(os.path.join(folder, "network.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        np.savez_compressed(os.path.join(folder, "weights.npz"), **self.arrays)
        if images_file is not None:
            np.save(os.path.join(folder, "images.npy"), images_file)


def main():
    # 1. conv net with padding 1 and pools, on Fashion-MNIST.
    b = Builder("fmnist_conv", fmnist(120), 8, seed=1)
    b.conv("conv1", 8, 3, padding=1, pe=4, simd=9)
    b.pool("pool1", 2)
    b.conv("conv2", 16, 3, padding=1, pe=4, simd=24)
    b.pool("pool2", 2)
    b.dense("fc1", 10, last=True, pe=2, simd=49)
    b.write((1, 28, 28), None, "conv with padding 1 and pools on Fashion-MNIST")

    # 2. dense-only MLP on 1-bit inputs (Fashion-MNIST thresholded at 128).
    binary = (fmnist(120) >= 128).astype(np.uint8)
    b = Builder("mlp_1bit", binary.astype(np.int64), 1, seed=2)
    b.dense("fc1", 64, pe=8, simd=49)
    b.dense("fc2", 32, pe=4, simd=16)
    b.dense("fc3", 10, last=True, pe=5, simd=8)
    b.write((1, 28, 28), binary, "dense-only MLP on 1-bit inputs")

    # 3. stride 2 with padding 0, then padding 1 with pad_value +1, on 4-bit random images.
    rng = np.random.default_rng(3)
    images = rng.integers(0, 16, (120, 2, 15, 15)).astype(np.uint8)
    images[::2, :, :5, :] = 0  # some background
    b = Builder("stride2_pad_plus", images.astype(np.int64), 4, seed=3)
    b.conv("conv1", 6, 3, pe=3, simd=6)
    b.conv("conv2", 8, 3, stride=2, padding=0, pe=2, simd=9)
    b.conv("conv3", 8, 3, padding=1, pad_value=+1, pe=4, simd=24)
    b.dense("fc1", 4, last=True, pe=2, simd=32)
    b.write((2, 15, 15), images, "stride 2, padding 0, and pad_value +1")

    # 4. odd channel counts, 5x5 kernels, an overlapping pool, a threshold last layer.
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, (120, 3, 17, 17)).astype(np.uint8)
    b = Builder("odd_5x5", images.astype(np.int64), 8, seed=4)
    b.conv("conv1", 5, 5, padding=2, pe=5, simd=15)
    b.pool("pool1", 3, 2)
    b.conv("conv2", 7, 5, padding=1, pad_value=-1, pe=7, simd=25)
    b.dense("fc1", 3, last=True, threshold_last=True, pe=3, simd=36)
    b.write((3, 17, 17), images, "odd channel counts, 5x5 kernels, overlapping pool, threshold last layer")


if __name__ == "__main__":
    main()
