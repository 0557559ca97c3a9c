"""Walks the graph from its input to its output, one node at a time, and builds bnngen's layers.
Every node either transforms the abstract value of its data input (values.py) or is refused with
a message naming it."""

import numpy as np

from . import activation, chain, layers, scores
from .errors import ImportFailure, describe, fail
from .graph import attr_str, attributes
from .values import Acc, Levels, Raw, Shape

F32 = np.float32
ELEMENTWISE = {"Mul", "Div", "Add", "Sub"}
QUANTIZERS = {"Quant", "BipolarQuant", "MultiThreshold", "Sign"}
PASS_THROUGH = {"Identity", "Dropout"}
DATATYPE_BITS = {"BINARY": (1, 0.0, 1.0), "BIPOLAR": (1, -1.0, 2.0)}

EXPLAIN = {
    "AveragePool": "average pooling of binary activations is not binary: bnngen pools by max (OR)",
    "GlobalAveragePool": "average pooling of binary activations is not binary: bnngen pools by max (OR)",
    "Softmax": "softmax keeps the argmax but not integer scores: remove it (end the model at the scores or at an ArgMax/TopK)",
    "LogSoftmax": "log-softmax keeps the argmax but not integer scores: remove it (end the model at the scores or at an ArgMax/TopK)",
    "Concat": "bnngen builds a chain of layers, without concatenation",
    "Im2Col": "FINN's lowered convolutions (Im2Col + MatMul) are not supported: import the model before LowerConvsToMatMul",
    "Trunc": "Trunc requantizes multi-bit integers: bnngen's hidden activations are binary",
    "Tanh": "a float activation: the hidden activations must be quantized to two levels",
    "Sigmoid": "a float activation: the hidden activations must be quantized to two levels",
    "HardTanh": "a float activation: the hidden activations must be quantized to two levels",
    "Pad": "explicit padding: give the padding to the Conv node",
}


