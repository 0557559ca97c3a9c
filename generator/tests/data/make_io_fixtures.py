#!/usr/bin/python3
"""Writes the small numpy, npz and idx fixtures of the io tests into generator/tests/data/io/.

Run with a Python that has numpy (here /usr/bin/python3): the point is that real numpy writes them,
so the readers are tested against what users' files look like, not against our own writer.
The output is deterministic, so rerunning it leaves the committed files unchanged (except for
zip timestamps, which the readers ignore).
"""

import gzip
import io
import os
import struct
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")


def path(name):
    return os.path.join(OUT, name)


def write_bytes(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def npy_bytes(array, version=None):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


# Every dtype the readers widen to int64, plus the shapes that trip up index arithmetic.
ARRAYS = {
    "conv1.weight": (np.arange(18, dtype=np.int8) - 9).reshape(2, 1, 3, 3),
    "u8": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
    "i16": np.array([-32768, -1, 0, 1, 32767], dtype=np.int16),
    "u16": np.array([0, 1, 65535], dtype=np.uint16),
    "i32": np.array([[-2147483648, -1, 0], [1, 2, 2147483647]], dtype=np.int32),
    "u32": np.array([0, 4294967295], dtype=np.uint32),
    "i64": np.array([-(2**63), -1, 2**63 - 1], dtype=np.int64),
    "u64": np.array([0, 2**63 - 1], dtype=np.uint64),
    "mask": np.array([True, False, True, True]),
    "scale": np.array([0.5, 1.5], dtype=np.float32),
    "count": np.array(42, dtype=np.int64),
    "empty": np.zeros((0, 3), dtype=np.int32),
}


# The same kind of values in every other layout numpy.save writes: Fortran order (a transpose, or
# numpy.asfortranarray), big-endian byte order, bool. The tests expect the C-order values of LAYOUTS_C.
W = (np.arange(15, dtype=np.int8) - 7).reshape(3, 5)
LAYOUTS = {
    "fortran_i8_3d": np.asfortranarray((np.arange(24, dtype=np.int8) - 12).reshape(2, 3, 4)),
    "transpose_i8": W.T.astype(np.int8),  # shape (5, 3), Fortran order
    "be_i2": np.array([-32768, -1, 0, 1, 32767], dtype=">i2"),
    "be_u2": np.array([0, 1, 65535], dtype=">u2"),
    "be_i4": np.array([[-2147483648, -1, 0], [1, 2, 2147483647]], dtype=">i4"),
    "be_u4": np.array([0, 4294967295], dtype=">u4"),
    "be_i8": np.array([-(2**63), -1, 2**63 - 1], dtype=">i8"),
    "be_u8": np.array([0, 2**63 - 1], dtype=">u8"),
    "fortran_be_i4": np.asfortranarray((np.arange(12) - 6).reshape(3, 4).astype(">i4")),
    "fortran_be_u2_4d": np.asfortranarray((np.arange(24).reshape(2, 1, 3, 4) * 1000).astype(">u2")),
    "fortran_bool": np.asfortranarray(np.array([[True, False, True], [False, False, True]])),
    "be_f4": np.array([0.5, 1.5], dtype=">f4"),
}


def fmnist_small_twin():
    """examples/fmnist_small with every array in another layout than the exporter's: each weight
    stored in Fortran order (as W = W_T.T of a transposed copy), thresholds and the bias big-endian
    int32, the kernel mask as numpy bool. bnngen must compute exactly the same scores from it."""
    example = os.path.join(os.path.dirname(OUT), "..", "..", "..", "examples", "fmnist_small")
    arrays = {}
    with np.load(os.path.join(example, "weights.npz")) as z:
        for name in z.files:
            a = z[name]
            if name.endswith(".weight"):
                transposed = np.ascontiguousarray(a.T)
                arrays[name] = transposed.T
                assert arrays[name].flags.f_contiguous and not arrays[name].flags.c_contiguous
            elif name.endswith(".kernel_mask"):
                arrays[name] = np.asfortranarray(a.astype(np.bool_))
            else:
                arrays[name] = a.astype(">i4")
    np.savez_compressed(path("fmnist_small_layouts.npz"), **arrays)
    with open(os.path.join(example, "network.yaml")) as f:
        yaml = f.read()
    yaml = yaml.replace("weights: weights.npz", "weights: fmnist_small_layouts.npz")
    header = ("# examples/fmnist_small/network.yaml with its weights rewritten by make_io_fixtures.py in\n"
              "# Fortran order, big-endian and bool (fmnist_small_layouts.npz).\n")
    with open(path("fmnist_small_layouts.yaml"), "w") as f:
        f.write(header + yaml)


def zip64_archive(members):
    """A zip whose every size and offset goes through zip64 records, as an archive over 4 GiB would.

    members: (name, payload, method); method 8 deflates, anything else stores the payload as is.
    """
    out = bytearray()
    central = bytearray()
    for name, payload, method in members:
        data = payload
        if method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = c.compress(payload) + c.flush()
        crc = zlib.crc32(payload)
        name_b = name.encode()
        offset = len(out)
        local_extra = struct.pack("<HHQQ", 1, 16, len(payload), len(data))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(name_b), len(local_extra)) + name_b + local_extra + data
        central_extra = struct.pack("<HHQQQ", 1, 24, len(payload), len(data), offset)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, method, 0, 0x21, crc, 0xFFFFFFFF,
                               0xFFFFFFFF, len(name_b), len(central_extra), 0, 0, 0, 0, 0xFFFFFFFF)
        central += name_b + central_extra
    directory_at = len(out)
    out += central
    zip64_end_at = len(out)
    n = len(members)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(central), directory_at)
    out += struct.pack("<IIQI", 0x07064B50, 0, zip64_end_at, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return bytes(out)


def idx_bytes(type_byte, fmt, array):
    header = bytes([0, 0, type_byte, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(fmt).tobytes()


def gzip_bytes(data):
    return gzip.compress(data, mtime=0)


def main():
    os.makedirs(OUT, exist_ok=True)

    # npz: numpy's own writers, stored and deflated.
    np.savez(path("arrays.npz"), **ARRAYS)
    np.savez_compressed(path("arrays_compressed.npz"), **ARRAYS)
    np.savez(path("bad_member.npz"), **{"conv1.weight": np.arange(4, dtype=np.complex64)})
    np.savez(path("layouts.npz"), **LAYOUTS)
    fmnist_small_twin()

    good = open(path("arrays.npz"), "rb").read()
    write_bytes("truncated.npz", good[: len(good) // 2])
    write_bytes("text.npz", b"this is a text file, not a zip archive\n")

    # Flip the last byte of a member's data: the zip stays well-formed, only the CRC disagrees.
    np.savez(path("crc.npz"), a=np.arange(16, dtype=np.uint8))
    crc = bytearray(open(path("crc.npz"), "rb").read())
    at = crc.index(bytes(range(16))) + 15
    crc[at] ^= 0xFF
    write_bytes("crc.npz", bytes(crc))

    w = npy_bytes(np.array([[1, -1], [-1, 1]], dtype=np.int8))
    b = npy_bytes(np.arange(1000, dtype=np.int16) - 500)
    write_bytes("zip64.npz", zip64_archive([("w.npy", w, 0), ("b.npy", b, 8)]))
    write_bytes("method12.npz", zip64_archive([("w.npy", w, 12)]))

    # npy: every header version, Fortran and big-endian layouts, and files the reader must refuse.
    small = np.array([[1, -2, 3], [-4, 5, -6]], dtype=np.int16)
    for v in (1, 2, 3):
        write_bytes(f"v{v}.npy", npy_bytes(small, version=(v, 0)))
    write_bytes("fortran.npy", npy_bytes(np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3))))
    write_bytes("bigendian.npy", npy_bytes(np.arange(4, dtype=">i4")))
    write_bytes("float64.npy", npy_bytes(np.array([[0.25, 0.5]])))
    write_bytes("uint64_big.npy", npy_bytes(np.array([1, 2**64 - 1], dtype=np.uint64)))
    write_bytes("uint64_big_be_fortran.npy",
                npy_bytes(np.asfortranarray(np.array([[1, 2, 3], [4, 2**63, 6]], dtype=">u8"))))
    write_bytes("truncated.npy", npy_bytes(np.arange(10, dtype=np.int32))[:-8])
    write_bytes("complex.npy", npy_bytes(np.array([1 + 2j], dtype=np.complex64)))

    # np.save output that encode_npy must reproduce byte for byte.
    write_bytes("save_i32.npy", npy_bytes((np.arange(30, dtype=np.int32) - 15).reshape(10, 3)))
    write_bytes("save_bool0d.npy", npy_bytes(np.array(True)))
    write_bytes("save_u8.npy", npy_bytes(np.array([0, 7, 255], dtype=np.uint8)))
    write_bytes("save_i64_4d.npy", npy_bytes(np.arange(8, dtype=np.int64).reshape(2, 1, 2, 2) * -(2**40)))

    # idx: MNIST's format, plain and gzip, every integer type byte.
    images = (np.arange(60) * 4 % 256).reshape(3, 4, 5)
    plain = idx_bytes(0x08, ">u1", images)
    write_bytes("images.idx3", plain)
    write_bytes("images.idx3.gz", gzip_bytes(plain))
    write_bytes("truncated.idx3", plain[:16 + 50])
    write_bytes("truncated.idx3.gz", gzip_bytes(plain)[:40])
    labels = idx_bytes(0x08, ">u1", np.array([9, 0, 4]))
    write_bytes("labels.idx1", labels)
    write_bytes("labels.idx1.gz", gzip_bytes(labels))
    write_bytes("images4d.idx", idx_bytes(0x08, ">u1", np.arange(24).reshape(2, 3, 2, 2)))
    write_bytes("bytes.idx", idx_bytes(0x09, ">i1", np.array([-128, -1, 0, 127])))
    write_bytes("shorts.idx", idx_bytes(0x0B, ">i2", np.array([[-2, 300], [-32768, 32767]])))
    write_bytes("ints.idx", idx_bytes(0x0C, ">i4", np.array([-1, 65536, 2147483647])))
    write_bytes("floats.idx", idx_bytes(0x0D, ">f4", np.array([0.5, 1.0])))
    write_bytes("badtype.idx", bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 0]))

    # Datasets stored as .npy, as people export them from PyTorch.
    nchw = (np.arange(24, dtype=np.uint16) * 10).reshape(2, 3, 2, 2)
    write_bytes("images_nchw.npy", npy_bytes(nchw))
    wide = nchw.copy()
    wide[1, 2, 1, 0] = 300
    write_bytes("images_wide.npy", npy_bytes(wide))
    nhw = (np.arange(40, dtype=np.uint8) * 3).reshape(2, 4, 5)
    write_bytes("images_nhw.npy.gz", gzip_bytes(npy_bytes(nhw)))
    write_bytes("images_float.npy", npy_bytes(np.zeros((1, 2, 2), dtype=np.float32)))
    write_bytes("labels.npy", npy_bytes(np.array([1, 0, 2], dtype=np.int64)))
    write_bytes("labels_bad.npy", npy_bytes(np.array([0, 10, 3], dtype=np.int64)))


if __name__ == "__main__":
    main()
