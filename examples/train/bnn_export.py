#!/usr/bin/python3
"""Export a bnn_train.py checkpoint to bnngen's network.yaml + weights.npz and prove it exact.

Batch norm and sign are folded into integer thresholds (y = 1 iff s >= T, s the integer
pre-activation); channels whose BN scale is negative get their weights negated so the comparison
is always >=.  The classifier's integer scores are W_bin @ x with a zero bias.

The export then checks itself: the written files are run through int_model.py (an independent
integer implementation of the contract) on the test images and every layer's output bits and
every class score must equal PyTorch's eval-mode forward.  The files are only installed in
--out when that holds (unless --force).  OUT/test_scores.npy gets the integer scores.

Example:
  /usr/bin/python3 examples/train/bnn_export.py --run examples/fmnist_small
"""

import argparse
import math
import os
import shlex
import shutil
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnn_model  # noqa: E402
import bnn_train  # noqa: E402
import int_model  # noqa: E402
import kernel_sharing  # noqa: E402

INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


# --------------------------------------------------------------------------------------------
# Threshold folding
# --------------------------------------------------------------------------------------------

def fold_bn_threshold(gamma, beta, mean, var, eps, lo, hi):
    """Fold y = [gamma*(s-mean)/sqrt(var+eps) + beta >= 0] into y = [s' >= T], exactly in float64.

    s ranges over the integers [lo, hi] (lo = -hi).  Returns (T int64, flip bool): for flipped
    channels s' = -s, i.e. the exporter negates that channel's weights.
      gamma > 0:  s >= r := mean - beta*sd/gamma          -> T = ceil(r)
      gamma < 0:  s <= r  <=>  -s >= -r                   -> T = ceil(-r), flip
      gamma = 0:  constant beta >= 0                      -> T = lo (always 1) or hi+1 (never)
    T is clamped to [lo, hi+1], which keeps every decision over the reachable range (and int32).
    """
    gamma, beta, mean, var = (np.asarray(a, dtype=np.float64) for a in (gamma, beta, mean, var))
    sd = np.sqrt(var + eps)
    flip = gamma < 0
    t = np.empty(gamma.shape, dtype=np.int64)
    nz = gamma != 0
    r = mean[nz] - beta[nz] * sd[nz] / gamma[nz]
    r = np.where(flip[nz], -r, r)
    t[nz] = np.ceil(np.clip(r, lo - 1, hi + 1)).astype(np.int64)
    t[~nz] = np.where(beta[~nz] >= 0, lo, hi + 1)
    return np.clip(t, lo, hi + 1), flip


def search_threshold(decide, flip, lo, hi):
    """Smallest s' in [lo, hi+1] with decide(s') true, per channel, by vectorized bisection.

    decide(s) takes the un-flipped pre-activation s (int64 [C]) and returns the reference's
    output bits (bool [C]); it must be monotone in s' = -s for flipped channels, s otherwise.
    """
    sign = np.where(flip, -1, 1)
    a = np.full(flip.shape, lo, dtype=np.int64)
    b = np.full(flip.shape, hi + 1, dtype=np.int64)
    while np.any(a < b):
        mid = (a + b) // 2
        d = decide(sign * np.minimum(mid, hi))
        b = np.where((a < b) & d, mid, b)
        a = np.where((a < b) & ~d, mid + 1, a)
    return a


def torch_decider(block, out_hw):
    """The eval-mode model's own BN + sign on a given integer pre-activation per channel.

    The values are laid out like the real activations ([1, C, H, W] for conv), so the CPU BN
    kernel takes the same code path as in the forward pass; every position must agree.
    """
    def decide(s):
        x = torch.tensor(s, dtype=torch.float32)
        if out_hw is not None:
            x = x[None, :, None, None].expand(1, len(s), *out_hw).contiguous()
        else:
            x = x[None, :]
        with torch.no_grad():
            y = bnn_model.binarize(block.bn(x)) > 0
        y = y.reshape(1, len(s), -1)[0].numpy()
        if not np.all(y == y[:, :1]):
            raise RuntimeError("BN decision differs between positions of the same channel")
        return y[:, 0]
    return decide


# --------------------------------------------------------------------------------------------
# Folding (pe, simd)
# --------------------------------------------------------------------------------------------

