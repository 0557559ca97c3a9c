"""Binarized network pieces shared by the trainer, the exporter and the smoke test.

The forward pass is written so that, in eval mode, every value the exporter folds is an exact
integer held in float32: the first layer sums +-1 weights times 8-bit pixels and the binary layers
sum +-1 products, all far below 2**24.  That is what lets bnn_export.py promise bit-exact agreement
with the integer contract in /work/shared/DESIGN.md (sections 2 and 3).
"""

import gzip
import math
import os
import re
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"
KERNEL = 3          # every conv in an --arch spec is 3x3 ...
PADDING = 1         # ... with "same" padding
BINARY_PAD_VALUE = -1.0  # contract default pad_value for binary conv layers
INPUT_BITS = 8


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def read_idx(path):
    """Read an idx file (optionally gzip-compressed) into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an idx file (bad magic)")
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    if data[2] not in dtypes:
        raise ValueError(f"{path}: unknown idx element type 0x{data[2]:02x}")
    ndim = data[3]
    dims = np.frombuffer(data, dtype=">u4", count=ndim, offset=4).astype(np.int64)
    arr = np.frombuffer(data, dtype=dtypes[data[2]], offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {tuple(dims)} but holds {arr.size} elements")
    return arr.reshape(tuple(dims))


def load_fashion_mnist(data_dir, split):
    """Return (images uint8 [N,1,28,28], labels int64 [N]) for split 'train' or 't10k'."""
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{data_dir}/{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images[:, None, :, :].copy(), labels.astype(np.int64)


# --------------------------------------------------------------------------------------------
# Architecture spec
# --------------------------------------------------------------------------------------------

@dataclass
class LayerSpec:
    kind: str    # "conv", "pool" or "dense"
    name: str    # conv1, pool1, fc1, ... (the names used by --keep and in network.yaml)
    size: int    # output channels (conv), window (pool) or output features (dense)


def parse_arch(spec):
    """Parse e.g. "c32,c32,p,c64,p,f256,f10" into LayerSpecs.

    cN = 3x3 conv (stride 1, padding 1) with N output channels, p or pK = KxK max-pool (stride K),
    fN = dense with N outputs.  The last layer must be dense: it is the classifier.
    """
    tokens = [t.strip() for t in spec.split(",") if t.strip()]
    if not tokens:
        raise ValueError("--arch is empty")
    counts = {"conv": 0, "pool": 0, "dense": 0}
    prefix = {"conv": "conv", "pool": "pool", "dense": "fc"}
    layers = []
    for tok in tokens:
        m = re.fullmatch(r"([cpf])(\d*)", tok)
        if not m:
            raise ValueError(f"--arch: bad token {tok!r} (expected cN, p, pK or fN)")
        kind = {"c": "conv", "p": "pool", "f": "dense"}[m.group(1)]
        if m.group(2) == "" and kind != "pool":
            raise ValueError(f"--arch: {tok!r} needs a size, e.g. {tok}32")
        size = int(m.group(2)) if m.group(2) else 2
        if size < 1 or (kind == "pool" and size < 2):
            raise ValueError(f"--arch: bad size in {tok!r}")
        counts[kind] += 1
        layers.append(LayerSpec(kind, f"{prefix[kind]}{counts[kind]}", size))
    if layers[0].kind == "pool":
        raise ValueError("--arch: the first layer cannot be a pool (the network input is not binary)")
    if layers[-1].kind != "dense":
        raise ValueError("--arch: the last layer must be dense (the classifier)")
    seen_dense = False
    for layer in layers:
        if layer.kind == "dense":
            seen_dense = True
        elif seen_dense:
            raise ValueError(f"--arch: {layer.name} comes after a dense layer")
    return layers


def parse_keep(spec):
    """Parse "conv2=8,conv3=16" into {"conv2": 8, "conv3": 16}."""
    keep = {}
    for item in (spec or "").split(","):
        item = item.strip()
        if not item:
            continue
        m = re.fullmatch(r"(\w+)=(\d+)", item)
        if not m:
            raise ValueError(f"--keep: bad item {item!r} (expected NAME=K, e.g. conv2=8)")
        keep[m.group(1)] = int(m.group(2))
    return keep


# --------------------------------------------------------------------------------------------
# Binarization
# --------------------------------------------------------------------------------------------

def binarize(x):
    """sign with sign(0) = +1, as the contract's threshold `s >= T` implies."""
    # heaviside(x, 1) is 1 for x >= 0 (also -0.0) and 0 below; it and hardtanh_backward are
    # vectorized, while torch.where and bool->float casts are several times slower on CPU.
    return torch.heaviside(x, torch.ones((), dtype=x.dtype)).mul_(2).sub_(1)


