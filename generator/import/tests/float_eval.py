"""An independent float32 evaluator of the ONNX graphs the import tests build, written from the
op definitions (ONNX operators; QONNX Quant / BipolarQuant; FINN MultiThreshold / MaxPoolNHWC),
for a batch of N images. It shares no code with the importer: the importer reasons about integer
pre-activations and thresholds; this evaluator just runs the float graph, as a runtime would."""

import numpy as np
from onnx import helper, numpy_helper

f32 = np.float32


def _attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _s(v):
    return v.decode() if isinstance(v, bytes) else v


def _round(x, mode):
    mode = mode.upper()
    if mode == "ROUND":
        return np.round(x)
    if mode == "FLOOR":
        return np.floor(x)
    if mode == "CEIL":
        return np.ceil(x)
    if mode == "UP":
        return np.sign(x) * np.ceil(np.abs(x))
    if mode == "DOWN":
        return np.trunc(x)
    if mode == "HALF_UP":
        return np.sign(x) * np.floor(np.abs(x) + f32(0.5))
    if mode == "HALF_DOWN":
        return np.sign(x) * np.ceil(np.abs(x) - f32(0.5))
    raise ValueError(mode)


def quant(x, scale, zeropt, bitwidth, signed, narrow, mode):
    b = int(bitwidth)
    if signed:
        qmin = -(2 ** (b - 1)) + (1 if narrow else 0)
        qmax = 2 ** (b - 1) - 1
    else:
        qmin = 0
        qmax = 2 ** b - 1 - (1 if narrow else 0)
    y = (x / scale + zeropt).astype(f32)
    y = np.clip(y, f32(qmin), f32(qmax))
    y = _round(y, mode)
    return ((y - zeropt) * scale).astype(f32)


def conv2d(x, w, b, stride, pads):
    n, c, h, wd = x.shape
    o, ci, kh, kw = w.shape
    pt, pl, pb, pr = pads[0], pads[1], pads[2], pads[3]
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // stride + 1
    ow = (wd + pl + pr - kw) // stride + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=f32)
    for ky in range(kh):
        for kx in range(kw):
            cols[:, :, ky, kx] = xp[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride]
    cols = cols.reshape(n, c * kh * kw, oh * ow)
    y = np.einsum("ok,nkp->nop", w.reshape(o, -1).astype(f32), cols, optimize=True).astype(f32)
    y = y.reshape(n, o, oh, ow)
    if b is not None:
        y = (y + b.reshape(1, -1, 1, 1)).astype(f32)
    return y


def maxpool(x, k, stride):
    n, c, h, w = x.shape
    oh, ow = (h - k) // stride + 1, (w - k) // stride + 1
    out = np.full((n, c, oh, ow), -np.inf, dtype=f32)
    for ky in range(k):
        for kx in range(k):
            out = np.maximum(out, x[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride])
    return out


def multithreshold(x, thr, out_scale, out_bias, layout):
    if layout == "NHWC" and x.ndim == 4:
        x = x.transpose(0, 3, 1, 2)
    xm = np.moveaxis(x, 1, -1)[..., None]
    cnt = (xm >= thr.astype(f32)).sum(axis=-1).astype(f32)
    y = np.moveaxis(cnt, -1, 1)
    if layout == "NHWC" and y.ndim == 4:
        y = y.transpose(0, 2, 3, 1)
    return (f32(out_scale) * y + f32(out_bias)).astype(f32)


def run(model, x):
    """All tensors of the graph for the batch x (the graph's batch dimension becomes N)."""
    g = model.graph
    env = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    n = x.shape[0]
    env[[i.name for i in g.input if i.name not in env][0]] = x.astype(f32)
    for node in g.node:
        a = _attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            out = [numpy_helper.to_array(a["value"])]
        elif op == "Quant":
            out = [quant(ins[0].astype(f32), ins[1].astype(f32), ins[2].astype(f32), ins[3],
                         int(a.get("signed", 1)), int(a.get("narrow", 0)), _s(a.get("rounding_mode", "ROUND")))]
        elif op == "BipolarQuant":
            out = [(np.where(ins[0] >= 0, f32(1), f32(-1)) * ins[1].astype(f32)).astype(f32)]
        elif op == "MultiThreshold":
            out = [multithreshold(ins[0], ins[1], a.get("out_scale", 1.0), a.get("out_bias", 0.0),
                                  _s(a.get("data_layout", "NCHW")))]
        elif op == "Sign":
            out = [np.sign(ins[0]).astype(f32)]
        elif op == "Conv":
            out = [conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get("strides", [1, 1])[0],
                          a.get("pads", [0, 0, 0, 0]))]
        elif op == "MatMul":
            out = [np.matmul(ins[0], ins[1]).astype(f32)]
        elif op == "Gemm":
            bm = ins[1].T if a.get("transB", 0) else ins[1]
            y = f32(a.get("alpha", 1.0)) * np.matmul(ins[0], bm).astype(f32)
            if len(ins) > 2 and ins[2] is not None:
                y = y + f32(a.get("beta", 1.0)) * ins[2]
            out = [y.astype(f32)]
        elif op == "BatchNormalization":
            shp = (1, -1) + (1,) * (ins[0].ndim - 2)
            sc, bb, mu, var = (t.astype(f32).reshape(shp) for t in ins[1:5])
            eps = f32(a.get("epsilon", 1e-5))
            out = [((ins[0] - mu) / np.sqrt(var + eps) * sc + bb).astype(f32)]
        elif op == "MaxPool":
            k = a["kernel_shape"][0]
            out = [maxpool(ins[0], k, a.get("strides", [k, k])[0])]
        elif op == "MaxPoolNHWC":
            k = a["kernel_shape"][0]
            out = [maxpool(ins[0].transpose(0, 3, 1, 2), k, a.get("strides", [k, k])[0]).transpose(0, 2, 3, 1)]
        elif op == "Flatten":
            out = [ins[0].reshape(ins[0].shape[0], -1)]
        elif op == "Reshape":
            shape = [int(v) for v in ins[1]]
            shape[0] = ins[0].shape[0] if shape[0] in (1, 0, -1) else shape[0]
            out = [ins[0].reshape(shape)]
        elif op == "Transpose":
            out = [ins[0].transpose(a["perm"])]
        elif op in ("Mul", "Add", "Sub", "Div"):
            fn = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract, "Div": np.divide}[op]
            out = [fn(ins[0], ins[1]).astype(np.result_type(ins[0], ins[1]))]
        elif op == "Relu":
            out = [np.maximum(ins[0], f32(0))]
        elif op == "Identity":
            out = [ins[0]]
        elif op == "TopK":
            # K = 1, largest: the first index of the maximum (lower index first among equals)
            idx = np.argmax(ins[0], axis=-1)[:, None]
            out = [np.take_along_axis(ins[0], idx, axis=-1), idx.astype(np.int64)]
        elif op == "ArgMax":
            out = [np.argmax(ins[0], axis=a.get("axis", 0))[:, None].astype(np.int64)]
        else:
            raise NotImplementedError(op)
        for name, val in zip(node.output, out):
            env[name] = val
    _ = n
    return env
