"""The last layer: the model's class scores y[c] = A[c] * s[c] + B[c] (exact composition of the
elementwise ops after the last MatMul / Conv) as bnngen's integer scores s[c] + bias[c].

- one positive scale A for all classes and offsets (B[c] - B[0]) / A that are integers:
  the scores are kept, y[c] = A * score[c] + B[0];
- one scale, offsets that are not integers: only the argmax can be kept, when integer biases
  order every reachable pair of classes as the offsets do (a system of difference constraints);
- scales that differ between classes: neither scores nor argmax can be kept (refused)."""

import numpy as np

from . import chain
from .errors import describe, fail

INTEGER_TOLERANCE = 1e-6


class ScoreMap:
    def __init__(self, mode, scale, offset, bias, note):
        self.mode = mode        # "scores" or "argmax"
        self.scale = scale      # y = scale * score + offset (mode "scores")
        self.offset = offset
        self.bias = bias        # int64 [classes]
        self.note = note


def finalize(acc, layer, end_node):
    c = acc.alpha.shape[0]
    a_ops, b_ops, bad = chain.compose_affine(acc.ops, c)
    if bad is not None:
        fail(bad.node, "is applied to the class scores but is not affine (scale and offset): "
                       "bnngen's scores are integers s + bias; end the model at the scores or at an argmax")
    A = acc.alpha * a_ops
    B = acc.gamma * a_ops + b_ops
    if not np.all(np.isfinite(A)) or not np.all(np.isfinite(B)):
        fail(end_node, "the class scores are not finite (a scale is infinite or not a number)")
    if np.all(A == 0):
        fail(end_node, "the class scores do not depend on the input (every scale is 0)")
    ref = A[0]
    if not np.allclose(A, ref, rtol=1e-9, atol=0):
        differ = int(np.nonzero(~np.isclose(A, ref, rtol=1e-9, atol=0))[0][0])
        culprit = next((op for op in acc.ops if op.kind in ("mul", "div", "bn")
                        and np.asarray(op.affine()[0]).size > 1 and not np.all(op.affine()[0] == op.affine()[0][0])), None)
        by = f" (per-class scales from {describe(culprit.node)})" if culprit is not None else ""
        fail(culprit.node if culprit is not None else end_node,
             f"the class scores have different scales per class{by}: class 0 is {A[0]:.6g} * s + ..., "
             f"class {differ} is {A[differ]:.6g} * s + ...; the ranking of A[c]*s[c] + B[c] is not the ranking "
             "of s[c] + an integer bias, so neither the scores nor the argmax can be kept exactly "
             "(fold per-class scales into the training or end with one scale for all classes)")
    flip = ref < 0
    if flip:
        layer.flip(np.ones(c, dtype=bool))
        A, ref = -A, -ref
    beta = (B - B[0]) / ref
    rounded = np.round(beta)
    if np.all(np.abs(beta - rounded) <= INTEGER_TOLERANCE * np.maximum(1.0, np.abs(beta))):
        bias = rounded.astype(np.int64)
        note = (f"scores kept: model output y[c] = {ref:.9g} * score[c] + {B[0]:.9g}"
                + (" (the weights of every class negated: the model's scale is negative)" if flip else ""))
        return ScoreMap("scores", float(ref), float(B[0]), bias, note)
    offset_node = next((op.node for op in reversed(acc.ops) if op.kind in ("add", "sub", "rsub", "bn")
                        and np.unique(np.asarray(op.affine()[1])).size > 1), end_node)
    bias = _argmax_biases(offset_node, beta, layer)
    note = ("only the argmax is kept: the model's per-class offsets (B[c] - B[0]) / A = "
            + ", ".join(f"{v:.6g}" for v in beta[:10]) + (", ..." if beta.size > 10 else "")
            + " are not integers, so no integer bias reproduces its scores; the integer biases "
            + ", ".join(str(int(v)) for v in bias[:10]) + " order every reachable pair of classes as the model does")
    return ScoreMap("argmax", float(ref), float(B[0]), bias, note)


def _argmax_biases(end_node, beta, layer):
    """Integer biases b with: for every pair i < j and every reachable d = s_j - s_i,
    d <= beta_i - beta_j  <=>  d <= b_i - b_j (ties go to the lower index in both)."""
    c = beta.shape[0]
    step = layer.s_step
    lo, hi = layer.s_lo.astype(np.int64), layer.s_hi.astype(np.int64)
    INF = 1 << 60
    # edges (u, v, w): x_v - x_u <= w
    edges = []
    for i in range(c):
        for j in range(i + 1, c):
            dmin, dmax = int(lo[j] - hi[i]), int(hi[j] - lo[i])
            delta = float(beta[i] - beta[j])
            # reachable differences: dmin + k*step
            if delta < dmin:
                below, above = None, dmin
            elif delta >= dmax:
                below, above = dmax, None
            else:
                k = int(np.floor((delta - dmin) / step))
                below = dmin + k * step
                above = below + step
            lo_c = below if below is not None else -INF      # b_i - b_j >= below
            hi_c = (above - 1) if above is not None else INF  # b_i - b_j <= above - 1
            if hi_c < INF:
                edges.append((j, i, hi_c))        # x_i - x_j <= hi_c
            if lo_c > -INF:
                edges.append((i, j, -lo_c))       # x_j - x_i <= -lo_c
    dist = np.zeros(c, dtype=np.int64)
    for _ in range(c + 1):
        changed = False
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
                changed = True
        if not changed:
            break
    else:
        fail(end_node, "only the argmax could be kept, and it cannot: the model's per-class offsets "
                       "(B[c] - B[0]) / A = " + ", ".join(f"{v:.6g}" for v in beta[:10])
                       + " order some reachable scores in a way no integer biases reproduce")
    bias = dist - dist.min()
    if bias.max() > 2 ** 31 - 1:
        fail(end_node, "the biases needed to keep the argmax do not fit in int32")
    return bias