def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def choose_folds(infos, pe_max, simd_max, overrides):
    """Balance the pipeline FINN-style: the slowest layer at maximal folding sets the cycle
    budget, and every other layer takes the cheapest (pe*simd) folding that meets it.

    infos: dicts with name, out (channels/features), work (taps per output), positions
    (output pixels), optionally step (simd must be a multiple of it: k*k for result sharing).
    overrides: {name: (pe, simd)}.
    """
    def options(L):
        return [(pe, simd) for pe in divisors(L["out"]) if pe <= pe_max
                for simd in divisors(L["work"]) if simd <= simd_max and simd % L.get("step", 1) == 0]

    def cycles(L, pe, simd):
        return (L["out"] // pe) * (L["work"] // simd) * L["positions"]

    budget = max(min(cycles(L, *o) for o in options(L)) for L in infos)
    folds = {}
    for L in infos:
        if L["name"] in overrides:
            pe, simd = overrides[L["name"]]
            if L["out"] % pe or L["work"] % simd or simd % L.get("step", 1):
                raise SystemExit(f"--fold {L['name']}={pe}x{simd}: pe must divide {L['out']} and "
                                 f"simd must divide {L['work']}"
                                 + (f" in multiples of {L['step']} (result sharing)" if "step" in L else ""))
        else:
            ok = [o for o in options(L) if cycles(L, *o) <= budget]
            pe, simd = min(ok, key=lambda o: (o[0] * o[1], -o[1]))
        folds[L["name"]] = (pe, simd)
    return folds


def parse_fold(spec):
    out = {}
    for item in (spec or "").split(","):
        if item.strip():
            name, val = item.strip().split("=")
            pe, simd = val.lower().split("x")
            out[name] = (int(pe), int(simd))
    return out


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

def export_arrays(model, input_bits):
    """Contract arrays + YAML layer entries (without fold) for an eval-mode model."""
    arrays, layers, infos, report = {}, [], [], []
    c, h, w = model.in_shape
    first = True
    pmax = 2 ** input_bits - 1
    for name, block in model.blocks.items():
        if isinstance(block, bnn_model.PoolBlock):
            k = block.kernel
            h, w = (h - k) // k + 1, (w - k) // k + 1
            layers.append({"name": name, "type": "maxpool", "kernel": k})
            continue
        wb = np.where(block.weight.detach().numpy() >= 0, 1, -1).astype(np.int8)
        entry = {"name": name}
        if isinstance(block, bnn_model.ConvBlock):
            k = block.kernel
            keep = block.keep
            mask = block.kernel_mask.numpy().astype(np.uint8)
            if keep < block.in_ch and not np.all(mask.sum(1) == keep):
                raise SystemExit(f"{name}: kernel masks keep {sorted(set(mask.sum(1)))} kernels, not "
                                 f"{keep}: training stopped inside the pruning phase")
            entry.update(type="conv", out_channels=block.out_ch, kernel=k, stride=1,
                         padding=block.padding)
            if not first:
                entry["pad_value"] = int(bnn_model.BINARY_PAD_VALUE)
            taps = keep * k * k
            out_n, out_hw = block.out_ch, (h, w)  # 3x3, stride 1, padding 1: same size
            c = block.out_ch
            if hasattr(block, "share_assign") and bool((block.share_assign >= 0).any()):
                # the sharing unit steps through every input channel, whole kernels at a time
                infos.append({"name": name, "out": out_n, "work": block.in_ch * k * k, "step": k * k,
                              "positions": h * w})
            else:
                infos.append({"name": name, "out": out_n, "work": taps, "positions": h * w})
        else:
            entry.update(type="dense", out_features=block.out_f)
            taps, keep = block.in_f, None
            out_n, out_hw = block.out_f, None
            c, h, w = block.out_f, 1, 1
            infos.append({"name": name, "out": out_n, "work": taps, "positions": 1})
        if isinstance(block, bnn_model.DenseBlock) and block.last:
            entry["activation"] = "none"
            arrays[f"{name}.weight"] = wb
            arrays[f"{name}.bias"] = np.zeros(out_n, dtype=np.int32)
        else:
            hi = taps * (pmax if first else 1)
            lo = -hi
            bn = block.bn
            t64, flip = fold_bn_threshold(bn.weight.detach().numpy(), bn.bias.detach().numpy(),
                                          bn.running_mean.numpy(), bn.running_var.numpy(),
                                          bn.eps, lo, hi)
            decide = torch_decider(block, out_hw)
            t = search_threshold(decide, flip, lo, hi)
            sign = np.where(flip, -1, 1)
            # Verify the boundary: one below T must be 0, T must be 1 (within the reachable range).
            at_t = decide(sign * np.minimum(t, hi))
            below = decide(sign * np.maximum(t - 1, lo))
            bad = ((t <= hi) & ~at_t) | ((t > lo) & below)
            if np.any(bad):
                raise RuntimeError(f"{name}: BN decision is not monotone in channels {np.flatnonzero(bad)}")
            report.append(f"{name}: {int(flip.sum())} of {out_n} channels flipped, "
                          f"{int((t != t64).sum())} thresholds differ from the float64 formula "
                          f"(float32 rounding at the boundary), range [{lo}, {hi}]")
            wb = wb * sign.reshape(-1, *([1] * (wb.ndim - 1))).astype(np.int8)
            arrays[f"{name}.weight"] = wb
            arrays[f"{name}.threshold"] = np.clip(t, INT32_MIN, INT32_MAX).astype(np.int32)
            entry["activation"] = "threshold"
        if keep is not None and keep < block.in_ch:
            entry["prune"] = {"kernels": {"keep": keep}}
            arrays[f"{name}.kernel_mask"] = mask
        if hasattr(block, "share_assign") and bool((block.share_assign >= 0).any()):
            # --share tied the kernels up to inversion (the sign flips above invert whole channels)
            entry.setdefault("prune", {})["share"] = {"mode": "inverse"}
            kept = mask > 0 if keep is not None and keep < block.in_ch else None
            distinct = kernel_sharing.distinct_kernels(wb, kept, inverse=True)
            report.append(f"{name}: result sharing, at most {max(distinct)} distinct kernels per input channel, "
                          f"{sum(distinct)} in all")
        layers.append(entry)
        first = False
    return arrays, layers, infos, report


def flow(value):
    """A YAML flow mapping for the simple dicts we write (keys and scalars need no quoting)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {flow(v)}" for k, v in value.items()) + "}"
    return str(value)


def yaml_text(name, in_shape, bits, part, clock, layers, header):
    lines = [f"# {line}" if line else "#" for line in header]
    lines += [f"name: {name}",
              f"input: {flow({'channels': in_shape[0], 'height': in_shape[1], 'width': in_shape[2], 'bits': bits})}",
              "weights: weights.npz",
              f"target: {flow({'part': part, 'clock_mhz': clock})}",
              "layers:"]
    lines += [f"  - {flow(entry)}" for entry in layers]
    return "\n".join(lines) + "\n"


def check(model, yaml_path, images, labels, batch=500):
    """Run images through PyTorch eval and int_model; compare every layer bit and score."""
    im = int_model.IntModel(yaml_path)
    names = list(model.blocks.keys())
    diff = {n: 0 for n in names}
    scores, torch_pred = [], []
    model.eval()
    for i in range(0, len(images), batch):
        xb = images[i:i + batch]
        outs = []
        with torch.no_grad():
            model(torch.from_numpy(xb).float(), collect=outs)
        s_int, int_outs = im.run(xb, collect=True)
        for n, t_out, i_out in zip(names, outs, int_outs):
            t_np = t_out.numpy()
            if n == names[-1]:
                diff[n] += int(np.sum(t_np.astype(np.int64) != i_out))
            else:
                diff[n] += int(np.sum((t_np > 0) != (i_out == 1)))
        scores.append(s_int)
        torch_pred.append(outs[-1].argmax(dim=1).numpy())  # ties to the first index too
    scores = np.concatenate(scores)
    torch_pred = np.concatenate(torch_pred)
    int_pred = np.argmax(scores, axis=1)
    return {"scores": scores, "layer_diffs": diff,
            "pred_mismatch": int(np.sum(torch_pred != int_pred)),
            "torch_acc": float(np.mean(torch_pred == labels)),
            "int_acc": float(np.mean(int_pred == labels)), "n": len(images)}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", help="training folder holding checkpoint.pt")
    p.add_argument("--checkpoint", help="checkpoint file (default: RUN/checkpoint.pt)")
    p.add_argument("--out", help="export folder (default: the --run folder)")
    p.add_argument("--name", help="network name (default: the --out folder's name)")
    p.add_argument("--part", default="xczu3eg-sbva484-1-e", help="FPGA part (default: %(default)s)")
    p.add_argument("--clock-mhz", type=int, default=200)
    p.add_argument("--fold", default="", help="per-layer folding overrides, e.g. conv1=4x9,fc1=2x49")
    p.add_argument("--pe-max", type=int, default=16, help="automatic folding: largest pe")
    p.add_argument("--simd-max", type=int, default=64, help="automatic folding: largest simd")
    p.add_argument("--data", default=bnn_model.DEFAULT_DATA_DIR)
    p.add_argument("--check-images", type=int, default=10000,
                   help="check on (and write scores for) the first N test images (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="install the files even if the check fails")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if not args.checkpoint:
        if not args.run:
            p.error("give --run or --checkpoint")
        args.checkpoint = os.path.join(args.run, "checkpoint.pt")
    args.out = args.out or args.run or os.path.dirname(os.path.abspath(args.checkpoint))
    args.name = args.name or os.path.basename(os.path.abspath(args.out))
    return args


def export(args, argv):
    """Returns the check result dict; raises SystemExit(1) if the check fails."""
    say = (lambda *a: None) if args.quiet else print
    torch.set_num_threads(args.threads)
    ckpt = bnn_train.load_checkpoint(args.checkpoint)
    model = bnn_train.build_model(ckpt["run"])
    model.load_state_dict(ckpt["model"])
    model.eval()

    bits = bnn_model.INPUT_BITS
    arrays, layers, infos, report = export_arrays(model, bits)
    folds = choose_folds(infos, args.pe_max, args.simd_max, parse_fold(args.fold))
    for entry in layers:
        if entry["name"] in folds:
            pe, simd = folds[entry["name"]]
            entry["fold"] = {"pe": pe, "simd": simd}
    for line in report:
        say(line)

    run = ckpt["run"]
    cmd = " ".join(shlex.quote(a) for a in ["/usr/bin/python3", "examples/train/bnn_export.py"] + argv)
    header = ["Exported by examples/train/bnn_export.py:", f"  {cmd}",
              f"from a bnn_train.py checkpoint: arch {run['arch']}, keep {run['keep'] or 'none'}, "
              f"seed {run['seed']}, {ckpt['epoch']} epochs."]

    images, labels = bnn_model.load_fashion_mnist(args.data, "t10k")
    images, labels = images[:args.check_images], labels[:args.check_images]

    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".export-", dir=args.out)
    np.savez_compressed(os.path.join(tmp, "weights.npz"), **arrays)
    yaml_path = os.path.join(tmp, "network.yaml")
    with open(yaml_path, "w") as f:
        f.write(yaml_text(args.name, model.in_shape, bits, args.part, args.clock_mhz, layers, header))
    res = check(model, yaml_path, images, labels)
    ok = res["pred_mismatch"] == 0 and not any(res["layer_diffs"].values())
    say(f"check on {res['n']} test images: differing outputs per layer {res['layer_diffs']}")
    say(f"argmax mismatches PyTorch vs integer model: {res['pred_mismatch']}")
    say(f"accuracy: PyTorch eval {res['torch_acc']:.4f}, integer model {res['int_acc']:.4f}")

    header.append(f"Test accuracy on the first {res['n']} Fashion-MNIST test images: "
                  f"{res['int_acc']:.4f} (integer model) = {res['torch_acc']:.4f} (PyTorch eval).")
    with open(yaml_path, "w") as f:
        f.write(yaml_text(args.name, model.in_shape, bits, args.part, args.clock_mhz, layers, header))
    np.save(os.path.join(tmp, "test_scores.npy"), res["scores"].astype(np.int32))
    if not ok and not args.force:
        print(f"error: the integer model disagrees with PyTorch; files left in {tmp}", file=sys.stderr)
        raise SystemExit(1)
    for fname in ("weights.npz", "network.yaml", "test_scores.npy"):
        os.replace(os.path.join(tmp, fname), os.path.join(args.out, fname))
    shutil.rmtree(tmp)
    say(f"wrote {args.out}/network.yaml, weights.npz, test_scores.npy")
    res["ok"] = ok
    return res


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    res = export(parse_args(argv), argv)
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
