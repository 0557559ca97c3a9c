#!/usr/bin/python3
"""Sample networks, features and fit of bnngen's resource model (generator/src/hw/resource_model.cpp).

    /usr/bin/python3 bench/fit_resource_model.py make WORK     writes WORK/NAME/{network.yaml,weights.npz}
    /usr/bin/python3 bench/fit_resource_model.py fit WORK      reads WORK/NAME/{design/,report.json}, fits,
                                                               prints the coefficient table and the errors

bench/fit_resource_model.sh runs both and, in between, `bnngen generate` and `bnngen report` on each
sample (cached). Only numpy (Debian's python3-numpy).

The features are computed from the generated design's own instance parameters (WORK/NAME/design/
NAME.v), the same quantities resource_model.cpp derives from the network, so that the fit sees what
Yosys was given. Every feature is a count of bits or LUT-sized pieces of one block of the layer; the
model of a resource is a non-negative combination of them (NNLS), fitted on relative errors (each
row weighted by 1 / measured), because the folding search compares layers of very different sizes.
"""
import json
import math
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "verif", "e2e"))
import make_networks as m  # noqa: E402

IMAGES = 24  # images the thresholds are set on (medians): enough for varying bits, quick


# ---------------------------------------------------------------- sample networks

def early_key(b, threshold=True, pooling=False):
    """Adds prune.early to the last layer the builder wrote."""
    early = f"early: {{threshold: {'true' if threshold else 'false'}, pooling: {'true' if pooling else 'false'}}}"
    layer = b.layers[-1]
    if "prune: {" in layer:
        layer = layer.replace("prune: {", "prune: {" + early + ", ", 1)
    else:
        layer = layer.replace(", fold: {", f", prune: {{{early}}}, fold: {{", 1)
    b.layers[-1] = layer


