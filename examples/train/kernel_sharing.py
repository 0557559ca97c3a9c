"""Similar-kernel sharing (DESIGN.md 4.4, Chang et al., DATE 2020): the explicit lossy step that
makes result sharing pay.

Result sharing computes each distinct 2-D kernel of an input channel once per position (an
inverse kernel, every bit flipped, shares too: its popcount is k*k - S).  Trained kernels repeat
little (3x3 kernels have 256 patterns up to inversion), so the trainer limits the distinct kernels
of every input channel to a *budget*: it clusters the channel's kept kernels into at most `budget`
classes up to inversion (`inverse`) or exactly (`repeated`), replaces every kernel by its class's
representative (inverted where it was closer to the inverse), and fine-tunes with the members tied.
The exported network then shares exactly, and `prune: {share: {mode: ...}}` computes it once.

Clustering works on the latent (float) weights, so a kernel moves to the representative where its
weights are smallest: k-means with centroids in {-1, +1}^(k*k) and the dot product as similarity,
started from the most common classes.  Tying is a projection after every optimizer step: each
member's latent kernel becomes its class's mean of the aligned (flip-corrected) members, so that
sign() gives exactly +-representative (a mean of exactly 0 is nudged to a small positive value, as
sign() maps 0 to +1 and -0 must not differ from +0).
"""
import numpy as np
import torch

TIE_EPS = 1e-6


def parse_budgets(spec):
    """'conv2=8,conv3=16' -> {'conv2': 8, 'conv3': 16}."""
    out = {}
    for part in [p for p in spec.split(",") if p]:
        name, _, value = part.partition("=")
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"--share {part}: expected LAYER=BUDGET with BUDGET >= 1")
        out[name] = int(value)
    return out


def classes_of(signs, inverse):
    """Class key of each +-1 kernel row [n, t] (as a tuple), and whether it is the inverse of it."""
    keys, flips = [], []
    for row in signs:
        word = tuple(int(v > 0) for v in row)
        inv = tuple(1 - b for b in word)
        if inverse and inv < word:
            keys.append(inv)
            flips.append(-1.0)
        else:
            keys.append(word)
            flips.append(1.0)
    return keys, np.array(flips)


def cluster_channel(latent, budget, inverse, iterations=30):
    """Cluster the kernels `latent` [n, t] (float) into at most `budget` classes.

    Returns (assign [n] int, flip [n] +-1.0): kernel j is flip[j] * centroid[assign[j]]."""
    n = latent.shape[0]
    signs = np.where(latent >= 0, 1.0, -1.0)
    keys, flips = classes_of(signs, inverse)
    distinct = sorted(set(keys), key=lambda k: (-keys.count(k), k))
    if len(distinct) <= budget:
        index = {k: i for i, k in enumerate(distinct)}
        return np.array([index[k] for k in keys]), flips
    # Start from the most common classes, then move kernels to the centroid they agree with most.
    centroids = np.array([[1.0 if b else -1.0 for b in k] for k in distinct[:budget]])
    assign, flip = np.zeros(n, int), np.ones(n)
    for iteration in range(iterations):
        dots = latent @ centroids.T  # [n, budget]
        score = np.abs(dots) if inverse else dots
        new_assign = score.argmax(1)
        new_flip = np.where(dots[np.arange(n), new_assign] >= 0, 1.0, -1.0) if inverse else np.ones(n)
        if iteration > 0 and np.array_equal(new_assign, assign) and np.array_equal(new_flip, flip):
            break
        assign, flip = new_assign, new_flip
        for b in range(budget):
            members = assign == b
            if members.any():
                total = (latent[members] * flip[members, None]).sum(0)
                centroids[b] = np.where(total >= 0, 1.0, -1.0)
    return assign, flip


def plan_block(block, budget, inverse, group=None):
    """Cluster every input channel of a ConvBlock; returns (assign [out, in] long, flip [out, in]).

    group: the budget holds within each run of `group` consecutive output channels (the lanes of
    one neuron fold of the sharing unit at pe = group, whose engines per input channel are then at
    most `budget`); None: across all output channels (the paper's per-channel budget).
    Pruned kernels (kernel_mask 0) take no part: assign -1, flip 1."""
    w = block.weight.detach().cpu().numpy()
    out_ch, in_ch = w.shape[:2]
    group = group or out_ch
    if out_ch % group:
        raise ValueError(f"share group {group} does not divide {out_ch} output channels")
    mask = block.kernel_mask.detach().cpu().numpy() > 0
    assign = np.full((out_ch, in_ch), -1, np.int64)
    flip = np.ones((out_ch, in_ch), np.float32)
    for g in range(0, out_ch, group):
        for i in range(in_ch):
            kept = g + np.nonzero(mask[g:g + group, i])[0]
            if len(kept) == 0:
                continue
            a, f = cluster_channel(w[kept, i].reshape(len(kept), -1).astype(np.float64), budget, inverse)
            assign[kept, i] = (g // group) * budget + a
            flip[kept, i] = f
    return torch.from_numpy(assign), torch.from_numpy(flip)


def attach(block, assign, flip):
    """Keep the plan on the block as buffers (saved in checkpoints, so --resume ties the same way)."""
    block.register_buffer("share_assign", assign.clone())
    block.register_buffer("share_flip", flip.clone())


def attach_empty(block):
    """Buffers of the right shape for load_state_dict of a checkpoint that has them."""
    shape = (block.out_ch, block.in_ch)
    attach(block, torch.full(shape, -1, dtype=torch.int64), torch.ones(shape))


@torch.no_grad()
def tie_(block):
    """Project the block's latent weights onto the tied set: every member of a class holds flip *
    (mean of the aligned members), so its sign is exactly flip * the class representative."""
    w, assign, flip = block.weight, block.share_assign, block.share_flip
    out_ch, in_ch = assign.shape
    kept = (assign >= 0).reshape(-1)
    if not kept.any():
        return
    classes = int(assign.max()) + 1
    key = (torch.arange(in_ch)[None, :] * classes + assign.clamp(min=0)).reshape(-1)
    f = flip.reshape(-1, 1).to(w.dtype)
    aligned = w.reshape(out_ch * in_ch, -1) * f
    sums = torch.zeros(in_ch * classes, aligned.shape[1], dtype=w.dtype).index_add_(0, key[kept], aligned[kept])
    count = torch.zeros(in_ch * classes, dtype=w.dtype).index_add_(0, key[kept], torch.ones_like(key[kept], dtype=w.dtype))
    mean = sums / count.clamp(min=1)[:, None]
    mean = torch.where(mean == 0, torch.full_like(mean, TIE_EPS), mean)
    tied = mean[key] * f
    flat = w.view(out_ch * in_ch, -1)
    flat[kept] = tied[kept]


def distinct_kernels(weight, mask, inverse, group=None):
    """Distinct 2-D kernels per input channel among the kept ones of a +-1 weight array
    [out, in, k, k] (numpy): a list of counts, one per input channel (with `group`, one per run
    of `group` output channels and input channel)."""
    out_ch, in_ch = weight.shape[:2]
    group = group or out_ch
    counts = []
    for g in range(0, out_ch, group):
        for i in range(in_ch):
            kept = [o for o in range(g, g + group) if mask is None or mask[o, i]]
            keys, _ = classes_of(weight[kept, i].reshape(len(kept), -1), inverse)
            counts.append(len(set(keys)))
    return counts
