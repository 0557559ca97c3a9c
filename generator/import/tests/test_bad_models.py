#!/usr/bin/python3
"""Models bnngen cannot build, each refused with a clear message naming the node (its name and op
type) and why, exit status 1, and nothing written in the output folder.
  test_bad_models.py BNNGEN"""

import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from model_zoo import FINN, QONNX, _Builder  # noqa: E402

f32 = np.float32
RNG = np.random.default_rng(3)


def pm1(*shape):
    return np.where(RNG.random(shape) < 0.5, f32(-1), f32(1))


def start(name, shape=(1, 1, 4, 4), flatten=True, quant=True):
    b = _Builder(name)
    t = "global_in"
    if flatten:
        t = b.node("Reshape", [t, b.const("shape", [1, -1], np.int64)])
    if quant:
        t = b.node("BipolarQuant", [t, b.const("s", f32(1))], domain=QONNX, name="in_q")
    return b, t, list(shape)


def dense(b, t, i, o, name=None, w=None):
    wq = b.node("BipolarQuant", [b.const("w", pm1(o, i) if w is None else w), b.const("ws", f32(1))], domain=QONNX)
    return b.node("Gemm", [t, wq], transB=1, name=name)


def bn(b, t, o, gamma=None, name=None, dims=2):
    g = np.ones(o, f32) if gamma is None else gamma
    shp = (o,)
    return b.node("BatchNormalization", [t, b.const("g", g.reshape(shp)), b.const("b", np.full(o, f32(0.3))),
                                         b.const("m", np.zeros(o, f32)), b.const("v", np.ones(o, f32))], name=name)


def act(b, t, name=None):
    return b.node("BipolarQuant", [t, b.const("s", f32(1))], domain=QONNX, name=name)


def finish(b, t, in_shape, out_shape=(1, 4), out_type=TensorProto.FLOAT):
    return b.model("global_in", list(in_shape), t, list(out_shape), out_type)


def mlp_tail(b, t, i=8):
    return dense(b, t, i, 4, name="fc_out")


def conv(b, t, cin, o, name=None, pads=0, k=3, w=None, **attrs):
    wq = b.node("BipolarQuant", [b.const("w", pm1(o, cin, k, k) if w is None else w), b.const("ws", f32(1))],
                domain=QONNX)
    return b.node("Conv", [t, wq], name=name, kernel_shape=[k, k], pads=[pads] * 4, **attrs)


# ---------------------------------------------------------------------------------- the corpus
def multi_bit_weights():
    b, t, s = start("m")
    wq = b.node("Quant", [b.const("w", RNG.standard_normal((8, 16)).astype(f32)), b.const("sc", f32(0.25)),
                          b.const("zp", f32(0)), b.const("bw", f32(4))], domain=QONNX, signed=1, narrow=0,
                rounding_mode="ROUND")
    t = b.node("Gemm", [t, wq], transB=1, name="fc_4bit")
    t = act(b, bn(b, t, 8))
    return finish(b, mlp_tail(b, t), s), ["node 'fc_4bit' (Gemm)", "multi-bit weights"]


def ternary_weights():
    b, t, s = start("m")
    w = pm1(16, 8)
    w[3, 2] = 0
    wn = b.const("w", w)
    b.annotate(wn, "TERNARY")
    t = b.node("MatMul", [t, wn], name="fc_ternary")
    t = act(b, bn(b, t, 8))
    return finish(b, mlp_tail(b, t), s), ["node 'fc_ternary' (MatMul)", "ternary weights", "found 0 at [2, 3]"]


def two_bit_activation():
    b, t, s = start("m")
    t = bn(b, dense(b, t, 16, 8), 8)
    t = b.node("Quant", [t, b.const("sc", f32(0.5)), b.const("zp", f32(0)), b.const("bw", f32(2))], domain=QONNX,
               name="act_2bit", signed=1, narrow=0, rounding_mode="ROUND")
    return finish(b, mlp_tail(b, t), s), ["node 'act_2bit' (Quant)", "4 levels", "non-binary hidden activations"]


