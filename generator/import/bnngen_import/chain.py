"""Per-channel elementwise chains: what the model does to a layer's pre-activation between the
MatMul / Conv and the quantizer (scales, biases, batch norm, ReLU, Clip). A chain is replayed in
float32 node by node, as ONNX evaluates it, and also composed exactly (float64) as an affine map
where it is one. Every op here is monotone, which is what makes a threshold search exact."""

import numpy as np

from .errors import describe

F32 = np.float32


class Op:
    """One elementwise op; its parameters are per-channel float64 vectors (length C)."""

    def __init__(self, kind, node, **params):
        self.kind = kind
        self.node = node
        self.params = params

    def where(self):
        return describe(self.node)

    def slope_sign(self):
        """Per-channel direction: +1 non-decreasing, -1 non-increasing, 0 constant."""
        p = self.params
        if self.kind in ("mul", "div"):
            return np.sign(p["c"])
        if self.kind in ("add", "sub", "relu", "clip"):
            return np.ones_like(next(iter(p.values()))) if p else None
        if self.kind in ("rsub", "neg"):
            return -np.ones_like(next(iter(p.values()))) if p else None
        if self.kind == "bn":
            return np.sign(p["scale"])
        raise AssertionError(self.kind)

    def replay(self, v):
        """float32, v of shape [C, M] (channel-major)."""
        return self._apply(v.astype(F32), F32)

    def exact(self, v):
        """The same in float64 (the real-number value up to float64 rounding)."""
        return self._apply(v, np.float64)

    def _apply(self, v, dtype):
        """The op on v with its parameters in `dtype` (per channel, as a column)."""
        p = {k: np.asarray(x, dtype=dtype).reshape(-1, 1) for k, x in self.params.items()}
        if self.kind == "mul":
            return v * p["c"]
        if self.kind == "div":
            return v / p["c"]
        if self.kind == "add":
            return v + p["c"]
        if self.kind == "sub":
            return v - p["c"]
        if self.kind == "rsub":
            return p["c"] - v
        if self.kind == "neg":
            return -v
        if self.kind == "relu":
            return np.maximum(v, dtype(0))
        if self.kind == "clip":
            return np.minimum(np.maximum(v, p["lo"]), p["hi"])
        if self.kind == "bn":
            return (v - p["mean"]) / np.sqrt(p["var"] + p["eps"]) * p["scale"] + p["bias"]
        raise AssertionError(self.kind)

    def affine(self):
        """(a, b) per channel with op(v) = a*v + b in exact arithmetic, or None (ReLU, Clip)."""
        p = {k: np.asarray(x, dtype=np.float64) for k, x in self.params.items()}
        if self.kind == "mul":
            return p["c"], np.zeros_like(p["c"])
        if self.kind == "div":
            return 1.0 / p["c"], np.zeros_like(p["c"])
        if self.kind == "add":
            return np.ones_like(p["c"]), p["c"]
        if self.kind == "sub":
            return np.ones_like(p["c"]), -p["c"]
        if self.kind == "rsub":
            return -np.ones_like(p["c"]), p["c"]
        if self.kind == "neg":
            return None if not p else (-np.ones_like(p["c"]), np.zeros_like(p["c"]))
        if self.kind == "bn":
            a = p["scale"] / np.sqrt(p["var"] + p["eps"])
            return a, p["bias"] - p["mean"] * a
        return None


def replay(ops, v, exact=False):
    for op in ops:
        v = op.exact(v) if exact else op.replay(v)
    return v


def compose_affine(ops, channels):
    """(A, B, bad_op): ops(v) = A*v + B per channel, or bad_op the first op that is not affine."""
    a = np.ones(channels)
    b = np.zeros(channels)
    for op in ops:
        ab = op.affine()
        if ab is None:
            return None, None, op
        oa, ob = ab
        a, b = a * oa, b * oa + ob
    return a, b, None


def direction(ops, channels):
    d = np.ones(channels)
    for op in ops:
        s = op.slope_sign()
        if s is not None:
            d = d * s
    return d


def describe_ops(ops, var="x"):
    """Human-readable text of a chain, for the input conversion note."""
    text = var
    for op in ops:
        p = op.params

        def val(x):
            x = np.asarray(x).reshape(-1)
            if x.size and np.all(x == x[0]):
                return f"{float(x[0]):.9g}"
            return "[" + ", ".join(f"{float(v):.9g}" for v in x[:8]) + (", ...]" if x.size > 8 else "]")
        if op.kind == "mul":
            text = f"({text} * {val(p['c'])})"
        elif op.kind == "div":
            text = f"({text} / {val(p['c'])})"
        elif op.kind == "add":
            text = f"({text} + {val(p['c'])})"
        elif op.kind == "sub":
            text = f"({text} - {val(p['c'])})"
        elif op.kind == "rsub":
            text = f"({val(p['c'])} - {text})"
        elif op.kind == "neg":
            text = f"(-{text})"
        elif op.kind == "relu":
            text = f"max({text}, 0)"
        elif op.kind == "clip":
            text = f"clip({text}, {val(p['lo'])}, {val(p['hi'])})"
        elif op.kind == "bn":
            text = f"batchnorm({text})"
    return text
