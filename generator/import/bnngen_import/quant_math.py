"""QONNX's and FINN's quantizers, in float32 as the ops define them (QONNX Quant and BipolarQuant,
FINN MultiThreshold); the importer evaluates them on constants (weights) and, channel by channel,
on the pre-activations it searches thresholds over."""

import numpy as np

ROUNDING_MODES = ("ROUND", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN")


def round_mode(values, mode):
    x = np.asarray(values)
    if mode == "ROUND":  # half to even
        return np.round(x)
    if mode == "CEIL":
        return np.ceil(x)
    if mode == "FLOOR":
        return np.floor(x)
    if mode == "UP":  # away from zero
        return np.sign(x) * np.ceil(np.abs(x))
    if mode == "DOWN":  # towards zero
        return np.trunc(x)
    if mode == "HALF_UP":  # half away from zero
        return np.sign(x) * np.floor(np.abs(x) + x.dtype.type(0.5))
    if mode == "HALF_DOWN":  # half towards zero
        return np.sign(x) * np.ceil(np.abs(x) - x.dtype.type(0.5))
    raise ValueError(f"rounding_mode '{mode}' is not one of {', '.join(ROUNDING_MODES)}")


def int_range(signed, narrow, bits):
    if signed:
        lo = -(2 ** (bits - 1)) + (1 if narrow else 0)
        hi = 2 ** (bits - 1) - 1
    else:
        lo = 0
        hi = 2 ** bits - 1 - (1 if narrow else 0)
    return lo, hi


def quant_int(x, scale, zeropt, lo, hi, mode):
    """The integer level of QONNX Quant: clamp(x / scale + zeropt), rounded (float32)."""
    f32 = np.float32
    y = np.asarray(x, dtype=f32) / np.asarray(scale, dtype=f32)
    y = y + np.asarray(zeropt, dtype=f32)
    y = np.clip(y, f32(lo), f32(hi))
    return round_mode(y.astype(f32), mode)


def quant(x, scale, zeropt, lo, hi, mode):
    f32 = np.float32
    q = quant_int(x, scale, zeropt, lo, hi, mode)
    return ((q - np.asarray(zeropt, dtype=f32)) * np.asarray(scale, dtype=f32)).astype(f32)


def bipolar(x, scale):
    x = np.asarray(x, dtype=np.float32)
    return (np.where(x >= 0, np.float32(1), np.float32(-1)) * np.asarray(scale, dtype=np.float32)).astype(np.float32)


def quant_attrs(node, attrs, bitwidth):
    """(signed, narrow, bits, mode) of a Quant node, checked."""
    from .errors import fail
    signed = int(attrs.get("signed", 1))
    narrow = int(attrs.get("narrow", 0))
    mode = attrs.get("rounding_mode", "ROUND")
    mode = (mode.decode() if isinstance(mode, bytes) else mode).upper()
    if mode not in ROUNDING_MODES:
        fail(node, f"rounding_mode '{mode}' is not one of {', '.join(ROUNDING_MODES)}")
    b = np.asarray(bitwidth, dtype=np.float64)
    if b.size != 1 or b.reshape(-1)[0] != np.round(b.reshape(-1)[0]) or b.reshape(-1)[0] < 1:
        fail(node, f"expected a positive integer bit width, found {b.reshape(-1).tolist()}")
    bits = int(b.reshape(-1)[0])
    if bits > 24:
        fail(node, f"bit width {bits} is above what float32 holds exactly (24)")
    return signed, narrow, bits, mode