def multithreshold_3_levels():
    b, t, s = start("m")
    t = dense(b, t, 16, 8)
    t = b.node("MultiThreshold", [t, b.const("thr", np.array([[-1.0, 1.0]], f32))], domain=FINN, name="mt_ternary",
               out_dtype="INT2", out_scale=1.0, out_bias=-1.0)
    return finish(b, mlp_tail(b, t), s), ["node 'mt_ternary' (MultiThreshold)", "2 thresholds per channel",
                                          "non-binary hidden activations"]


def residual_add():
    b, t, s = start("m")
    a = act(b, bn(b, dense(b, t, 16, 16), 16))
    c = act(b, bn(b, dense(b, a, 16, 16), 16))
    b.nodes[-1].input[0]  # noqa: B018
    t = b.node("Add", [a, c], name="residual")
    return finish(b, mlp_tail(b, t, 16), s), ["residual", "branches"]


def average_pool():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = act(b, bn(b, conv(b, t, 2, 4), 4))
    t = b.node("AveragePool", [t], kernel_shape=[2, 2], strides=[2, 2], name="avg")
    t = b.node("Flatten", [t], axis=1)
    return finish(b, mlp_tail(b, t, 16), s), ["node 'avg' (AveragePool)", "average pooling"]


def global_average_pool():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = act(b, bn(b, conv(b, t, 2, 8), 8))
    t = b.node("GlobalAveragePool", [t], name="gap")
    t = b.node("Flatten", [t], axis=1)
    return finish(b, mlp_tail(b, t), s), ["node 'gap' (GlobalAveragePool)", "average pooling"]


def grouped_conv():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = act(b, bn(b, conv(b, t, 2, 4), 4))
    t = conv(b, t, 2, 4, name="dw", group=2)
    return finish(b, t, s), ["node 'dw' (Conv)", "group = 2", "grouped / depthwise"]


def dilated_conv():
    b, t, s = start("m", (1, 2, 8, 8), flatten=False)
    t = conv(b, t, 2, 4, name="dil", dilations=[2, 2])
    return finish(b, t, s), ["node 'dil' (Conv)", "dilations [2, 2]"]


def padded_bipolar_conv():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = act(b, bn(b, conv(b, t, 2, 4), 4))
    t = act(b, bn(b, conv(b, t, 4, 4, name="conv_pad", pads=1), 4))
    t = b.node("Flatten", [t], axis=1)
    return finish(b, mlp_tail(b, t, 64), s), ["node 'conv_pad' (Conv)", "pads its binary input with 0",
                                              "values -1, 1"]


def padded_signed_input_conv():
    b, t, s = start("m", (1, 1, 6, 6), flatten=False, quant=False)
    t = b.node("Quant", [t, b.const("sc", f32(1 / 128)), b.const("zp", f32(0)), b.const("bw", f32(8))],
               domain=QONNX, signed=1, narrow=0, rounding_mode="ROUND", name="in_q8")
    t = act(b, bn(b, conv(b, t, 1, 4, name="conv1_pad", pads=1), 4))
    t = b.node("Flatten", [t], axis=1)
    return finish(b, mlp_tail(b, t, 144), s), ["node 'conv1_pad' (Conv)", "pads the quantized model input with 0"]


def sign_at_zero():
    b, t, s = start("m")
    t = dense(b, t, 16, 8)
    t = b.node("Sign", [t], name="sign0")
    return finish(b, mlp_tail(b, t), s), ["node 'sign0' (Sign)", "Sign(0) = 0", "exactly 0"]


def sign_on_input():
    b, t, s = start("m", quant=False)
    t = b.node("Sign", [t], name="in_sign")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    return finish(b, mlp_tail(b, t), s), ["node 'in_sign' (Sign)", "Sign on the model input"]


def per_class_scales():
    b, t, s = start("m")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    t = dense(b, t, 8, 4)
    t = bn(b, t, 4, gamma=np.array([1.0, 2.0, 0.5, 1.5], f32), name="bn_classes")
    return finish(b, t, s), ["node 'bn_classes' (BatchNormalization)", "different scales per class",
                             "neither the scores nor the argmax"]


