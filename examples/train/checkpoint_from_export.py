#!/usr/bin/python3
"""Rebuild a bnn_train.py checkpoint from an exported network (network.yaml + weights.npz).

The shipped examples keep only the exported integer network, not the training checkpoint.  This
builds a checkpoint that `bnn_train.py --init CKPT` accepts (fine-tuning) and whose eval-mode
model computes exactly the exported network, and proves it: PyTorch's integer class scores and
every layer's output bits must equal int_model.py's on the first --check-images test images,
otherwise the script exits 1 and writes nothing.

How the exported contract (y = 1 iff s >= T, s the integer pre-activation computed with the
exported weights, negated channels already folded into the weights) becomes a model:

  - latent weights = exported +-1 weights * --magnitude (default 0.05, inside the trainer's
    [-1, 1] clamp, so a weight can change sign after a few hundred consistent Adam steps);
    kernel masks come from `<layer>.kernel_mask`; the classifier takes `fc.weight` as is
    (its bias must be 0: the model has none);
  - batch norm, per channel, with gamma = --gamma (default 1, > 0, so no channel is flipped):
    the running statistics are the batch statistics of s measured on training images
    (--stat-images, in batches of --batch-size like training: mean of the per-batch means and of
    the per-batch biased variances, every earlier layer already computing the exact thresholds),
    and beta = gamma * (mean - (T - 0.5)) / sqrt(var + eps).  Eval mode then computes
    gamma * (s - mean) / sqrt(var + eps) + beta >= 0  <=>  s >= T - 0.5  <=>  s >= T for integer
    s, with a margin of half a unit against float rounding; and training mode, which normalizes
    with the current batch's statistics instead, starts from nearly the same thresholds (its
    batch mean/variance scatter around the measured ones), so fine-tuning does not begin with a
    jump.  The output bits are then checked exactly anyway.

Example:
  /usr/bin/python3 examples/train/checkpoint_from_export.py examples/fmnist_cnv/network.yaml \\
      -o runs/cnv_init.pt
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnn_export  # noqa: E402
import bnn_model  # noqa: E402
import bnn_train  # noqa: E402
import int_model  # noqa: E402


def arch_of(net):
    """(arch string, keep string) of an exported network, in bnn_model's --arch / --keep terms."""
    tokens, keep = [], []
    inp = net.net["input"]
    if inp["channels"] != 1 or inp["height"] != 28 or inp["width"] != 28:
        raise SystemExit(f"{net.yaml_path}: input {inp}, the trainer builds 1x28x28 networks")
    first = True
    for L in net.layers:
        name, kind = L["name"], L["type"]
        if kind == "maxpool":
            k = L["kernel"]
            if L.get("stride", k) != k:
                raise SystemExit(f"{name}: max-pool stride must equal its kernel")
            tokens.append("p" if k == 2 else f"p{k}")
        elif kind == "conv":
            if (L["kernel"], L.get("stride", 1), L.get("padding", 0)) != (3, 1, 1):
                raise SystemExit(f"{name}: the trainer builds 3x3 stride-1 pad-1 convs only")
            if not first and L.get("pad_value", -1) != -1:
                raise SystemExit(f"{name}: pad_value must be -1")
            tokens.append(f"c{L['out_channels']}")
            k = L.get("prune", {}).get("kernels", {}).get("keep")
            if k is not None:
                keep.append(f"{name}={k}")
        else:
            tokens.append(f"f{L['out_features']}")
        first = False
    return ",".join(tokens), ",".join(keep)


def batch_statistics(model, images, batch):
    """{block name: (mean, biased var) of its pre-activation s}, averaged over training batches
    (per batch over N, and H, W for convs), with the model in eval mode (exact thresholds)."""
    sums = {}
    model.eval()
    with torch.no_grad():
        count = 0
        for i in range(0, len(images) - batch + 1, batch):
            x = torch.from_numpy(images[i:i + batch]).float()
            for name, block in model.blocks.items():
                if isinstance(block, bnn_model.PoolBlock):
                    x = block(x)
                    continue
                s = block.pre(x)
                if isinstance(block, bnn_model.DenseBlock) and block.last:
                    break
                dims = (0, 2, 3) if s.dim() == 4 else (0,)
                m = s.double().mean(dims)
                v = s.double().var(dims, unbiased=False)
                if name in sums:
                    sums[name][0].add_(m)
                    sums[name][1].add_(v)
                else:
                    sums[name] = [m, v]
                x = block(x)  # eval mode: BN with the thresholds already installed
            count += 1
    return {n: (m / count, v / count) for n, (m, v) in sums.items()}


