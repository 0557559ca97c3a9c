#!/usr/bin/python3
"""bnngen import on the test networks, in QONNX and FINN-ONNX form, with random and trained
weights: import, check, and bnngen infer on real images equal to the float evaluation of the ONNX
model image for image (argmax exactly; scores y = A * score + B with one A > 0 and B).
  test_import.py BNNGEN [--quick] [--only NAME] [--images-scale F]
--quick runs CTest's set (few images for LFC and CNV); without it, more images per case."""

import argparse
import os
import shutil
import sys
import time

import numpy as np
import onnx


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import make_trained_fixtures  # noqa: E402
import model_zoo  # noqa: E402
from model_zoo import QONNX, _Builder, f32  # noqa: E402


def case_sign_finn(images):
    def run(bnngen, work):
        arch = model_zoo.TFC
        m, t = model_zoo.finn(model_zoo.random_params(arch, 12), sign_layer=2)
        assert any(n.op_type == "Sign" for n in m.graph.node)
        return harness.compare(bnngen, m, "finn", arch, harness.images_for(arch, images), work, t)
    return run


def build(form, params, **kw):
    if form == "qonnx":
        return model_zoo.qonnx(params, **kw), "scores_out0"
    return model_zoo.finn(params, **kw)


def case_model(arch, seed, form, images, **kw):
    def run(bnngen, work):
        params = model_zoo.random_params(arch, seed, **kw)
        m, t = build(form, params)
        return harness.compare(bnngen, m, form, arch, harness.images_for(arch, images), work, t)
    return run


def case_trained(name, form, images):
    def run(bnngen, work):
        params = make_trained_fixtures.load(name)
        m, t = build(form, params)
        return harness.compare(bnngen, m, form, params["arch"], harness.images_for(params["arch"], images), work, t)
    return run


def case_padded_zero_one(images):
    def run(bnngen, work):
        arch = model_zoo.SMALL_PADDED
        params = model_zoo.random_params(arch, 7)
        m, t = model_zoo.finn(params, zero_one_layer="all")
        r = harness.compare(bnngen, m, "finn", arch, harness.images_for(arch, images), work, t)
        yaml = open(os.path.join(r["net"], "network.yaml")).read()
        assert "padding: 1, pad_value: -1" in yaml, yaml
        return r
    return run


def case_padded_relu1_qonnx(images):
    def run(bnngen, work):
        arch = model_zoo.SMALL_PADDED
        params = model_zoo.random_params(arch, 8)
        m = model_zoo.qonnx(params, act="relu1")
        r = harness.compare(bnngen, m, "qonnx", arch, harness.images_for(arch, images), work, "scores_out0")
        yaml = open(os.path.join(r["net"], "network.yaml")).read()
        assert "padding: 1, pad_value: -1" in yaml, yaml
        return r
    return run


def case_argmax_only(images):
    """Per-class offsets that are not integer multiples of the scale: only the argmax is kept."""
    def run(bnngen, work):
        arch = model_zoo.TFC
        params = model_zoo.random_params(arch, 11)
        m, _ = build("qonnx", params)
        for init in m.graph.initializer:
            if init.name.startswith("out_bias"):
                # offsets / A = 2 k[c] + f[c], f falling with the class index: the model's ties and
                # near-ties go as bnngen's (lowest index first) with integer biases 2 k[c]
                k = np.array([0, 1, -1, 0, 2, 1, 0, -1, 1, 0])
                beta = 2 * k + np.linspace(0.95, 0.05, 10)
                init.CopyFrom(onnx.numpy_helper.from_array((0.125 * beta - 3).astype(f32).reshape(1, 10), init.name))
        r = harness.compare(bnngen, m, "qonnx", arch, harness.images_for(arch, images), work, "scores_out0",
                            argmax_only=True)
        assert "only the argmax is kept" in r["log"], r["log"]
        return r
    return run


