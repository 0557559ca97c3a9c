#!/usr/bin/env python3
"""Networks that the schema accepts but the generated hardware cannot build: `bnngen check` must
reject them with a located error (rtl::check_hardware_support), not Verilator later.
    wide_scores: a 16-bit 32x32 input through one dense layer with a bias near 2^31, so the
                 scores need 33 bits (the hardware's scores are at most 32)."""
import pathlib

import numpy as np

here = pathlib.Path(__file__).resolve().parent
(here / "wide_scores.yaml").write_text(
    "name: wide_scores\n"
    "input: {channels: 1, height: 32, width: 32, bits: 16}\n"
    "weights: wide_scores.npz\n"
    "layers:\n"
    "  - {name: fc1, type: dense, out_features: 2, activation: none}\n")
rng = np.random.default_rng(1)
np.savez(here / "wide_scores.npz",
         **{"fc1.weight": rng.choice(np.array([-1, 1], dtype=np.int8), size=(2, 1024)),
            "fc1.bias": np.array([2147483000, -5], dtype=np.int32)})