class SignSTE(torch.autograd.Function):
    """sign() forward, clipped identity (hardtanh) gradient backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return binarize(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # grad where |x| <= 1.  hardtanh_backward's bounds are strict, so they are nudged past 1:
        # latent weights clamped to exactly +-1 must keep their gradient or they freeze.
        return torch.ops.aten.hardtanh_backward(grad, x, -1.000001, 1.000001)


sign_ste = SignSTE.apply


class MkldnnLinear(torch.autograd.Function):
    """x @ w.T through oneDNN.  Debian's torch links the reference (netlib) BLAS, with which a
    3136x256 dense layer costs more than all the convs together; oneDNN is ~20x faster.  In eval
    the operands are +-1, so any summation order gives the same exact integers."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return _mkldnn_mm(x, w)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        grad = grad.contiguous()
        return _mkldnn_mm(grad, w.t()), _mkldnn_mm(grad.t(), x.t())


def _mkldnn_mm(a, b):
    """a @ b.T for 2-D float32 tensors."""
    return torch._C._nn.mkldnn_linear(a.contiguous().to_mkldnn(), b.contiguous().to_mkldnn()).to_dense()


def linear(x, w):
    if torch.backends.mkldnn.is_available() and x.dtype == torch.float32:
        return MkldnnLinear.apply(x, w)
    return F.linear(x, w)


# --------------------------------------------------------------------------------------------
# Blocks.  Each block's pre() returns the integer pre-activation s of the contract.
# --------------------------------------------------------------------------------------------

class ConvBlock(nn.Module):
    """3x3 binary-weight conv -> BN -> sign.  The first layer sees raw pixels, later ones +-1."""

    def __init__(self, in_ch, out_ch, first):
        super().__init__()
        self.in_ch, self.out_ch, self.first = in_ch, out_ch, first
        self.kernel, self.padding = KERNEL, PADDING
        self.weight = nn.Parameter(torch.empty(out_ch, in_ch, KERNEL, KERNEL))
        nn.init.uniform_(self.weight, -0.1, 0.1)
        # 1 = kernel kept.  A buffer, so it is saved in checkpoints and survives --resume.
        self.register_buffer("kernel_mask", torch.ones(out_ch, in_ch))
        self.keep = in_ch
        self.bn = nn.BatchNorm2d(out_ch)
        # Early-decision regularizers (bnn_train.py --early-*): forward() keeps (s, BN output)
        # of the last batch in self.recorded while self.record is set.
        self.record, self.recorded = False, None

    def taps(self):
        """Taps per output channel [out_ch]: kept kernels times k*k (the neuron's N)."""
        return self.kernel_mask.sum(1) * (self.kernel * self.kernel)

    def binary_weight(self):
        return sign_ste(self.weight) * self.kernel_mask[:, :, None, None]

    def pre(self, x):
        p = self.padding
        if self.first:
            # The contract pads the first layer with the integer 0, exactly conv2d's zero padding.
            return F.conv2d(x, self.binary_weight(), padding=p)
        # Binary layers pad with -1 (pad_value: -1), a real tap that counts, so it is padded
        # explicitly instead of using conv2d's zero padding (0 is not a binary value).
        x = F.pad(x, (p, p, p, p), value=BINARY_PAD_VALUE)
        return F.conv2d(x, self.binary_weight())

    def forward(self, x):
        s = self.pre(x)
        y = self.bn(s)
        if self.record:
            self.recorded = (s, y)
        return sign_ste(y)


class PoolBlock(nn.Module):
    """Max-pool after the sign: on {-1,+1} values max is OR over bits, as the contract says."""

    def __init__(self, kernel):
        super().__init__()
        self.kernel = kernel

    def forward(self, x):
        return F.max_pool2d(x, self.kernel, self.kernel)


class DenseBlock(nn.Module):
    """Binary-weight dense layer.  Hidden: BN -> sign.  Last: alpha * (W_bin @ x), no bias.

    The classifier's fixed positive alpha only brings logits into a range softmax trains well
    on; it does not change the argmax, so the exported integer score is W_bin @ x exactly.
    """

    def __init__(self, in_f, out_f, last):
        super().__init__()
        self.in_f, self.out_f, self.last = in_f, out_f, last
        self.weight = nn.Parameter(torch.empty(out_f, in_f))
        nn.init.uniform_(self.weight, -0.1, 0.1)
        self.bn = None if last else nn.BatchNorm1d(out_f)
        self.alpha = 1.0 / math.sqrt(in_f)
        self.record, self.recorded = False, None

    def taps(self):
        return torch.full((self.out_f,), float(self.in_f))

    def pre(self, x):
        return linear(x.flatten(1), sign_ste(self.weight))

    def forward(self, x):
        s = self.pre(x)
        if self.last:
            return s * self.alpha
        y = self.bn(s)
        if self.record:
            self.recorded = (s, y)
        return sign_ste(y)


