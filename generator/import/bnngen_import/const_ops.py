"""Ops evaluated on constants only (weights and their quantizers, shape arithmetic): constant
folding, so that a weight written as BipolarQuant(W_float, scale) or Transpose(W) is one array."""

import numpy as np

from . import quant_math
from .errors import fail


def _quant(node, args, attrs):
    x, scale, zeropt, bitwidth = (args + [None] * 4)[:4]
    if scale is None or zeropt is None or bitwidth is None:
        fail(node, "expected 4 inputs (X, scale, zeropt, bitwidth)")
    signed, narrow, bits, mode = quant_math.quant_attrs(node, attrs, bitwidth)
    lo, hi = quant_math.int_range(signed, narrow, bits)
    return [quant_math.quant(x, scale, zeropt, lo, hi, mode)]


def _bipolar(node, args, attrs):
    if len(args) < 2 or args[1] is None:
        fail(node, "expected 2 inputs (X, scale)")
    return [quant_math.bipolar(args[0], args[1])]


def _transpose(node, args, attrs):
    perm = attrs.get("perm")
    return [np.transpose(args[0], perm)]


def _reshape(node, args, attrs):
    shape = [int(s) for s in np.asarray(args[1]).reshape(-1)]
    src = args[0]
    shape = [src.shape[i] if s == 0 and i < src.ndim else s for i, s in enumerate(shape)]
    return [np.reshape(src, shape)]


def _flatten(node, args, attrs):
    axis = int(attrs.get("axis", 1))
    x = args[0]
    axis = axis + x.ndim if axis < 0 else axis
    return [x.reshape(int(np.prod(x.shape[:axis])), -1)]


def _unsqueeze(node, args, attrs):
    axes = attrs.get("axes")
    if axes is None:
        axes = [int(a) for a in np.asarray(args[1]).reshape(-1)]
    x = args[0]
    for a in sorted(a + x.ndim + len(axes) if a < 0 else a for a in axes):
        x = np.expand_dims(x, a)
    return [x]


def _squeeze(node, args, attrs):
    axes = attrs.get("axes")
    if axes is None and len(args) > 1 and args[1] is not None:
        axes = [int(a) for a in np.asarray(args[1]).reshape(-1)]
    return [np.squeeze(args[0], axis=tuple(axes) if axes is not None else None)]


def _binary(fn):
    def impl(node, args, attrs):
        a, b = args[0], args[1]
        out = fn(a, b)
        return [np.asarray(out, dtype=np.result_type(a, b))]
    return impl


def _cast(node, args, attrs):
    from onnx import helper
    to = helper.tensor_dtype_to_np_dtype(int(attrs["to"])) if hasattr(helper, "tensor_dtype_to_np_dtype") \
        else __import__("onnx").mapping.TENSOR_TYPE_TO_NP_TYPE[int(attrs["to"])]
    return [args[0].astype(to)]


def _concat(node, args, attrs):
    return [np.concatenate(args, axis=int(attrs.get("axis", 0)))]


FOLDABLE = {
    "Quant": _quant,
    "BipolarQuant": _bipolar,
    "Transpose": _transpose,
    "Reshape": _reshape,
    "Flatten": _flatten,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "Identity": lambda node, args, attrs: [args[0]],
    "Neg": lambda node, args, attrs: [-args[0]],
    "Sign": lambda node, args, attrs: [np.sign(args[0])],
    "Mul": _binary(np.multiply),
    "Add": _binary(np.add),
    "Sub": _binary(np.subtract),
    "Div": _binary(np.divide),
    "Cast": _cast,
    "Concat": _concat,
}