def images(rng, c, h, w, bits):
    x = rng.integers(0, 1 << bits, (IMAGES, c, h, w))
    x[::2, :, : h // 3, :] = 0  # some background for spatial pruning
    return x.astype(np.int64)


def samples():
    """(name, builder, input shape): the sample set. Every layer's folding divides its work."""
    rng = np.random.default_rng(2026)
    out = []

    def new(name, c, h, w, bits, seed):
        b = m.Builder(name, images(rng, c, h, w, bits), bits, seed=seed)
        out.append((name, b, (c, h, w)))
        return b

    # plain mvau, integer 8-bit first layer, k3, constants (one fold step), score layer
    b = new("s01_int8_k3", 1, 16, 16, 8, 1)
    b.conv("conv1", 16, 3, padding=1, pe=16, simd=9)
    b.pool("pool1", 2)
    b.conv("conv2", 32, 3, padding=1, pe=8, simd=48)
    b.pool("pool2", 2)
    b.dense("fc1", 10, last=True, pe=5, simd=32)
    # k5 integer first layer with 3 channels, overlapping pool, full-simd conv
    b = new("s02_int8_k5", 3, 24, 24, 8, 2)
    b.conv("conv1", 8, 5, padding=2, pe=2, simd=15)
    b.pool("pool1", 3, 2)
    b.conv("conv2", 32, 5, padding=0, pe=16, simd=200)
    b.conv("conv3", 64, 3, pe=4, simd=32)
    b.dense("fc1", 10, last=True, pe=2, simd=64)
    # 1-bit integer input, 1x1 kernels, stride 2, a dense layer of constants
    b = new("s03_bin1_k1", 4, 16, 16, 1, 3)
    b.conv("conv1", 32, 1, pe=8, simd=4)
    b.conv("conv2", 64, 1, pe=16, simd=32)
    b.conv("conv3", 32, 3, stride=2, padding=1, pe=4, simd=64)
    b.pool("pool1", 2)
    b.dense("fc1", 10, last=True, pe=10, simd=512)
    # wide layers: weights in block RAM
    b = new("s04_wide", 1, 8, 8, 8, 4)
    b.conv("conv1", 64, 3, padding=1, pe=16, simd=9)
    b.conv("conv2", 128, 3, padding=1, pe=8, simd=64)
    b.pool("pool1", 2)
    b.conv("conv3", 256, 3, padding=1, pe=4, simd=128)
    b.dense("fc1", 10, last=True, pe=2, simd=256)
    # dense-only on 1-bit input (dense first layer)
    b = new("s05_dense_1bit", 1, 16, 16, 1, 5)
    b.dense("fc1", 64, pe=8, simd=16)
    b.dense("fc2", 128, pe=16, simd=64)
    b.dense("fc3", 64, pe=8, simd=64)
    b.dense("fc4", 10, last=True, pe=1, simd=8)
    # slow foldings: pe and simd 1 and 2, a 4x4 pool
    b = new("s07_slow", 2, 32, 32, 8, 7)
    b.conv("conv1", 8, 3, padding=1, pe=1, simd=1)
    b.conv("conv2", 8, 3, padding=1, pe=1, simd=2)
    b.pool("pool1", 2)
    b.conv("conv3", 16, 3, padding=1, pe=2, simd=8)
    b.pool("pool2", 4)
    b.dense("fc1", 10, last=True, pe=1, simd=1)
    # kernel pruning, masks shared by a fold's lanes
    b = new("s08_kprune_shared", 1, 16, 16, 8, 8)
    b.conv("conv1", 16, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 32, 3, padding=1, pe=8, simd=9, keep=4, mask_group=8)
    b.pool("pool1", 2)
    b.conv("conv3", 64, 3, padding=1, pe=16, simd=36, keep=8, mask_group=16)
    b.dense("fc1", 10, last=True, pe=5, simd=64)
    # kernel pruning, per-lane masks, chunks smaller than a kernel, 1x1
    b = new("s09_kprune_lane", 1, 16, 16, 8, 9)
    b.conv("conv1", 16, 3, padding=1, pe=4, simd=9)
    b.conv("conv2", 32, 3, padding=1, pe=16, simd=36, keep=4)
    b.pool("pool1", 2)
    b.conv("conv3", 32, 3, padding=1, pe=4, simd=6, keep=8)
    b.conv("conv4", 32, 1, pe=8, simd=8, keep=16)
    b.dense("fc1", 10, last=True, pe=2, simd=64)
    # spatial pruning (with and without kernel pruning)
    b = new("s10_spatial", 1, 20, 20, 8, 10)
    b.conv("conv1", 16, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=4, simd=48, spatial=0)
    b.conv("conv3", 32, 3, padding=1, pe=8, simd=24, keep=8, spatial=2)
    b.pool("pool1", 2)
    b.conv("conv4", 32, 3, pe=16, simd=96, spatial=1)
    b.dense("fc1", 10, last=True, pe=5, simd=128)
    # early decision: threshold, pooling (the max-pool inside the unit), dense
    b = new("s11_early", 1, 16, 16, 8, 11)
    b.conv("conv1", 16, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=4, simd=36)
    early_key(b)
    b.conv("conv3", 32, 3, padding=1, pe=4, simd=16)
    early_key(b, pooling=True)
    b.pool("pool1", 2)
    b.dense("fc1", 32, pe=4, simd=64)
    early_key(b)
    b.dense("fc2", 10, last=True, pe=2, simd=8)
    b = new("s12_early2", 1, 12, 12, 8, 12)
    b.conv("conv1", 8, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 32, 3, padding=1, pe=8, simd=18, keep=4)
    early_key(b, threshold=False, pooling=True)
    b.pool("pool1", 2)
    b.conv("conv3", 32, 3, padding=1, pe=2, simd=32, spatial=0)
    early_key(b)
    b.dense("fc1", 10, last=True, pe=5, simd=48)
    # result sharing
    b = new("s13_share", 1, 16, 16, 8, 13)
    b.conv("conv1", 16, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 32, 3, padding=1, pe=16, simd=72, share="repeated", kernel_pool=2)
    b.pool("pool1", 2)
    b.conv("conv3", 32, 3, padding=1, pe=8, simd=36, share="inverse", kernel_pool=3)
    b.conv("conv4", 16, 3, padding=1, pe=16, simd=18, share="repeated", kernel_pool=1)
    b.dense("fc1", 10, last=True, pe=5, simd=64)
    # similarity reuse (tap-major, and kernel-major with shared masks)
    b = new("s14_reuse", 1, 16, 16, 8, 14)
    b.conv("conv1", 16, 3, padding=1, pe=8, simd=9)
    b.conv("conv2", 16, 3, padding=1, pe=16, simd=8, reuse="inputs")
    b.pool("pool1", 2)
    b.conv("conv3", 32, 3, padding=1, pe=8, simd=16, reuse="inputs")
    b.conv("conv4", 32, 3, padding=1, pe=8, simd=9, keep=8, mask_group=8, reuse="inputs")
    b.dense("fc1", 10, last=True, pe=2, simd=32)
    # k5 binary layers on a 32x32 image, kernel pruning at one step
    b = new("s15_k5", 1, 32, 32, 8, 15)
    b.conv("conv1", 8, 5, padding=2, pe=4, simd=25)
    b.pool("pool1", 2)
    b.conv("conv2", 16, 5, padding=2, pe=8, simd=40)
    b.pool("pool2", 2)
    b.conv("conv3", 16, 5, pe=2, simd=100, keep=4)
    b.dense("fc1", 10, last=True, pe=10, simd=16)
    # 3-channel input, stride 2, pool 3 stride 1, a threshold last layer
    b = new("s16_mix", 3, 28, 28, 8, 16)
    b.conv("conv1", 32, 3, stride=2, pe=8, simd=27)
    b.pool("pool1", 3, 1)
    b.conv("conv2", 64, 3, padding=1, pe=8, simd=48)
    b.pool("pool2", 2)
    b.dense("fc1", 64, pe=16, simd=100)
    b.dense("fc2", 10, last=True, threshold_last=True, pe=10, simd=64)
    # integer dense first layer, a tiny network
    b = new("s06_int8_dense", 1, 8, 8, 8, 6)
    b.dense("fc1", 32, pe=4, simd=16)
    b.dense("fc2", 10, last=True, pe=10, simd=32)
    # kernel pruning at CNV scale, per-lane masks: wide slot multiplexers (span 25 over 72-bit steps)
    b = new("s17_kprune_wide", 1, 12, 12, 8, 17)
    b.conv("conv1", 32, 3, padding=1, pe=16, simd=9)
    b.conv("conv2", 32, 3, padding=1, pe=8, simd=72, keep=8)
    b.pool("pool1", 2)
    b.conv("conv3", 64, 3, padding=1, pe=4, simd=72, keep=8)
    b.dense("fc1", 10, last=True, pe=5, simd=96)
    return out


def make(work):
    for name, b, shape in samples():
        folder = os.path.join(work, name)
        if os.path.exists(os.path.join(folder, "network.yaml")):
            continue
        m.HERE = work
        b.name = name
        b.write(shape, None, "resource-model sample (bench/fit_resource_model.py)")
        print(name)


def sample_names():
    return [name for name, _, _ in samples()]




# ---------------------------------------------------------------- features (as resource_model.cpp)

def clog2(v):
    return max(0, math.ceil(math.log2(v))) if v > 1 else 0


def ceil_div(a, b):
    return -(-a // b)


def rom_lut_cost(depth, width):
    """hw::rom_lut_cost: LUT6 per bit per 64 words."""
    return width * ceil_div(depth, 64)


BRAM18 = [(512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1)]
BRAM36 = [(512, 72), (1024, 36), (2048, 18), (4096, 9), (8192, 4), (16384, 2), (32768, 1)]


def bram_tiles(depth, width):
    """hw::bram_tiles: 36 Kb tiles in the best aspect ratio."""
    return min(ceil_div(width, w) * ceil_div(depth, d) for d, w in BRAM36)


def lutram(depth, width):
    """LUTs of a depth x width memory in UltraScale+ distributed RAM (one write, one read port):
    RAM32M16 (32 words x 14 bits in 8 LUTs) up to 32 words, RAM64M8 (64 x 7 in 8) per 64 words
    above; a memory of one word is a register."""
    if depth <= 1:
        return 0
    if depth <= 32:
        return 8 * ceil_div(width, 14)
    return 8 * ceil_div(width, 7) * ceil_div(depth, 64)


# The features: name -> meaning. One list for LUT and FF; the NNLS drops what does not matter.
FEATURES = [
    ("layer", "1 per layer with blocks: control, counters, handshakes"),
    ("window", "sliding_window: window register bits k*k*pixel (and the early unit's window)"),
    ("linebuf", "sliding_window: line-buffer LUTRAM of IN_WIDTH words x (k-1)*pixel bits"),
    ("fifo", "stream_fifo: width (output register, bypass) x 1, x 2 when its memory is one register"),
    ("fifo_ram", "stream_fifo: LUTRAM of (depth-1) words x width"),
    ("collect", "stream_collect: the collected vector's bits"),
    ("pool", "maxpool_or: channels * ceil((k*k - 1) / 5) OR LUTs"),
    ("lane_bin", "binary XNOR-popcount lanes pe*simd (more than one fold step)"),
    ("lane_const", "binary lanes of a unit of one fold step (constant weights) pe*simd"),
    ("lane_int", "integer-input lanes pe*simd*(bits+1), more than one fold step"),
    ("lane_int_const", "integer-input lanes pe*simd*(bits+1) of one fold step (constant weights)"),
    ("acc", "accumulators and comparators: pe * accumulator bits"),
    ("out", "unit output bits (outputs x 1, or x score bits)"),
    ("wrom", "weight (and select/kernel-code) ROMs left to LUTs: rom_lut_cost(words, bits)"),
    ("prom", "threshold/bias ROM of more than one neuron fold: rom_lut_cost(nf, pe*param bits)"),
    ("copy", "the unit's input copy register (not read in place): taps*bits"),
    ("held_mux", "reading in place: simd*bits x (synapse folds - 1) multiplexer inputs"),
    ("sel_mux", "kernel-select slot multiplexers: chunk bits x (offsets a slot is given - 1), per slot and lane"),
    ("skip", "spatial_skip: window bits compared with the background"),
    ("skip_q", "spatial_skip: window and result queues in LUTRAM"),
    ("early_port", "early_unit: the lanes' read ports, pe x 2 queued windows' bits"),
    ("early_lane", "early_unit: pe lanes' own control and step logic, pe*simd"),
    ("share_eng", "share_unit: engines x channels a step x k*k"),
    ("share_sel", "share_unit: the lanes' (engines+1)-way 4-bit selections pe*csimd*(engines+1)"),
    ("reuse_win", "reuse_unit: window bits (previous window, change detection, chunk multiplexer)"),
    ("reuse_lane", "reuse_unit: lanes pe*simd (2a - b)"),
    ("still_copy", "the unit's input copy loaded once, read through the slice multiplexer: taps*bits"),
    ("out_reg", "the unit's output register instead of its FIFO (mvau OUT_HOLD): output bits"),
    ("pool_stream", "maxpool_stream: channels (one LUT3 each)"),
    ("pool_ram", "maxpool_stream: LUTRAM of the partial results, out_width words x channels"),
]
FEATURE_NAMES = [f for f, _ in FEATURES]


def parse_instances(verilog):
    """[(module, instance, {param: int or str})] of the generated top."""
    out = []
    for module, body, name in re.findall(r"^\s*(\w+) #\(\n(.*?)\n\s*\) (\w+) \(", verilog, re.S | re.M):
        params = {}
        for key, value in re.findall(r"\.(\w+)\((.*?)\),?\s*$", body, re.M):
            params[key] = int(value) if re.fullmatch(r"-?\d+", value) else value
        out.append((module, name, params))
    return out


def varying_columns(design, p):
    """Bits of the weight ROM's words that are not the same in every word: Yosys drops constant
    columns of a ROM, in LUTs and in block RAM (random weights over 2 words: half of them)."""
    words = [int(line, 16) for line in open(os.path.join(design, p["WEIGHT_FILE"].strip('"'))).read().split()]
    diff = 0
    for w in words:
        diff |= w ^ words[0]
    return bin(diff).count("1")


def mvau_features(p, f, bram, design):
    taps, ew, outs, pe, simd = p["TAPS"], p["ELEM_WIDTH"], p["OUT_CHANNELS"], p["PE"], p["SIMD"]
    sel = p.get("USE_SELECT", 0) == 1
    elems = p["KEPT_TAPS"] if sel else taps
    nf, sf = outs // pe, max(1, elems // simd)
    fold = nf * sf
    integer = ew > 1 or p.get("INPUT_INTEGER", 0) == 1
    if integer:
        f["lane_int_const" if fold == 1 else "lane_int"] += pe * simd * (ew + 1)
    elif fold == 1:
        f["lane_const"] += pe * simd
    else:
        f["lane_bin"] += pe * simd
    f["acc"] += pe * (clog2(taps + 1) + ew + 1)
    out_hold = nf > 1 and sf > 1 and (nf - 1) * sf >= 8  # templates/mvau OUT_HOLD
    f["out_reg" if out_hold else "out"] += outs * (1 if p["THRESHOLD_MODE"] == 1 else p["SCORE_WIDTH"])
    columns = varying_columns(design, p)
    if p.get("WEIGHT_RAM", 0) == 1:
        bram.append((fold, columns))
    elif fold > 1:
        f["wrom"] += rom_lut_cost(fold, columns)
    if nf > 1:
        f["prom"] += rom_lut_cost(nf, pe * p["PARAM_WIDTH"])
    span = p.get("SELECT_SPAN", 1) if sel else 1
    smux = sel and span > 1
    if smux:
        f["copy"] += taps * ew  # rotates by simd elements a step
    else:
        f["held_mux"] += simd * ew * (sf - 1)
        if p.get("HOLD_INPUT", 0) != 1:
            f["still_copy"] += taps * ew
    if smux:
        xpe = 1 if p.get("SELECT_SHARED", 0) == 1 else pe
        slots = simd // p["SELECT_CHUNK"]
        sw = clog2(span)
        words = [int(line, 16) for line in open(os.path.join(design, p["SELECT_FILE"].strip('"'))).read().split()]
        for field in range(xpe * slots):  # each slot's multiplexer keeps only the offsets it is given
            used = {(w >> (field * sw)) & ((1 << sw) - 1) for w in words}
            f["sel_mux"] += p["SELECT_CHUNK"] * ew * (len(used) - 1)
        f["wrom"] += rom_lut_cost(fold, xpe * slots * clog2(span))


def layer_features(instances, design):
    """Features and block-RAM memories [(depth, width)] of one layer's instances."""
    f = dict.fromkeys(FEATURE_NAMES, 0)
    bram = []
    if instances:
        f["layer"] = 1
    window_bits = 0
    for module, _, p in instances:
        if module == "sliding_window":
            k, pw = p["KERNEL"], p["PIXEL_WIDTH"]
            window_bits = k * k * pw
            f["window"] += window_bits
            if k > 1:
                f["linebuf"] += lutram(p["IN_WIDTH"], (k - 1) * pw)
        elif module == "stream_fifo":
            w, d = p["WIDTH"], p["DEPTH"]
            mem = d - 1 if d > 2 else 1
            f["fifo"] += w * (2 if mem == 1 else 1)
            if mem > 1:
                f["fifo_ram"] += lutram(mem, w)
        elif module == "stream_collect":
            f["collect"] += p["WIDTH"] * p["COUNT"]
        elif module == "maxpool_stream":
            f["pool_stream"] += p["CHANNELS"]
            f["pool_ram"] += lutram(p["IN_WIDTH"] // p["KERNEL"], p["CHANNELS"])
        elif module == "maxpool_or":
            f["pool"] += p["CHANNELS"] * max(1, ceil_div(p["TAPS"] - 1, 5))
        elif module == "mvau":
            mvau_features(p, f, bram, design)
        elif module == "spatial_skip":
            bits = p["TAPS"] * p["PIXEL_WIDTH"]
            f["skip"] += bits
            f["skip_q"] += lutram(p["WINDOW_DEPTH"], bits) + lutram(p["RESULT_DEPTH"], p["RESULT_WIDTH"])
        elif module == "early_unit":
            pe, simd, outs, kept = p["PE"], p["SIMD"], p["OUT_CHANNELS"], p["KEPT_TAPS"]
            group_bits = window_bits if window_bits else p["CHANNELS"]  # dense: the collected vector
            nf, sf = outs // pe, kept // simd
            f["early_port"] += pe * 2 * group_bits
            f["early_lane"] += pe * simd
            f["lane_bin"] += pe * simd
            f["acc"] += pe * (clog2(kept + 2) + 1)
            f["out"] += outs
            f["wrom"] += rom_lut_cost(nf * sf, pe * simd)
            if nf > 1:
                f["prom"] += rom_lut_cost(nf, pe * (clog2(kept + 2)))
        elif module == "share_unit":
            c, k, outs, pe, cs, e = p["CHANNELS"], p["KERNEL"], p["OUT_CHANNELS"], p["PE"], p["CSIMD"], p["ENGINES"]
            kt = k * k
            nf, sf = outs // pe, c // cs
            fold = nf * sf
            f["share_eng"] += e * cs * kt
            f["share_sel"] += pe * cs * (e + 1)
            f["acc"] += pe * (clog2(c * kt + 1) + 1)
            f["out"] += outs
            f["copy"] += c * kt
            if fold > 1:
                cw = max(1, clog2(e + 1)) + p["INVERSE"]
                f["wrom"] += rom_lut_cost(fold, cs * e * (kt + 1)) + rom_lut_cost(fold, pe * cs * cw)
            if nf > 1:
                f["prom"] += rom_lut_cost(nf, pe * p["PARAM_WIDTH"])
        elif module == "reuse_unit":
            taps, outs, pe, simd = p["TAPS"], p["OUT_CHANNELS"], p["PE"], p["SIMD"]
            nf, sf = outs // pe, taps // simd
            fold = nf * sf
            f["reuse_win"] += taps
            f["reuse_lane"] += pe * simd
            f["acc"] += pe * (clog2(taps + 1) + 1)
            f["out"] += outs
            f["copy"] += taps
            if fold > 1:
                f["wrom"] += rom_lut_cost(fold, pe * simd) * (2 if p.get("USE_KEEP", 0) == 1 else 1)
            if nf > 1:
                f["prom"] += rom_lut_cost(nf, pe * p["PARAM_WIDTH"])
    return f, bram


def yosys_bram36(depth, width):
    """36 Kb tiles Yosys maps a block-RAM ROM to: RAMB18 (half a tile) where the memory fits its
    aspect ratios as well, else RAMB36."""
    half = min(ceil_div(width, w) * ceil_div(depth, d) for d, w in BRAM18)
    return min(0.5 * half, bram_tiles(depth, width))


def top_features(verilog, network_yaml):
    counters = len(re.findall(r"/\* verilator public_flat_rd \*/", verilog))
    axi = 0 if re.search(r"axi_lite:\s*false", network_yaml) else 1
    return {"top": 1, "counters": counters * axi}


# ---------------------------------------------------------------- samples -> rows

def collect(work):
    """Rows of every synthesised sample: (network, layer, type, features, measured), and the
    top-level rows."""
    rows, tops = [], []
    for name in sorted(os.listdir(work)):
        folder = os.path.join(work, name)
        report = os.path.join(folder, "report.json")
        if not os.path.isfile(report):
            continue
        with open(report) as f:
            r = json.load(f)
        with open(os.path.join(folder, "design", r["top"] + ".v")) as f:
            verilog = f.read()
        with open(os.path.join(folder, "network.yaml")) as f:
            yaml_text = f.read()
        instances = parse_instances(verilog)
        for row in r["layers"]:
            prefix = row["layer"] + "_"
            mine = [i for i in instances if i[1].startswith(prefix)]
            feats, bram = layer_features(mine, os.path.join(folder, "design"))
            rows.append({"network": name, "layer": row["layer"], "type": row["type"], "unit": unit_kind(mine),
                         "f": feats, "bram_rule": sum(yosys_bram36(d, w) for d, w in bram if d > 1),
                         "lut": row["lut"] + row["lutram"], "ff": row["ff"],
                         "bram": row["ramb36"] + 0.5 * row["ramb18"]})
        t = r["top_level"]
        tops.append({"network": name, "f": top_features(verilog, yaml_text), "lut": t["lut"] + t["lutram"],
                     "ff": t["ff"], "bram": t["ramb36"] + 0.5 * t["ramb18"]})
    return rows, tops


def unit_kind(instances):
    modules = {m for m, _, _ in instances}
    for kind in ("early_unit", "share_unit", "reuse_unit", "mvau", "maxpool_or", "maxpool_stream"):
        if kind in modules:
            return kind + ("+spatial" if "spatial_skip" in modules else "")
    return "none"


# ---------------------------------------------------------------- fit

def nnls(a, b, iterations=500):
    """min |a x - b| subject to x >= 0 (Lawson-Hanson active set)."""
    m, n = a.shape
    x = np.zeros(n)
    passive = np.zeros(n, bool)
    w = a.T @ (b - a @ x)
    for _ in range(iterations):
        if passive.all() or w[~passive].max(initial=-1) <= 1e-10:
            break
        j = np.argmax(np.where(passive, -np.inf, w))
        passive[j] = True
        while True:
            z = np.zeros(n)
            z[passive] = np.linalg.lstsq(a[:, passive], b, rcond=None)[0]
            if (z[passive] > 0).all():
                x = z
                break
            bad = passive & (z <= 0)
            alpha = np.min(x[bad] / (x[bad] - z[bad]))
            x = x + alpha * (z - x)
            passive &= x > 1e-12
            x[~passive] = 0
        w = a.T @ (b - a @ x)
    return x


def fit(x, y, ridge=1e-3):
    """Non-negative coefficients minimising the relative error (rows weighted by 1 / y), with a
    small ridge towards 0 so that features no sample separates stay at 0."""
    weight = 1.0 / np.maximum(y, 1.0)
    a = x * weight[:, None]
    scale = np.maximum(np.abs(a).max(axis=0), 1e-9)  # a coefficient of 1: a feature's largest share of a row
    a = a / scale
    a = np.vstack([a, ridge * np.eye(x.shape[1])])
    b = np.concatenate([y * weight, np.zeros(x.shape[1])])
    return nnls(a, b) / scale


def errors(pred, meas):
    rel = np.abs(pred - meas) / np.maximum(meas, 1e-9)
    return np.median(rel), np.percentile(rel, 90), rel.max(), int(np.argmax(rel))


def matrix(rows):
    return np.array([[r["f"][n] for n in FEATURE_NAMES] for r in rows], float)


def report_errors(label, rows, pred, key):
    meas = np.array([r[key] for r in rows], float)
    keep = meas > 0
    med, p90, worst, i = errors(pred[keep], meas[keep])
    r = [row for row, k in zip(rows, keep) if k][i]
    print(f"| {label} | {key} | {keep.sum()} | {100 * med:.1f}% | {100 * p90:.1f}% | {100 * worst:.1f}% "
          f"({r['network']}/{r['layer']}: {pred[keep][i]:.0f} vs {meas[keep][i]:.0f}) |")


def run_fit(work):
    rows, tops = collect(work)
    if not rows:
        sys.exit(f"no synthesised samples in {work}")
    networks = sorted({r["network"] for r in rows})
    x = matrix(rows)
    coef = {}
    for key in ("lut", "ff"):
        coef[key] = fit(x, np.array([r[key] for r in rows], float))
    tx = np.array([[t["f"]["top"], t["f"]["counters"]] for t in tops], float)
    tcoef = {key: fit(tx, np.array([t[key] for t in tops], float)) for key in ("lut", "ff")}

    print(f"samples: {len(rows)} layers of {len(networks)} networks ({', '.join(networks)})")
    print()
    print("| feature | LUT (+LUTRAM) | FF | meaning |")
    print("|---|---:|---:|---|")
    for i, (name, meaning) in enumerate(FEATURES):
        print(f"| {name} | {coef['lut'][i]:.4g} | {coef['ff'][i]:.4g} | {meaning} |")
    print(f"| top: constant | {tcoef['lut'][0]:.4g} | {tcoef['ff'][0]:.4g} | top-level rest |")
    print(f"| top: counter | {tcoef['lut'][1]:.4g} | {tcoef['ff'][1]:.4g} | "
          "per 32-bit counter readable over AXI-Lite |")
    print()
    print("C++ table (kFitted in generator/src/hw/resource_model.cpp, in FEATURES order):")
    for key in ("lut", "ff"):
        print(f"    // {key}")
        print("    {" + ", ".join(f"{v:.6g}" for v in coef[key]) + "},")
    print("    // top: lut, ff (constant, per counter)")
    print("    {" + ", ".join(f"{v:.6g}" for v in list(tcoef["lut"]) + list(tcoef["ff"])) + "},")
    print()

    # cross-validation: leave one network out
    cv = {key: np.zeros(len(rows)) for key in ("lut", "ff")}
    for net in networks:
        train = np.array([r["network"] != net for r in rows])
        for key in ("lut", "ff"):
            c = fit(x[train], np.array([r[key] for r in rows], float)[train])
            cv[key][~train] = x[~train] @ c
    bram_pred = np.array([r["bram_rule"] for r in rows])
    print("| fit | resource | layers | median rel. error | 90th percentile | worst |")
    print("|---|---|---:|---:|---:|---|")
    for key in ("lut", "ff"):
        report_errors("samples", rows, x @ coef[key], key)
        report_errors("leave one network out", rows, cv[key], key)
    report_errors("rule (not fitted)", rows, bram_pred, "bram")
    print("\n| unit | layers | LUT: median CV error | worst | FF: median CV error | worst |")
    print("|---|---:|---:|---:|---:|---:|")
    for unit in sorted({r["unit"] for r in rows} - {"none"}):
        sel = np.array([r["unit"] == unit for r in rows])
        line = f"| {unit} | {sel.sum()} "
        for key in ("lut", "ff"):
            meas = np.array([r[key] for r in rows], float)[sel]
            rel = np.abs(cv[key][sel] - meas) / meas
            line += f"| {100 * np.median(rel):.1f}% | {100 * rel.max():.1f}% "
        print(line + "|")
    meas_b = np.array([r["bram"] for r in rows])
    wrong = [(r["network"], r["layer"], p, mb) for r, p, mb in zip(rows, bram_pred, meas_b) if abs(p - mb) > 0.01]
    print(f"\nblock RAM: {len(rows) - len(wrong)} of {len(rows)} layers exact; others: "
          + ", ".join(f"{n}/{l} {p:g} vs {mb:g}" for n, l, p, mb in wrong))

    # whole designs (layers + top-level), cross-validated
    print("\n| network | LUT measured | predicted (CV) | FF measured | predicted (CV) | BRAM measured | predicted |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    design_errors = {"lut": [], "ff": []}
    for t in tops:
        sel = np.array([r["network"] == t["network"] for r in rows])
        others = [tt for tt in tops if tt["network"] != t["network"]]
        ox = np.array([[tt["f"]["top"], tt["f"]["counters"]] for tt in others], float)
        tf = np.array([t["f"]["top"], t["f"]["counters"]], float)
        line = f"| {t['network']} "
        for key in ("lut", "ff"):
            tc = fit(ox, np.array([tt[key] for tt in others], float))
            meas = sum(r[key] for r, s in zip(rows, sel) if s) + t[key]
            pred = cv[key][sel].sum() + tf @ tc
            line += f"| {meas:.0f} | {pred:.0f} ({100 * (pred - meas) / meas:+.1f}%) "
            design_errors[key].append(abs(pred - meas) / meas)
        line += f"| {meas_b[sel].sum() + t['bram']:g} | {bram_pred[sel].sum():g} |"
        print(line)

    for key in ("lut", "ff"):
        e = np.array(design_errors[key])
        print(f"\nwhole designs, leave one network out, {key}: median {100 * np.median(e):.1f}%, "
              f"90th percentile {100 * np.percentile(e, 90):.1f}%, worst {100 * e.max():.1f}%")
    print("\nper layer (samples fit):")
    print("| network | layer | unit | LUT | pred | FF | pred | BRAM | rule |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    pl, pf = x @ coef["lut"], x @ coef["ff"]
    for r, a, b, c in zip(rows, pl, pf, bram_pred):
        print(f"| {r['network']} | {r['layer']} | {r['unit']} | {r['lut']} | {a:.0f} | {r['ff']} | {b:.0f} | "
              f"{r['bram']:g} | {c:g} |")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "fit"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(os.path.abspath(sys.argv[2]))
    else:
        run_fit(os.path.abspath(sys.argv[2]))
