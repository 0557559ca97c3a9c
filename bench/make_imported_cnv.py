"""The imported CNV-like network of bench/fold_auto.sh: the trained CNV-like fixture of the import
tests (64-64-pool-128-128-pool-256-256 unpadded 3x3 convolutions on 32x32x3 8-bit images, dense
512-512-10; generator/import/tests/fixtures/cnv_trained.npz) written as FINN-ONNX, imported with
`bnngen import`, and IMAGES test images (Fashion-MNIST made 32x32x3 as the import tests do) as
images.npy.
    make_imported_cnv.py BNNGEN OUT_DIR IMAGES"""
import os
import subprocess
import sys

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "generator", "import", "tests"))
import harness  # noqa: E402
import make_trained_fixtures  # noqa: E402
import model_zoo  # noqa: E402


def main():
    bnngen, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    model, _ = model_zoo.finn(make_trained_fixtures.load("cnv"))
    path = os.path.join(out, "cnv_like.onnx")
    onnx.save(model, path)
    subprocess.run([bnngen, "import", path, "-o", os.path.join(out, "net"), "--name", "cnv_like"], check=True,
                   stdout=subprocess.DEVNULL)
    np.save(os.path.join(out, "images.npy"), harness.cnv_images(count))


if __name__ == "__main__":
    main()
