#!/usr/bin/python3
"""Writes the integer class scores of a bnn_train.py checkpoint evaluated *through* dynamic
spatial pruning (bnn_model.skip_background_windows, DESIGN.md 4.2) on the Fashion-MNIST test
images: the PyTorch side of the check that bnngen's golden model skips exactly as training did.

  /usr/bin/python3 examples/train/spatial_scores.py CHECKPOINT --spatial conv2=5,conv3=4,conv4=5 OUT.npy
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnn_model  # noqa: E402
import bnn_train  # noqa: E402


def skip_aware_scores(checkpoint, tolerances, images):
    """Integer class scores of a checkpoint on `images` (uint8 [N,C,H,W]) through spatial
    pruning at `tolerances` ({conv name: tolerance})."""
    ckpt = bnn_train.load_checkpoint(checkpoint)
    model = bnn_train.build_model(ckpt["run"])
    model.load_state_dict(ckpt["model"])
    model.eval()
    model.spatial_tolerance = dict(tolerances)
    scores = []
    with torch.no_grad():
        for i in range(0, len(images), 1000):
            scores.append(model.scores(torch.from_numpy(images[i:i + 1000]).float()).numpy())
    return np.concatenate(scores).astype(np.int32)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("out")
    p.add_argument("--spatial", required=True, help="tolerances, e.g. conv2=5,conv3=4,conv4=5")
    p.add_argument("--data", default=bnn_model.DEFAULT_DATA_DIR)
    args = p.parse_args(argv)
    images, labels = bnn_model.load_fashion_mnist(args.data, "t10k")
    scores = skip_aware_scores(args.checkpoint, bnn_model.parse_keep(args.spatial), images)
    np.save(args.out, scores)
    print(f"{args.out}: {len(scores)} images, accuracy {float((scores.argmax(1) == labels).mean()):.4f}")


if __name__ == "__main__":
    main()
