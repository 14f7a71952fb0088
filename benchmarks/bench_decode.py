"""Peak memory of decoding one very large image file to a thumbnail.

Run ``python benchmarks/bench_decode.py``. It writes a 10000x10000 RGB PNG
(a gradient: about 330 KiB on disk, 286 MiB of decoded RGB pixels), then, in
a fresh process per row, decodes it to 8x8 pixels the way skvision does:

- **read_images**: :func:`skvision._images.read_images`, which
  ``load_image_folder(load_images=True)`` calls, in ``color_mode`` "rgb" (3
  channels) and "grayscale" (1), stretched or with ``crop_to_aspect_ratio``;
- **predict pipeline**: the ``tf.data`` pipeline that ``predict`` and
  ``transform`` read image file paths through (``ImagePaths.batches``).

Each process first decodes a small image the same way (TensorFlow loaded,
the graph traced), reads its resident memory, then decodes the large one and
reads its peak resident memory (``ru_maxrss``); the table gives the
difference, in MiB, next to the size of the decoded RGB pixels. It saves the
table with the machine in ``benchmarks/results/decode.json``.
"""

import argparse
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# isort: split
from _results import add_arguments, save_run, table  # noqa: E402

DESCRIPTION = """\
Peak memory of decoding one 10000x10000 RGB PNG (a gradient, about 330 KiB on
disk, 286 MiB of decoded RGB pixels) to 8x8 pixels, in a fresh process per
row, above the process's memory after decoding a small image the same way:
through ``read_images`` (what ``load_image_folder(load_images=True)`` calls)
and through the ``tf.data`` pipeline that ``predict`` and ``transform`` read
file paths with."""

SIDE = 10_000
OUTPUT = (8, 8)
MODES = {"rgb": 3, "grayscale": 1}
# (entry point, color_mode, crop_to_aspect_ratio, output size): cropping to
# a wide thumbnail keeps the image's middle 10000x5000 pixels.
CASES = [
    ("read_images", "rgb", False, OUTPUT),
    ("read_images", "grayscale", False, OUTPUT),
    ("read_images", "rgb", True, (8, 16)),
    ("read_images", "grayscale", True, (8, 16)),
    ("predict pipeline", "rgb", False, OUTPUT),
    ("predict pipeline", "grayscale", False, OUTPUT),
]


def write_png(path, height, width):
    """An RGB PNG of a horizontal gradient, written row by row (no big array).

    Every row is the same, so with PNG's "Up" filter all rows but the first
    are zeros: the file stays small while it decodes to height x width x 3.
    """
    row = bytes(
        value for x in range(width) for value in (x % 256, (x // 256) % 256, 128)
    )
    compressor, chunks = zlib.compressobj(9), []
    chunks.append(compressor.compress(b"\x00" + row))
    up = b"\x02" + bytes(len(row))
    for _ in range(height - 1):
        chunks.append(compressor.compress(up))
    chunks.append(compressor.flush())

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n")
        file.write(chunk(b"IHDR", header))
        file.write(chunk(b"IDAT", b"".join(chunks)))
        file.write(chunk(b"IEND", b""))


def current_rss_mib():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def decode(entry, mode, crop, size, path):
    channels = MODES[mode]
    if entry == "read_images":
        from skvision._images import read_images

        images, errors = read_images(
            [path], image_size=size, channels=channels, crop_to_aspect_ratio=crop
        )
        if errors:
            raise RuntimeError(errors)
        return images
    import numpy as np

    from skvision._batches import ImagePaths

    return next(ImagePaths(np.array([path]), (*size, channels)).batches(1))


def child(entry, mode, crop, size, small, large):
    decode(entry, mode, crop, size, small)  # TensorFlow loaded, the graph traced
    before = current_rss_mib()
    start = time.perf_counter()
    decode(entry, mode, crop, size, large)
    seconds = time.perf_counter() - start
    print(json.dumps({"extra_mib": peak_rss_mib() - before, "seconds": seconds}))


def measure(entry, mode, crop, size, small, large):
    case = [entry, mode, str(int(crop)), "x".join(map(str, size))]
    done = subprocess.run(
        [sys.executable, __file__, "--child", *case, small, large],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 2000x2000 image")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    add_arguments(parser)
    args = parser.parse_args()
    if args.child:
        entry, mode, crop, size, small, large = args.child
        size = tuple(int(side) for side in size.split("x"))
        child(entry, mode, crop == "1", size, small, large)
        return
    side = 2000 if args.quick else SIDE
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        small = os.path.join(folder, "small.png")
        large = os.path.join(folder, "large.png")
        write_png(small, 64, 48)
        write_png(large, side, side)
        size_kib = os.path.getsize(large) / 2**10
        decoded_mib = side * side * 3 / 2**20
        for entry, mode, crop, size in CASES:
            result = measure(entry, mode, crop, size, small, large)
            shown = "x".join(map(str, size))
            print(
                f"{entry:16} {mode:9} {shown:5} crop={crop!s:5} "
                f"+{result['extra_mib']:5.0f} MiB"
            )
            rows.append(
                [
                    entry,
                    mode,
                    shown,
                    "yes" if crop else "no",
                    result["extra_mib"],
                    decoded_mib,
                    result["seconds"],
                ]
            )
    import skvision._keras  # noqa: F401  (the machine records Keras' backend)

    save_run(
        "decode",
        f"png {side}",
        title="Decoding a large image file",
        description=DESCRIPTION,
        run_title=f"One {side}x{side} PNG ({size_kib:.0f} KiB) decoded to a thumbnail",
        tables=[
            table(
                "Peak memory above a warmed-up process (MiB)",
                [
                    "entry point",
                    "color_mode",
                    "output",
                    "crop_to_aspect_ratio",
                    "peak MiB",
                    "decoded RGB MiB",
                    "seconds",
                ],
                rows,
                formats=[None, None, None, None, ".0f", ".0f", ".2f"],
            )
        ],
        args=args,
    )


if __name__ == "__main__":
    main()
