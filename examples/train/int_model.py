#!/usr/bin/python3
"""Independent integer reference of bnngen's arithmetic contract (DESIGN.md section 2).

Loads a network.yaml + weights.npz and runs images through the network with integers only:
  - first layer: s = sum w * pixel (zero padding is the integer 0);
  - binary layers: s = sum over kept taps of w * x, w, x in {-1,+1}, padding taps = pad_value;
  - threshold: y = 1 iff s >= T;  last layer (activation none): score = s + bias;
  - max-pool: OR over the window of the bits (no padding, stride defaults to kernel);
  - dense after conv: inputs in PyTorch's (C, H, W) flatten order;
  - prediction: argmax of the scores, ties to the lowest index.

It deliberately shares no code with the trainer, so agreement between the two is evidence.

Sums are computed with float64 matrix products: every operand and every partial sum is an
integer far below 2**53, so each float64 operation is exact whatever order or fusing BLAS
uses, and the result equals the integer sum (checked by a bound before each product).  Plain
integer matmul would be exact too, but numpy has no BLAS for integers and is far slower.

Usage as a tool:
  /usr/bin/python3 examples/train/int_model.py examples/fmnist_small/network.yaml \\
      --images /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz \\
      --labels /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
"""

import argparse
import gzip
import os
import sys

import numpy as np
import yaml
from numpy.lib.stride_tricks import sliding_window_view

EXACT_LIMIT = 2 ** 53


class ContractError(ValueError):
    pass


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ContractError(f"{path}: not an unsigned-byte idx file")
    ndim = data[3]
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", ndim, 4))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_images(path):
    """idx ([N,H,W] or [N,C,H,W]) or .npy [N,C,H,W] -> [N,C,H,W] array."""
    arr = np.load(path) if path.endswith(".npy") else _read_idx(path)
    return arr[:, None] if arr.ndim == 3 else arr


def load_labels(path):
    return np.load(path) if path.endswith(".npy") else _read_idx(path)


def _exact_matmul(a, b):
    """Integer a @ b via float64 BLAS; exact because every partial sum is bounded below 2**53."""
    bound = float(np.abs(a).max(initial=0)) * float(np.abs(b).max(initial=0)) * a.shape[-1]
    if bound >= EXACT_LIMIT:
        return a.astype(np.int64) @ b.astype(np.int64)
    return (a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)


