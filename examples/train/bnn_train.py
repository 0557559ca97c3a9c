#!/usr/bin/python3
"""Train a binarized neural network on Fashion-MNIST for bnngen.

Binary weights and activations (straight-through estimator over latent float weights), batch
norm after every layer but the classifier, first layer on raw 8-bit pixels, and structured
channel-wise kernel pruning trained from scratch.  The result (OUT/checkpoint.pt) is turned into
bnngen's network.yaml + weights.npz by bnn_export.py.

Example:
  /usr/bin/python3 examples/train/bnn_train.py --arch c16,p,c32,p,f10 --keep conv2=4 \\
      --epochs 20 --out runs/small
"""

import argparse
import math
import os
import shlex
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnn_model  # noqa: E402
import kernel_sharing  # noqa: E402

CHECKPOINT_VERSION = 1
# Arguments that define the run: on --resume they come from the checkpoint, so a resumed run
# is the same run.  --epochs may be changed (the LR schedule then stretches from that point).
RUN_ARGS = ("arch", "keep", "seed", "batch_size", "lr", "lr_schedule", "lr_step", "lr_gamma",
            "weight_decay", "prune_end", "mask_group", "train_limit", "test_limit", "data",
            "init", "background", "background_weight", "background_margin", "spatial",
            "early_pooling", "early_pooling_weight", "early_pooling_tau", "early_pooling_lanes",
            "early_pooling_fired_weight",
            "early_threshold", "early_threshold_weight", "early_threshold_margin",
            "distill_init", "distill_temp", "share", "share_group")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", default="c16,p,c32,p,f10",
                   help="layers: cN = 3x3 conv pad 1, p/pK = KxK max-pool, fN = dense; "
                        "the last layer is the classifier (default: %(default)s)")
    p.add_argument("--keep", default="",
                   help="kernels kept per output channel of pruned conv layers, "
                        "e.g. conv2=8,conv3=16 (default: no pruning)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default: %(default)s)")
    p.add_argument("--lr-schedule", choices=("cosine", "step"), default="cosine")
    p.add_argument("--lr-step", type=int, default=10, help="step schedule: epochs per decay")
    p.add_argument("--lr-gamma", type=float, default=0.1, help="step schedule: decay factor")
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--prune-end", type=float, default=0.4,
                   help="fraction of training after which kernel masks reach --keep and freeze "
                        "(default: %(default)s)")
    p.add_argument("--mask-group", type=int, default=1,
                   help="output channels per shared kernel mask: runs of G consecutive channels "
                        "keep the same input channels (cheaper PE selection; default: %(default)s)")
    p.add_argument("--init", default="",
                   help="start from this checkpoint's weights, batch-norm statistics and (final) "
                        "kernel masks instead of from scratch: fine-tuning; masks stay as they are")
    p.add_argument("--background", default="",
                   help="conv layers whose background vector (DESIGN.md 4.2) training drives to "
                        "all -1 = the padding value, so that spatial pruning in the next layer can "
                        "skip border windows too, e.g. conv1,conv2,conv3 (default: none)")
    p.add_argument("--background-weight", type=float, default=1.0,
                   help="weight of the background penalty in the loss (default: %(default)s)")
    p.add_argument("--background-margin", type=float, default=0.5,
                   help="pre-sign value each background channel is pushed below, negated "
                        "(default: %(default)s)")
    p.add_argument("--spatial", default="",
                   help="train through dynamic spatial pruning at these tolerances, e.g. "
                        "conv2=5,conv3=4,conv4=5: skipped windows output the layer's background, "
                        "as in hardware (the exported network.yaml needs the same prune.spatial)")
    p.add_argument("--early-pooling", default="",
                   help="conv layers followed by a max-pool whose pooling-pruning work (DESIGN.md "
                        "4.3) training reduces: expected positions computed per pool window, "
                        "e.g. conv2,conv4 (default: none)")
    p.add_argument("--early-pooling-weight", type=float, default=1.0,
                   help="weight of the pooling penalty in the loss (default: %(default)s)")
    p.add_argument("--early-pooling-tau", type=float, default=1.0,
                   help="temperature of the soft firing probability sigmoid(y / tau) of the "
                        "pre-sign BN output y (default: %(default)s)")
    p.add_argument("--early-pooling-lanes", default="",
                   help="model the early unit's decoupled lanes in the pooling penalty: per image "
                        "the busiest lane (channel mod pe) counts, e.g. conv2=16,conv4=8 "
                        "(default: none, the mean over channels)")
    p.add_argument("--early-pooling-fired-weight", type=float, default=0.0,
                   help="weight of a second pooling term over the same layers that counts only the "
                        "windows whose max-pool output is already 1: moves the first 1 of a firing "
                        "window forward without making silent windows fire (default: 0, off)")
    p.add_argument("--early-threshold", default="",
                   help="binary threshold layers whose threshold-pruning work (DESIGN.md 4.3) "
                        "training reduces by pushing pre-activations away from the threshold, "
                        "e.g. conv2,conv4 (default: none)")
    p.add_argument("--early-threshold-weight", type=float, default=0.05,
                   help="weight of the threshold penalty in the loss (default: %(default)s)")
    p.add_argument("--early-threshold-margin", type=float, default=0.2,
                   help="distance |s - T| / taps below which a neuron is penalized "
                        "(default: %(default)s)")
    p.add_argument("--distill-init", type=float, default=0.0, metavar="WEIGHT",
                   help="knowledge distillation from the --init checkpoint's model (eval mode, "
                        "fixed): add WEIGHT * T^2 * KL(teacher || student) of the logits softened "
                        "by --distill-temp to the loss (default: 0, off)")
    p.add_argument("--distill-temp", type=float, default=2.0,
                   help="distillation temperature T (default: %(default)s)")
    p.add_argument("--share", default="", metavar="LAYER=BUDGET,...",
                   help="similar-kernel sharing (DESIGN.md 4.4): at most BUDGET distinct 2-D kernels, up to "
                        "inversion, per input channel of each named binary conv layer; the kernels are "
                        "clustered at the start (from --init's weights) and stay tied while training, so "
                        "the export shares exactly (prune: {share: {mode: inverse}})")
    p.add_argument("--share-group", default="", metavar="LAYER=G,...",
                   help="--share's budget holds within each run of G consecutive output channels (the "
                        "lanes of one neuron fold of the sharing unit at pe G: at most BUDGET engines per "
                        "input channel); default: across all output channels")
    p.add_argument("--data", default=bnn_model.DEFAULT_DATA_DIR,
                   help="folder with the Fashion-MNIST idx .gz files (default: %(default)s)")
    p.add_argument("--train-limit", type=int, default=0,
                   help="train on the first N training images only (0 = all)")
    p.add_argument("--test-limit", type=int, default=0,
                   help="evaluate on the first N test images only (0 = all)")
    p.add_argument("--stop-after", type=int, default=0,
                   help="stop after this epoch as if interrupted, schedule unchanged "
                        "(0 = run to --epochs; for testing --resume)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default: %(default)s)")
    p.add_argument("--out", required=True, help="run folder: checkpoint.pt and train.log go here")
    p.add_argument("--resume", action="store_true",
                   help="continue from OUT/checkpoint.pt (run settings come from the checkpoint)")
    p.add_argument("--quiet", action="store_true", help="log to OUT/train.log only")
    return p.parse_args(argv)


