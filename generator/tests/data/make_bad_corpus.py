#!/usr/bin/python3
"""Writes the weights archives of the network.yaml corpus: bad/<case>.npz and good/<net>.npz.

Run with a Python that has numpy (here /usr/bin/python3). Each archive starts as a valid set of
arrays for its network (random +-1 weights, thresholds inside the reachable range, structured
kernel masks) and the bad cases then break exactly one kind of thing. Seeds are fixed and the zip
members carry a fixed timestamp, so rerunning the script rewrites the committed files byte for byte.

The .yaml files and the .expected goldens are not written here: the YAML files are the cases
themselves, and the goldens come from the test (BNNGEN_UPDATE_GOLDEN=1 bnngen_tests).
"""

import os
import zipfile
import zlib

import numpy as np

DATA = os.path.dirname(os.path.abspath(__file__))


def save_npz(path, arrays):
    """numpy.savez's layout (one stored .npy member per array, zip64 headers) at a fixed date."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(array), allow_pickle=False)


# A network as the arrays see it. Layer tuples:
#   ("conv", name, out_channels, kernel, stride, padding, keep or None, activation)
#   ("pool", kernel, stride)
#   ("dense", name, out_features, activation)
def valid_arrays(seed, input_shape, bits, layers):
    rng = np.random.default_rng(seed)
    c, h, w = input_shape
    integer_input = True
    arrays = {}
    for layer in layers:
        if layer[0] == "pool":
            _, k, s = layer
            h, w = (h - k) // s + 1, (w - k) // s + 1
            continue
        if layer[0] == "conv":
            _, name, cout, k, s, p, keep, activation = layer
            weight = rng.choice(np.array([-1, 1], dtype=np.int8), size=(cout, c, k, k))
            mask = np.ones((cout, c), dtype=np.uint8)
            if keep is not None:
                mask[:] = 0
                for o in range(cout):
                    mask[o, rng.choice(c, size=keep, replace=False)] = 1
                arrays[name + ".kernel_mask"] = mask
            kept = mask[:, :, None, None].astype(np.int64) * weight
            h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            taps = (keep if keep is not None else c) * k * k
        else:
            _, name, cout, activation = layer
            weight = rng.choice(np.array([-1, 1], dtype=np.int8), size=(cout, c * h * w))
            kept = weight.astype(np.int64)
            h, w = 1, 1
            taps = weight.shape[1]
        arrays[name + ".weight"] = weight
        if activation == "threshold":
            flat = kept.reshape(cout, -1)
            if integer_input:
                # s = sum w*x with 0 <= x < 2^bits: s lies in [-(#-1 weights), #+1 weights] * (2^bits - 1).
                top = (1 << bits) - 1
                low = -(flat == -1).sum(axis=1) * top
                high = (flat == 1).sum(axis=1) * top
            else:
                low = np.full(cout, -taps)
                high = np.full(cout, taps)
            # Reachable thresholds T satisfy low < T <= high; stay near the middle.
            lo = np.maximum(low + 1, -(taps // 2))
            hi = np.minimum(high, taps // 2)
            arrays[name + ".threshold"] = np.array(
                [rng.integers(a, b + 1) if a <= b else b for a, b in zip(lo, hi)], dtype=np.int32)
        else:
            arrays[name + ".bias"] = rng.integers(-4, 5, size=cout).astype(np.int32)
        c = cout
        integer_input = False
    return arrays


# bad/*.yaml with weights use this network (see the base layers in e.g. bad/array_missing.yaml).
BASE = ((1, 8, 8), 8, [
    ("conv", "conv1", 4, 3, 1, 1, None, "threshold"),
    ("conv", "conv2", 6, 3, 1, 1, 2, "threshold"),
    ("pool", 2, 2),
    ("dense", "fc1", 3, "none"),
])


def base(case):
    shape, bits, layers = BASE
    return valid_arrays(zlib.crc32(case.encode()), shape, bits, layers)


def bad_cases():
    cases = {}

    a = base("array_missing")
    del a["conv1.threshold"], a["conv2.kernel_mask"], a["fc1.bias"]
    cases["array_missing"] = a

    a = base("array_extra")
    a["conv2.treshold"] = a.pop("conv2.threshold")
    a["optimizer.momentum"] = np.zeros(3, dtype=np.float32)
    cases["array_extra"] = a

    a = base("weights_float32")
    a["conv1.weight"] = a["conv1.weight"].astype(np.float32)
    a["fc1.bias"] = a["fc1.bias"].astype(np.int64)
    cases["weights_float32"] = a

    a = base("weights_wrong_shape")
    a["conv2.weight"] = np.ascontiguousarray(a["conv2.weight"].transpose(1, 0, 2, 3))
    a["fc1.weight"] = np.ascontiguousarray(a["fc1.weight"].T)
    cases["weights_wrong_shape"] = a

    a = base("weights_not_binary")
    a["conv1.weight"] = (a["conv1.weight"] > 0).astype(np.int8)
    a["fc1.weight"][1, 7] = 2
    cases["weights_not_binary"] = a

    a = base("mask_not_structured")
    mask = a["conv2.kernel_mask"]
    mask[1] = [1, 1, 1, 0]
    mask[4] = [0, 0, 1, 0]
    cases["mask_not_structured"] = a

    a = base("mask_without_prune")
    a["conv1.kernel_mask"] = np.ones((4, 1), dtype=np.uint8)
    cases["mask_without_prune"] = a

    a = base("mask_not_binary")
    a["conv2.kernel_mask"][3] = [0, 2, 0, 1]
    cases["mask_not_binary"] = a

    a = valid_arrays(zlib.crc32(b"mask_missing_first_layer"), (3, 8, 8), 8, [
        ("conv", "conv1", 4, 3, 1, 1, 2, "threshold"),
        ("conv", "conv2", 6, 3, 1, 1, 4, "threshold"),
        ("pool", 2, 2),
        ("dense", "fc1", 3, "none"),
    ])
    del a["conv1.kernel_mask"]
    a["conv2.kernel_mask"] = a["conv2.kernel_mask"].astype(np.int8)
    cases["mask_missing_first_layer"] = a

    # Layouts numpy.save writes are read as numpy reads them; what is then wrong is still reported
    # with C-order indices: a Fortran-order weight, a big-endian int16 mask, a big-endian int64 bias,
    # big-endian int32 thresholds at the ends of the int32 range (warnings).
    a = base("weights_layouts_out_of_range")
    a["conv1.weight"][3, 0, 2, 1] = 2
    a["conv1.weight"] = np.asfortranarray(a["conv1.weight"])
    a["conv1.threshold"] = a["conv1.threshold"].astype(">i4")
    a["conv1.threshold"][1] = 2**31 - 1
    a["conv1.threshold"][2] = -(2**31)
    a["conv2.kernel_mask"] = np.asfortranarray(a["conv2.kernel_mask"].astype(">i2"))
    a["fc1.bias"] = a["fc1.bias"].astype(">i8")
    cases["weights_layouts_out_of_range"] = a

    # A big-endian uint64 above INT64_MAX cannot be represented at all: the archive is refused.
    a = base("weights_uint64_too_large")
    a["conv2.threshold"] = a["conv2.threshold"].astype(">u8")
    a["conv2.threshold"][4] = 2**64 - 3
    cases["weights_uint64_too_large"] = a

    a = base("warning_threshold_unreachable")
    a["conv1.threshold"][2] = 100000           # above 9 * 255: always 0
    a["conv2.threshold"][0] = -18              # at the bottom of [-18, 18]: always 1
    a["conv2.threshold"][5] = 19               # above the top: always 0
    cases["warning_threshold_unreachable"] = a

    # Result sharing on a kernel-pruned layer: its unit steps through every input channel.
    cases["warning_share_pruned_kernels"] = base("warning_share_pruned_kernels")
    return cases


def good_networks():
    return {
        "dense_first_1bit": valid_arrays(1, (1, 4, 4), 1, [
            ("dense", "fc1", 8, "threshold"),
            ("dense", "fc2", 5, "none"),
        ]),
        "stride2_odd": valid_arrays(2, (3, 11, 11), 4, [
            ("conv", "conv1", 5, 5, 2, 0, None, "threshold"),
            ("conv", "conv2", 7, 3, 1, 1, 3, "threshold"),
            ("pool", 3, 1),
            ("conv", "conv3", 9, 1, 1, 0, None, "threshold"),
            ("dense", "fc1", 3, "none"),
        ]),
        "cnv": valid_arrays(3, (1, 12, 12), 8, [
            ("conv", "conv1", 8, 3, 1, 1, None, "threshold"),
            ("conv", "conv2", 8, 3, 1, 1, 2, "threshold"),
            ("pool", 2, 2),
            ("dense", "fc1", 10, "none"),
        ]),
    }


def main():
    bad = os.path.join(DATA, "bad")
    good = os.path.join(DATA, "good")
    for case, arrays in bad_cases().items():
        save_npz(os.path.join(bad, case + ".npz"), arrays)
    with open(os.path.join(bad, "weights_not_zip.npz"), "wb") as f:
        f.write(b"conv1.weight = [[1, -1, 1], [-1, 1, -1]]\n")
    for net, arrays in good_networks().items():
        save_npz(os.path.join(good, net + ".npz"), arrays)


if __name__ == "__main__":
    main()
