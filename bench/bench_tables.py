"""Readers of the reports the hardware benchmarks (bench/*_hw.sh) tabulate."""
import json
import os
import re


def verify(path):
    """bnngen verify's text: per layer (co-simulated unit cycles per image, golden count per image),
    and (measured, predicted) steady-state cycles per image."""
    text = open(path).read()
    layers = {m.group(1): (float(m.group(2)), float(m.group(3)))
              for m in re.finditer(r"^(\w+)\s+\d+\s+(?:-|\S+ \(\S+\))\s+([\d.]+) \(([\d.]+)\)", text, re.M)}
    m = re.search(r"measured ([\d.]+), predicted ([\d.]+)", text)
    return layers, (float(m.group(1)), float(m.group(2))) if m else (float("nan"), float("nan"))


def synth(path):
    """bnngen report --json: per layer and "total", (LUT, FF, RAMB18, RAMB36); {} when not run."""
    if not os.path.exists(path):
        return {}
    report = json.load(open(path))
    rows = {r["layer"]: r for r in report["layers"]}
    rows["total"] = report["total"]
    return {k: (r["lut"], r["ff"], r["ramb18"], r["ramb36"]) for k, r in rows.items()}
