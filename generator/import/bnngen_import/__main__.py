"""python3 -m bnngen_import MODEL.onnx --out DIR [--name NAME] [--input-bits B] [--label TEXT]

Exit 0: DIR/network.yaml and DIR/weights.npz written, a summary on stdout; 1: the model cannot be
built (one message on stderr naming the node); 3: a bug in the importer (traceback on stderr)."""

import argparse
import os
import re
import sys
import traceback


def main(argv=None):
    p = argparse.ArgumentParser(prog="bnngen import")
    p.add_argument("model")
    p.add_argument("--out", required=True)
    p.add_argument("--name")
    p.add_argument("--input-bits", type=int)
    p.add_argument("--label", help="how messages name the model (default: its path)")
    args = p.parse_args(argv)
    import warnings
    warnings.filterwarnings("ignore")
    label = args.label or args.model
    try:
        from .errors import ImportFailure
    except Exception:
        traceback.print_exc()
        return 3
    try:
        import numpy  # noqa: F401
        import onnx  # noqa: F401
    except ImportError as e:
        print(f"bnngen import: error: Python module missing: {e.name} "
              "(Debian: apt-get install python3-onnx python3-numpy; scripts/setup.sh installs them)", file=sys.stderr)
        return 1
    from . import convert, graph, writer
    try:
        if args.input_bits is not None and not 1 <= args.input_bits <= 16:
            raise ImportFailure(f"--input-bits {args.input_bits}: expected 1..16")
        name = args.name or re.sub(r"[^A-Za-z0-9_]", "_", os.path.splitext(os.path.basename(args.model))[0])
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name or ""):
            if args.name:
                raise ImportFailure(f"--name '{args.name}': expected an identifier (letters, digits, _; not starting with a digit)")
            name = "net_" + name
        g = graph.Graph(args.model)
        conv = convert.Converter(g, args.input_bits)
        conv.run()
        writer.write(args.out, name, os.path.basename(label), conv, conv.format)
    except ImportFailure as e:
        print(f"{label}: error: {e}", file=sys.stderr)
        return 1
    except Exception:
        print(f"{label}: internal error in the importer (please report this as a bug):", file=sys.stderr)
        traceback.print_exc()
        return 3
    c, h, w = conv.input_shape.chw
    n = len([l for l in conv.layers if l.kind != "maxpool"])
    print(f"imported {label} ({conv.format}): network '{name}', {len(conv.layers)} layers ({n} with weights), "
          f"input {c} x {h} x {w} ({conv.input_bits_used}-bit)")
    print(f"input: {conv.input_note}")
    if conv.score_map is not None:
        print(f"scores: {conv.score_map.note}")
    for wmsg in conv.warnings:
        print(f"warning: {wmsg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
