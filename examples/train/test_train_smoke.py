#!/usr/bin/python3
"""Smoke test of the training/export side: trains a tiny BNN on a Fashion-MNIST subset, exports
it and checks that the export is bit-exact against PyTorch through int_model.py.  Also checks
threshold folding, the pruning schedule, --resume determinism, int_model.py itself against
a naive loop implementation of the contract, checkpoint_from_export.py's exact round trip and
the early-decision regularizers (--early-pooling, --early-threshold), distillation
(--distill-init) and similar-kernel sharing (--share).

  /usr/bin/python3 examples/train/test_train_smoke.py

Prints one line per test and a final "N passed, M failed"; exits non-zero on failure.
Takes about a minute on one core.
"""

import os
import shutil
import sys
import tempfile
import time
import traceback

import numpy as np
import torch
import yaml

torch.set_num_threads(1)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnn_export  # noqa: E402
import bnn_model  # noqa: E402
import bnn_train  # noqa: E402
import checkpoint_from_export  # noqa: E402
import early_work  # noqa: E402
import int_model  # noqa: E402

TMP = tempfile.mkdtemp(prefix="bnn_smoke_")
TINY = ["--arch", "c8,p,c16,p,f10", "--keep", "conv2=4", "--batch-size", "50", "--lr", "3e-3",
        "--test-limit", "1000", "--quiet"]
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------

@test
def arch_and_keep_parsing():
    specs = bnn_model.parse_arch("c32,c32,p,c64,p3,f256,f10")
    assert [(s.kind, s.name, s.size) for s in specs] == [
        ("conv", "conv1", 32), ("conv", "conv2", 32), ("pool", "pool1", 2), ("conv", "conv3", 64),
        ("pool", "pool2", 3), ("dense", "fc1", 256), ("dense", "fc2", 10)]
    for bad in ("", "c32,p", "p,f10", "c32,f10,c3", "x3,f10", "c,f10", "c8,p1,f10"):
        try:
            bnn_model.parse_arch(bad)
        except ValueError:
            continue
        raise AssertionError(f"parse_arch accepted {bad!r}")
    assert bnn_model.parse_keep("conv2=8, conv3=16") == {"conv2": 8, "conv3": 16}
    for bad_keep in ({"fc1": 2}, {"conv2": 17}, {"conv9": 2}):
        try:
            bnn_model.BNN("c16,c16,f10", bad_keep)
        except ValueError:
            continue
        raise AssertionError(f"BNN accepted keep {bad_keep}")


@test
def threshold_folding_matches_brute_force():
    rng = np.random.RandomState(1)
    c, hi = 400, 50
    lo = -hi
    gamma = rng.randn(c)
    gamma[:20] = 0.0
    gamma[20:40] = -np.abs(gamma[20:40])
    beta = rng.randn(c) * 2
    beta[:10] = np.abs(beta[:10])        # gamma = 0, output always 1
    beta[10:20] = -np.abs(beta[10:20]) - 0.1  # gamma = 0, output always 0
    mean = rng.randn(c) * 30
    mean[40:60] = rng.choice([-200, 200], 20)  # boundary outside the reachable range
    var = rng.rand(c) * 50 + 0.1
    eps = 1e-5
    t, flip = bnn_export.fold_bn_threshold(gamma, beta, mean, var, eps, lo, hi)
    assert np.all(flip == (gamma < 0)) and np.all((t >= lo) & (t <= hi + 1))
    s = np.arange(lo, hi + 1)
    want = (gamma[:, None] * (s[None, :] - mean[:, None]) / np.sqrt(var[:, None] + eps)
            + beta[:, None]) >= 0                                  # [C, S] in the s domain
    s_prime = np.where(flip[:, None], -s[None, :], s[None, :])      # the exported domain
    got = s_prime >= t[:, None]
    assert np.array_equal(got, want), f"{int((got != want).sum())} decisions differ"

    # The bisection against a reference decider must land on the same thresholds.
    def decide(sv):
        return gamma * (sv - mean) / np.sqrt(var + eps) + beta >= 0
    assert np.array_equal(bnn_export.search_threshold(decide, flip, lo, hi), t)


