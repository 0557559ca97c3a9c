"""bnngen layers built from the graph: binary weights with their per-channel scale, and the exact
map from bnngen's integer pre-activation s to the value the model's MatMul / Conv computes."""

import numpy as np

from .errors import fail


class Layer:
    def __init__(self, kind, node, **fields):
        self.kind = kind              # "conv", "dense" or "maxpool"
        self.node = node
        self.name = None              # given by the writer (conv1, pool1, fc1, ...)
        self.weight = None            # int8 +-1, conv [O, Cin, k, k], dense [O, F] (logical order)
        self.threshold = None         # int64 [O] with activation threshold
        self.bias = None              # int64 [O] with activation none (None: zero)
        self.activation = None
        self.kernel = self.stride = self.padding = None
        self.pad_value = None
        self.out_channels = None
        self.s_lo = self.s_hi = None  # reachable range of s per output channel
        self.s_step = 1               # s takes every s_step-th integer (2 for binary inputs)
        self.warnings = []
        for k, v in fields.items():
            setattr(self, k, v)

    def flip(self, mask):
        """Negates the weights of the channels in `mask` (their s becomes -s)."""
        self.weight[mask] = -self.weight[mask]


def binarize(node, w):
    """(w_pm1 int8, scale float64 [O]): w = scale[o] * w_pm1 exactly, or a clear refusal."""
    w = np.asarray(w, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        fail(node, "the weights hold a value that is not finite")
    o = w.shape[0]
    flat = w.reshape(o, -1)
    mag = np.abs(flat)
    scale = mag.max(axis=1)
    # multi-bit: more than one non-zero magnitude in an output channel
    for row in range(o):
        nz = np.unique(mag[row][mag[row] != 0])
        if nz.size > 1:
            shown = ", ".join(f"{v:.6g}" for v in nz[:4]) + (", ..." if nz.size > 4 else "")
            fail(node, f"expected binary weights (one magnitude per output channel), found {nz.size} "
                       f"different magnitudes in output channel {row} ({shown}"
                       f"{', and 0' if np.any(mag[row] == 0) else ''}): multi-bit weights cannot be built "
                       "(bnngen's weights are +1 / -1)")
    zero = np.argwhere(mag == 0)
    if zero.size:
        idx = np.unravel_index(zero[0][0] * flat.shape[1] + zero[0][1], w.shape)
        fail(node, f"expected binary weights (+-scale), found 0 at {list(int(i) for i in idx)}: "
                   "ternary weights cannot be built (bnngen's weights are +1 / -1)")
    return np.where(flat > 0, 1, -1).astype(np.int8).reshape(w.shape), scale


def uniform(values):
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    return v.size > 0 and np.all(v == v[0])


def input_affine(node, levels, w, wscale, padding):
    """(alpha, gamma, pad_value, s_lo, s_hi, s_step): the model's sum over the layer's taps of
    W * value equals alpha[o] * s[o] + gamma[o] for bnngen's s, exactly (real arithmetic).

    levels: value = lo[c] + d * u. Binary (layer) input, u the bit: s = sum w * (2u - 1), so
    sum W*value = wscale * (sum w*lo + d/2 * (s + sum w)). Integer (model input) u: s = sum w * u,
    sum W*value = wscale * (sum w*lo + d * s)."""
    if not uniform(levels.d):
        fail(node, "expected one scale for all input channels of this layer, found per-channel scales "
                   f"{np.unique(levels.d)[:4].tolist()}: the sum is then not a multiple of the +-1 sum")
    d = float(levels.d.reshape(-1)[0])
    if d == 0:
        fail(node, "its input is a constant (the quantizer's two levels are equal)")
    o = w.shape[0]
    if w.ndim == 4:
        per_channel = w.reshape(o, w.shape[1], -1).sum(axis=2).astype(np.float64)
        lo = np.broadcast_to(levels.lo, (w.shape[1],))
    else:
        per_channel = w.astype(np.float64)
        lo = np.broadcast_to(levels.lo, (w.shape[1],))
    wlo = per_channel @ lo
    sumw = w.reshape(o, -1).sum(axis=1).astype(np.int64)
    taps = int(np.prod(w.shape[1:]))
    pad_value = None
    if levels.source == "layer":
        if padding:
            u_pad = -levels.lo / d
            if uniform(u_pad) and float(u_pad.reshape(-1)[0]) in (0.0, 1.0):
                pad_value = int(2 * float(u_pad.reshape(-1)[0]) - 1)
            else:
                fail(node, "pads its binary input with 0, which is neither of the input's two values "
                           f"({_levels_text(levels)}): bnngen's padding taps are -1 or +1 "
                           "(use unpadded convolutions, or 0/1 activations, which pad as -1)")
        alpha = wscale * d / 2
        gamma = wscale * (wlo + d / 2 * sumw)
        s_lo = np.full(o, -taps, dtype=np.int64)
        s_hi = np.full(o, taps, dtype=np.int64)
        step = 2
    else:
        if padding and not np.all(levels.lo == 0):
            fail(node, "pads the quantized model input with 0, which is not an input level "
                       f"({_levels_text(levels)}): bnngen pads the first layer with level 0 "
                       "(use an unpadded first convolution or an unsigned input quantizer)")
        alpha = wscale * d
        gamma = wscale * wlo
        levels_max = levels.count - 1
        flat = w.reshape(o, -1).astype(np.int64)
        s_lo = -levels_max * (flat < 0).sum(axis=1)
        s_hi = levels_max * (flat > 0).sum(axis=1)
        step = 1
    return alpha, gamma, pad_value, s_lo, s_hi, step


def _levels_text(levels):
    lo = np.unique(levels.lo)
    d = np.unique(levels.d)
    if lo.size == 1 and d.size == 1:
        vals = [float(lo[0] + d[0] * u) for u in range(min(levels.count, 2))]
        return "values " + ", ".join(f"{v:g}" for v in vals) + (", ..." if levels.count > 2 else "")
    return "per-channel values"