class Logger:
    def __init__(self, path, quiet):
        self.path, self.quiet = path, quiet

    def __call__(self, msg):
        if not self.quiet:
            print(msg, flush=True)
        with open(self.path, "a") as f:
            f.write(msg + "\n")


def lr_at(args, epoch, step_in_epoch, steps_per_epoch):
    if args.lr_schedule == "step":
        return args.lr * args.lr_gamma ** (epoch // args.lr_step)
    t = (epoch * steps_per_epoch + step_in_epoch) / max(1, args.epochs * steps_per_epoch)
    return args.lr * 0.5 * (1.0 + math.cos(math.pi * min(t, 1.0)))


def epoch_order(seed, epoch, n):
    """Data order as a pure function of (seed, epoch), so --resume needs no RNG state."""
    return np.random.RandomState((seed * 1000003 + epoch) % 2**32).permutation(n)


def evaluate(model, images, labels, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(images), batch):
            x = torch.from_numpy(images[i:i + batch]).float()
            pred = model(x).argmax(dim=1).numpy()
            correct += int((pred == labels[i:i + batch]).sum())
    return correct / len(images)


def teacher_logits(ckpt_path, images, batch=1000):
    """Logits of a checkpoint's model in eval mode on `images` (the --distill-init teacher).
    Computed once, before training: the teacher is fixed, and the whole run then costs one
    teacher forward pass per training image instead of one per image and epoch."""
    ckpt = load_checkpoint(ckpt_path)
    teacher = build_model(ckpt["run"])
    teacher.load_state_dict(ckpt["model"])
    teacher.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            out.append(teacher(torch.from_numpy(images[i:i + batch]).float()))
    return torch.cat(out)


def distill_loss(logits, teacher, temp):
    """T^2 * KL(softmax(teacher / T) || softmax(logits / T)), mean over the batch (Hinton et
    al. 2015; the T^2 keeps the gradient scale independent of T)."""
    return F.kl_div(F.log_softmax(logits / temp, dim=1), F.log_softmax(teacher / temp, dim=1),
                    reduction="batchmean", log_target=True) * temp * temp


def save_checkpoint(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # a crash mid-save never leaves a truncated checkpoint


def load_checkpoint(path):
    ckpt = torch.load(path, map_location="cpu")
    if ckpt.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"{path}: checkpoint version {ckpt.get('version')}, "
                         f"expected {CHECKPOINT_VERSION}")
    return ckpt


def build_model(run):
    """Model for a run's settings (a dict with 'arch' and 'keep'; with 'share', the sharing plan's
    buffers on those layers, to be filled by a checkpoint or by share_kernels)."""
    model = bnn_model.BNN(run["arch"], bnn_model.parse_keep(run["keep"]))
    for name in kernel_sharing.parse_budgets(run.get("share", "")):
        if name in model.blocks and isinstance(model.blocks[name], bnn_model.ConvBlock):
            kernel_sharing.attach_empty(model.blocks[name])
    return model


def share_kernels(model, spec, group_spec, log):
    """--share: cluster each named layer's kernels to its budget and tie them; the blocks tied."""
    try:
        budgets = kernel_sharing.parse_budgets(spec)
        groups = kernel_sharing.parse_budgets(group_spec)
    except ValueError as e:
        raise SystemExit(str(e))
    for name in groups:
        if name not in budgets:
            raise SystemExit(f"--share-group {name}: not a layer of --share")
    convs = [name for name, b in model.conv_blocks() if not b.first]
    blocks = []
    for name, budget in budgets.items():
        if name not in convs:
            raise SystemExit(f"--share {name}: not a binary conv layer of {model.arch} ({', '.join(convs)})")
        block = model.blocks[name]
        before = torch.where(block.weight.detach() >= 0, 1.0, -1.0)
        group = groups.get(name)
        if group is not None and block.out_ch % group:
            raise SystemExit(f"--share-group {name}={group}: must divide its {block.out_ch} output channels")
        assign, flip = kernel_sharing.plan_block(block, budget, inverse=True, group=group)
        kernel_sharing.attach(block, assign, flip)
        kernel_sharing.tie_(block)
        after = torch.where(block.weight.detach() >= 0, 1.0, -1.0)
        mask = block.kernel_mask.detach().numpy() > 0
        distinct = sum(kernel_sharing.distinct_kernels(after.numpy(), mask, inverse=True))
        kept = int(mask.sum())
        log(f"# share {name}: budget {budget}{f' per {group} output channels' if group else ''}, "
            f"{kept} kept kernels -> {distinct} distinct up to inversion "
            f"({100 * (1 - distinct / kept):.1f}% fewer evaluations), {100 * (before != after).float().mean():.1f}% "
            f"of the weights changed sign")
        blocks.append(block)
    return blocks


def train(args):
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    log = Logger(os.path.join(args.out, "train.log"), args.quiet)

    ckpt = None
    if args.resume:
        if not os.path.exists(ckpt_path):
            raise SystemExit(f"--resume: {ckpt_path} does not exist")
        ckpt = load_checkpoint(ckpt_path)
        for key in RUN_ARGS:
            if key in ckpt["run"]:  # a key missing from an older checkpoint keeps its default
                setattr(args, key, ckpt["run"][key])
    elif os.path.exists(ckpt_path):
        raise SystemExit(f"{ckpt_path} exists: pass --resume to continue it, or pick another --out")

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.use_deterministic_algorithms(True)

    train_x, train_y = bnn_model.load_fashion_mnist(args.data, "train")
    test_x, test_y = bnn_model.load_fashion_mnist(args.data, "t10k")
    if args.train_limit:
        train_x, train_y = train_x[:args.train_limit], train_y[:args.train_limit]
    if args.test_limit:
        test_x, test_y = test_x[:args.test_limit], test_y[:args.test_limit]

    run = {key: getattr(args, key) for key in RUN_ARGS}
    model = build_model(run)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    start_epoch, step, history = 0, 0, []
    if args.init and ckpt is None:
        init = load_checkpoint(args.init)
        if init["run"]["arch"] != args.arch or init["run"]["keep"] != args.keep:
            raise SystemExit(f"--init {args.init}: it was trained with --arch {init['run']['arch']} "
                             f"--keep {init['run']['keep']!r}, not --arch {args.arch} --keep {args.keep!r}")
        state = dict(init["model"])
        for key, value in model.state_dict().items():  # --share's buffers, planned below
            state.setdefault(key, value)
        model.load_state_dict(state)
    model.spatial_tolerance = bnn_model.parse_keep(args.spatial)
    for name in model.spatial_tolerance:
        if name not in [n for n, _ in model.conv_blocks()][1:]:
            raise SystemExit(f"--spatial {name}: not a conv layer after the first of {args.arch}")
    background = [n for n in args.background.split(",") if n]
    convs = [name for name, _ in model.conv_blocks()]
    for name in background:
        if name not in convs:
            raise SystemExit(f"--background {name}: not a conv layer of {args.arch} ({', '.join(convs)})")
    try:
        early_pool = bnn_model.early_layers(model, args.early_pooling, "--early-pooling", True)
        early_thr = bnn_model.early_layers(model, args.early_threshold, "--early-threshold", False)
        early_lanes = bnn_model.parse_keep(getattr(args, "early_pooling_lanes", ""))
        for name, pe in early_lanes.items():
            if name not in early_pool or pe < 1 or model.blocks[name].out_ch % pe:
                raise ValueError(f"--early-pooling-lanes {name}={pe}: needs a layer of --early-pooling "
                                 f"and a pe dividing its channels")
    except ValueError as e:
        raise SystemExit(str(e))
    if getattr(args, "early_pooling_fired_weight", 0.0) and not early_pool:
        raise SystemExit("--early-pooling-fired-weight needs --early-pooling (the layers it applies to)")
    bnn_model.set_recording(model, set(early_pool) | set(early_thr))
    distill = getattr(args, "distill_init", 0.0)
    if distill:
        if not args.init:
            raise SystemExit("--distill-init needs --init (the teacher is the --init checkpoint's model)")
        if args.distill_temp <= 0:
            raise SystemExit(f"--distill-temp {args.distill_temp}: must be > 0")
        teacher = teacher_logits(args.init, train_x)
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        start_epoch, step, history = ckpt["epoch"], ckpt["step"], ckpt["history"]
        log(f"# resumed at epoch {start_epoch} (step {step}): {' '.join(map(shlex.quote, sys.argv))}")
        shared = [model.blocks[name] for name in kernel_sharing.parse_budgets(args.share)]
    else:
        log(f"# {' '.join(map(shlex.quote, sys.argv))}")
        log(f"# run: {run}")
        log(f"# model: {model.arch}  keep: {model.keep or 'none'}  "
            f"params: {sum(p.numel() for p in model.parameters())}")
        shared = share_kernels(model, args.share, args.share_group, log) if args.share else []

    n = len(train_x)
    steps_per_epoch = n // args.batch_size  # a last partial batch would skew BN statistics
    if steps_per_epoch == 0:
        raise SystemExit(f"--batch-size {args.batch_size} exceeds the {n} training images")
    prune_steps = max(1, int(round(args.prune_end * args.epochs * steps_per_epoch)))
    pruned = [(b, model.keep[name]) for name, b in model.conv_blocks() if name in model.keep]
    for block, _ in pruned:
        if args.mask_group < 1 or block.out_ch % args.mask_group:
            raise SystemExit(f"--mask-group {args.mask_group} must divide the output channels "
                             f"of every pruned layer ({block.out_ch})")

    for epoch in range(start_epoch, args.epochs):
        model.train()
        t0 = time.time()
        order = epoch_order(args.seed, epoch, n)
        loss_sum, correct, seen = 0.0, 0, 0
        pen_pool_sum, pen_thr_sum, kd_sum, pen_fired_sum = 0.0, 0.0, 0.0, 0.0
        for i in range(steps_per_epoch):
            # Masks tighten until prune_steps, then stay frozen at exactly `keep` per channel.
            if step <= prune_steps and not args.init:
                for block, keep in pruned:
                    bnn_model.update_kernel_mask(
                        block, bnn_model.scheduled_keep(block.in_ch, keep, step / prune_steps),
                        args.mask_group)
            for group in opt.param_groups:
                group["lr"] = lr_at(args, epoch, i, steps_per_epoch)
            idx = order[i * args.batch_size:(i + 1) * args.batch_size]
            x = torch.from_numpy(train_x[idx]).float()
            y = torch.from_numpy(train_y[idx])
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            if distill:
                kd = distill_loss(logits, teacher[torch.from_numpy(idx)], args.distill_temp)
                loss = loss + distill * kd
                kd_sum += float(kd) * len(idx)
            if background:
                penalty = bnn_model.background_penalty(model, args.background_margin, background)
                loss = loss + args.background_weight * penalty
            if early_pool:
                pen_pool = bnn_model.early_pooling_penalty(model, early_pool, args.early_pooling_tau,
                                                          early_lanes)
                loss = loss + args.early_pooling_weight * pen_pool
                pen_pool_sum += float(pen_pool) * len(idx)
                if getattr(args, "early_pooling_fired_weight", 0.0):
                    pen_fired = bnn_model.early_pooling_penalty(model, early_pool, args.early_pooling_tau,
                                                               early_lanes, fired_only=True)
                    loss = loss + args.early_pooling_fired_weight * pen_fired
                    pen_fired_sum += float(pen_fired) * len(idx)
            if early_thr:
                pen_thr = bnn_model.early_threshold_penalty(model, early_thr, args.early_threshold_margin)
                loss = loss + args.early_threshold_weight * pen_thr
                pen_thr_sum += float(pen_thr) * len(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
            model.clamp_latent()
            for block in shared:
                kernel_sharing.tie_(block)
            step += 1
            loss_sum += float(loss) * len(idx)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(idx)
        test_acc = evaluate(model, test_x, test_y)
        rec = {"epoch": epoch + 1, "step": step, "train_loss": loss_sum / seen,
               "train_acc": correct / seen, "test_acc": test_acc,
               "lr": opt.param_groups[0]["lr"], "seconds": time.time() - t0}
        if early_pool:
            rec["early_pooling_penalty"] = pen_pool_sum / seen
            if getattr(args, "early_pooling_fired_weight", 0.0):
                rec["early_pooling_fired_penalty"] = pen_fired_sum / seen
        if early_thr:
            rec["early_threshold_penalty"] = pen_thr_sum / seen
        if distill:
            rec["distill_loss"] = kd_sum / seen
        history.append(rec)
        keep_now = ",".join(f"{name}={int(b.kernel_mask.sum(1).max())}"
                            for name, b in model.conv_blocks() if name in model.keep)
        log(f"epoch {epoch + 1:3d}/{args.epochs}  train_loss {rec['train_loss']:.4f}  "
            f"train_acc {rec['train_acc']:.4f}  test_acc {test_acc:.4f}  lr {rec['lr']:.2e}"
            + (f"  keep {keep_now}" if keep_now else "")
            + (f"  background channels at +1: {bnn_model.background_channels_on(model, background)}"
               if background else "")
            + (f"  early_pooling_penalty {rec['early_pooling_penalty']:.4f}" if early_pool else "")
            + (f"  early_pooling_fired_penalty {rec['early_pooling_fired_penalty']:.4f}"
               if "early_pooling_fired_penalty" in rec else "")
            + (f"  early_threshold_penalty {rec['early_threshold_penalty']:.4f}" if early_thr else "")
            + (f"  distill_loss {rec['distill_loss']:.4f}" if distill else "")
            + f"  {rec['seconds']:.0f}s")
        save_checkpoint(ckpt_path, {
            "version": CHECKPOINT_VERSION, "run": run, "model": model.state_dict(),
            "optimizer": opt.state_dict(), "epoch": epoch + 1, "step": step,
            "history": history})
        if args.stop_after and epoch + 1 >= args.stop_after:
            break
    return model, history


def main(argv=None):
    args = parse_args(argv)
    try:
        bnn_model.parse_arch(args.arch)
        bnn_model.parse_keep(args.keep)
    except ValueError as e:
        raise SystemExit(f"error: {e}")
    return train(args)[1]


if __name__ == "__main__":
    main()