class Converter:
    def __init__(self, graph, input_bits=None):
        self.g = graph
        self.input_bits = input_bits
        self.layers = []
        self.values = {}
        self.input_note = None
        self.input_shape = None
        self.input_bits_used = None
        self.score_map = None
        self.final = None
        self.final_kind = None
        self.warnings = []
        self.format = self._format()

    def _format(self):
        ops = {n.op_type for n in self.g.nodes}
        if ops & {"Quant", "BipolarQuant"}:
            return "QONNX"
        if "MultiThreshold" in ops or self.g.annotations:
            return "FINN-ONNX"
        return "ONNX"

    # ---------------------------------------------------------------- walking
    def run(self):
        g = self.g
        if len(g.inputs) != 1:
            names = ", ".join(f"'{i.name}'" for i in g.inputs) or "none"
            raise ImportFailure(f"the graph: expected one input (the image), found {len(g.inputs)}: {names}")
        inp = g.inputs[0]
        self.values[inp.name] = Raw(self._input_shape(inp), [], inp.name)
        for name, consumers in g.consumers.items():
            if len(consumers) > 1:
                a, b = consumers[0], consumers[1]
                fail(b, f"reads tensor '{name}', which {describe(a)} reads too: the graph branches there "
                        "(a residual connection or a second output); bnngen builds a chain of layers")
        for node in g.nodes:
            self.step(node)
        self.finish()

    def _input_shape(self, inp):
        dims = self.g.declared_shape(inp.name)
        if dims is None:
            raise ImportFailure(f"the graph's input '{inp.name}' has no declared shape")
        if dims and (dims[0] in (None, 0, 1)):
            dims = [1] + dims[1:]
        if len(dims) == 4 and dims[0] == 1 and all(d for d in dims[1:]):
            return Shape(dims[1:], "NCHW")
        if len(dims) == 2 and dims[0] == 1 and dims[1]:
            return Shape((dims[1], 1, 1), "FLAT", perm=np.arange(dims[1]))
        raise ImportFailure(f"the graph's input '{inp.name}': expected shape [1, C, H, W] or [1, F], found {dims}")

    def data_input(self, node):
        """(index, value) of the node's one non-constant input."""
        found = [(i, self.values[name]) for i, name in enumerate(node.input) if name in self.values]
        others = [name for name in node.input if name and name not in self.values and name not in self.g.consts]
        if others:
            fail(node, f"reads '{others[0]}', which is not computed from the model's input by a supported node")
        if not found:
            fail(node, "reads only constants but could not be computed on them")
        if len(found) > 1:
            what = "residual add" if node.op_type in ("Add", "Sum") else "op on two computed tensors"
            fail(node, f"expected one computed input and constants, found {len(found)} computed inputs "
                       f"('{node.input[found[0][0]]}', '{node.input[found[1][0]]}'): a {what} cannot be built "
                       "(bnngen builds a chain of layers)")
        return found[0]

    def set_out(self, node, value, index=0):
        self.values[node.output[index]] = value

    def step(self, node):
        op = node.op_type
        handler = getattr(self, "op_" + op, None)
        if handler is None:
            why = EXPLAIN.get(op, "bnngen's importer does not know this op")
            fail(node, f"op type {op} is not supported: {why}")
        idx, v = self.data_input(node)
        if self.final is not None and op not in ("Identity",):
            fail(node, "follows the model's class output (TopK / ArgMax): nothing may come after it")
        handler(node, v, idx)

    # ---------------------------------------------------------------- helpers
    def per_channel(self, node, const, what, shape):
        """Per-channel vector (logical channel order) of a constant broadcast against `shape`."""
        c = np.asarray(const, dtype=np.float64)
        phys = shape.physical()
        if c.ndim > len(phys):
            fail(node, f"{what} of shape {list(c.shape)} has more dimensions than the tensor {shape.text()}")
        try:
            full = np.broadcast_to(c, phys)
        except ValueError:
            fail(node, f"{what} of shape {list(c.shape)} does not broadcast to the tensor {shape.text()}")
        if np.broadcast_shapes(c.shape, phys) != tuple(phys):
            fail(node, f"{what} of shape {list(c.shape)} would enlarge the tensor {shape.text()}")
        axis = shape.channel_axis()
        moved = np.moveaxis(full, axis, 0).reshape(phys[axis], -1)
        if not np.all(moved == moved[:, :1]):
            fail(node, f"{what} varies over positions of the tensor {shape.text()}; expected one value per channel")
        vec = moved[:, 0].copy()
        if shape.flat and shape.perm is not None:
            logical = np.empty_like(vec)
            logical[shape.perm] = vec
            vec = logical
        return vec

    # ---------------------------------------------------------------- shape ops
    def op_Identity(self, node, v, idx):
        self.set_out(node, v)

    def op_Dropout(self, node, v, idx):
        self.set_out(node, v)

    def op_Transpose(self, node, v, idx):
        perm = list(attributes(node).get("perm", []))
        s = v.shape
        if s.flat:
            if perm in ([0, 1], []):
                return self.set_out(node, v)
            fail(node, f"expected perm [0, 1] on the vector {s.text()}, found {perm}")
        table = {("NCHW", (0, 2, 3, 1)): "NHWC", ("NHWC", (0, 3, 1, 2)): "NCHW",
                 ("NCHW", (0, 1, 2, 3)): "NCHW", ("NHWC", (0, 1, 2, 3)): "NHWC"}
        layout = table.get((s.layout, tuple(perm)))
        if layout is None:
            fail(node, f"expected perm [0, 2, 3, 1] (NCHW -> NHWC) or [0, 3, 1, 2] (NHWC -> NCHW) on "
                       f"the {s.layout} tensor {s.text()}, found {perm}")
        nv = _with_shape(v, Shape(s.chw, layout))
        self.set_out(node, nv)

    def _flatten_to(self, node, v, target):
        s = v.shape
        f = s.features
        if s.flat:
            if target not in ([1, f], [1, -1], [-1, f], [0, -1], [0, f]):
                fail(node, f"expected to keep the vector {s.text()} as [1, {f}], found target shape {target}")
            return self.set_out(node, v)
        if target not in ([1, f], [1, -1], [-1, f], [0, -1], [0, f]):
            fail(node, f"expected to flatten {s.text()} to [1, {f}], found target shape {target}")
        if isinstance(v, Acc):
            fail(node, "flattens a layer's pre-activation before its activation: put the activation before "
                       "Flatten / Reshape")
        c, h, w = s.chw
        logical = np.arange(f).reshape(c, h, w)
        perm = logical.reshape(-1) if s.layout == "NCHW" else logical.transpose(1, 2, 0).reshape(-1)
        nshape = Shape(s.chw, "FLAT", perm=perm)
        if isinstance(v, Levels):
            nv = Levels(nshape, _per_feature(v.lo, s), _per_feature(v.d, s), v.count, v.source, v.producer,
                        v.quantizer)
            nv.pooled = v.pooled
        elif isinstance(v, Raw):
            nv = Raw(nshape, [_expand_op(op, s) for op in v.ops], v.name)
        self.set_out(node, nv)

    def op_Flatten(self, node, v, idx):
        axis = int(attributes(node).get("axis", 1))
        if axis != 1:
            fail(node, f"expected axis 1 (keep the batch), found {axis}")
        self._flatten_to(node, v, [1, -1])

    def op_Reshape(self, node, v, idx):
        target = [int(x) for x in np.asarray(self.g.const(node, 1, "the target shape")).reshape(-1)]
        s = v.shape
        if len(target) == 4 and not s.flat:
            tgt = [s.physical()[i] if t == 0 else t for i, t in enumerate(target)]
            if tgt == list(s.physical()):
                return self.set_out(node, v)
        if len(target) == 4 and s.flat and isinstance(v, Raw) and not v.ops and s.chw[1:] == (1, 1):
            dims = [int(t) for t in target[1:]]
            if target[0] in (1, -1, 0) and all(t > 0 for t in dims) and int(np.prod(dims)) == s.features:
                return self.set_out(node, Raw(Shape(dims, "NCHW"), [], v.name))
        self._flatten_to(node, v, target)

    # ---------------------------------------------------------------- elementwise
    def _elementwise(self, node, v, idx, kind_first, kind_second):
        other = 1 - idx
        const = self.g.const(node, other, "a constant operand")
        kind = kind_first if idx == 0 else kind_second
        if kind is None:
            fail(node, "divides a constant by a computed tensor: not an affine map")
        self.apply_op(node, v, kind, const)

    def apply_op(self, node, v, kind, const, **extra):
        s = v.shape
        if kind in ("neg", "relu"):
            params = {}
        elif kind == "clip":
            params = {"lo": self.per_channel(node, extra["lo"], "the minimum", s),
                      "hi": self.per_channel(node, extra["hi"], "the maximum", s)}
        elif kind == "bn":
            params = extra
        else:
            vec = self.per_channel(node, const, "the constant operand", s)
            if not np.all(np.isfinite(vec)):
                fail(node, "its constant operand holds a value that is not finite")
            if kind == "div" and np.any(vec == 0):
                fail(node, "divides by 0")
            params = {"c": vec}
        if kind == "neg":
            kind, params = "mul", {"c": -np.ones(s.channels())}
        op = chain.Op(kind, node, **params)
        if isinstance(v, Acc):
            nv = _copy_acc(v)
            nv.ops.append(op)
        elif isinstance(v, Raw):
            nv = Raw(s, v.ops + [op], v.name)
        else:  # Levels: an affine map of both levels (the values stay two- or count-valued)
            ab = op.affine()
            if ab is None:
                # ReLU / Clip on levels: evaluate each level
                vals = [op.exact(np.broadcast_to(v.lo + v.d * u, (s.channels(),)).reshape(-1, 1)).reshape(-1)
                        for u in range(v.count)]
                steps = np.diff(np.stack(vals, axis=1), axis=1)
                if not np.allclose(steps, steps[:, :1]):
                    fail(node, "maps the quantized levels to values that are not equally spaced")
                lo, d = vals[0], steps[:, 0] if steps.shape[1] else np.zeros(s.channels())
            else:
                a, b = ab
                lo, d = v.lo * a + b, v.d * a
            nv = Levels(s, np.broadcast_to(lo, (s.channels(),)), np.broadcast_to(d, (s.channels(),)),
                        v.count, v.source, v.producer, v.quantizer)
            nv.pooled = v.pooled
        self.set_out(node, nv)

    def op_Mul(self, node, v, idx):
        self._elementwise(node, v, idx, "mul", "mul")

    def op_Div(self, node, v, idx):
        self._elementwise(node, v, idx, "div", None)

    def op_Add(self, node, v, idx):
        self._elementwise(node, v, idx, "add", "add")

    def op_Sub(self, node, v, idx):
        self._elementwise(node, v, idx, "sub", "rsub")

    def op_Neg(self, node, v, idx):
        self.apply_op(node, v, "neg", None)

    def op_Relu(self, node, v, idx):
        self.apply_op(node, v, "relu", None)

    def op_Clip(self, node, v, idx):
        a = attributes(node)
        lo = self.g.const_or_none(node, 1)
        hi = self.g.const_or_none(node, 2)
        lo = np.float32(a.get("min", -3.4e38)) if lo is None else lo
        hi = np.float32(a.get("max", 3.4e38)) if hi is None else hi
        self.apply_op(node, v, "clip", None, lo=lo, hi=hi)

    def op_BatchNormalization(self, node, v, idx):
        if idx != 0:
            fail(node, "expected the data as input 0")
        a = attributes(node)
        if int(a.get("training_mode", 0)) != 0:
            fail(node, "training_mode is 1: export the model in inference mode")
        s = v.shape
        vec = [self.per_channel(node, np.asarray(self.g.const(node, i, w)).reshape(_channel_shape(s)), w, s)
               for i, w in ((1, "scale"), (2, "bias"), (3, "mean"), (4, "variance"))]
        eps = float(np.float32(a.get("epsilon", 1e-5)))
        if np.any(vec[3] + eps <= 0):
            fail(node, "a channel's variance + epsilon is not positive")
        self.apply_op(node, v, "bn", None, scale=vec[0], bias=vec[1], mean=vec[2], var=vec[3],
                      eps=np.full(s.channels(), eps))

    # ---------------------------------------------------------------- compute layers
    def _levels_for_layer(self, node, v):
        if isinstance(v, Acc):
            fail(node, "reads a layer's pre-activation that was never quantized: expected a binary "
                       "activation (BipolarQuant, Quant, MultiThreshold or Sign) between two layers; "
                       "non-binary hidden activations cannot be built")
        if isinstance(v, Raw):
            dt = self.g.datatype(v.name)
            bits = self.input_bits
            if dt in DATATYPE_BITS:
                b, lo, d = DATATYPE_BITS[dt]
                count = 2
            elif dt and dt.startswith("UINT"):
                b, lo, d, count = int(dt[4:]), 0.0, 1.0, 2 ** int(dt[4:])
            elif bits is not None:
                b, lo, d, count = bits, 0.0, 1.0, 2 ** bits
            else:
                what = f" (annotated {dt})" if dt else ""
                fail(node, f"reads the model input '{v.name}'{what} without a quantizer: expected a Quant, "
                           "BipolarQuant or MultiThreshold on it, a FINN datatype annotation UINT<n> / BINARY / "
                           "BIPOLAR, or --input-bits B (unsigned B-bit integer input)")
            lvl = Levels(v.shape, lo, d, count, "input")
            lvl.quantizer = f"u = x (the model input{', annotated ' + dt if dt else ''}, as unsigned {b}-bit integers)"
            if dt in DATATYPE_BITS:
                lvl.quantizer = f"u = (x - ({lo:g})) / {d:g} (the model input is {dt})"
            for op in v.ops:
                ab = op.affine()
                if ab is None:
                    fail(op.node, "a non-affine op between the model input and the first layer")
                lvl = Levels(lvl.shape, lvl.lo * ab[0] + ab[1], lvl.d * ab[0], lvl.count, "input",
                             quantizer=lvl.quantizer)
            self._note_input(v.shape, lvl, b)
            return lvl
        return v

    def _note_input(self, shape, lvl, bits):
        """Records the first layer's input: its shape, how the host computes u, and the bits."""
        if self.input_shape is not None:
            return
        self.input_shape = shape
        need = max(1, int(np.ceil(np.log2(lvl.count))), bits or 1)
        if self.input_bits is not None and self.input_bits < need:
            raise ImportFailure(f"--input-bits {self.input_bits}: the model's input quantizer has {lvl.count} "
                                f"levels, which need {need} bits")
        self.input_bits_used = self.input_bits if self.input_bits is not None else need
        self.input_note = lvl.quantizer

    def _layer_from(self, node, v, kind, w_logical, bias, out_shape, **geom):
        lvl = self._levels_for_layer(node, v)
        if lvl.source == "layer" and lvl.producer is None:
            fail(node, "internal: binary input without a producing layer")
        w_pm1, wscale = layers.binarize(node, w_logical)
        layer = layers.Layer(kind, node, weight=w_pm1, out_channels=w_pm1.shape[0], **geom)
        alpha, gamma, pad_value, s_lo, s_hi, step = layers.input_affine(node, lvl, w_pm1, wscale,
                                                                        geom.get("padding", 0))
        layer.pad_value = pad_value
        layer.s_lo, layer.s_hi, layer.s_step = s_lo, s_hi, step
        layer.first = lvl.source == "input"
        if bias is not None:
            gamma = gamma + bias
        self.layers.append(layer)
        acc = Acc(out_shape, layer, alpha, gamma)
        return acc

    def op_Conv(self, node, v, idx):
        if idx != 0:
            fail(node, "expected the data as input 0")
        a = attributes(node)
        s = v.shape
        if s.flat or s.layout != "NCHW":
            fail(node, f"expected an NCHW input [1, C, H, W], found {s.layout} {s.text()}")
        w = np.asarray(self.g.const(node, 1, "the weights"), dtype=np.float64)
        if w.ndim != 4:
            fail(node, f"expected 2-D convolution weights [O, C, k, k], found shape {list(w.shape)}")
        o, cin, kh, kw = w.shape
        group = int(a.get("group", 1))
        if group != 1:
            fail(node, f"group = {group}: grouped / depthwise convolutions cannot be built (expected group 1)")
        if cin != s.chw[0]:
            fail(node, f"expected weights for {s.chw[0]} input channels, found {cin}")
        if kh != kw:
            fail(node, f"expected a square kernel, found {kh} x {kw}")
        dil = list(a.get("dilations", [1, 1]))
        if any(d != 1 for d in dil):
            fail(node, f"dilations {dil}: dilated convolutions cannot be built (expected [1, 1])")
        strides = list(a.get("strides", [1, 1]))
        if len(set(strides)) != 1:
            fail(node, f"expected equal strides, found {strides}")
        auto_pad = attr_str(a.get("auto_pad", "NOTSET"))
        if auto_pad not in ("NOTSET", "VALID"):
            fail(node, f"auto_pad {auto_pad}: give explicit pads")
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if len(set(pads)) != 1:
            fail(node, f"expected the same padding on every side, found pads {pads}")
        pad, stride = int(pads[0]), int(strides[0])
        if pad >= kh:
            fail(node, f"padding {pad} is not below the kernel size {kh}")
        h = (s.chw[1] + 2 * pad - kh) // stride + 1
        wd = (s.chw[2] + 2 * pad - kh) // stride + 1
        if h < 1 or wd < 1:
            fail(node, f"the kernel {kh} x {kh} does not fit the input {s.text()}")
        bias = self.g.const_or_none(node, 2)
        if bias is not None:
            bias = np.asarray(bias, dtype=np.float64).reshape(-1)
        acc = self._layer_from(node, v, "conv", w, bias, Shape((o, h, wd), "NCHW"),
                               kernel=kh, stride=stride, padding=pad)
        self.set_out(node, acc)

    def _dense(self, node, v, w_of, bias, scale=1.0):
        s = v.shape
        if not s.flat:
            fail(node, f"expected a vector [1, F] (Flatten / Reshape first), found {s.text()}")
        f = s.features
        w = np.asarray(w_of, dtype=np.float64)
        if w.ndim != 2 or w.shape[1] != f:
            fail(node, f"expected weights for {f} inputs, found shape {list(w_of.shape)}")
        logical = np.empty_like(w)
        logical[:, s.perm] = w
        o = w.shape[0]
        if scale != 1.0:
            logical = logical * scale
        acc = self._layer_from(node, v, "dense", logical, bias, Shape((o, 1, 1), "FLAT", perm=np.arange(o)))
        self.set_out(node, acc)

    def op_MatMul(self, node, v, idx):
        if idx != 0:
            fail(node, "expected the data as input 0 (x @ W)")
        w = np.asarray(self.g.const(node, 1, "the weights"), dtype=np.float64)
        if w.ndim != 2:
            fail(node, f"expected 2-D weights [F, O], found shape {list(w.shape)}")
        self._dense(node, v, w.T, None)

    def op_Gemm(self, node, v, idx):
        a = attributes(node)
        if idx != 0 or int(a.get("transA", 0)) != 0:
            fail(node, "expected the data as input A, not transposed")
        b = np.asarray(self.g.const(node, 1, "the weights"), dtype=np.float64)
        if b.ndim != 2:
            fail(node, f"expected 2-D weights, found shape {list(b.shape)}")
        w = b if int(a.get("transB", 0)) else b.T
        alpha = float(np.float32(a.get("alpha", 1.0)))
        beta = float(np.float32(a.get("beta", 1.0)))
        c = self.g.const_or_none(node, 2)
        bias = None
        if c is not None:
            bias = np.broadcast_to(np.asarray(c, dtype=np.float64).reshape(-1), (w.shape[0],)) * beta
        self._dense(node, v, w, bias, scale=alpha)

    # ---------------------------------------------------------------- activations
    def _quantize(self, node, v, idx):
        if idx != 0:
            fail(node, "expected the data as input 0")
        s = v.shape
        q = activation.make_quantizer(self.g, node, s, lambda n, c, w: self.per_channel(n, c, w, s))
        if isinstance(v, Raw):
            return self._quantize_input(node, v, q)
        if isinstance(v, Levels):
            return self._requantize(node, v, q)
        return self._threshold(node, v, q)

    op_Quant = _quantize
    op_BipolarQuant = _quantize
    op_MultiThreshold = _quantize
    op_Sign = _quantize

    def _quantize_input(self, node, v, q):
        if q.kind == "sign":
            fail(node, "Sign on the model input outputs 0 where its input is 0 (ONNX Sign(0) = 0), "
                       "which is not a binary value: use BipolarQuant or MultiThreshold to binarize the input")
        vals = q.level_values()
        steps = np.diff(vals, axis=1)
        if not np.allclose(steps, steps[:, :1], rtol=1e-6, atol=0):
            fail(node, "the input quantizer's levels are not equally spaced")
        for op in v.ops:
            if op.affine() is None and op.kind not in ("relu", "clip"):
                fail(op.node, "a non-monotone op before the input quantizer")
        count = vals.shape[1]
        lvl = Levels(v.shape, vals[:, 0], steps[:, 0], count, "input")
        var = chain.describe_ops(v.ops, "x")
        lvl.quantizer = q.text(var if var == "x" else "t") + ("" if var == "x" else f", t = {var}")
        lvl.quantizer += f", x the model input '{v.name}'"
        dt = self.g.datatype(v.name)
        if dt and dt.startswith("UINT") and count == 2 and not v.shape.flat:
            table = _integer_input_rule(v, q, int(dt[4:]))
            if table:
                lvl.quantizer += f"; for the {dt} model input: {table}"
        self._note_input(v.shape, lvl, None)
        self.set_out(node, lvl)

    def _requantize(self, node, v, q):
        """A quantizer on values that are already quantized (e.g. after a max-pool): each level maps
        to a level; the result must still be equally spaced."""
        c = v.shape.channels()
        vals = np.stack([np.broadcast_to(v.lo + v.d * u, (c,)) for u in range(v.count)], axis=1)
        idx = q.index(vals.astype(F32))
        levels = q.level_values()
        out = np.take_along_axis(levels, idx, axis=1)
        if v.count == 2:
            d = out[:, 1] - out[:, 0]
            if np.any(d == 0):
                ch = int(np.nonzero(d == 0)[0][0])
                fail(node, f"maps both binary values of channel {ch} to {out[ch, 0]:g}: the output is constant")
            if v.source == "layer" and np.any(d < 0):
                fail(node, "inverts binary activations (a negative scale): bnngen cannot invert bits after they were pooled"
                     if v.pooled else "inverts binary activations")
            nv = Levels(v.shape, out[:, 0], d, 2, v.source, v.producer, v.quantizer)
            nv.pooled = v.pooled
            return self.set_out(node, nv)
        steps = np.diff(out, axis=1)
        if np.any(steps != steps[:, :1]) or np.any(steps[:, 0] == 0):
            fail(node, "requantizes the input levels to values that are not equally spaced")
        nv = Levels(v.shape, out[:, 0], steps[:, 0], v.count, v.source, v.producer, v.quantizer)
        self.set_out(node, nv)

    def _threshold(self, node, acc, q):
        layer = acc.layer
        if layer.activation is not None:
            fail(node, "a second activation on the same layer")
        lo, d, high = activation.binary_levels(q, "after a layer")
        s_lo, s_hi = layer.s_lo, layer.s_hi
        if q.kind == "sign":
            bad = activation.sign_zero_channels(acc, s_lo, s_hi, layer.s_step)
            if bad:
                ch, s = bad[0]
                fail(node, f"its input is exactly 0 in channel {ch} at the reachable pre-activation "
                           f"s = {s}: ONNX Sign(0) = 0, which is neither +1 nor -1 "
                           f"({len(bad)} channel{'s' if len(bad) > 1 else ''}); use BipolarQuant / MultiThreshold "
                           "(x >= 0 -> +1), or a bias that keeps the input off 0")
        if acc.pool is not None:
            pool_node, _, _, at = acc.pool
            post = chain.direction(acc.ops[at:], acc.alpha.shape[0])
            bad = np.nonzero(post < 0)[0]
            if bad.size:
                fail(pool_node, f"max-pools pre-activations that the following ops make decreasing "
                                f"(channel {int(bad[0])}, e.g. a negative scale after the pool): the pool "
                                "would be a minimum of the activations, which bnngen cannot build; pool after "
                                "the activation")
        decide = activation.make_decider(acc, q, high)
        t, flip = activation.search_thresholds(decide, s_lo, s_hi)
        if not activation.check_monotone(decide, s_lo, s_hi, t, flip):
            fail(node, "internal: the decision is not monotone in the pre-activation")
        t64, flip64 = activation.search_thresholds(activation.make_decider(acc, q, high, exact=True), s_lo, s_hi)
        fragile = np.nonzero((t64 != t) | (flip64 != flip))[0]
        if fragile.size:
            self.warnings.append(
                f"{describe(node)}: {fragile.size} channel(s) (first: {int(fragile[0])}) sit on a threshold that "
                "float32 rounding decides (the exact real-number value gives another integer threshold); "
                "bnngen follows the model's float32 arithmetic as the ONNX ops define it")
        layer.threshold = t
        layer.flip(flip)
        layer.activation = "threshold"
        if acc.pool is not None:
            pool_node, k, stride, _ = acc.pool
            self._add_pool(pool_node, k, stride)
        lvl = Levels(acc.shape, lo, d, 2, "layer", layer)
        lvl.pooled = acc.pool is not None
        self.set_out(node, lvl)

    # ---------------------------------------------------------------- pooling
    def _pool_geometry(self, node, s, layout):
        a = attributes(node)
        ks = list(a.get("kernel_shape", []))
        if len(ks) != 2 or ks[0] != ks[1]:
            fail(node, f"expected a square 2-D kernel, found kernel_shape {ks}")
        k = int(ks[0])
        strides = list(a.get("strides", [k, k]))
        if len(set(strides)) != 1:
            fail(node, f"expected equal strides, found {strides}")
        stride = int(strides[0])
        pads = list(a.get("pads", [0, 0, 0, 0]))
        if any(p != 0 for p in pads):
            fail(node, f"pads {pads}: bnngen's max-pool has no padding")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            fail(node, "dilated pooling cannot be built")
        if attr_str(a.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID"):
            fail(node, "auto_pad: give explicit (zero) pads")
        if len(node.output) > 1 and node.output[1]:
            fail(node, "the Indices output of MaxPool is not supported")
        c, h, w = s.chw
        if k > h or k > w:
            fail(node, f"the {k} x {k} window does not fit the input {s.text()}")
        if int(a.get("ceil_mode", 0)) and ((h - k) % stride or (w - k) % stride):
            fail(node, "ceil_mode 1 with a partial window at the edge: bnngen drops the remainder (floor)")
        return k, stride, Shape((c, (h - k) // stride + 1, (w - k) // stride + 1), layout)

    def _maxpool(self, node, v, idx, layout):
        s = v.shape
        if s.flat or s.layout != layout:
            fail(node, f"expected a {layout} input, found {s.layout} {s.text()}")
        k, stride, out = self._pool_geometry(node, s, layout)
        if isinstance(v, Raw) or (isinstance(v, Levels) and v.source == "input"):
            fail(node, "max-pools the model input: bnngen's max-pool works on binary activations (after a layer)")
        if isinstance(v, Acc):
            if v.pool is not None:
                fail(node, "a second max-pool before the activation")
            nv = _copy_acc(v)
            nv.pool = (node, k, stride, len(v.ops))
            nv.shape = out
            return self.set_out(node, nv)
        if np.any(v.d <= 0):
            fail(node, "max-pools binary values whose +1 level is the smaller value: that is a minimum of the bits")
        self._add_pool(node, k, stride)
        nv = Levels(out, v.lo, v.d, 2, "layer", v.producer, v.quantizer)
        nv.pooled = True
        self.set_out(node, nv)

    def _add_pool(self, node, k, stride):
        self.layers.append(layers.Layer("maxpool", node, kernel=k, stride=stride))

    def op_MaxPool(self, node, v, idx):
        self._maxpool(node, v, idx, "NCHW")

    def op_MaxPoolNHWC(self, node, v, idx):
        self._maxpool(node, v, idx, "NHWC")

    # ---------------------------------------------------------------- the end
    def _class_output(self, node, v, axis):
        s = v.shape
        if not s.flat:
            fail(node, f"expected the class scores as a vector [1, classes], found {s.text()}")
        if axis not in (1, -1):
            fail(node, f"expected axis 1 (or -1), the classes, found {axis}")
        if isinstance(v, Raw) or (isinstance(v, Levels) and v.source == "input"):
            fail(node, "takes the argmax of the model input")
        self.final = v
        self.final_kind = "argmax"
        self.final_node = node

    def op_TopK(self, node, v, idx):
        a = attributes(node)
        k = np.asarray(self.g.const(node, 1, "K")).reshape(-1)
        if k.size != 1 or int(k[0]) != 1:
            fail(node, f"expected K = 1 (the predicted class), found K = {k.tolist()}")
        if int(a.get("largest", 1)) != 1:
            fail(node, "largest = 0 selects the smallest score; expected the largest")
        self._class_output(node, v, int(a.get("axis", -1)))
        for i, name in enumerate(node.output):
            if name:
                self.values[name] = ("final", i)

    def op_ArgMax(self, node, v, idx):
        a = attributes(node)
        if int(a.get("select_last_index", 0)) != 0:
            fail(node, "select_last_index = 1 breaks ties to the highest class; bnngen breaks ties to the lowest")
        self._class_output(node, v, int(a.get("axis", 0)))
        self.values[node.output[0]] = ("final", 1)

    def finish(self):
        g = self.g
        if not self.layers or all(l.kind == "maxpool" for l in self.layers):
            raise ImportFailure("the graph has no Conv, MatMul or Gemm layer")
        outs = g.outputs
        if self.final is None:
            if len(outs) != 1:
                raise ImportFailure(f"the graph: expected one output (the class scores), found {len(outs)}")
            v = self.values.get(outs[0])
            if v is None:
                raise ImportFailure(f"the graph's output '{outs[0]}' is not computed from its input")
            self.final = v
            self.final_node = None
            self.final_kind = "scores"
        else:
            for name in outs:
                if not isinstance(self.values.get(name), tuple):
                    raise ImportFailure(f"the graph's output '{name}' is not the class output of {describe(self.final_node)}")
        v = self.final
        if isinstance(v, Raw) or (isinstance(v, Levels) and v.source == "input"):
            raise ImportFailure("the graph's output is not computed by a layer")
        last = [l for l in self.layers if l.kind != "maxpool"][-1]
        if isinstance(v, Acc):
            if v.pool is not None:
                fail(v.pool[0], "max-pools the class scores: bnngen's last layer outputs one score per class")
            if v.layer is not last:
                raise ImportFailure("internal: the scores are not the last layer's")
            if not v.shape.flat and v.shape.chw[1:] != (1, 1):
                fail(last.node, f"expected one score per class ([1, classes] or [1, classes, 1, 1]), found {v.shape.text()}")
            self.score_map = scores.finalize(v, last, self.final_node)
            last.activation = "none"
            last.bias = self.score_map.bias
        else:
            self.score_map = None
            if self.layers[-1].kind == "maxpool" and v.shape.chw[1:] != (1, 1):
                fail(self.layers[-1].node, "the network ends in a max-pool whose output is not one value per class")
        for l in self.layers:
            if l.kind != "maxpool" and l.activation is None:
                fail(l.node, "its output is never quantized and it is not the last layer")


def _with_shape(v, shape):
    if isinstance(v, Acc):
        nv = _copy_acc(v)
        nv.shape = shape
        return nv
    if isinstance(v, Raw):
        return Raw(shape, v.ops, v.name)
    nv = Levels(shape, v.lo, v.d, v.count, v.source, v.producer, v.quantizer)
    nv.pooled = v.pooled
    return nv


def _copy_acc(v):
    nv = Acc(v.shape, v.layer, v.alpha, v.gamma)
    nv.ops = list(v.ops)
    nv.pool = v.pool
    return nv


def _channel_shape(s):
    """BatchNormalization's parameters apply along axis 1."""
    if s.layout == "NHWC":
        raise ImportFailure("BatchNormalization on an NHWC tensor: ONNX normalizes axis 1, which is not the channels")
    return (1, -1, 1, 1) if s.layout == "NCHW" else (1, -1)


def _per_feature(vec, s):
    """A per-channel vector of a (C, H, W) tensor as per-feature (logical CHW flatten order)."""
    c, h, w = s.chw
    return np.repeat(np.broadcast_to(np.asarray(vec, dtype=np.float64), (c,)), h * w)


def _expand_op(op, s):
    params = {k: _per_feature(v, s) for k, v in op.params.items()}
    return chain.Op(op.kind, op.node, **params)


def _integer_input_rule(v, q, bits):
    """For an integer (UINT<bits>) model input binarized per tensor: the x at which u becomes 1."""
    xs = np.arange(2 ** bits, dtype=np.float64)
    c = v.shape.channels()
    vals = np.broadcast_to(xs.astype(F32), (c, xs.size))
    t = chain.replay(v.ops, vals)
    lo, d, high = activation.binary_levels(q, "on the input")
    u = (q.index(t) == high.reshape(-1, 1))
    if not np.all(u == u[:1]):
        return None
    row = u[0]
    if row.all():
        return "u = 1 for every x"
    if not row.any():
        return "u = 0 for every x"
    first = int(np.argmax(row))
    if row[first:].all() and not row[:first].any():
        return f"u = 1 iff x >= {first}"
    last = int(np.nonzero(row)[0][-1])
    if row[:last + 1].all():
        return f"u = 1 iff x <= {last}"
    return None