def build(yaml_path, data_dir, magnitude, gamma, stat_images, batch):
    net = int_model.IntModel(yaml_path)
    arch, keep = arch_of(net)
    model = bnn_train.build_model({"arch": arch, "keep": keep})
    layers = {L["name"]: L for L in net.layers}
    if list(layers) != list(model.blocks.keys()):
        raise SystemExit(f"layer names {list(layers)} are not the trainer's {list(model.blocks.keys())}")
    thresholds = {}
    with torch.no_grad():
        for name, block in model.blocks.items():
            if isinstance(block, bnn_model.PoolBlock):
                continue
            w = net.arrays[f"{name}.weight"].astype(np.float32)
            block.weight.copy_(torch.from_numpy(w * magnitude))
            if isinstance(block, bnn_model.ConvBlock):
                mask = net.arrays.get(f"{name}.kernel_mask")
                if mask is not None:
                    block.kernel_mask.copy_(torch.from_numpy(mask.astype(np.float32)))
            if isinstance(block, bnn_model.DenseBlock) and block.last:
                if layers[name].get("activation") != "none":
                    raise SystemExit(f"{name}: the classifier must have activation none")
                bias = net.arrays.get(f"{name}.bias")
                if bias is not None and np.any(bias != 0):
                    raise SystemExit(f"{name}.bias: nonzero, the trainer's classifier has no bias")
                continue
            if layers[name].get("activation") != "threshold":
                raise SystemExit(f"{name}: hidden layers must have activation threshold")
            t = net.arrays[f"{name}.threshold"].astype(np.float64)
            thresholds[name] = t
            # Provisional BN until the statistics are measured: mean T - 0.5, var 1 - eps.
            bn = block.bn
            bn.weight.fill_(gamma)
            bn.bias.zero_()
            bn.running_mean.copy_(torch.from_numpy(t - 0.5))
            bn.running_var.fill_(1.0 - bn.eps)

    # Measure the batch statistics layer by layer (the provisional BNs are exact in eval mode,
    # so later layers see the exported network's bits), then install them.
    images, _ = bnn_model.load_fashion_mnist(data_dir, "train")
    stats = batch_statistics(model, images[:stat_images], batch)
    with torch.no_grad():
        for name, (mean, var) in stats.items():
            bn = model.blocks[name].bn
            t = thresholds[name]
            sd = np.sqrt(var.numpy() + bn.eps)
            beta = gamma * (mean.numpy() - (t - 0.5)) / sd
            bn.running_mean.copy_(mean.float())
            bn.running_var.copy_(var.float())
            bn.bias.copy_(torch.from_numpy(beta).float())
    model.eval()
    return model, arch, keep, net


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("network", help="exported network.yaml (weights.npz next to it)")
    p.add_argument("-o", "--out", required=True, help="checkpoint to write")
    p.add_argument("--data", default=bnn_model.DEFAULT_DATA_DIR)
    p.add_argument("--magnitude", type=float, default=0.05,
                   help="latent weight magnitude (default: %(default)s)")
    p.add_argument("--gamma", type=float, default=1.0, help="BN scale (default: %(default)s)")
    p.add_argument("--stat-images", type=int, default=10000,
                   help="training images for the batch statistics (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=100,
                   help="batch size of the statistics = of the fine-tuning (default: %(default)s)")
    p.add_argument("--check-images", type=int, default=2000,
                   help="first N test images on which PyTorch must equal int_model (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="recorded in the checkpoint's run settings")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.magnitude <= 0 or args.magnitude > 1:
        p.error("--magnitude must be in (0, 1] (the trainer clamps latent weights to [-1, 1])")
    if args.gamma <= 0:
        p.error("--gamma must be positive")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    say = (lambda *a: None) if args.quiet else print
    torch.set_num_threads(args.threads)
    model, arch, keep, net = build(args.network, args.data, args.magnitude, args.gamma,
                                   args.stat_images, args.batch_size)
    images, labels = bnn_model.load_fashion_mnist(args.data, "t10k")
    n = args.check_images
    res = bnn_export.check(model, args.network, images[:n], labels[:n])
    say(f"check on {res['n']} test images: differing outputs per layer {res['layer_diffs']}")
    say(f"argmax mismatches PyTorch vs integer model: {res['pred_mismatch']}")
    say(f"accuracy: PyTorch eval {res['torch_acc']:.4f}, integer model {res['int_acc']:.4f}")
    if res["pred_mismatch"] or any(res["layer_diffs"].values()):
        print("error: the rebuilt model does not compute the exported network", file=sys.stderr)
        return 1
    defaults = bnn_train.parse_args(["--out", "unused"])
    run = {key: getattr(defaults, key) for key in bnn_train.RUN_ARGS}
    run.update(arch=arch, keep=keep, seed=args.seed, batch_size=args.batch_size, data=args.data)
    ckpt = {"version": bnn_train.CHECKPOINT_VERSION, "run": run, "model": model.state_dict(),
            "epoch": 0, "step": 0, "history": [],
            "source": {"network": os.path.abspath(args.network), "magnitude": args.magnitude,
                       "gamma": args.gamma, "stat_images": args.stat_images}}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    bnn_train.save_checkpoint(args.out, ckpt)
    say(f"wrote {args.out}: arch {arch}, keep {keep or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