def case_integer_input(images):
    """No input quantizer: the raw uint8 pixels feed the first layer, --input-bits 8."""
    def run(bnngen, work):
        arch = dict(model_zoo.TFC, bits=8)
        rng = np.random.default_rng(4)
        b = _Builder("raw8")
        t = b.node("Reshape", ["global_in", b.const("shape", [1, -1], np.int64)], name="input_quant")
        dims = [784, 64, 32, 10]
        for i in range(3):
            w = rng.standard_normal((dims[i + 1], dims[i])).astype(f32)
            wq = b.node("BipolarQuant", [b.const("w", w), b.const("ws", f32(1))], domain=QONNX)
            t = b.node("Gemm", [t, wq], transB=1)
            t = b.node("Mul", [t, b.const("scale", f32(1 / 256 if i == 0 else 1))])
            if i < 2:
                spread = np.sqrt(dims[i]) * (40 if i == 0 else 1)
                t = b.node("BatchNormalization", [t, b.const("g", rng.normal(0, 1, dims[i + 1]).astype(f32)),
                                                  b.const("b", rng.normal(0, .3, dims[i + 1]).astype(f32)),
                                                  b.const("m", rng.normal(0, spread / 256 if i == 0 else spread, dims[i + 1]).astype(f32)),
                                                  b.const("v", np.full(dims[i + 1], (spread / (256 if i == 0 else 1)) ** 2, f32))])
                t = b.node("BipolarQuant", [t, b.const("s", f32(1))], domain=QONNX)
        m = b.model("global_in", [1, 1, 28, 28], t, [1, 10])
        return harness.compare(bnngen, m, "raw", arch, harness.fmnist(images), work, t,
                               import_args=("--input-bits", "8"), levels=("input_quant_out0", 0.0, 1.0))
    return run


def cases(quick):
    s = 1 if quick else 5
    return [
        ("tfc_random_qonnx", case_model(model_zoo.TFC, 1, "qonnx", 1000 if quick else 10000)),
        ("tfc_random_finn", case_model(model_zoo.TFC, 2, "finn", 1000 if quick else 10000)),
        ("tfc_all_negative_bn_qonnx", case_model(model_zoo.TFC, 3, "qonnx", 300, negative_share=1.0)),
        ("tfc_trained_qonnx", case_trained("tfc", "qonnx", 1000 if quick else 10000)),
        ("tfc_trained_finn", case_trained("tfc", "finn", 1000 if quick else 10000)),
        ("lfc_random_qonnx", case_model(model_zoo.LFC, 1, "qonnx", 200 * s)),
        ("lfc_random_finn", case_model(model_zoo.LFC, 2, "finn", 200 * s)),
        ("lfc_trained_qonnx", case_trained("lfc", "qonnx", 200 * s)),
        ("lfc_trained_finn", case_trained("lfc", "finn", 200 * s)),
        ("cnv_random_qonnx", case_model(model_zoo.CNV, 1, "qonnx", 20 * s)),
        ("cnv_random_finn", case_model(model_zoo.CNV, 2, "finn", 20 * s)),
        ("cnv_trained_qonnx", case_trained("cnv", "qonnx", 20 * s)),
        ("cnv_trained_finn", case_trained("cnv", "finn", 20 * s)),
        ("small_padded_zero_one_finn", case_padded_zero_one(300)),
        ("small_padded_relu1_qonnx", case_padded_relu1_qonnx(300)),
        ("tfc_sign_activation_finn", case_sign_finn(1000)),
        ("argmax_only_offsets_qonnx", case_argmax_only(1000)),
        ("integer_input_bits_8", case_integer_input(300)),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bnngen")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only")
    args = ap.parse_args()
    passed = failed = 0
    for name, fn in cases(args.quick):
        if args.only and args.only not in name:
            continue
        if "trained" in name and not os.path.exists(os.path.join(HERE, "fixtures", name.split("_")[0] + "_trained.npz")):
            print(f"FAIL {name}: fixture missing (make_trained_fixtures.py)")
            failed += 1
            continue
        work = harness.workdir(name)
        t0 = time.time()
        try:
            r = fn(args.bnngen, work)
        except Exception as e:  # noqa: BLE001 (a failing case must not stop the others)
            failed += 1
            print(f"FAIL {name}: {e}")
            continue
        finally:
            shutil.rmtree(work, ignore_errors=True)
        passed += 1
        scores = ("argmax only" if r["score_mismatches"] is None
                  else f"{r['score_mismatches']} score mismatches (y = {r['A']:.6g} * score + {r['B']:.6g})")
        print(f"ok   {name}: {r['images']} images, {r['argmax_mismatches']} argmax mismatches, {scores}, "
              f"{r['spread']} distinct scores, {time.time() - t0:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