def softmax_end():
    b, t, s = start("m")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    t = b.node("Softmax", [mlp_tail(b, t)], name="probs", axis=1)
    return finish(b, t, s), ["node 'probs' (Softmax)", "softmax keeps the argmax but not integer scores"]


def unquantized_input():
    b, t, s = start("m", quant=False)
    t = act(b, bn(b, dense(b, t, 16, 8, name="fc_float_in"), 8))
    return finish(b, mlp_tail(b, t), s), ["node 'fc_float_in' (Gemm)", "without a quantizer", "--input-bits"]


def pool_before_decreasing():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = conv(b, t, 2, 4)
    t = b.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2], name="pool_early")
    t = b.node("Mul", [t, b.const("neg", np.full((1, 4, 1, 1), f32(-1)))])
    t = act(b, t)
    t = b.node("Flatten", [t], axis=1)
    return finish(b, mlp_tail(b, t, 16), s), ["node 'pool_early' (MaxPool)", "decreasing"]


def two_layers_without_activation():
    b, t, s = start("m")
    t = dense(b, t, 16, 8, name="fc_a")
    t = dense(b, t, 8, 4, name="fc_b")
    return finish(b, t, s), ["node 'fc_b' (Gemm)", "never quantized", "non-binary hidden activations"]


def relu_hidden():
    b, t, s = start("m")
    t = b.node("Relu", [dense(b, t, 16, 8, name="fc_relu")], name="relu")
    t = dense(b, t, 8, 4, name="fc_after_relu")
    return finish(b, t, s), ["node 'fc_after_relu' (Gemm)", "never quantized"]


def topk_three():
    b, t, s = start("m")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    _v, i = b.node("TopK", [mlp_tail(b, t), b.const("k", np.array([3], np.int64), np.int64)], outputs=2,
                   name="top3", axis=-1)
    return finish(b, i, s, (1, 3), TensorProto.INT64), ["node 'top3' (TopK)", "expected K = 1"]


def argmax_last_index():
    b, t, s = start("m")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    t = b.node("ArgMax", [mlp_tail(b, t)], name="amax", axis=1, select_last_index=1)
    return finish(b, t, s, (1, 1), TensorProto.INT64), ["node 'amax' (ArgMax)", "select_last_index = 1"]


def unknown_op():
    b, t, s = start("m")
    t = b.node("Tanh", [dense(b, t, 16, 8)], name="tanh")
    return finish(b, mlp_tail(b, t), s), ["node 'tanh' (Tanh)", "not supported"]


def branching():
    b, t, s = start("m")
    a = act(b, bn(b, dense(b, t, 16, 8), 8))
    x1 = dense(b, a, 8, 4, name="head1")
    x2 = dense(b, a, 8, 4, name="head2")
    t = b.node("Mul", [x1, b.const("two", f32(2))])
    m = finish(b, t, s)
    m.graph.output.append(helper.make_tensor_value_info(x2, TensorProto.FLOAT, [1, 4]))
    return m, ["node 'head2' (Gemm)", "branches"]


def per_channel_activation_scale():
    b, t, s = start("m")
    t = bn(b, dense(b, t, 16, 8), 8)
    t = b.node("BipolarQuant", [t, b.const("s", np.linspace(0.5, 2, 8).astype(f32).reshape(1, 8))], domain=QONNX)
    t = dense(b, t, 8, 4, name="fc_scaled_in")
    return finish(b, t, s), ["node 'fc_scaled_in' (Gemm)", "per-channel scales"]


def per_input_weight_scale():
    b, t, s = start("m")
    wq = b.node("BipolarQuant", [b.const("w", pm1(8, 16)), b.const("ws", np.linspace(0.5, 2, 16).astype(f32).reshape(1, 16))],
                domain=QONNX)
    t = b.node("Gemm", [t, wq], transB=1, name="fc_col_scales")
    return finish(b, t, s), ["node 'fc_col_scales' (Gemm)", "different magnitudes in output channel 0"]


