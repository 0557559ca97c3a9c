"""What the import tests share: real images, running bnngen, and comparing its integer scores
with the float evaluation of the ONNX model, image for image."""

import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import float_eval  # noqa: E402
import model_zoo  # noqa: E402

FMNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def fmnist(n):
    with gzip.open(FMNIST, "rb") as f:
        data = f.read()
    count, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    imgs = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, 1, rows, cols)
    return imgs[:n].copy()


def cnv_images(n):
    """32 x 32 x 3 8-bit images made from Fashion-MNIST test images: zero-padded by 2 pixels to
    32 x 32; channel 0 the image, channel 1 its transpose, channel 2 its negative (255 - p)."""
    p = np.pad(fmnist(n)[:, 0], ((0, 0), (2, 2), (2, 2)))
    return np.stack([p, p.transpose(0, 2, 1), 255 - p], axis=1).astype(np.uint8)


def images_for(arch, n):
    return cnv_images(n) if arch["input"] == (3, 32, 32) else fmnist(n)


class Failure(AssertionError):
    pass


def run(cmd, expect=0):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if expect is not None and r.returncode != expect:
        raise Failure(f"{' '.join(map(str, cmd))}: exit {r.returncode} (expected {expect})\n{r.stdout}{r.stderr}")
    return r


def import_model(bnngen, model, work, extra=()):
    path = os.path.join(work, "model.onnx")
    onnx.save(model, path)
    out = os.path.join(work, "net")
    r = run([bnngen, "import", path, "-o", out, *extra])
    run([bnngen, "check", os.path.join(out, "network.yaml")])
    return out, r.stdout


def compare(bnngen, model, form, arch, images, work, scores_tensor, argmax_only=False, import_args=(),
            levels=None):
    """Imports `model`, runs bnngen infer on the images the model's input quantizer produces, and
    checks image for image: argmax equal to the model's; scores an exact affine image of the
    model's output (scores_tensor, the values before any TopK). Returns a summary dict."""
    net, log = import_model(bnngen, model, work, import_args)
    x = model_zoo.model_input(form, images)
    env = float_eval.run(model, x)
    name, lo, d = levels or model_zoo.input_levels(form, arch)
    u = np.round((env[name] - lo) / d)
    assert np.all(np.abs((env[name] - lo) / d - u) < 1e-3), "input levels are not integers"
    c, h, w = arch["input"]
    u = u.reshape(len(images), c, h, w).astype(np.uint8 if arch["bits"] <= 8 else np.uint16)
    np.save(os.path.join(work, "u.npy"), u)
    run([bnngen, "infer", os.path.join(net, "network.yaml"), "--images", os.path.join(work, "u.npy"),
         "--out", os.path.join(work, "scores.npy")])
    scores = np.load(os.path.join(work, "scores.npy")).astype(np.int64)
    y = env[scores_tensor].astype(np.float64).reshape(len(images), -1)
    model_class = np.argmax(y, axis=1)
    out_name = model.graph.output[0].name
    if model.graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.INT64:
        model_class = env[out_name].reshape(-1)
    ours = np.argmax(scores, axis=1)
    argmax_diff = int(np.count_nonzero(ours != model_class))
    # y = A * score + B with one A > 0 and one B for every class and image
    design = np.stack([scores.reshape(-1).astype(np.float64), np.ones(scores.size)], axis=1)
    (A, B), *_ = np.linalg.lstsq(design, y.reshape(-1), rcond=None)
    recovered = np.round((y - B) / A).astype(np.int64)
    score_diff = int(np.count_nonzero(np.any(recovered != scores, axis=1)))
    residual = float(np.max(np.abs(A * scores + B - y)))
    result = {"images": len(images), "argmax_mismatches": argmax_diff, "score_mismatches": score_diff,
              "A": float(A), "B": float(B), "residual": residual, "log": log, "net": net,
              "spread": int(len(np.unique(scores)))}
    if argmax_only:
        score_diff, residual, A = 0, 0.0, 1.0
        result.update(score_mismatches=None, A=None, B=None, residual=None)
    if argmax_diff or score_diff or A <= 0 or residual > 1e-4 * max(1.0, float(np.max(np.abs(y)))):
        first = int(np.nonzero((ours != model_class) | np.any(recovered != scores, axis=1))[0][0]) \
            if (argmax_diff or score_diff) else 0
        raise Failure(f"{argmax_diff} argmax and {score_diff} score mismatches of {len(images)} images "
                      f"(A {A:.6g}, B {B:.6g}, residual {residual:.3g}); image {first}: "
                      f"bnngen {scores[first].tolist()} model {y[first].tolist()}\n{log}")
    return result


def workdir(tag):
    return tempfile.mkdtemp(prefix=f"bnngen-import-{tag}-")
