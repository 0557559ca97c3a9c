"""Quantizers (QONNX Quant / BipolarQuant, FINN MultiThreshold, ONNX Sign): on a layer's
pre-activation they become its integer threshold, found by evaluating the model's own float32
arithmetic at integer values of s; on the model's input they define bnngen's integer input."""

import numpy as np

from . import chain, quant_math
from .errors import fail
from .graph import attr_str, attributes

F32 = np.float32


class Quantizer:
    """levels(): (lo, d, count) per channel; index(v, exact) -> integer level of values v [C, M]."""

    def __init__(self, node, kind, channels, **p):
        self.node = node
        self.kind = kind
        self.channels = channels
        self.p = p

    def level_values(self):
        """Per channel: the value of each level, [C, count] (float64)."""
        p = self.p
        c = self.channels
        if self.kind == "multithreshold":
            k = p["thresholds"].shape[1]
            u = np.arange(k + 1, dtype=np.float64)
            return np.broadcast_to(p["out_scale"] * u + p["out_bias"], (c, k + 1))
        if self.kind == "bipolar":
            s = np.broadcast_to(p["scale"], (c,)).astype(np.float64)
            return np.stack([-s, s], axis=1)
        if self.kind == "sign":
            return np.broadcast_to(np.array([-1.0, 1.0]), (c, 2))
        if self.kind == "quant":
            q = np.arange(p["qlo"], p["qhi"] + 1, dtype=np.float64)
            scale = np.broadcast_to(p["scale"], (c,)).astype(np.float64)[:, None]
            zp = np.broadcast_to(p["zeropt"], (c,)).astype(np.float64)[:, None]
            return (q[None, :] - zp) * scale
        raise AssertionError(self.kind)

    def count(self):
        return self.level_values().shape[1]

    def index(self, v, exact=False):
        """Level index (0..count-1) of v [C, M]; float32 as the op computes it unless exact."""
        p = self.p
        dt = np.float64 if exact else F32
        v = v.astype(dt)
        if self.kind == "multithreshold":
            t = p["thresholds"].astype(dt)  # [C, K]
            return (v[:, :, None] >= t[:, None, :]).sum(axis=2)
        if self.kind == "bipolar":
            return (v >= 0).astype(np.int64)
        if self.kind == "sign":
            return (v > 0).astype(np.int64)
        if self.kind == "quant":
            scale = np.broadcast_to(p["scale"], (self.channels,)).astype(dt)[:, None]
            zp = np.broadcast_to(p["zeropt"], (self.channels,)).astype(dt)[:, None]
            y = np.clip(v / scale + zp, p["qlo"], p["qhi"])
            return (quant_math.round_mode(y.astype(dt), p["mode"]) - p["qlo"]).astype(np.int64)
        raise AssertionError(self.kind)

    def text(self, var):
        p = self.p
        if self.kind == "multithreshold":
            t = p["thresholds"]
            if t.shape[1] == 1:
                return f"u = 1 if {var} >= {_vec(t[:, 0])} else 0"
            return f"u = number of thresholds th[c][k] with {var} >= th[c][k] ({t.shape[1]} per channel)"
        if self.kind == "bipolar":
            return f"u = 1 if {var} >= 0 else 0"
        if self.kind == "quant":
            return (f"u = {p['mode']}(clip({var} / {_vec(p['scale'])} + {_vec(p['zeropt'])}, {p['qlo']}, {p['qhi']}))"
                    f" - ({p['qlo']})")
        return f"u = 1 if {var} > 0 else 0"


def _vec(x):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    if x.size and np.all(x == x[0]):
        return f"{x[0]:.9g}"
    return "[" + ", ".join(f"{v:.9g}" for v in x[:6]) + (", ...]" if x.size > 6 else "]")


def make_quantizer(graph, node, shape, per_channel):
    """The quantizer of `node` for a tensor of `shape`; per_channel(node, const, what) extracts a
    per-channel vector (logical channel order) from a broadcastable constant."""
    op = node.op_type
    a = attributes(node)
    c = shape.channels()
    if op == "MultiThreshold":
        layout = attr_str(a.get("data_layout", "NCHW"))
        expected = "NHWC" if shape.layout == "NHWC" else "NCHW"
        if not shape.flat and layout != expected:
            fail(node, f"data_layout '{layout}' does not match its input's layout ({shape.layout}, shape {shape.text()})")
        t = np.asarray(graph.const(node, 1, "the thresholds"), dtype=np.float64)
        if t.ndim != 2 or t.shape[0] not in (1, c):
            fail(node, f"expected thresholds of shape [{c}, K] or [1, K], found {list(t.shape)}")
        if t.shape[0] == 1 and c != 1:
            t = np.repeat(t, c, axis=0)
        if shape.flat and shape.perm is not None:
            logical = np.empty_like(t)
            logical[shape.perm] = t
            t = logical
        if np.any(np.diff(t, axis=1) < 0):
            fail(node, "expected thresholds sorted in ascending order along each channel")
        return Quantizer(node, "multithreshold", c, thresholds=t.astype(F32),
                         out_scale=float(np.float32(a.get("out_scale", 1.0))),
                         out_bias=float(np.float32(a.get("out_bias", 0.0))))
    if op == "BipolarQuant":
        scale = per_channel(node, graph.const(node, 1, "the scale"), "the scale")
        return Quantizer(node, "bipolar", c, scale=scale)
    if op == "Sign":
        return Quantizer(node, "sign", c)
    if op == "Quant":
        scale = per_channel(node, graph.const(node, 1, "the scale"), "the scale")
        zeropt = per_channel(node, graph.const(node, 2, "the zero point"), "the zero point")
        bitwidth = graph.const(node, 3, "the bit width")
        signed, narrow, bits, mode = quant_math.quant_attrs(node, a, bitwidth)
        qlo, qhi = quant_math.int_range(signed, narrow, bits)
        if qhi <= qlo:
            fail(node, f"bit width {bits} with signed={signed}, narrow={narrow} leaves {qhi - qlo + 1} level")
        if np.any(scale == 0) or not np.all(np.isfinite(scale)):
            fail(node, "expected a non-zero finite scale")
        return Quantizer(node, "quant", c, scale=scale, zeropt=zeropt, qlo=qlo, qhi=qhi, mode=mode, bits=bits)
    raise AssertionError(op)