class IntModel:
    def __init__(self, yaml_path):
        self.yaml_path = yaml_path
        with open(yaml_path) as f:
            self.net = yaml.safe_load(f)
        weights_path = os.path.join(os.path.dirname(os.path.abspath(yaml_path)), self.net["weights"])
        with np.load(weights_path) as npz:
            self.arrays = {k: npz[k] for k in npz.files}
        inp = self.net["input"]
        self.in_shape = (inp["channels"], inp["height"], inp["width"])
        self.bits = inp.get("bits", 8)
        self.layers = self.net["layers"]
        self._check()

    # -- validation: enough to make this reference trustworthy, not the generator's full check --
    def _array(self, name):
        if name not in self.arrays:
            raise ContractError(f"weights file: missing array {name}")
        return self.arrays[name]

    def _check(self):
        c, h, w = self.in_shape
        for i, L in enumerate(self.layers):
            name, kind = L["name"], L["type"]
            last = i == len(self.layers) - 1
            act = L.get("activation")
            if kind == "maxpool":
                k, s = L["kernel"], L.get("stride", L["kernel"])
                h, w = (h - k) // s + 1, (w - k) // s + 1
                continue
            if kind == "conv":
                k, s, p = L["kernel"], L.get("stride", 1), L.get("padding", 0)
                shape = (L["out_channels"], c, k, k)
                c, h, w = L["out_channels"], (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            elif kind == "dense":
                shape = (L["out_features"], c * h * w)
                c, h, w = L["out_features"], 1, 1
            else:
                raise ContractError(f"{name}: unknown layer type {kind!r}")
            wt = self._array(f"{name}.weight")
            if wt.shape != shape:
                raise ContractError(f"{name}.weight: shape {wt.shape}, expected {shape}")
            if not np.all(np.abs(wt.astype(np.int64)) == 1):
                raise ContractError(f"{name}.weight: values other than +-1")
            if (act == "none") != last:
                raise ContractError(f"{name}: activation none is for the last layer only")
            if act == "threshold":
                t = self._array(f"{name}.threshold")
                if t.shape != (shape[0],):
                    raise ContractError(f"{name}.threshold: shape {t.shape}, expected ({shape[0]},)")
            keep = L.get("prune", {}).get("kernels", {}).get("keep")
            mask_name = f"{name}.kernel_mask"
            if keep is not None:
                if kind != "conv":
                    raise ContractError(f"{name}: kernel pruning is for conv layers only")
                m = self._array(mask_name)
                if m.shape != shape[:2] or not np.all((m == 0) | (m == 1)):
                    raise ContractError(f"{mask_name}: must be 0/1 of shape {shape[:2]}")
                if not np.all(m.sum(axis=1) == keep):
                    raise ContractError(f"{mask_name}: a row does not keep exactly {keep} kernels")
            elif mask_name in self.arrays:
                raise ContractError(f"{mask_name} present but {name} declares no prune.kernels")

    # -- the arithmetic -------------------------------------------------------------------------
    def run(self, images, collect=False, batch=250):
        """images: integer [N,C,H,W].  Returns int32 scores [N, classes] (and, with collect,
        a list per layer of its output: bits uint8 for threshold/pool layers, scores last)."""
        images = np.asarray(images)
        if images.shape[1:] != self.in_shape:
            raise ContractError(f"images of shape {images.shape[1:]}, network expects {self.in_shape}")
        if images.min() < 0 or images.max() >= 2 ** self.bits:
            raise ContractError(f"image values outside 0..{2 ** self.bits - 1}")
        scores, outs = [], None
        for i in range(0, len(images), batch):
            per_layer = [] if collect else None
            scores.append(self._run_batch(images[i:i + batch].astype(np.int64), per_layer))
            if collect:
                outs = per_layer if outs is None else [np.concatenate([a, b]) for a, b in zip(outs, per_layer)]
        scores = np.concatenate(scores).astype(np.int32)
        return (scores, outs) if collect else scores

    def predict(self, images):
        return np.argmax(self.run(images), axis=1)  # np.argmax ties to the lowest index

    def _run_batch(self, x, collect):
        first = True  # x holds raw input values until the first weight layer, bits after it
        for L in self.layers:
            name, kind = L["name"], L["type"]
            if kind == "maxpool":
                k, s = L["kernel"], L.get("stride", L["kernel"])
                win = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
                x = win.max(axis=(4, 5))  # max over 0/1 bits is OR
            else:
                w = self.arrays[f"{name}.weight"].astype(np.int64)
                if first:
                    vals, pad = x, 0
                else:
                    vals, pad = 2 * x - 1, L.get("pad_value", -1)  # bit 1 = +1, bit 0 = -1
                if kind == "conv":
                    mask = self.arrays.get(f"{name}.kernel_mask")
                    if mask is not None:  # a pruned kernel contributes nothing
                        w = w * mask.astype(np.int64)[:, :, None, None]
                    s_ = self._conv(vals, w, L.get("stride", 1), L.get("padding", 0), pad)
                else:
                    s_ = _exact_matmul(vals.reshape(len(vals), -1), w.T)  # (C,H,W) flatten
                if L.get("activation") == "none":
                    bias = self.arrays.get(f"{name}.bias")
                    x = s_ + (0 if bias is None else bias.astype(np.int64))
                else:
                    t = self.arrays[f"{name}.threshold"].astype(np.int64)
                    t = t[None, :, None, None] if kind == "conv" else t[None, :]
                    x = (s_ >= t).astype(np.int64)
                first = False
            if collect is not None:
                collect.append(x.astype(np.int32 if L.get("activation") == "none" else np.uint8))
        return x

    @staticmethod
    def _conv(x, w, stride, padding, pad_value):
        """Cross-correlation (no kernel flip) with padding taps of value pad_value.

        Summed one kernel offset at a time ([N*Ho*Wo, C] @ [C, O] per offset) instead of a full
        im2col matrix: same products, k*k times less memory.
        """
        n, c, h, wd = x.shape
        o, _, k, _ = w.shape
        p = padding
        ho, wo = (h + 2 * p - k) // stride + 1, (wd + 2 * p - k) // stride + 1
        xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad_value)
        xp = xp.transpose(0, 2, 3, 1)  # NHWC, so each offset is a [positions, C] matrix
        if float(np.abs(xp).max(initial=0)) * c * k * k >= EXACT_LIMIT:
            raise ContractError("input values too large for an exact sum")
        xp = xp.astype(np.float64)
        s = np.zeros((n, ho, wo, o))
        for a in range(k):
            for b in range(k):
                tap = xp[:, a:a + stride * (ho - 1) + 1:stride, b:b + stride * (wo - 1) + 1:stride, :]
                s += tap @ w[:, :, a, b].T.astype(np.float64)  # partial sums stay exact integers
        return s.astype(np.int64).transpose(0, 3, 1, 2)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("network", help="network.yaml (its weights file is found next to it)")
    ap.add_argument("--images", required=True, help="idx(.gz) or .npy images")
    ap.add_argument("--labels", help="idx(.gz) or .npy labels: report accuracy")
    ap.add_argument("--limit", type=int, default=0, help="first N images only (0 = all)")
    ap.add_argument("--scores-out", help="write int32 scores [N, classes] to this .npy")
    args = ap.parse_args(argv)
    try:
        model = IntModel(args.network)
        images = load_images(args.images)
        if args.limit:
            images = images[:args.limit]
        scores = model.run(images)
    except (ContractError, KeyError, OSError) as e:
        raise SystemExit(f"error: {e}")
    if args.scores_out:
        np.save(args.scores_out, scores)
    pred = np.argmax(scores, axis=1)
    print(f"{len(images)} images, class counts {np.bincount(pred, minlength=scores.shape[1]).tolist()}")
    if args.labels:
        labels = load_labels(args.labels)[:len(images)]
        print(f"accuracy {np.mean(pred == labels):.4f} ({int(np.sum(pred == labels))}/{len(images)})")


if __name__ == "__main__":
    sys.exit(main())
