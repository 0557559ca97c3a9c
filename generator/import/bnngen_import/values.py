"""What the importer knows about each tensor of the graph while it walks it (an abstract value):

- Raw: the model's input (float), after elementwise ops `ops`, not yet quantized;
- Levels: a quantized tensor whose element is `lo[c] + d[c] * u` with an integer level u in
  0..count-1: the quantized model input (u is bnngen's first-layer input) or a layer's binary
  activation (count 2, u the output bit);
- Acc: a layer's pre-activation: element `ops(alpha[c] * s[c] + gamma[c])` where s is the integer
  pre-activation in bnngen's s domain and `ops` the chain of elementwise ops applied since.

Shape: logical (C, H, W) stored as NCHW or NHWC, or a flat vector [1, F] whose element j is logical
feature perm[j] of a (C, H, W) tensor flattened in PyTorch's (C, H, W) order."""

import numpy as np


class Shape:
    def __init__(self, chw, layout="NCHW", perm=None):
        self.chw = tuple(int(v) for v in chw)
        self.layout = layout          # "NCHW", "NHWC" or "FLAT"
        self.perm = perm              # FLAT: physical index -> logical (C, H, W) flat index

    @property
    def flat(self):
        return self.layout == "FLAT"

    @property
    def features(self):
        c, h, w = self.chw
        return c * h * w

    def physical(self):
        c, h, w = self.chw
        if self.layout == "NCHW":
            return (1, c, h, w)
        if self.layout == "NHWC":
            return (1, h, w, c)
        return (1, self.features)

    def channel_axis(self):
        return 3 if self.layout == "NHWC" else 1

    def channels(self):
        """Number of per-channel parameters: C, or F for a flat vector."""
        return self.features if self.flat else self.chw[0]

    def text(self):
        return "[" + ", ".join(str(v) for v in self.physical()) + "]"


class Raw:
    def __init__(self, shape, ops, name):
        self.shape = shape
        self.ops = ops
        self.name = name


class Levels:
    def __init__(self, shape, lo, d, count, source, producer=None, quantizer=None):
        self.shape = shape
        self.lo = np.asarray(lo, dtype=np.float64)
        self.d = np.asarray(d, dtype=np.float64)
        self.count = count
        self.source = source          # "input" or "layer"
        self.producer = producer      # the Layer whose output bits these are
        self.quantizer = quantizer    # the input's quantizer description (source "input")
        self.pooled = False           # a max-pool already ORed these bits (cannot invert them)


class Acc:
    def __init__(self, shape, layer, alpha, gamma):
        self.shape = shape
        self.layer = layer
        self.alpha = np.asarray(alpha, dtype=np.float64)
        self.gamma = np.asarray(gamma, dtype=np.float64)
        self.ops = []
        self.pool = None              # (node, kernel, stride, index into ops where it was applied)