def binary_levels(q, what):
    """(lo, d, high_index) of a two-level quantizer: lo the smaller value, d > 0 the step,
    high_index the level index holding the larger value, per channel."""
    v = q.level_values()
    if v.shape[1] != 2:
        node = q.node
        detail = {"multithreshold": f"{v.shape[1] - 1} thresholds per channel",
                  "quant": f"bit width {q.p.get('bits')}"}.get(q.kind, "")
        fail(node, f"expected a binary activation (2 levels) {what}, found {v.shape[1]} levels ({detail}): "
                   "non-binary hidden activations cannot be built (bnngen's layers take +1 / -1)")
    if np.any(v[:, 0] == v[:, 1]):
        ch = int(np.nonzero(v[:, 0] == v[:, 1])[0][0])
        fail(q.node, f"channel {ch}: both output levels are {v[ch, 0]:g} (a zero scale): the output is constant")
    high = (v[:, 1] > v[:, 0]).astype(np.int64)
    lo = np.minimum(v[:, 0], v[:, 1])
    d = np.abs(v[:, 1] - v[:, 0])
    return lo, d, high


def search_thresholds(decide, s_lo, s_hi):
    """Per channel, for a decision decide(s int64 [C]) -> bool [C] monotone in s over [s_lo, s_hi]:
    (T, flip) such that decide(s) == (s' >= T) with s' = -s for flipped channels. A channel that
    never (always) decides 1 over the range gets T = hi + 1 (T = lo) in its own domain."""
    d_lo = decide(s_lo)
    d_hi = decide(s_hi)
    dec = d_lo & ~d_hi
    const = d_lo == d_hi
    sign = np.where(dec, -1, 1).astype(np.int64)
    a = np.where(dec, -s_hi, s_lo).astype(np.int64)
    b = np.where(dec, -s_lo, s_hi).astype(np.int64)
    active = ~const
    while True:
        open_ = active & (a < b)
        if not np.any(open_):
            break
        mid = (a + b) // 2
        dv = decide(sign * mid)
        b = np.where(open_ & dv, mid, b)
        a = np.where(open_ & ~dv, mid + 1, a)
    t = a.copy()
    t[const & d_lo] = s_lo[const & d_lo]
    t[const & ~d_lo] = s_hi[const & ~d_lo] + 1
    return t, dec


def check_monotone(decide, s_lo, s_hi, t, flip, samples=64):
    """A cheap guard: the decision at sampled s equals the threshold rule found."""
    rng = np.random.default_rng(0)
    for _ in range(4):
        s = (s_lo + (rng.random(s_lo.shape) * (s_hi - s_lo + 1)).astype(np.int64)).clip(s_lo, s_hi)
        sp = np.where(flip, -s, s)
        if np.any(decide(s) != (sp >= t)):
            return False
    return True


def make_decider(acc, q, high, exact=False):
    """decide(s int64 [C]) -> bool [C]: is the quantizer's output the larger level at s?"""
    alpha = acc.alpha.reshape(-1, 1)
    gamma = acc.gamma.reshape(-1, 1)
    hi_idx = high.reshape(-1, 1)

    def decide(s):
        v = alpha * np.asarray(s, dtype=np.float64).reshape(-1, 1) + gamma
        if not exact:
            v = v.astype(F32)
        v = chain.replay(acc.ops, v, exact=exact)
        return (q.index(v, exact=exact) == hi_idx).reshape(-1)
    return decide


def sign_zero_channels(acc, s_lo, s_hi, step):
    """[(channel, s)]: channels where Sign's input is exactly 0 at a reachable s (float32 replay).
    Sign(0) = 0 in ONNX: neither +1 nor -1. The zero set of a monotone function is an interval."""
    alpha = acc.alpha.reshape(-1, 1)
    gamma = acc.gamma.reshape(-1, 1)

    def value(s):
        v = (alpha * np.asarray(s).reshape(-1, 1).astype(np.float64) + gamma).astype(F32)
        return chain.replay(acc.ops, v).reshape(-1)

    def interval(rule):
        """Per channel: the s interval [a, b] where rule holds (monotone rule)."""
        t, flip = search_thresholds(rule, s_lo, s_hi)
        a = np.where(flip, s_lo, np.maximum(t, s_lo))
        b = np.where(flip, np.minimum(-t, s_hi), s_hi)
        return a, b
    ge_a, ge_b = interval(lambda s: value(s) >= 0)
    gt_a, gt_b = interval(lambda s: value(s) > 0)
    bad = []
    for ch in range(s_lo.shape[0]):
        ga, gb, ta, tb = (int(x[ch]) for x in (ge_a, ge_b, gt_a, gt_b))
        pieces = [(ga, gb)] if ta > tb else [(ga, min(gb, ta - 1)), (max(ga, tb + 1), gb)]
        for a, b in pieces:
            s = a + ((int(s_lo[ch]) - a) % step)
            if a <= b and s <= b:
                bad.append((ch, s))
                break
    return bad
