"""Writes network.yaml and weights.npz (numpy.savez) into a folder the CLI gave us (a staging
folder: the CLI checks the result and moves it into place, so nothing half-written is left)."""

import os

import numpy as np

INT32 = (-2 ** 31, 2 ** 31 - 1)


def name_layers(layer_list):
    counts = {"conv": 0, "dense": 0, "maxpool": 0}
    prefix = {"conv": "conv", "dense": "fc", "maxpool": "pool"}
    for layer in layer_list:
        counts[layer.kind] += 1
        layer.name = f"{prefix[layer.kind]}{counts[layer.kind]}"


def _node_text(node):
    return f"{node.name or node.output[0]} ({node.op_type})"


def write(out_dir, name, model_label, conv, model_format):
    layer_list = conv.layers
    name_layers(layer_list)
    c, h, w = conv.input_shape.chw
    bits = conv.input_bits_used
    lines = [
        f"# Imported by `bnngen import` from {model_label} ({model_format}); regenerate rather than edit.",
        f"# Input {c} x {h} x {w}, {bits}-bit: {conv.input_note}.",
    ]
    if conv.score_map is not None:
        lines.append(f"# Scores: {conv.score_map.note}.")
    else:
        lines.append("# Output: the last layer's bits (activation threshold); the class is their argmax.")
    if conv.final_kind == "argmax":
        lines.append(f"# The model ends in {_node_text(conv.final_node)}: its output is the class index, "
                     "bnngen's predicted class.")
    lines.append("# Layers from the model's nodes: " + ", ".join(
        f"{l.name} <- {_node_text(l.node)}" for l in layer_list) + ".")
    for wmsg in conv.warnings:
        lines.append(f"# warning: {wmsg}")
    lines += [
        f"name: {name}",
        f"input: {{channels: {c}, height: {h}, width: {w}, bits: {bits}}}",
        "weights: weights.npz",
        "layers:",
    ]
    arrays = {}
    for l in layer_list:
        if l.kind == "maxpool":
            stride = "" if l.stride == l.kernel else f", stride: {l.stride}"
            lines.append(f"  - {{name: {l.name}, type: maxpool, kernel: {l.kernel}{stride}}}")
            continue
        act = l.activation
        if l.kind == "conv":
            pad = f", padding: {l.padding}" if l.padding else ""
            if l.padding and l.pad_value is not None:
                pad += f", pad_value: {l.pad_value}"
            lines.append(f"  - {{name: {l.name}, type: conv, out_channels: {l.out_channels}, kernel: {l.kernel}, "
                         f"stride: {l.stride}{pad}, activation: {act}}}")
        else:
            lines.append(f"  - {{name: {l.name}, type: dense, out_features: {l.out_channels}, activation: {act}}}")
        arrays[f"{l.name}.weight"] = np.ascontiguousarray(l.weight.astype(np.int8))
        if act == "threshold":
            t = np.asarray(l.threshold, dtype=np.int64)
            if t.min() < INT32[0] or t.max() > INT32[1]:
                raise ValueError(f"layer {l.name}: a threshold does not fit in int32")
            arrays[f"{l.name}.threshold"] = t.astype(np.int32)
        elif l.bias is not None and np.any(l.bias != 0):
            b = np.asarray(l.bias, dtype=np.int64)
            if b.min() < INT32[0] or b.max() > INT32[1]:
                raise ValueError(f"layer {l.name}: a bias does not fit in int32")
            arrays[f"{l.name}.bias"] = b.astype(np.int32)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "network.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out_dir, "weights.npz"), "wb") as f:
        np.savez(f, **arrays)
    return lines
