"""The test networks, written as ONNX graphs with onnx.helper in the two forms the importer reads:

- QONNX as Brevitas' export_qonnx writes it: the float image in [0, 1], `2x - 1`, an input quantizer
  (BipolarQuant for 1-bit inputs, 8-bit signed Quant with scale 2^-7 for 8-bit ones), weights as
  BipolarQuant(latent float weights, per-channel scale), BatchNormalization, BipolarQuant
  activations, MaxPool, Flatten, Gemm / Transpose + MatMul, and a scalar Mul / Add at the end;
- FINN-ONNX as export_finn_onnx and partial streamlining write it: the raw uint8 image (annotated
  UINT8), Div 255 (and `2x - 1`) before a MultiThreshold that quantizes it, +-1 weight
  initializers annotated BIPOLAR, per-channel Mul for weight scales, the batch norm in one of three
  stages of streamlining (BatchNormalization node; Mul + Add; thresholds absorbed into the
  MultiThreshold with a +-1 Mul for the sign), 0/1 (out_scale 1) as well as +-1 (out_scale 2,
  out_bias -1) activations, Transpose + MultiThreshold (NHWC) + MaxPoolNHWC + Transpose,
  Transpose + Reshape before dense layers, and TopK at the end (the graph's output is the class index).

Parameters (random or trained) are plain numpy: params["layers"][i] has `w` (latent float
weights, conv [O, C, k, k] or dense [O, I]), `wscale` [O], `bn` (gamma, beta, mean, var, eps) or
None for the last layer, `pool` (a 2x2 max-pool after the activation)."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

f32 = np.float32
QONNX = "qonnx.custom_op.general"
FINN = "finn.custom_op.general"

TFC = {"name": "tfc", "input": (1, 28, 28), "bits": 1, "dense": [64, 64, 64, 10], "conv": []}
LFC = {"name": "lfc", "input": (1, 28, 28), "bits": 1, "dense": [1024, 1024, 1024, 10], "conv": []}
CNV = {"name": "cnv", "input": (3, 32, 32), "bits": 8, "dense": [512, 512, 10],
       "conv": [64, 64, "pool", 128, 128, "pool", 256, 256]}
# Padded 3x3 convolutions after the first, on 0/1 activations (FINN's out_scale 1: 0 pads as -1),
# and a dense layer after a 6 x 6 x 32 feature map flattened in NHWC order (FINN form).
SMALL_PADDED = {"name": "small_padded", "input": (1, 28, 28), "bits": 8, "dense": [10],
                "conv": [16, "pool", 32, "pool"], "pad": 1}


def random_params(arch, seed, negative_share=0.3):
    rng = np.random.default_rng(seed)
    c, h, w = arch["input"]
    layers = []
    first = True
    conv = [v for v in arch["conv"]]
    for i, v in enumerate(conv):
        if v == "pool":
            continue
        taps = c * 9
        pad = arch.get("pad", 0) if not first else 0
        wl = rng.standard_normal((v, c, 3, 3)).astype(f32)
        layers.append({"kind": "conv", "w": wl, "wscale": _scales(rng, v),
                       "bn": _bn(rng, v, taps, first, negative_share),
                       "pool": i + 1 < len(conv) and conv[i + 1] == "pool", "pad": pad})
        c, h, w = v, h - 2 + 2 * pad, w - 2 + 2 * pad
        if layers[-1]["pool"]:
            h, w = h // 2, w // 2
        first = False
    feats = c * h * w
    for j, o in enumerate(arch["dense"]):
        last = j == len(arch["dense"]) - 1
        wl = rng.standard_normal((o, feats)).astype(f32)
        layers.append({"kind": "dense", "w": wl,
                       "wscale": np.full(o, f32(0.5)) if last else _scales(rng, o),
                       "bn": None if last else _bn(rng, o, feats, first, negative_share), "pool": False})
        feats = o
        first = False
    return {"arch": arch, "layers": layers, "out_scale": f32(0.25), "out_bias": f32(-3.0)}


def _scales(rng, o):
    # scales with few mantissa bits: the model's float32 sums of +-scale stay exact
    return rng.choice(np.array([0.5, 0.75, 1.0, 1.25, 1.5, 2.0], dtype=f32), size=o)


def _bn(rng, o, taps, first, negative_share):
    spread = np.sqrt(taps) * (0.5 if first else 1.0)
    gamma = rng.uniform(0.5, 1.5, o).astype(f32) * np.where(rng.random(o) < negative_share, -1, 1).astype(f32)
    beta = rng.normal(0, 0.3, o).astype(f32)
    mean = rng.normal(0, 0.4 * spread, o).astype(f32)
    var = (rng.uniform(0.5, 1.5, o) * spread).astype(f32) ** 2
    return gamma, beta, mean, var.astype(f32), 1e-4


class _Builder:
    def __init__(self, name):
        self.name = name
        self.nodes, self.inits, self.annotations = [], [], []
        self.counter = 0

    def fresh(self, stem):
        self.counter += 1
        return f"{stem}_{self.counter}"

    def const(self, stem, value, dtype=f32):
        name = self.fresh(stem)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(self, op, inputs, domain="", outputs=1, name=None, **attrs):
        nm = name or self.fresh(op)
        outs = [f"{nm}_out{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=nm, domain=domain, **attrs))
        return outs[0] if outputs == 1 else outs

    def annotate(self, tensor, dtype):
        q = onnx.TensorAnnotation()
        q.tensor_name = tensor
        kv = q.quant_parameter_tensor_names.add()
        kv.key, kv.value = "finn_datatype", dtype
        self.annotations.append(q)

    def model(self, inp, in_shape, out, out_shape, out_type=TensorProto.FLOAT):
        g = helper.make_graph(self.nodes, self.name,
                              [helper.make_tensor_value_info(inp, TensorProto.FLOAT, in_shape)],
                              [helper.make_tensor_value_info(out, out_type, out_shape)], self.inits)
        g.quantization_annotation.extend(self.annotations)
        m = helper.make_model(g, producer_name="bnngen-import-tests",
                              opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QONNX, 1),
                                             helper.make_opsetid(FINN, 1)])
        return m


def _bn_node(b, x, bn, shape_len):
    gamma, beta, mean, var, eps = bn
    return b.node("BatchNormalization", [x, b.const("bn_scale", gamma), b.const("bn_bias", beta),
                                         b.const("bn_mean", mean), b.const("bn_var", var)], epsilon=float(eps))


def qonnx(params, matmul_every=2, act="bipolar"):
    """Brevitas export_qonnx style. Input: the float image x in [0, 1], [1, C, H, W].
    act "bipolar": BipolarQuant activations (+-1); "relu1": QuantReLU with bit width 1 as Brevitas
    exports it (Relu, then an unsigned 1-bit Quant with scale 0.5: values 0 / 0.5)."""
    arch = params["arch"]
    c, h, w = arch["input"]
    b = _Builder(arch["name"] + "_qonnx")
    x = "global_in"
    t = x
    if not arch["conv"]:
        t = b.node("Reshape", [t, b.const("shape", [1, -1], np.int64)])
    t = b.node("Mul", [t, b.const("two", f32(2.0))])
    t = b.node("Add", [t, b.const("minus_one", f32(-1.0))])
    if arch["bits"] == 1:
        t = b.node("BipolarQuant", [t, b.const("act_scale", f32(1.0))], domain=QONNX, name="input_quant")
    else:
        t = b.node("Quant", [t, b.const("in_scale", f32(2.0 ** -7)), b.const("in_zp", f32(0.0)),
                             b.const("in_bits", f32(8.0))], domain=QONNX, name="input_quant",
                   signed=1, narrow=0, rounding_mode="ROUND")
    dense_index = 0
    for i, layer in enumerate(params["layers"]):
        wl, ws = layer["w"], layer["wscale"]
        if layer["kind"] == "conv":
            wq = b.node("BipolarQuant", [b.const("w", wl), b.const("w_scale", ws.reshape(-1, 1, 1, 1))], domain=QONNX)
            pad = layer.get("pad", 0)
            t = b.node("Conv", [t, wq], kernel_shape=[3, 3], pads=[pad] * 4, strides=[1, 1])
        else:
            if i > 0 and params["layers"][i - 1]["kind"] == "conv":
                t = b.node("Flatten", [t], axis=1)
            wq = b.node("BipolarQuant", [b.const("w", wl), b.const("w_scale", ws.reshape(-1, 1))], domain=QONNX)
            if dense_index % matmul_every == 0:
                t = b.node("Gemm", [t, wq], transB=1)
            else:
                wt = b.node("Transpose", [wq], perm=[1, 0])
                t = b.node("MatMul", [t, wt])
            dense_index += 1
        if layer["bn"] is not None:
            t = _bn_node(b, t, layer["bn"], 4 if layer["kind"] == "conv" else 2)
            if act == "relu1":
                t = b.node("Relu", [t])
                t = b.node("Quant", [t, b.const("act_scale", f32(0.5)), b.const("act_zp", f32(0.0)),
                                     b.const("act_bits", f32(1.0))], domain=QONNX, signed=0, narrow=0,
                           rounding_mode="ROUND")
            else:
                t = b.node("BipolarQuant", [t, b.const("act_scale", f32(1.0))], domain=QONNX)
            if layer["pool"]:
                t = b.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2])
        else:
            t = b.node("Mul", [t, b.const("out_scale", params["out_scale"])])
            t = b.node("Add", [t, b.const("out_bias", params["out_bias"])], name="scores")
    return b.model(x, [1, c, h, w], t, [1, params["layers"][-1]["w"].shape[0]])


def finn(params, zero_one_layer=1, sign_layer=None):
    """export_finn_onnx + partial streamlining style. Input: the raw uint8 image, [1, C, H, W]."""
    arch = params["arch"]
    c, h, w = arch["input"]
    b = _Builder(arch["name"] + "_finn")
    x = "global_in"
    b.annotate(x, "UINT8")
    t = x
    if not arch["conv"]:
        t = b.node("Reshape", [t, b.const("shape", [1, -1], np.int64)])
    t = b.node("Div", [t, b.const("c255", f32(255.0))])
    if arch["bits"] == 1:
        t = b.node("MultiThreshold", [t, b.const("thr", np.array([[0.5]], dtype=f32))], domain=FINN,
                   name="input_quant", out_dtype="BIPOLAR", out_scale=2.0, out_bias=-1.0)
    else:
        t = b.node("Mul", [t, b.const("two", f32(2.0))])
        t = b.node("Sub", [t, b.const("one", f32(1.0))])
        thr = ((np.arange(255, dtype=np.float64) - 127.5) / 128).astype(f32).reshape(1, -1)
        t = b.node("MultiThreshold", [t, b.const("thr", thr)], domain=FINN, name="input_quant",
                   out_dtype="INT8", out_scale=float(2.0 ** -7), out_bias=-1.0)
    variant = 0
    prev_zero_one = False
    for i, layer in enumerate(params["layers"]):
        wl, ws = layer["w"], layer["wscale"]
        wpm = np.where(wl >= 0, f32(1), f32(-1))
        if layer["kind"] == "conv":
            wn = b.const("w", wpm)
            b.annotate(wn, "BIPOLAR")
            pad = layer.get("pad", 0)
            t = b.node("Conv", [t, wn], kernel_shape=[3, 3], pads=[pad] * 4, strides=[1, 1])
            cshape = (1, -1, 1, 1)
            t = _from_zero_one(b, t, wpm, cshape, prev_zero_one)
            t = b.node("Mul", [t, b.const("w_scale", ws.reshape(1, -1, 1, 1))])
        else:
            if i > 0 and params["layers"][i - 1]["kind"] == "conv":
                t = b.node("Transpose", [t], perm=[0, 2, 3, 1])
                t = b.node("Reshape", [t, b.const("shape", [1, -1], np.int64)])
                prev = params["layers"][i - 1]["w"].shape[0]
                hw = wl.shape[1] // prev
                side = int(round(np.sqrt(hw)))
                # the flattened NHWC vector is (h, w, c): reorder the weight columns accordingly
                wpm = wpm.reshape(-1, prev, side, side).transpose(0, 2, 3, 1).reshape(wpm.shape[0], -1)
            wn = b.const("w", np.ascontiguousarray(wpm.T))
            b.annotate(wn, "BIPOLAR")
            t = b.node("MatMul", [t, wn])
            cshape = (1, -1)
            t = _from_zero_one(b, t, wpm, cshape, prev_zero_one)
            t = b.node("Mul", [t, b.const("w_scale", ws.reshape(1, -1))])
        if layer["bn"] is None:
            t = b.node("Mul", [t, b.const("out_scale", params["out_scale"])])
            t = b.node("Add", [t, b.const("out_bias", params["out_bias"])], name="scores")
            break
        gamma, beta, mean, var, eps = layer["bn"]
        zero_one = zero_one_layer == "all" or i == zero_one_layer
        kind = variant % 3
        variant += 1
        if kind == 0:
            t = _bn_node(b, t, layer["bn"], 4)
            thr = np.zeros((1, 1), dtype=f32)
        else:
            a = (gamma / np.sqrt(var + f32(eps))).astype(f32)
            bb = (beta - mean * a).astype(f32)
            if kind == 1:
                t = b.node("Mul", [t, b.const("bn_mul", a.reshape(cshape))])
                t = b.node("Add", [t, b.const("bn_add", bb.reshape(cshape))])
                thr = np.zeros((1, 1), dtype=f32)
            else:
                sgn = np.where(a < 0, f32(-1), f32(1))
                t = b.node("Mul", [t, b.const("bn_sign", sgn.reshape(cshape))])
                thr = (-bb / np.abs(a)).astype(f32).reshape(-1, 1)
        # before a pool, the layout FINN's MakeMaxPoolNHWC + AbsorbTransposeIntoMultiThreshold leave:
        # Transpose, MultiThreshold (NHWC), MaxPoolNHWC, Transpose
        layout = "NHWC" if layer["pool"] else "NCHW"
        if layer["pool"]:
            t = b.node("Transpose", [t], perm=[0, 2, 3, 1])
        if i == sign_layer:
            # ONNX Sign after the batch norm: +-1 wherever its input is never exactly 0
            t = b.node("Sub", [t, b.const("thr_sub", thr.reshape(1, -1) if thr.size > 1 else thr.reshape(()))])
            t = b.node("Sign", [t])
        else:
            t = b.node("MultiThreshold", [t, b.const("thr", thr)], domain=FINN, data_layout=layout,
                       out_dtype="BINARY" if zero_one else "BIPOLAR",
                       out_scale=1.0 if zero_one else 2.0, out_bias=0.0 if zero_one else -1.0)
        prev_zero_one = zero_one
        if layer["pool"]:
            t = b.node("MaxPoolNHWC", [t], domain=FINN, kernel_shape=[2, 2], strides=[2, 2])
            t = b.node("Transpose", [t], perm=[0, 3, 1, 2])
    _vals, idx = b.node("TopK", [t, b.const("k", np.array([1], dtype=np.int64), np.int64)], outputs=2,
                        axis=-1, largest=1, sorted=1, name="topk")
    return b.model(x, [1, c, h, w], idx, [1, 1], TensorProto.INT64), "scores_out0"


def _from_zero_one(b, t, wpm, cshape, zero_one):
    """After a layer reading 0/1 activations b: 2 * sum(w*b) - sum(w) = sum(w * (2b - 1)), the sum the
    network was trained with on +-1 activations (exact for unpadded layers)."""
    if not zero_one:
        return t
    sumw = wpm.reshape(wpm.shape[0], -1).sum(axis=1) if wpm.ndim == 4 else wpm.sum(axis=1)
    t = b.node("Mul", [t, b.const("two", f32(2.0))])
    return b.node("Add", [t, b.const("minus_sum_w", (-sumw).astype(f32).reshape(cshape))])


def input_levels(form, arch):
    """(tensor name, lo, d) of the input quantizer's output: u = (value - lo) / d."""
    if arch["bits"] == 1:
        return "input_quant_out0", -1.0, 2.0
    return "input_quant_out0", -1.0, 2.0 ** -7


def model_input(form, images):
    """What each form's model takes: QONNX the float image / 255, FINN the raw uint8 values."""
    if form == "qonnx":
        return images.astype(f32) / f32(255.0)
    return images.astype(f32)
