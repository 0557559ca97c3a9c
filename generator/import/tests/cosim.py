#!/usr/bin/python3
"""Co-simulation of an imported network: build a test model (model_zoo), bnngen import it, and
bnngen verify it (generate, Verilator, stream images) against the golden model; also check the
RTL's scores against the ONNX model's float evaluation.
  cosim.py BNNGEN WORK {tfc|lfc|cnv} {qonnx|finn} {trained|random} IMAGES [--fold LAYER=PE,SIMD ...] [--stall P]
The importer writes no folding (fold 1 x 1); --fold sets some for a faster simulation."""

import argparse
import os
import re
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import float_eval  # noqa: E402
import harness  # noqa: E402
import make_trained_fixtures  # noqa: E402
import model_zoo  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bnngen")
    ap.add_argument("work")
    ap.add_argument("arch", choices=["tfc", "lfc", "cnv"])
    ap.add_argument("form", choices=["qonnx", "finn"])
    ap.add_argument("weights", choices=["trained", "random"])
    ap.add_argument("images", type=int)
    ap.add_argument("--fold", action="append", default=[])
    ap.add_argument("--stall", default="0.2")
    a = ap.parse_args()
    arch = {"tfc": model_zoo.TFC, "lfc": model_zoo.LFC, "cnv": model_zoo.CNV}[a.arch]
    params = make_trained_fixtures.load(a.arch) if a.weights == "trained" else model_zoo.random_params(arch, 1)
    m, scores_tensor = (model_zoo.qonnx(params), "scores_out0") if a.form == "qonnx" else model_zoo.finn(params)
    os.makedirs(a.work, exist_ok=True)
    path = os.path.join(a.work, f"{a.arch}_{a.form}.onnx")
    onnx.save(m, path)
    net = os.path.join(a.work, "net")
    harness.run([a.bnngen, "import", path, "-o", net, "--name", f"{a.arch}_{a.form}_{a.weights}"])
    yaml_path = os.path.join(net, "network.yaml")
    if a.fold:
        text = open(yaml_path).read()
        for spec in a.fold:
            layer, ps = spec.split("=")
            pe, simd = ps.split(",")
            text, n = re.subn(r"(\{name: " + layer + r",.*?)\}\n", r"\1, fold: {pe: " + pe + ", simd: " + simd + "}}\n", text)
            assert n == 1, f"no layer {layer}"
        open(yaml_path, "w").write(text)
    images = harness.images_for(arch, a.images)
    env = float_eval.run(m, model_zoo.model_input(a.form, images))
    name, lo, d = model_zoo.input_levels(a.form, arch)
    c, h, w = arch["input"]
    u = np.round((env[name] - lo) / d).reshape(len(images), c, h, w).astype(np.uint8)
    np.save(os.path.join(a.work, "u.npy"), u)
    r = harness.run([a.bnngen, "verify", yaml_path, "--images", os.path.join(a.work, "u.npy"), "--stall", a.stall,
                     "-o", os.path.join(a.work, "rtl"), "--out", os.path.join(a.work, "rtl_scores.npy")], expect=None)
    print(r.stdout + r.stderr)
    if r.returncode != 0 or not re.search(rf"^mismatches: 0 of {a.images} images", r.stdout, re.M):
        print("FAIL: co-simulation")
        return 1
    rtl = np.load(os.path.join(a.work, "rtl_scores.npy")).astype(np.int64)
    y = env[scores_tensor].astype(np.float64).reshape(len(images), -1)
    model_class = np.argmax(y, axis=1)
    agree = int(np.count_nonzero(np.argmax(rtl, axis=1) == model_class))
    print(f"RTL argmax equals the ONNX model's on {agree} of {len(images)} images")
    if agree != len(images):
        print("FAIL: RTL against the ONNX model")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