class BNN(nn.Module):
    def __init__(self, arch, keep=None, in_shape=(1, 28, 28)):
        super().__init__()
        self.arch = arch if isinstance(arch, str) else ",".join(
            {"conv": "c", "pool": "p", "dense": "f"}[l.kind] + str(l.size) for l in arch)
        specs = parse_arch(arch) if isinstance(arch, str) else list(arch)
        keep = dict(keep or {})
        self.in_shape = tuple(in_shape)
        c, h, w = in_shape
        self.blocks = nn.ModuleDict()
        for i, spec in enumerate(specs):
            first, last = i == 0, i == len(specs) - 1
            if spec.kind == "conv":
                block = ConvBlock(c, spec.size, first)
                c = spec.size  # 3x3, stride 1, padding 1 keeps h, w
            elif spec.kind == "pool":
                if h < spec.size or w < spec.size:
                    raise ValueError(f"{spec.name}: {spec.size}x{spec.size} pool on a {h}x{w} map")
                block = PoolBlock(spec.size)
                h, w = (h - spec.size) // spec.size + 1, (w - spec.size) // spec.size + 1
            else:
                block = DenseBlock(c * h * w, spec.size, last)
                c, h, w = spec.size, 1, 1
            self.blocks[spec.name] = block
        for name, k in keep.items():
            block = self.blocks[name] if name in self.blocks else None
            if not isinstance(block, ConvBlock):
                raise ValueError(f"--keep {name}={k}: {name} is not a conv layer of {self.arch}")
            if not 1 <= k <= block.in_ch:
                raise ValueError(f"--keep {name}={k}: must be in 1..{block.in_ch} (its input channels)")
            block.keep = k
        self.keep = {n: b.keep for n, b in self.blocks.items()
                     if isinstance(b, ConvBlock) and b.keep < b.in_ch}
        # {conv name: tolerance}: train through dynamic spatial pruning (DESIGN.md 4.2) as the
        # hardware and golden model apply it.  Not part of the exported network: the exporter
        # proves the unskipped network exact; network.yaml's prune.spatial turns skipping on.
        self.spatial_tolerance = {}

    def forward(self, x, collect=None):
        """x: float pixels [N,C,H,W] (0..255).  collect: optional list receiving each block's
        output (the last block contributes its integer scores, not the scaled logits)."""
        backgrounds = self.backgrounds() if self.spatial_tolerance else {}
        previous = None
        for name, block in self.blocks.items():
            if collect is not None and isinstance(block, DenseBlock) and block.last:
                s = block.pre(x)
                collect.append(s)
                return s * block.alpha
            y = block(x)
            if name in self.spatial_tolerance:
                y = skip_background_windows(x, y, backgrounds[previous], backgrounds[name],
                                            self.spatial_tolerance[name], block.kernel, block.padding)
            x = y
            previous = name
            if collect is not None:
                collect.append(x)
        return x

    def backgrounds(self):
        """{block name: its background output vector} as DESIGN.md 4.2 defines it, in eval-mode
        arithmetic (running statistics), until the first dense block."""
        out = {}
        with torch.no_grad():
            bg = None  # the input's background: 0 in every channel
            for name, block in self.blocks.items():
                if isinstance(block, DenseBlock):
                    break
                if isinstance(block, ConvBlock):
                    bg = binarize(background_window_pre_sign(block, bg))
                out[name] = bg
        return out

    def scores(self, x):
        """Integer class scores W_bin @ x of the classifier (exact in float32)."""
        out = []
        self.forward(x, collect=out)
        return out[-1]

    def clamp_latent(self):
        """Keep latent weights in [-1, 1]: past that the clipped STE gives them no gradient and
        they could never change sign again."""
        with torch.no_grad():
            for block in self.blocks.values():
                if hasattr(block, "weight"):
                    block.weight.clamp_(-1.0, 1.0)

    def conv_blocks(self):
        return [(n, b) for n, b in self.blocks.items() if isinstance(b, ConvBlock)]


# --------------------------------------------------------------------------------------------
# Background-aware training (spatial pruning, DESIGN.md 4.2)
# --------------------------------------------------------------------------------------------

def bn_eval(bn, s):
    """The batch norm as the exporter folds it (running statistics), differentiable in gamma/beta."""
    return bn.weight * (s - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) + bn.bias