def non_square_kernel():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    wq = b.node("BipolarQuant", [b.const("w", pm1(4, 2, 3, 1)), b.const("ws", f32(1))], domain=QONNX)
    t = b.node("Conv", [t, wq], kernel_shape=[3, 1], name="conv_3x1")
    return finish(b, t, s), ["node 'conv_3x1' (Conv)", "square kernel"]


def padded_maxpool():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = act(b, bn(b, conv(b, t, 2, 4), 4))
    t = b.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 1, 1], name="pool_pad")
    return finish(b, t, s), ["node 'pool_pad' (MaxPool)", "no padding"]


def maxpool_on_input():
    b, t, s = start("m", (1, 2, 6, 6), flatten=False)
    t = b.node("MaxPool", [t], kernel_shape=[2, 2], name="pool_in")
    return finish(b, t, s), ["node 'pool_in' (MaxPool)", "max-pools the model input"]


def two_inputs():
    b, t, s = start("m")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    m = finish(b, mlp_tail(b, t), s)
    m.graph.input.append(helper.make_tensor_value_info("second", TensorProto.FLOAT, [1, 3]))
    return m, ["expected one input (the image), found 2"]


def not_onnx():
    return b"this is not a protobuf \xff\xfe", ["not an ONNX model"]


def input_bits_too_small():
    b, t, s = start("m", quant=False)
    t = b.node("Quant", [t, b.const("sc", f32(1 / 255)), b.const("zp", f32(0)), b.const("bw", f32(8))],
               domain=QONNX, signed=0, narrow=0, rounding_mode="ROUND", name="in_u8")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    return (finish(b, mlp_tail(b, t), s), ["--input-bits 4", "256 levels, which need 8 bits"]), ["--input-bits", "4"]


def argmax_offsets_unrepresentable():
    b, t, s = start("m")
    t = act(b, bn(b, dense(b, t, 16, 8), 8))
    t = b.node("Add", [mlp_tail(b, t), b.const("off", np.array([[0.0, 0.4, 0.8, 1.2]], f32))], name="class_offsets")
    return finish(b, t, s), ["node 'class_offsets' (Add)", "only the argmax could be kept, and it cannot"]


CASES = [argmax_offsets_unrepresentable, multi_bit_weights, ternary_weights, two_bit_activation, multithreshold_3_levels, residual_add,
         average_pool, global_average_pool, grouped_conv, dilated_conv, padded_bipolar_conv,
         padded_signed_input_conv, sign_at_zero, sign_on_input, per_class_scales, softmax_end,
         unquantized_input, pool_before_decreasing, two_layers_without_activation, relu_hidden, topk_three,
         argmax_last_index, unknown_op, branching, per_channel_activation_scale, per_input_weight_scale,
         non_square_kernel, padded_maxpool, maxpool_on_input, two_inputs, not_onnx, input_bits_too_small]


def main():
    bnngen = sys.argv[1]
    work = harness.workdir("bad")
    passed = failed = 0
    for case in CASES:
        built = case()
        extra = []
        if isinstance(built[0], tuple):
            (model, expect), extra = built
        else:
            model, expect = built
        path = os.path.join(work, case.__name__ + ".onnx")
        if isinstance(model, bytes):
            with open(path, "wb") as f:
                f.write(model)
        else:
            onnx.save(model, path)
        out = os.path.join(work, case.__name__ + "_out")
        r = harness.run([bnngen, "import", path, "-o", out, *extra], expect=None)
        msg = r.stderr.strip()
        problems = []
        if r.returncode != 1:
            problems.append(f"exit {r.returncode}, expected 1")
        for phrase in expect:
            if phrase not in msg:
                problems.append(f"message lacks {phrase!r}")
        if not msg.startswith(path + ": error: ") and "--input-bits" not in extra:
            problems.append("message does not start with 'MODEL: error: '")
        if os.path.exists(out):
            problems.append("the output folder was created")
        if problems:
            failed += 1
            print(f"FAIL {case.__name__}: {'; '.join(problems)}\n  {msg}")
        else:
            passed += 1
            print(f"ok   {case.__name__}: {msg[len(path) + 2:] if msg.startswith(path) else msg}")
    shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
