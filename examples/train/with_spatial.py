#!/usr/bin/python3
"""Writes a copy of an exported network.yaml with dynamic spatial pruning (DESIGN.md 4.2) on the
given binary conv layers, pointing at the same weights file:

    /usr/bin/python3 examples/train/with_spatial.py examples/fmnist_cnv_pruned/network.yaml \
        examples/fmnist_cnv_pruned_spatial/network.yaml --layers conv2,conv3,conv4 --tolerance 0

Spatial pruning needs no retraining: the background vectors follow from the weights (bnngen
computes them). It reads the one-line-per-layer form bnn_export.py writes and exits 1 with a
message if a named layer is missing or already has spatial pruning.
"""
import argparse
import os
import re
import sys


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("network", help="exported network.yaml")
    p.add_argument("out", help="the new network.yaml")
    p.add_argument("--layers", required=True,
                   help="comma-separated binary conv layers, e.g. conv2,conv3 ('' copies the network unchanged)")
    p.add_argument("--tolerance", default="0",
                   help="differing taps still skipped (0 = exact): one number for every layer, or "
                        "per layer, e.g. conv2=5,conv3=4,conv4=5")
    p.add_argument("--name", help="network name (default: the output folder's name)")
    args = p.parse_args(argv)

    with open(args.network) as f:
        lines = f.read().splitlines()
    wanted = [name for name in args.layers.split(",") if name]
    if "=" in args.tolerance:
        tolerance = {k: int(v) for k, v in (item.split("=") for item in args.tolerance.split(","))}
        if sorted(tolerance) != sorted(wanted):
            sys.exit(f"--tolerance {args.tolerance}: give one for each of --layers {args.layers}")
    else:
        tolerance = {name: int(args.tolerance) for name in wanted}
    out_dir = os.path.dirname(os.path.abspath(args.out))
    name = args.name or os.path.basename(out_dir)
    done = set()
    result = []
    for line in lines:
        m = re.match(r"^(\s*- \{name: )([A-Za-z_][A-Za-z0-9_]*)(, .*)\}$", line)
        if m and m.group(2) in wanted:
            spatial = f"spatial: {{mode: background, tolerance: {tolerance[m.group(2)]}}}"
            body = m.group(3)
            if "spatial:" in body:
                sys.exit(f"{args.network}: layer '{m.group(2)}' already has spatial pruning")
            if "prune: {" in body:
                body = body.replace("prune: {", f"prune: {{{spatial}, ", 1)
            else:
                body = body.replace(", fold:", f", prune: {{{spatial}}}, fold:", 1) if ", fold:" in body \
                    else body + f", prune: {{{spatial}}}"
            line = m.group(1) + m.group(2) + body + "}"
            done.add(m.group(2))
        elif line.startswith("name: "):
            line = f"name: {name}"
        elif line.startswith("weights: "):
            weights = os.path.join(os.path.dirname(os.path.abspath(args.network)), line[len("weights: "):].strip())
            line = "weights: " + os.path.relpath(weights, out_dir)
        result.append(line)
    missing = [n for n in wanted if n not in done]
    if missing:
        sys.exit(f"{args.network}: no layer named {', '.join(missing)}")
    what = (f"with spatial pruning (tolerance {args.tolerance}) on {', '.join(wanted)}" if wanted
            else "unchanged (--layers ''), its weights shared")
    header = [f"# {os.path.relpath(args.network, out_dir)} {what}; written by examples/train/with_spatial.py"]
    os.makedirs(out_dir, exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(header + result) + "\n")


if __name__ == "__main__":
    main()