def skip_background_windows(x, y, background_in, background_out, tolerance, kernel, padding):
    """The layer output y with every position skipped by spatial pruning replaced by the layer's
    background: a position is skipped when at most `tolerance` taps of its window (padding taps
    included, padding = -1) differ from the input background in any channel.  Gradients flow
    through the computed positions only, as the hardware computes only those."""
    differs = (x != background_in[None, :, None, None]).any(dim=1, keepdim=True).float()
    differs = F.pad(differs, (padding,) * 4, value=float(bool((background_in != -1).any())))
    count = F.conv2d(differs, x.new_ones(1, 1, kernel, kernel))
    skip = count <= tolerance
    return torch.where(skip, background_out[None, :, None, None].expand_as(y), y)


def background_window_pre_sign(block, background):
    """A conv block's eval-mode pre-sign value per output channel for a window whose every tap
    is `background` ([in channels]; None: the network input's background, 0)."""
    if background is None:
        return bn_eval(block.bn, torch.zeros(block.out_ch))
    return bn_eval(block.bn, block.binary_weight().sum(dim=(2, 3)) @ background)


def background_pre_sign(model, layers):
    """{name: eval-mode pre-sign value of each channel for a window of the previous background}
    of the named conv layers.  The backgrounds are taken as the contract defines them: the
    input's is 0, a conv's is its output for a window of the previous background (assumed all -1
    here: that is what background_penalty makes true), a pool passes it on."""
    out = {}
    for name, block in model.conv_blocks():
        if name in layers:
            out[name] = background_window_pre_sign(block, None if block.first else -torch.ones(block.in_ch))
    return out


def background_penalty(model, margin, layers):
    """Hinge penalty that drives the background vector of each named conv layer to all -1.

    A padding tap only matches the background when pad_value (-1) equals the previous layer's
    background in every channel, so a network whose backgrounds are -1 can skip border windows
    too; with freely trained backgrounds those never match.  Each channel's pre-sign value is
    pushed below -margin (margin > 0 keeps it there as the running statistics drift).  Mean over
    channels; 0 when no layer is named.
    """
    values = list(background_pre_sign(model, layers).values())
    if not values:
        return torch.zeros(())
    return F.relu(torch.cat(values) + margin).mean()


def background_channels_on(model, layers):
    """Channels of the named layers whose background output is +1 (0 = every background is -1)."""
    with torch.no_grad():
        return sum(int((v >= 0).sum()) for v in background_pre_sign(model, layers).values())


# --------------------------------------------------------------------------------------------
# Early-decision regularizers (DESIGN.md 4.3; in the spirit of O3BNN-R, our formulation)
# --------------------------------------------------------------------------------------------

def early_layers(model, spec, option, pooling):
    """Validated list of layer names for --early-pooling / --early-threshold."""
    names = [n for n in (spec or "").split(",") if n]
    order = list(model.blocks.keys())
    for name in names:
        block = model.blocks[name] if name in model.blocks else None
        ok = isinstance(block, (ConvBlock, DenseBlock)) and not (
            isinstance(block, DenseBlock) and block.last) and order.index(name) > 0
        if pooling:
            i = order.index(name) if name in order else -1
            ok = ok and isinstance(block, ConvBlock) and i + 1 < len(order) and isinstance(
                model.blocks[order[i + 1]], PoolBlock)
        if not ok:
            what = ("a binary conv layer followed by a max-pool" if pooling
                    else "a binary threshold layer (not the first layer, not the classifier)")
            raise ValueError(f"{option} {name}: not {what} of {model.arch}")
    return names


def set_recording(model, names):
    for name, block in model.blocks.items():
        if hasattr(block, "record"):
            block.record = name in names
            block.recorded = None


