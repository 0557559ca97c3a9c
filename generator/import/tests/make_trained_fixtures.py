#!/usr/bin/python3
"""Trains the TFC-, LFC- and CNV-like BNNs of the import tests briefly on Fashion-MNIST (PyTorch,
CPU, straight-through estimator) and writes their parameters to fixtures/<name>_trained.npz, from
which the tests build the QONNX and FINN-ONNX models (model_zoo.py). Run once; the fixtures are
committed, so the tests never train:
  /usr/bin/python3 generator/import/tests/make_trained_fixtures.py [tfc lfc cnv]

Trained batch norms mostly have positive scales; to cover negative ones, 30 % of each layer's
channels (seeded) are rewritten to the equivalent form with a negative scale, using
BN(-s; -gamma, beta, -mean) = BN(s; gamma, beta, mean) with the channel's weights negated: the
network computes the same function. Accuracies are printed (a few epochs on one CPU thread: well
below BNN-PYNQ's, which is not the point). Training took about 16 s (TFC), 5 min (LFC) and
6 min (CNV); the fixtures hold the weights' signs (packed bits) and the batch norms' parameters."""

import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model_zoo  # noqa: E402

torch.set_num_threads(1)


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).to(g.dtype)


sign = SignSTE.apply


class Net(nn.Module):
    def __init__(self, arch):
        super().__init__()
        self.arch = arch
        c, h, w = arch["input"]
        self.convs, self.cbns, self.pools = nn.ModuleList(), nn.ModuleList(), []
        spec = arch["conv"]
        for i, v in enumerate(spec):
            if v == "pool":
                continue
            self.convs.append(nn.Conv2d(c, v, 3, bias=False))
            self.cbns.append(nn.BatchNorm2d(v, eps=1e-4))
            self.pools.append(i + 1 < len(spec) and spec[i + 1] == "pool")
            c, h, w = v, h - 2, w - 2
            if self.pools[-1]:
                h, w = h // 2, w // 2
        feats = c * h * w
        self.fcs, self.fbns = nn.ModuleList(), nn.ModuleList()
        for j, o in enumerate(arch["dense"]):
            self.fcs.append(nn.Linear(feats, o, bias=False))
            if j + 1 < len(arch["dense"]):
                self.fbns.append(nn.BatchNorm1d(o, eps=1e-4))
            feats = o

    def quant_input(self, x):
        t = 2 * x - 1
        if self.arch["bits"] == 1:
            return sign(t)
        return torch.clamp(torch.round(t * 128), -128, 127) / 128

    def forward(self, x):
        x = self.quant_input(x)
        for conv, bn, pool in zip(self.convs, self.cbns, self.pools):
            x = sign(bn(F.conv2d(x, sign(conv.weight))))
            if pool:
                x = F.max_pool2d(x, 2)
        x = x.flatten(1)
        for j, fc in enumerate(self.fcs):
            x = F.linear(x, sign(fc.weight))
            if j < len(self.fbns):
                x = sign(self.fbns[j](x))
        return x * 0.125


def data(arch, train):
    import gzip
    stem = "train" if train else "t10k"
    with gzip.open(f"/usr/share/datasets/fashion-mnist/{stem}-images-idx3-ubyte.gz") as f:
        imgs = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"/usr/share/datasets/fashion-mnist/{stem}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
    if arch["conv"]:
        p = np.pad(imgs[:, 0], ((0, 0), (2, 2), (2, 2)))
        imgs = np.stack([p, p.transpose(0, 2, 1), 255 - p], axis=1)
    return imgs, labels


def train(arch, images, epochs, seed):
    torch.manual_seed(seed)
    net = Net(arch)
    x, y = data(arch, True)
    x, y = x[:images], y[:images]
    xt, yt = data(arch, False)
    xt, yt = xt[:1000], yt[:1000]
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    t0 = time.time()
    for ep in range(epochs):
        net.train()
        perm = np.random.default_rng(seed + ep).permutation(len(x))
        for i in range(0, len(x), 100):
            idx = perm[i:i + 100]
            xb = torch.from_numpy(x[idx].astype(np.float32) / 255)
            loss = F.cross_entropy(net(xb) * 8, torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            acc = (net(torch.from_numpy(xt.astype(np.float32) / 255)).argmax(1).numpy() == yt).mean()
        print(f"{arch['name']}: epoch {ep + 1}: test accuracy {acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
    return net, acc


def export(arch, net, seed):
    rng = np.random.default_rng(seed)
    out = {}
    layers = list(zip(net.convs, net.cbns)) + list(zip(net.fcs, list(net.fbns) + [None]))
    for i, (lin, bn) in enumerate(layers):
        w = lin.weight.detach().numpy().astype(np.float32)
        if bn is not None:
            gamma = bn.weight.detach().numpy().astype(np.float32).copy()
            beta = bn.bias.detach().numpy().astype(np.float32).copy()
            mean = bn.running_mean.numpy().astype(np.float32).copy()
            var = bn.running_var.numpy().astype(np.float32).copy()
            neg = rng.random(gamma.shape[0]) < 0.3
            gamma[neg], mean[neg] = -gamma[neg], -mean[neg]
            w[neg] = -w[neg]
            out[f"l{i}.bn"] = np.stack([gamma, beta, mean, var])
        out[f"l{i}.signs"] = np.packbits((w >= 0).reshape(-1))
        out[f"l{i}.shape"] = np.array(w.shape)
    return out


def load(name):
    """model_zoo params from fixtures/<name>_trained.npz (latent weights: +-1 times a random magnitude)."""
    arch = {"tfc": model_zoo.TFC, "lfc": model_zoo.LFC, "cnv": model_zoo.CNV}[name]
    z = np.load(os.path.join(HERE, "fixtures", f"{name}_trained.npz"))
    rng = np.random.default_rng(5)
    layers = []
    i = 0
    spec = [v for v in arch["conv"]]
    pools = [k + 1 < len(spec) and spec[k + 1] == "pool" for k, v in enumerate(spec) if v != "pool"]
    while f"l{i}.shape" in z.files:
        shape = tuple(int(v) for v in z[f"l{i}.shape"])
        bits = np.unpackbits(z[f"l{i}.signs"])[:int(np.prod(shape))].reshape(shape)
        w = np.where(bits == 1, 1, -1).astype(np.float32) * rng.uniform(0.01, 1.0, shape).astype(np.float32)
        bn = None
        if f"l{i}.bn" in z.files:
            g, b, m, v = z[f"l{i}.bn"]
            bn = (g, b, m, v, 1e-4)
        layers.append({"kind": "conv" if len(shape) == 4 else "dense", "w": w,
                       "wscale": np.ones(shape[0], dtype=np.float32), "bn": bn,
                       "pool": pools[i] if i < len(pools) else False})
        i += 1
    return {"arch": arch, "layers": layers, "out_scale": np.float32(0.125), "out_bias": np.float32(0.0)}


if __name__ == "__main__":
    which = sys.argv[1:] or ["tfc", "lfc", "cnv"]
    plan = {"tfc": (model_zoo.TFC, 60000, 3), "lfc": (model_zoo.LFC, 30000, 2), "cnv": (model_zoo.CNV, 12000, 2)}
    for name in which:
        arch, images, epochs = plan[name]
        net, acc = train(arch, images, epochs, seed=1)
        np.savez_compressed(os.path.join(HERE, "fixtures", f"{name}_trained.npz"), **export(arch, net, seed=2),
                            accuracy=np.array(acc))
        print(f"wrote fixtures/{name}_trained.npz")
