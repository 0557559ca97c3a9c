#!/usr/bin/python3
"""Work left by early decision (DESIGN.md 4.3) in an exported network, measured in numpy.

For each named binary threshold layer, on the integer model's own activations: a neuron consumes
its taps in the unit's order (conv: kept kernels by input channel, each kernel row-major; dense:
streaming order, element (y*W + x)*C + c) and stops once its output is decided (popcount
p >= T' or p + remaining < T', T' = ceil((T + N) / 2) clamped to [0, N + 1]); with pooling, a
channel's remaining positions of a max-pool window (row-major) are skipped once one gave 1.
The same counting as bnngen's golden model (generator/src/golden/early_decision.cpp):

  ops   = fraction of the layer's XNOR-popcount operations removed (ideal per-neuron exit),
  steps = fraction of simd-wide steps removed (a neuron's steps = ceil(taps / simd)),
  cyc   = fraction of unit cycles removed when the unit's pe lanes run decoupled: per image the
          busiest lane's steps (lane = output channel mod pe) against the plain
          positions * (out / pe) * (taps / simd).

`cyc` is bnngen analyze's "early cyc" column, `ops` its "early ops".  Used by the smoke test to
check that the O3BNN-R-style regularizers (bnn_train.py --early-pooling / --early-threshold)
reduce the work; bnngen analyze is the reference for real networks.

  /usr/bin/python3 examples/train/early_work.py NET.yaml --layers conv2,conv4 --limit 100 \\
      --fold conv2=16x72,conv4=8x144
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import int_model  # noqa: E402


def _ceil_half(v):
    return np.where(v >= 0, (v + 1) // 2, -((-v) // 2))


def _elements(layer, x, arrays):
    """Window elements per output position in the unit's order, as +-1 int8 [B, P, E], and
    per neuron the element indices it reads and its weight bits [O, n] (+-1)."""
    name = layer["name"]
    w = arrays[f"{name}.weight"].astype(np.int8)
    xb = (2 * x.astype(np.int8) - 1)
    b, c, h, wd = xb.shape
    if layer["type"] == "conv":
        k, p = layer["kernel"], layer.get("padding", 0)
        if layer.get("stride", 1) != 1:
            raise ValueError(f"{name}: stride 1 only")
        pad = 1 if layer.get("pad_value", -1) > 0 else -1
        xp = np.pad(xb, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad)
        ho, wo = h + 2 * p - k + 1, wd + 2 * p - k + 1
        win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))  # B,C,Ho,Wo,k,k
        elems = win.transpose(0, 2, 3, 1, 4, 5).reshape(b, ho * wo, c * k * k)
        mask = arrays.get(f"{name}.kernel_mask")
        o = w.shape[0]
        if mask is None:
            mask = np.ones((o, c), dtype=np.uint8)
        idx = np.stack([np.concatenate([np.arange(ci * k * k, (ci + 1) * k * k)
                                        for ci in np.flatnonzero(mask[oi])]) for oi in range(o)])
        wflat = w.reshape(o, c * k * k)
        wsel = np.take_along_axis(wflat, idx, axis=1)
        return elems, idx, wsel, (ho, wo)
    # dense: streaming order, element (y*W + x)*C + c
    elems = xb.transpose(0, 2, 3, 1).reshape(b, 1, h * wd * c)
    o = w.shape[0]
    e = np.arange(h * wd * c)
    pos, ch = e // c, e % c
    wsel = w[:, ch * h * wd + pos]
    idx = np.broadcast_to(e, (o, len(e)))
    return elems, idx, wsel, (1, 1)


def layer_work(layer, pool, x, arrays, pe, simd, threshold=True, pooling=True):
    """Counts for one layer on its input bits x (uint8 [B, C, H, W]).  Returns a dict of summed
    operations / steps (plain and with early decision) and per-lane steps."""
    name = layer["name"]
    t = arrays[f"{name}.threshold"].astype(np.int64)
    elems, idx, wsel, (ho, wo) = _elements(layer, x, arrays)
    o, n = idx.shape
    tp = np.clip(_ceil_half(t + n), 0, n + 1)                           # [O]
    bsz = elems.shape[0]
    g = elems[:, :, idx]                                                  # [B, P, O, n]
    p = np.cumsum(g == wsel[None, None], axis=3, dtype=np.int32)         # popcount so far
    if threshold:
        rem = n - np.arange(1, n + 1, dtype=np.int32)
        decided = (p >= tp[:, None]) | (p + rem < tp[:, None])
        taps = decided.argmax(axis=3) + 1                                 # [B, P, O]
    else:
        taps = np.full(p.shape[:3], n)
    fires = p[..., -1] >= tp                                              # [B, P, O]
    steps = -(-taps // simd)
    if pooling and pool is not None:
        k = pool["kernel"]
        hp, wp = ho // k, wo // k
        def grouped(a):  # [B, P, O] -> [B, pool windows, window positions in scan order, O]
            a = a.reshape(bsz, ho, wo, o)[:, :hp * k, :wp * k]
            return a.reshape(bsz, hp, k, wp, k, o).transpose(0, 1, 3, 2, 4, 5).reshape(bsz, hp * wp, k * k, o)
        f = grouped(fires)
        computed = np.cumprod(np.concatenate([np.ones_like(f[:, :, :1]), ~f[:, :, :-1]], axis=2), axis=2)
        taps_c = grouped(taps) * computed
        steps_c = grouped(steps) * computed
        positions = ho * wo  # the plain unit computes every position
    else:
        taps_c, steps_c, positions = taps, steps, ho * wo
    # Per image, the busiest lane (lane = channel mod pe) sets the unit's cycles.
    per_channel = steps_c.reshape(bsz, -1, o).sum(1)                     # [B, O]
    lane = per_channel.reshape(bsz, o // pe, pe).sum(1)                  # [B, pe]
    return {"ops": bsz * positions * o * n, "early_ops": int(taps_c.sum()),
            "cycles": bsz * positions * (o // pe) * (n // simd), "lane_steps": int(lane.max(1).sum()),
            "steps": bsz * positions * o * (n // simd), "early_steps": int(steps_c.sum())}


def measure(yaml_path, images, layers, folds=None, threshold=True, pooling=True, batch=20):
    """{layer: {"ops", "steps", "cyc": removed fractions, ...}} over the images."""
    net = int_model.IntModel(yaml_path)
    by_name = {L["name"]: i for i, L in enumerate(net.layers)}
    total = {}
    for i in range(0, len(images), batch):
        _, outs = net.run(images[i:i + batch], collect=True)
        for name in layers:
            li = by_name[name]
            L = net.layers[li]
            if li == 0 or L.get("activation") != "threshold":
                raise ValueError(f"{name}: early decision needs a binary threshold layer")
            nxt = net.layers[li + 1] if li + 1 < len(net.layers) else None
            pool = nxt if nxt is not None and nxt["type"] == "maxpool" else None
            if folds and name in folds:
                pe, simd = folds[name]
            elif "fold" in L:
                pe, simd = L["fold"]["pe"], L["fold"]["simd"]
            else:
                pe, simd = 1, 1
            r = layer_work(L, pool, outs[li - 1], net.arrays, pe, simd, threshold, pooling and pool is not None)
            if name not in total:
                total[name] = r
            else:
                for key in r:
                    total[name][key] = total[name][key] + r[key]
    out = {}
    for name, r in total.items():
        out[name] = {"ops": 1 - r["early_ops"] / r["ops"], "steps": 1 - r["early_steps"] / r["steps"],
                     "cyc": 1 - r["lane_steps"] / r["cycles"],
                     "cycles_per_image": r["cycles"] / len(images),
                     "early_cycles_per_image": r["lane_steps"] / len(images)}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("network")
    ap.add_argument("--layers", required=True, help="comma-separated binary threshold layers")
    ap.add_argument("--images", default="/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--fold", default="", help="pe x simd per layer, e.g. conv2=16x72 (default: network.yaml's)")
    ap.add_argument("--no-pooling", action="store_true")
    ap.add_argument("--no-threshold", action="store_true")
    args = ap.parse_args(argv)
    folds = {}
    for item in filter(None, args.fold.split(",")):
        name, v = item.split("=")
        pe, simd = v.lower().split("x")
        folds[name] = (int(pe), int(simd))
    images = int_model.load_images(args.images)[:args.limit]
    res = measure(args.network, images, [n for n in args.layers.split(",") if n], folds,
                  not args.no_threshold, not args.no_pooling)
    for name, r in res.items():
        print(f"{name}: early ops {100 * r['ops']:.1f}%  early steps {100 * r['steps']:.1f}%  "
              f"early cyc {100 * r['cyc']:.1f}%  unit cycles {r['cycles_per_image']:.0f} -> "
              f"{r['early_cycles_per_image']:.0f} per image")
    return 0


if __name__ == "__main__":
    sys.exit(main())