def early_pooling_penalty(model, names, tau, lanes=None, fired_only=False):
    """Expected fraction of pool-window positions computed under pooling pruning.

    For conv layer L followed by a KxK max-pool, with y the pre-sign BN output of the last
    forward pass and p_k = sigmoid(y_k / tau) the soft probability that window position k (in
    the unit's row-major scan order) is 1, a channel computes position k only while every
    earlier one was 0: E = sum_k prod_{j<k} (1 - p_j).  Penalty = mean over (image, channel,
    window) of E / (K*K), averaged over the named layers: 1 when nothing fires, 1/(K*K) when the
    first position always does.  0 when no layer is named.

    lanes {layer: pe} (optional, ours too): for those layers the unit's decoupled lanes are
    modelled: output channel c runs on lane c mod pe and, per image, the busiest lane sets the
    cycles; the layer's term is then the mean over images of the largest lane's mean E / (K*K).

    fired_only (ours): count only the windows whose max-pool output is already 1 (some y >= 0;
    a window that does not fire contributes 0).  Raising an earlier position of such a window
    does not change the pooled output, so this term moves the first 1 forward inside windows
    that fire anyway instead of making silent windows fire.
    """
    order = list(model.blocks.keys())
    values = []
    for name in names:
        _, y = model.blocks[name].recorded
        k = model.blocks[order[order.index(name) + 1]].kernel
        n, c, h, w = y.shape
        hp, wp = h // k, w // k
        p = torch.sigmoid(y[:, :, :hp * k, :wp * k] / tau)
        # [N, C, hp, k, wp, k] -> positions of each window in row-major order on the last axis
        p = p.reshape(n, c, hp, k, wp, k).permute(0, 1, 2, 4, 3, 5).reshape(n, c, hp, wp, k * k)
        none_before = torch.cumprod(1 - p, dim=-1)
        e = 1 + none_before[..., :-1].sum(-1)                            # [N, C, hp, wp]
        if fired_only:
            ywin = y[:, :, :hp * k, :wp * k].reshape(n, c, hp, k, wp, k)
            e = e * (ywin.detach().amax(dim=(3, 5)) >= 0).to(e.dtype)
        pe = (lanes or {}).get(name)
        if pe:
            # channel c = j * pe + l runs on lane l
            lane = e.mean(dim=(2, 3)).reshape(n, c // pe, pe).mean(1)    # [N, pe]
            values.append(lane.max(dim=1).values.mean() / (k * k))
        else:
            values.append(e.mean() / (k * k))
    return torch.stack(values).mean() if values else torch.zeros(())


def early_threshold_penalty(model, names, margin):
    """Hinge on each neuron's distance from its threshold, in units of its taps.

    The threshold the BN + sign implements is s = T with T = mean - beta * sd / gamma, so
    |s - T| = |y| * sd / |gamma| for the BN output y (sd, mean: the batch's statistics in
    training, the running ones in eval: what the BN uses).  d = |s - T| / N, N the neuron's taps;
    penalty = mean over (image, neuron, position) of relu(margin - d), averaged over the named
    layers.  A neuron whose sum ends far from T is decided early (its partial popcount passes T'
    or can no longer reach it) by threshold pruning.  0 when no layer is named.
    """
    values = []
    for name in names:
        block = model.blocks[name]
        s, y = block.recorded
        bn = block.bn
        dims = (0, 2, 3) if s.dim() == 4 else (0,)
        if bn.training:
            var = s.var(dim=dims, unbiased=False)
        else:
            var = bn.running_var
        scale = torch.sqrt(var + bn.eps) / (bn.weight.abs() + 1e-12) / block.taps().to(s)
        shape = (1, -1, 1, 1) if s.dim() == 4 else (1, -1)
        d = y.abs() * scale.reshape(shape)
        values.append(F.relu(margin - d).mean())
    return torch.stack(values).mean() if values else torch.zeros(())


# --------------------------------------------------------------------------------------------
# Structured channel-wise kernel pruning
# --------------------------------------------------------------------------------------------

def scheduled_keep(cin, keep, progress):
    """Kernels kept per output channel at `progress` in [0, 1] of the pruning phase.

    Cubic decay (Zhu & Gupta 2017): prune fast while the network is still plastic, gently near
    the target so the last kernels go when the rest has adapted.
    """
    progress = min(max(progress, 0.0), 1.0)
    return keep + int(math.ceil((cin - keep) * (1.0 - progress) ** 3))


def update_kernel_mask(block, k, group=1):
    """Keep, in every output channel, the k kernels with the largest latent L1 magnitude.

    group > 1: each run of `group` consecutive output channels shares one mask (chosen by the
    group's summed L1).  That is the cheaper hardware structure of DESIGN.md 4.1: when the
    channels one fold step computes together share a mask, the PEs need one Cin-way choice per
    step instead of one each.  A stable sort makes ties (rare with float latent weights)
    resolve to the lowest input channel, so a run is reproducible.
    """
    with torch.no_grad():
        cout, cin = block.kernel_mask.shape
        if cout % group:
            raise ValueError(f"mask group {group} does not divide {cout} output channels")
        l1 = block.weight.abs().sum(dim=(2, 3)).reshape(cout // group, group, cin).sum(1)
        order = torch.sort(-l1, dim=1, stable=True).indices[:, :k]  # descending by L1
        mask = torch.zeros(cout // group, cin)
        mask.scatter_(1, order, 1.0)
        block.kernel_mask.copy_(mask.repeat_interleave(group, dim=0))