@test
def pruning_schedule_and_masks():
    ks = [bnn_model.scheduled_keep(16, 4, p / 100) for p in range(101)]
    assert ks[0] == 16 and ks[-1] == 4 and all(a >= b for a, b in zip(ks, ks[1:]))
    assert bnn_model.scheduled_keep(16, 4, 2.0) == 4
    block = bnn_model.ConvBlock(6, 5, first=False)
    torch.manual_seed(0)
    with torch.no_grad():
        block.weight.uniform_(-1, 1)
    bnn_model.update_kernel_mask(block, 2)
    mask = block.kernel_mask.numpy()
    assert np.all(mask.sum(1) == 2)
    l1 = block.weight.detach().abs().sum((2, 3)).numpy()
    for o in range(5):
        assert set(np.flatnonzero(mask[o])) == set(np.argsort(-l1[o])[:2])
    block = bnn_model.ConvBlock(6, 4, first=False)
    with torch.no_grad():
        block.weight.uniform_(-1, 1)
    bnn_model.update_kernel_mask(block, 3, group=2)  # shared masks for channel pairs
    mask = block.kernel_mask.numpy()
    l1 = block.weight.detach().abs().sum((2, 3)).numpy()
    assert np.all(mask.sum(1) == 3) and np.array_equal(mask[0], mask[1]) and np.array_equal(mask[2], mask[3])
    assert set(np.flatnonzero(mask[2])) == set(np.argsort(-(l1[2] + l1[3]))[:3])


