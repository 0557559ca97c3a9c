#!/usr/bin/python3
"""Training through spatial pruning (bnn_train.py --spatial) computes what bnngen computes.

Trains a small network for one epoch with lossy spatial pruning on conv2 and conv3, exports it,
adds the same prune.spatial tolerances to its network.yaml (with_spatial.py), and checks that PyTorch's
skip-aware class scores equal `bnngen infer`'s (the golden model, DESIGN.md 4.2) on every test
image, and that skipping really changed the scores of the network (so the check can fail).

  /usr/bin/python3 examples/train/test_spatial_training.py BNNGEN
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bnn_model  # noqa: E402
import bnn_train  # noqa: E402
import spatial_scores  # noqa: E402
import with_spatial  # noqa: E402

IMAGES = 500
TOLERANCE = {"conv2": 2, "conv3": 1}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    bnngen = sys.argv[1]
    with tempfile.TemporaryDirectory() as run:
        bnn_train.main(["--arch", "c8,c8,p,c16,p,f10", "--epochs", "1", "--train-limit", "2000",
                        "--test-limit", str(IMAGES), "--quiet", "--out", run,
                        "--spatial", ",".join(f"{k}={v}" for k, v in TOLERANCE.items())])
        subprocess.run([sys.executable, os.path.join(HERE, "bnn_export.py"), "--run", run,
                        "--check-images", str(IMAGES), "--quiet"], check=True)
        spatial = os.path.join(run, "spatial.yaml")
        with_spatial.main([os.path.join(run, "network.yaml"), spatial, "--layers", ",".join(TOLERANCE),
                           "--tolerance", ",".join(f"{k}={v}" for k, v in TOLERANCE.items())])
        scores_file = os.path.join(run, "bnngen_scores.npy")
        data = bnn_model.DEFAULT_DATA_DIR
        subprocess.run([bnngen, "infer", spatial, "--images", os.path.join(data, "t10k-images-idx3-ubyte.gz"),
                        "--limit", str(IMAGES), "--out", scores_file], check=True, stdout=subprocess.DEVNULL)
        golden = np.load(scores_file)
        images = bnn_model.load_fashion_mnist(data, "t10k")[0][:IMAGES]
        checkpoint = os.path.join(run, "checkpoint.pt")
        skipping = spatial_scores.skip_aware_scores(checkpoint, TOLERANCE, images)
        plain = spatial_scores.skip_aware_scores(checkpoint, {}, images)
    differ = int((skipping != golden).any(axis=1).sum())
    changed = int((plain != golden).any(axis=1).sum())
    print(f"skip-aware PyTorch vs bnngen golden model: {differ} of {IMAGES} images differ; "
          f"skipping changes the scores of {changed}")
    if differ != 0 or changed == 0:
        raise SystemExit("FAIL")
    print("ok")


if __name__ == "__main__":
    main()
