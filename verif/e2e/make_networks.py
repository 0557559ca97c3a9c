#!/usr/bin/python3
"""Writes the end-to-end test networks of verif/e2e/ (network.yaml, weights.npz, and images.npy
where Fashion-MNIST does not fit) with fixed seeds, so the committed files can be regenerated
byte for byte:  /usr/bin/python3 verif/e2e/make_networks.py

Weights are random +-1; thresholds are set near the median pre-activation of each channel on the
network's own test images, so that output bits really vary and a wrong bit shows up in the scores.
"""
import gzip
import os
import re

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
        self.soc = None              # the YAML value of `soc`, when not the default
        self.x = images              # current activations: integers, then 0/1 bits
        self.integer = True
        self.bits = bits
        self.arrays = {}
        self.layers = []

    def signs(self, *shape):
        return (self.rng.integers(0, 2, shape) * 2 - 1).astype(np.int8)

    def values(self):
        return self.x if self.integer else self.x * 2 - 1

    def conv(self, name, out, k, stride=1, padding=0, pad_value=-1, pe=1, simd=1, keep=None, mask_group=1,
             spatial=None, share=None, kernel_pool=None, reuse=None):
        """keep: kernels kept per output channel (random structured mask, the same for runs of
        mask_group consecutive channels); spatial: tolerance of background spatial pruning;
        share: result sharing mode (repeated or inverse); kernel_pool: draw each input channel's
        kernels from this many random kernels, some inverted, so that they repeat; reuse: similarity
        reuse mode (inputs)."""
        c = self.x.shape[1]
        w = self.signs(out, c, k, k)
        if kernel_pool is not None:
            for i in range(c):
                pool_kernels = self.signs(kernel_pool, k, k)
                picks = self.rng.integers(0, kernel_pool, out)
                flips = np.where(self.rng.random(out) < 0.3, -1, 1).astype(np.int8)
                w[:, i] = pool_kernels[picks] * flips[:, None, None]
        mask = np.ones((out, c), np.uint8)
        if keep is not None:
            for o in range(0, out, mask_group):
                row = np.zeros(c, np.uint8)
                row[self.rng.choice(c, keep, replace=False)] = 1
                mask[o:o + mask_group] = row
            self.arrays[f"{name}.kernel_mask"] = mask
        pad = 0 if self.integer else pad_value
        s = conv(self.values(), w * mask[:, :, None, None], stride, padding, pad)
        t = median_threshold(s)
        self.arrays[f"{name}.weight"], self.arrays[f"{name}.threshold"] = w, t
        extra = "" if self.integer else f", pad_value: {pad_value:+d}"
        prune = []
        if keep is not None:
            prune.append(f"kernels: {{keep: {keep}}}")
        if spatial is not None:
            prune.append(f"spatial: {{mode: background, tolerance: {spatial}}}")
        if share is not None:
            prune.append(f"share: {{mode: {share}}}")
        if reuse is not None:
            prune.append(f"reuse: {{mode: {reuse}}}")
        if prune:
            extra += f", prune: {{{', '.join(prune)}}}"
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

    def write(self, shape, images_file, note, unpruned_twin=False, soc=None, pixels_per_beat=1):
        """unpruned_twin: also write unpruned.yaml, the same network without spatial pruning,
        result sharing and similarity reuse, whose outputs the (tolerance-0) design must reproduce exactly.  soc: the
        YAML value of `soc`. pixels_per_beat: the input stream's (1: the key is left out)."""
        self.soc = soc
        self.pixels_per_beat = pixels_per_beat
        folder = os.path.join(HERE, self.name)
        os.makedirs(folder, exist_ok=True)
        c, h, w = shape
        if unpruned_twin:
            twin = []
            for layer in self.layers:
                for key in ("spatial", "share", "reuse"):
                    layer = re.sub(r"prune: \{" + key + r": \{[^}]*\}\}, ", "", layer)
                    layer = re.sub(r", " + key + r": \{[^}]*\}", "", layer)
                    layer = re.sub(r"prune: \{" + key + r": \{[^}]*\}, ", "prune: {", layer)
                twin.append(layer)
            self._write_yaml(os.path.join(folder, "unpruned.yaml"), shape,
                             f"{note}, without its spatial pruning, result sharing and reuse", twin, self.name + "_unpruned")
        self._write_yaml(os.path.join(folder, "network.yaml"), shape, note, self.layers, self.name)
        np.savez_compressed(os.path.join(folder, "weights.npz"), **self.arrays)
        if images_file is not None:
            np.save(os.path.join(folder, "images.npy"), images_file)

    def _write_yaml(self, path, shape, note, layers, name):
        c, h, w = shape
        lines = [f"# End-to-end test network: {note}.",
                 "# Written by verif/e2e/make_networks.py (random weights, thresholds at channel medians).",
                 f"name: {name}",
                 f"input: {{channels: {c}, height: {h}, width: {w}, bits: {self.bits}"
                 + (f", pixels_per_beat: {self.pixels_per_beat}" if self.pixels_per_beat > 1 else "") + "}",
                 "weights: weights.npz",
                 "target: {part: xczu3eg-sbva484-1-e, clock_mhz: 200}"]
        if self.soc:
            lines.append(f"soc: {self.soc}")
        lines += ["layers:"] + [f"  - {layer}" for layer in layers]
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


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
    # the pure streaming block: no s_axi_ctrl (the harness reads the counters by name); 64 pixels
    # per s_axis beat (BNN-PYNQ's LFC width), 13 beats an image, the last with 16
    b.write((1, 28, 28), binary, "dense-only MLP on 1-bit inputs, 64 pixels per beat, without AXI-Lite",
            soc="{axi_lite: false}", pixels_per_beat=64)

    # 3. stride 2 with padding 0, then padding 1 with pad_value +1, on 4-bit random images.
    rng = np.random.default_rng(3)
    images = rng.integers(0, 16, (120, 2, 15, 15)).astype(np.uint8)
    images[::2, :, :5, :] = 0  # some background
    b = Builder("stride2_pad_plus", images.astype(np.int64), 4, seed=3)
    b.conv("conv1", 6, 3, pe=3, simd=6)
    b.conv("conv2", 8, 3, stride=2, padding=0, pe=2, simd=9)
    b.conv("conv3", 8, 3, padding=1, pad_value=+1, pe=4, simd=24)
    b.dense("fc1", 4, last=True, pe=2, simd=32)
    # 4 pixels per s_axis beat into a conv layer (stream_unpack): 57 beats an image, the last with 1
    b.write((2, 15, 15), images, "stride 2, padding 0, pad_value +1, 4 pixels per beat", pixels_per_beat=4)

    # 4. odd channel counts, 5x5 kernels, an overlapping pool, a threshold last layer.
    rng = np.random.default_rng(4)
    images = rng.integers(0, 256, (120, 3, 17, 17)).astype(np.uint8)
    b = Builder("odd_5x5", images.astype(np.int64), 8, seed=4)
    b.conv("conv1", 5, 5, padding=2, pe=5, simd=15)
    b.pool("pool1", 3, 2)
    b.conv("conv2", 7, 5, padding=1, pad_value=-1, pe=7, simd=25)
    b.dense("fc1", 3, last=True, threshold_last=True, pe=3, simd=36)
    b.write((3, 17, 17), images, "odd channel counts, 5x5 kernels, overlapping pool, threshold last layer")

    # 5. structured kernel pruning at K = 1, K = C/4 with kernels shared by a fold's PEs, K = C, and
    #    chunks smaller than a kernel (simd 12 with 3x3 kernels), on Fashion-MNIST.
    b = Builder("kernel_pruned", fmnist(120), 8, seed=5)
    b.conv("conv1", 8, 3, padding=1, pe=4, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=4, simd=9, keep=1)
    b.pool("pool1", 2)
    b.conv("conv3", 16, 3, padding=1, pe=4, simd=12, keep=4, mask_group=4)
    b.conv("conv4", 8, 3, padding=1, pe=2, simd=48, keep=16)
    b.pool("pool2", 2)
    b.dense("fc1", 10, last=True, pe=2, simd=49)
    b.write((1, 28, 28), None, "kernel pruning at keep 1, 4 of 16 (shared by each fold), 16 of 16")

    # 6. spatial pruning at tolerance 0 and 2, with and without kernel pruning, an integer first layer
    #    with 3 channels keeping 2, and pad_value +1; images with background (zero) regions.
    rng = np.random.default_rng(6)
    images = rng.integers(0, 256, (120, 3, 16, 16)).astype(np.uint8)
    for i in range(images.shape[0]):
        y0, x0 = rng.integers(0, 11, 2)
        keep_box = np.zeros((16, 16), bool)
        keep_box[y0:y0 + 5, x0:x0 + 5] = True
        images[i, :, ~keep_box] = 0
    b = Builder("spatial_pruned", images.astype(np.int64), 8, seed=6)
    b.conv("conv1", 8, 3, padding=1, pe=4, simd=9, keep=2)
    b.conv("conv2", 8, 3, padding=1, pe=2, simd=24, spatial=2)
    b.pool("pool1", 2)
    b.conv("conv3", 16, 3, padding=1, pad_value=-1, pe=4, simd=27, keep=3, spatial=0)
    b.conv("conv4", 8, 3, padding=1, pad_value=+1, pe=8, simd=16, spatial=1)
    b.dense("fc1", 5, last=True, pe=5, simd=32)
    b.write((3, 16, 16), images, "spatial pruning at tolerance 0 and 2, with kernel pruning")

    # 7. tolerance 0 only (exact): the design must reproduce the unpruned twin bit for bit.
    b = Builder("spatial_exact", fmnist(120), 8, seed=7)
    b.conv("conv1", 16, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=4, simd=36, keep=4, spatial=0)
    b.pool("pool1", 2)
    b.conv("conv3", 16, 3, padding=1, pe=4, simd=72, spatial=0)
    b.pool("pool2", 2)
    b.dense("fc1", 10, last=True, pe=2, simd=49)
    b.write((1, 28, 28), None, "exact spatial pruning (tolerance 0) with kernel pruning", unpruned_twin=True)

    # 8. a 1x1 first conv (sliding_window with KERNEL 1: no line buffer) on 7-bit pixels of 5
    #    channels, fully folded (pe 1, simd 1), then a kernel-pruned 3x3 conv and a dense last layer.
    rng = np.random.default_rng(8)
    images = rng.integers(0, 128, (120, 5, 6, 6)).astype(np.uint8)
    b = Builder("pointwise_1x1", images.astype(np.int64), 7, seed=8)
    b.conv("conv0", 38, 1, pe=1, simd=1)
    b.conv("conv1", 8, 3, padding=1, pe=2, simd=9, keep=5)
    b.dense("fc1", 4, last=True, pe=2, simd=16)
    b.write((5, 6, 6), images, "1x1 first conv on 7-bit pixels, then a kernel-pruned 3x3 conv")

    # 9. result sharing: identical or inverse kernels with kernel pruning and exact spatial pruning
    #    (2 input channels a step), then identical kernels with pad_value +1 (all 16 channels in one
    #    step, one lane per output channel); kernels drawn from small pools per input channel so that
    #    they repeat. The design must reproduce the network without sharing and spatial pruning.
    b = Builder("result_sharing", fmnist(120), 8, seed=9)
    b.conv("conv1", 8, 3, padding=1, pe=4, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=8, simd=18, keep=4, spatial=0, share="inverse", kernel_pool=2)
    b.pool("pool1", 2)
    b.conv("conv3", 16, 3, padding=1, pad_value=+1, pe=16, simd=144, share="repeated", kernel_pool=3)
    b.pool("pool2", 2)
    b.dense("fc1", 10, last=True, pe=2, simd=49)
    b.write((1, 28, 28), None, "result sharing (inverse with kernel and exact spatial pruning, repeated)",
            unpruned_twin=True)
    similarity_reuse()


def similarity_reuse():
    # 10. similarity reuse of input windows: with kernel pruning and exact spatial pruning
    #     (kernel-major chunks of one 3x3 kernel, pruned chunks skipped), then tap-major chunks of 4
    #     channels with pad_value +1 and stride 2, all 16 output channels in one lane set. The design
    #     must reproduce the network without reuse and spatial pruning.
    b = Builder("similarity_reuse", fmnist(120), 8, seed=10)
    b.conv("conv1", 8, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=4, simd=9, keep=4, mask_group=4, spatial=0, reuse="inputs")
    b.pool("pool1", 2)
    b.conv("conv3", 16, 3, stride=2, padding=1, pad_value=+1, pe=16, simd=4, reuse="inputs")
    b.dense("fc1", 10, last=True, pe=2, simd=49)
    b.write((1, 28, 28), None, "similarity reuse (kernel-major with kernel and exact spatial pruning, tap-major "
            "with stride 2)", unpruned_twin=True)


if __name__ == "__main__":
    main()