@test
def folds_divide():
    infos = [{"name": "conv1", "out": 16, "work": 9, "positions": 784},
             {"name": "conv2", "out": 32, "work": 36, "positions": 196},
             {"name": "fc1", "out": 10, "work": 1568, "positions": 1}]
    folds = bnn_export.choose_folds(infos, 16, 64, {"fc1": (2, 49)})
    assert folds["fc1"] == (2, 49)
    for L in infos:
        pe, simd = folds[L["name"]]
        assert L["out"] % pe == 0 and L["work"] % simd == 0
        assert (L["out"] // pe) * (L["work"] // simd) * L["positions"] <= 784


# ---------------------------------------------------------------------------------------------
# int_model.py against a naive loop transcription of DESIGN.md section 2
# ---------------------------------------------------------------------------------------------

def naive_run(net, arrays, img):
    x, first = img.astype(int), True
    for L in net["layers"]:
        name = L["name"]
        if L["type"] == "maxpool":
            k, st = L["kernel"], L.get("stride", L["kernel"])
            c, h, w = x.shape
            ho, wo = (h - k) // st + 1, (w - k) // st + 1
            x = np.array([[[int(any(x[ch, i * st + a, j * st + b] for a in range(k) for b in range(k)))
                            for j in range(wo)] for i in range(ho)] for ch in range(c)])
            continue
        wt = arrays[f"{name}.weight"].astype(int)
        val = (lambda v: v) if first else (lambda v: 2 * v - 1)
        if L["type"] == "conv":
            mask = arrays.get(f"{name}.kernel_mask")
            k, st, p = L["kernel"], L.get("stride", 1), L.get("padding", 0)
            padv = 0 if first else L.get("pad_value", -1)
            c, h, w = x.shape
            ho, wo = (h + 2 * p - k) // st + 1, (w + 2 * p - k) // st + 1
            s = np.zeros((wt.shape[0], ho, wo), dtype=int)
            for o in range(wt.shape[0]):
                for i in range(ho):
                    for j in range(wo):
                        acc = 0
                        for ch in range(c):
                            if mask is not None and not mask[o, ch]:
                                continue
                            for a in range(k):
                                for b in range(k):
                                    r, q = i * st + a - p, j * st + b - p
                                    v = val(x[ch, r, q]) if 0 <= r < h and 0 <= q < w else padv
                                    acc += wt[o, ch, a, b] * v
                        s[o, i, j] = acc
        else:
            c, h, w = x.shape if x.ndim == 3 else (x.shape[0], 1, 1)
            flat = [val(x[ch, i, j] if x.ndim == 3 else x[ch])
                    for ch in range(c) for i in range(h) for j in range(w)]
            s = np.array([sum(wt[o, n] * flat[n] for n in range(len(flat))) for o in range(wt.shape[0])])
        if L["activation"] == "none":
            x = s + arrays.get(f"{name}.bias", np.zeros(len(s), dtype=int))
        else:
            t = arrays[f"{name}.threshold"]
            x = (s >= (t[:, None, None] if s.ndim == 3 else t)).astype(int)
        first = False
    return x


def write_net(folder, net, arrays):
    os.makedirs(folder, exist_ok=True)
    np.savez(os.path.join(folder, "weights.npz"), **arrays)
    with open(os.path.join(folder, "network.yaml"), "w") as f:
        yaml.safe_dump(net, f)
    return os.path.join(folder, "network.yaml")


@test
def int_model_matches_naive_contract():
    rng = np.random.RandomState(7)
    pm1 = lambda *shape: rng.choice(np.array([-1, 1], dtype=np.int8), shape)  # noqa: E731
    net = {"name": "rand", "input": {"channels": 2, "height": 7, "width": 7, "bits": 8},
           "weights": "weights.npz",
           "layers": [
               {"name": "conv1", "type": "conv", "out_channels": 3, "kernel": 3, "padding": 1,
                "activation": "threshold", "prune": {"kernels": {"keep": 1}}},
               {"name": "pool1", "type": "maxpool", "kernel": 2},          # 7 -> 3, drops a row
               {"name": "conv2", "type": "conv", "out_channels": 4, "kernel": 3, "padding": 1,
                "stride": 2, "pad_value": 1, "activation": "threshold",
                "prune": {"kernels": {"keep": 2}}},                         # 3 -> 2
               {"name": "conv3", "type": "conv", "out_channels": 4, "kernel": 2, "padding": 1,
                "pad_value": -1, "activation": "threshold"},                # 2 -> 3
               {"name": "pool2", "type": "maxpool", "kernel": 2, "stride": 1},  # 3 -> 2
               {"name": "fc1", "type": "dense", "out_features": 5, "activation": "threshold"},
               {"name": "fc2", "type": "dense", "out_features": 4, "activation": "none"}]}
    mask1 = np.zeros((3, 2), np.uint8)
    mask1[np.arange(3), rng.randint(0, 2, 3)] = 1
    mask2 = np.zeros((4, 3), np.uint8)
    for o in range(4):
        mask2[o, rng.choice(3, 2, replace=False)] = 1
    arrays = {"conv1.weight": pm1(3, 2, 3, 3), "conv1.kernel_mask": mask1,
              "conv1.threshold": rng.randint(-300, 300, 3).astype(np.int32),
              "conv2.weight": pm1(4, 3, 3, 3), "conv2.kernel_mask": mask2,
              "conv2.threshold": rng.randint(-4, 5, 4).astype(np.int32),
              "conv3.weight": pm1(4, 4, 2, 2), "conv3.threshold": rng.randint(-4, 5, 4).astype(np.int32),
              "fc1.weight": pm1(5, 16), "fc1.threshold": rng.randint(-3, 4, 5).astype(np.int32),
              "fc2.weight": pm1(4, 5), "fc2.bias": rng.randint(-3, 4, 4).astype(np.int32)}
    path = write_net(os.path.join(TMP, "naive"), net, arrays)
    images = rng.randint(0, 256, (40, 2, 7, 7)).astype(np.uint8)
    model = int_model.IntModel(path)
    got = model.run(images)
    want = np.array([naive_run(net, arrays, img) for img in images])
    assert np.array_equal(got, want), "int_model differs from the naive contract"

    # Ties go to the lowest index; a malformed mask is rejected.
    tie = {"name": "tie", "input": {"channels": 1, "height": 1, "width": 2, "bits": 1},
           "weights": "weights.npz",
           "layers": [{"name": "fc1", "type": "dense", "out_features": 3, "activation": "none"}]}
    tie_arrays = {"fc1.weight": np.array([[1, -1], [1, 1], [1, 1]], np.int8)}
    pred = int_model.IntModel(write_net(os.path.join(TMP, "tie"), tie, tie_arrays)).predict(
        np.array([[[[1, 1]]], [[[0, 0]]]], np.uint8))
    assert pred.tolist() == [1, 0], pred
    arrays["conv2.kernel_mask"] = np.ones((4, 3), np.uint8)
    try:
        int_model.IntModel(write_net(os.path.join(TMP, "badmask"), net, arrays))
    except int_model.ContractError:
        return
    raise AssertionError("a mask that breaks keep was accepted")


# ---------------------------------------------------------------------------------------------
# Train, export, round trip
# ---------------------------------------------------------------------------------------------

RUN = os.path.join(TMP, "run")


@test
def training_loss_falls():
    hist = bnn_train.main(TINY + ["--epochs", "3", "--train-limit", "6000", "--out", RUN])
    losses = [h["train_loss"] for h in hist]
    assert len(hist) == 3 and losses[-1] < losses[0] - 0.1 and losses[-1] < 1.2, losses
    assert hist[-1]["test_acc"] > 0.6, hist[-1]
    ckpt = torch.load(os.path.join(RUN, "checkpoint.pt"))
    mask = ckpt["model"]["blocks.conv2.kernel_mask"]
    assert torch.all(mask.sum(1) == 4), "masks did not reach keep=4"


def export_and_check(out, ckpt=None, extra=()):
    argv = ["--out", out, "--check-images", "1000", "--quiet", *extra]
    argv += ["--checkpoint", ckpt] if ckpt else ["--run", RUN]
    res = bnn_export.export(bnn_export.parse_args(argv), argv)
    assert res["ok"] and res["pred_mismatch"] == 0, res["layer_diffs"]
    assert res["torch_acc"] == res["int_acc"]
    scores = np.load(os.path.join(out, "test_scores.npy"))
    assert scores.dtype == np.int32 and scores.shape == (1000, 10)
    return res


@test
def export_round_trips_bit_exactly():
    out = os.path.join(TMP, "export")
    res = export_and_check(out)
    with open(os.path.join(out, "network.yaml")) as f:
        text = f.read()
    assert text.startswith("# Exported by examples/train/bnn_export.py")
    net = yaml.safe_load(text)
    assert [L["name"] for L in net["layers"]] == ["conv1", "pool1", "conv2", "pool2", "fc1"]
    assert net["layers"][2]["prune"] == {"kernels": {"keep": 4}} and net["layers"][2]["pad_value"] == -1
    assert "pad_value" not in net["layers"][0]
    with np.load(os.path.join(out, "weights.npz")) as w:
        assert w["conv1.weight"].dtype == np.int8 and w["conv1.weight"].shape == (8, 1, 3, 3)
        assert w["conv2.threshold"].dtype == np.int32 and w["conv2.kernel_mask"].dtype == np.uint8
        assert w["fc1.weight"].shape == (10, 784) and np.all(w["fc1.bias"] == 0)
    # The stored scores are the integer model's, and it agrees with PyTorch's argmax.
    images, labels = bnn_model.load_fashion_mnist(bnn_model.DEFAULT_DATA_DIR, "t10k")
    scores = np.load(os.path.join(out, "test_scores.npy"))
    assert np.mean(np.argmax(scores, 1) == labels[:1000]) == res["int_acc"]
    assert res["int_acc"] > 0.6


@test
def export_handles_negative_and_zero_bn_scale():
    # Force the rare cases: negative gamma (weights flipped) and zero gamma (constant output).
    ckpt = torch.load(os.path.join(RUN, "checkpoint.pt"))
    sd = ckpt["model"]
    for layer in ("conv1", "conv2"):
        g = sd[f"blocks.{layer}.bn.weight"]
        g[::2] = -g[::2]
        g[1] = 0.0
        sd[f"blocks.{layer}.bn.bias"][1] = -0.5  # channel 1 constantly 0
    sd["blocks.conv2.bn.weight"][3] = 0.0
    sd["blocks.conv2.bn.bias"][3] = 0.5      # channel 3 constantly 1
    path = os.path.join(TMP, "negated.pt")
    torch.save(ckpt, path)
    out = os.path.join(TMP, "export_neg")
    export_and_check(out, ckpt=path)
    with np.load(os.path.join(out, "weights.npz")) as w:
        latent = np.where(sd["blocks.conv2.weight"].numpy() >= 0, 1, -1)
        assert np.array_equal(w["conv2.weight"][0], -latent[0])   # flipped channel
        assert np.array_equal(w["conv2.weight"][1], latent[1])    # gamma = 0: not flipped
        t = w["conv2.threshold"]
        assert t[1] == 4 * 9 + 1 and t[3] == -4 * 9, t  # never / always, clamped to the range


@test
def resume_is_deterministic():
    common = TINY + ["--train-limit", "500", "--epochs", "2"]
    a, b = os.path.join(TMP, "straight"), os.path.join(TMP, "resumed")
    bnn_train.main(common + ["--out", a])
    bnn_train.main(common + ["--out", b, "--stop-after", "1"])
    bnn_train.main(common + ["--out", b, "--resume"])
    sa = torch.load(os.path.join(a, "checkpoint.pt"))["model"]
    sb = torch.load(os.path.join(b, "checkpoint.pt"))["model"]
    for k in sa:
        assert torch.equal(sa[k], sb[k]), f"{k} differs after resume"


@test
def fine_tuning_with_background_penalty_makes_backgrounds_minus_one():
    """--init keeps the masks and starts from the checkpoint's weights; --background drives the
    named layers' background vectors (DESIGN.md 4.2) to -1 = the padding value."""
    out = os.path.join(TMP, "background")
    common = TINY + ["--train-limit", "1000", "--epochs", "2"]
    bnn_train.main(common + ["--out", out + "_base"])
    base = torch.load(os.path.join(out + "_base", "checkpoint.pt"))["model"]
    before = bnn_train.build_model({"arch": "c8,p,c16,p,f10", "keep": "conv2=4"})
    before.load_state_dict(base)
    on_before = bnn_model.background_channels_on(before, ["conv1", "conv2"])
    bnn_train.main(common + ["--out", out, "--init", os.path.join(out + "_base", "checkpoint.pt"),
                             "--background", "conv1,conv2", "--background-weight", "50", "--lr", "0.03"])
    tuned = torch.load(os.path.join(out, "checkpoint.pt"))["model"]
    assert torch.equal(tuned["blocks.conv2.kernel_mask"], base["blocks.conv2.kernel_mask"]), "--init changed the masks"
    after = bnn_train.build_model({"arch": "c8,p,c16,p,f10", "keep": "conv2=4"})
    after.load_state_dict(tuned)
    assert bnn_model.background_channels_on(after, ["conv1", "conv2"]) == 0, (on_before, "channels still +1")
    backgrounds = after.backgrounds()
    assert torch.all(backgrounds["conv1"] == -1) and torch.all(backgrounds["conv2"] == -1), backgrounds


@test
def checkpoint_from_export_round_trips_exactly():
    """export -> checkpoint_from_export -> export gives back the same integer network, and the
    rebuilt model equals int_model on the test images (the script checks that itself)."""
    src = os.path.join(TMP, "export")
    if not os.path.exists(os.path.join(src, "network.yaml")):
        export_and_check(src)
    ckpt = os.path.join(TMP, "from_export.pt")
    rc = checkpoint_from_export.main([os.path.join(src, "network.yaml"), "-o", ckpt, "--stat-images", "1000",
                                      "--check-images", "1000", "--quiet"])
    assert rc == 0
    again = os.path.join(TMP, "export_again")
    export_and_check(again, ckpt=ckpt)
    with np.load(os.path.join(src, "weights.npz")) as a, np.load(os.path.join(again, "weights.npz")) as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            assert np.array_equal(a[k], b[k]), f"{k} differs after the round trip"
    c = torch.load(ckpt)
    assert c["run"]["arch"] == "c8,p,c16,p,f10" and c["run"]["keep"] == "conv2=4"
    # training-mode BN (batch statistics) starts close to the exported thresholds
    model = bnn_train.build_model(c["run"])
    model.load_state_dict(c["model"])
    images, labels = bnn_model.load_fashion_mnist(bnn_model.DEFAULT_DATA_DIR, "train")
    model.train()
    with torch.no_grad():
        x = torch.from_numpy(images[:1000]).float()
        train_mode = np.concatenate([model(x[i:i + 50]).argmax(1).numpy() for i in range(0, 1000, 50)])
        model.eval()
        eval_mode = model(x).argmax(1).numpy()
    assert np.mean(train_mode == eval_mode) > 0.9, np.mean(train_mode == eval_mode)


@test
def early_penalties_are_finite_and_differentiable():
    model = bnn_train.build_model({"arch": "c8,p,c16,p,f10", "keep": "conv2=4"})
    names = bnn_model.early_layers(model, "conv2", "--early-pooling", True)
    assert bnn_model.early_layers(model, "conv2", "--early-threshold", False) == ["conv2"]
    for bad, pooling in (("conv1", True), ("fc1", False), ("pool1", True), ("conv9", False)):
        try:
            bnn_model.early_layers(model, bad, "--early", pooling)
        except ValueError:
            continue
        raise AssertionError(f"early_layers accepted {bad}")
    bnn_model.set_recording(model, set(names))
    images, labels = bnn_model.load_fashion_mnist(bnn_model.DEFAULT_DATA_DIR, "train")
    model.train()
    model(torch.from_numpy(images[:50]).float())
    pool = bnn_model.early_pooling_penalty(model, names, 1.0)
    thr = bnn_model.early_threshold_penalty(model, names, 0.2)
    assert torch.isfinite(pool) and torch.isfinite(thr), (pool, thr)
    assert 0.25 <= float(pool) <= 1.0 and 0.0 <= float(thr) <= 0.2, (pool, thr)
    for pen in (pool, thr):
        model.zero_grad()
        pen.backward(retain_graph=True)
        g = model.blocks["conv2"].weight.grad
        assert g is not None and torch.isfinite(g).all() and g.abs().sum() > 0
        assert torch.isfinite(model.blocks["conv2"].bn.bias.grad).all()
    lanes = bnn_model.early_pooling_penalty(model, names, 1.0, {"conv2": 4})
    assert float(pool) <= float(lanes) <= 1.0, (pool, lanes)   # the busiest lane >= the mean
    model.zero_grad()
    lanes.backward()
    assert model.blocks["conv2"].weight.grad.abs().sum() > 0
    # no layer named: zero penalty
    assert float(bnn_model.early_pooling_penalty(model, [], 1.0)) == 0.0
    # fired_only: only windows whose pooled output is 1 count; it moves their first 1 forward
    model(torch.from_numpy(images[:50]).float())
    pool = bnn_model.early_pooling_penalty(model, names, 1.0)
    fired = bnn_model.early_pooling_penalty(model, names, 1.0, fired_only=True)
    assert 0.0 < float(fired) < float(pool), (fired, pool)
    model.zero_grad()
    fired.backward()
    assert model.blocks["conv2"].weight.grad.abs().sum() > 0
    with torch.no_grad():
        model.blocks["conv2"].bn.bias.fill_(-100.0)                 # no window fires
        model(torch.from_numpy(images[:50]).float())
    assert float(bnn_model.early_pooling_penalty(model, names, 1.0, fired_only=True)) == 0.0
    assert float(bnn_model.early_pooling_penalty(model, names, 1.0)) > 0.99
    out = os.path.join(TMP, "early_fired")
    common = TINY + ["--epochs", "1", "--train-limit", "200", "--out", out]
    hist = bnn_train.main(common + ["--early-pooling", "conv2", "--early-pooling-fired-weight", "1"])
    assert 0.0 < hist[-1]["early_pooling_fired_penalty"] <= hist[-1]["early_pooling_penalty"], hist[-1]
    try:
        bnn_train.main(TINY + ["--epochs", "1", "--train-limit", "200", "--out", out + "_bad",
                               "--early-pooling-fired-weight", "1"])
    except SystemExit:
        pass
    else:
        raise AssertionError("--early-pooling-fired-weight without --early-pooling was accepted")


@test
def early_regularizers_reduce_early_decision_work():
    """Fine-tuning with large regularizer weights leaves less early-decision work in the exported
    integer network (early_work.py, bnngen's counting) than the same fine-tuning without."""
    ckpt = os.path.join(TMP, "from_export.pt")
    if not os.path.exists(ckpt):
        checkpoint_from_export_round_trips_exactly()
    # A large learning rate: the rebuilt latent weights sit at +-0.05, and a few dozen steps
    # must be able to flip some of them.
    common = TINY + ["--train-limit", "2000", "--epochs", "2", "--lr", "0.02", "--init", ckpt]
    plain, reg = os.path.join(TMP, "early_plain"), os.path.join(TMP, "early_reg")
    bnn_train.main(common + ["--out", plain])
    hist = bnn_train.main(common + ["--out", reg, "--early-pooling", "conv2", "--early-threshold", "conv2",
                                    "--early-pooling-weight", "5", "--early-threshold-weight", "5",
                                    "--early-threshold-margin", "0.3"])
    assert "early_pooling_penalty" in hist[-1] and "early_threshold_penalty" in hist[-1]
    with open(os.path.join(reg, "train.log")) as f:
        assert "early_pooling_penalty" in f.read()
    images, _ = bnn_model.load_fashion_mnist(bnn_model.DEFAULT_DATA_DIR, "t10k")
    work = {}
    for run in (plain, reg):
        out = run + "_export"
        export_and_check(out, ckpt=os.path.join(run, "checkpoint.pt"))
        work[run] = early_work.measure(os.path.join(out, "network.yaml"), images[:200], ["conv2"],
                                       {"conv2": (4, 9)})["conv2"]
    assert work[reg]["ops"] > work[plain]["ops"] + 0.02, work
    assert work[reg]["cyc"] > work[plain]["cyc"], work


@test
def distillation_keeps_the_fine_tuned_model_close_to_its_init():
    """--distill-init: the fine-tuned model's eval-mode predictions agree with the --init
    model's (the teacher's) more often than without distillation, same fine-tuning otherwise."""
    ckpt = os.path.join(TMP, "from_export.pt")
    if not os.path.exists(ckpt):
        checkpoint_from_export_round_trips_exactly()
    logits = torch.randn(4, 10)
    assert float(bnn_train.distill_loss(logits, logits, 2.0)) < 1e-6
    assert float(bnn_train.distill_loss(logits, -logits, 2.0)) > 0.1
    common = TINY + ["--train-limit", "2000", "--epochs", "2", "--lr", "0.02", "--init", ckpt]
    plain, kd = os.path.join(TMP, "early_plain"), os.path.join(TMP, "distill")
    if not os.path.exists(os.path.join(plain, "checkpoint.pt")):
        bnn_train.main(common + ["--out", plain])
    hist = bnn_train.main(common + ["--out", kd, "--distill-init", "5", "--distill-temp", "2"])
    assert "distill_loss" in hist[-1] and hist[-1]["distill_loss"] >= 0, hist[-1]
    try:
        bnn_train.main(TINY + ["--epochs", "1", "--train-limit", "100", "--distill-init", "1",
                               "--out", os.path.join(TMP, "distill_no_init")])
    except SystemExit:
        pass
    else:
        raise AssertionError("--distill-init without --init was accepted")
    images, _ = bnn_model.load_fashion_mnist(bnn_model.DEFAULT_DATA_DIR, "t10k")
    x = torch.from_numpy(images[:1000]).float()
    preds = {}
    for name, path in (("teacher", ckpt), ("plain", os.path.join(plain, "checkpoint.pt")),
                       ("distilled", os.path.join(kd, "checkpoint.pt"))):
        c = torch.load(path)
        model = bnn_train.build_model(c["run"])
        model.load_state_dict(c["model"])
        model.eval()
        with torch.no_grad():
            preds[name] = model(x).argmax(1).numpy()
    agree = {k: float(np.mean(preds[k] == preds["teacher"])) for k in ("plain", "distilled")}
    assert agree["distilled"] > agree["plain"] + 0.01, agree


@test
def similar_kernel_sharing_stays_tied_and_exports_shared():
    """--share conv2=3: every input channel of conv2 keeps at most 3 distinct kernels up to
    inversion through fine-tuning (tied), --resume keeps the tie, and the export declares
    prune.share (mode inverse), folds simd in whole kernels and is bit-exact."""
    import kernel_sharing
    latent = np.array([[0.5, 0.4, -0.1], [0.5, 0.3, -0.2], [-0.6, -0.4, 0.1], [0.1, -0.5, 0.5]])
    assign, flip = kernel_sharing.cluster_channel(latent, 2, inverse=True)
    assert assign[0] == assign[1] == assign[2] and flip[2] == -flip[0] and assign[3] != assign[0], (assign, flip)
    block = bnn_model.ConvBlock(4, 8, first=False)
    block.kernel_mask[5, 1] = 0
    a, f = kernel_sharing.plan_block(block, 1, inverse=True, group=4)  # --share-group: per fold of 4 lanes
    kernel_sharing.attach(block, a, f)
    kernel_sharing.tie_(block)
    w = np.where(block.weight.detach().numpy() >= 0, 1, -1)
    mask = block.kernel_mask.numpy() > 0
    assert max(kernel_sharing.distinct_kernels(w, mask, True, group=4)) == 1
    assert max(kernel_sharing.distinct_kernels(w, mask, True)) == 2 and int(a[5, 1]) == -1
    ckpt = os.path.join(TMP, "from_export.pt")
    if not os.path.exists(ckpt):
        checkpoint_from_export_round_trips_exactly()
    common = TINY + ["--train-limit", "1000", "--epochs", "2", "--lr", "0.02", "--init", ckpt, "--share", "conv2=3"]
    out = os.path.join(TMP, "share")
    bnn_train.main(common + ["--out", out, "--stop-after", "1"])
    bnn_train.main(common + ["--out", out, "--resume"])
    with open(os.path.join(out, "train.log")) as f:
        assert "# share conv2: budget 3" in f.read()
    c = torch.load(os.path.join(out, "checkpoint.pt"))
    w = np.where(c["model"]["blocks.conv2.weight"].numpy() >= 0, 1, -1)
    mask = c["model"]["blocks.conv2.kernel_mask"].numpy() > 0
    assert max(kernel_sharing.distinct_kernels(w, mask, inverse=True)) <= 3
    exported = out + "_export"
    export_and_check(exported, ckpt=os.path.join(out, "checkpoint.pt"))
    with open(os.path.join(exported, "network.yaml")) as f:
        net = yaml.safe_load(f)
    conv2 = net["layers"][2]
    assert conv2["prune"] == {"kernels": {"keep": 4}, "share": {"mode": "inverse"}}, conv2
    assert conv2["fold"]["simd"] % 9 == 0 and 8 % (conv2["fold"]["simd"] // 9) == 0, conv2
    with np.load(os.path.join(exported, "weights.npz")) as arrays:
        counts = kernel_sharing.distinct_kernels(arrays["conv2.weight"], arrays["conv2.kernel_mask"] > 0, True)
    assert max(counts) <= 3, counts
    try:
        bnn_train.main(TINY + ["--epochs", "1", "--train-limit", "100", "--share", "conv1=2",
                               "--out", os.path.join(TMP, "share_first")])
    except SystemExit:
        pass
    else:
        raise AssertionError("--share on the integer first layer was accepted")


def main():
    passed = failed = 0
    for fn in TESTS:
        t0 = time.time()
        try:
            fn()
        except (Exception, SystemExit):  # noqa: BLE001 - report every failure, keep going
            failed += 1
            print(f"FAIL {fn.__name__} ({time.time() - t0:.1f}s)")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {fn.__name__} ({time.time() - t0:.1f}s)")
    if not failed:
        shutil.rmtree(TMP, ignore_errors=True)  # keep the evidence when something failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
