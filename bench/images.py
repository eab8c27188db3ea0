"""Image processing throughput: N photo-like JPEGs of about 1 MB each through the upload path of the
image package — inspection and re-encoding (`process_image`), the blob store (`FileBlobStore.put`) and
the srcset variants (`ensure_variants`) — as the image service will run them on an upload.

    .venv/bin/python bench/images.py [--count 100] [--size-mb 1] [--threads 1] [--json FILE]

The JPEGs are generated first (not timed): gradients under noise softened like a camera picture, at
the JPEG quality that lands each near the requested size. Each upload is timed on its own; with
`--threads N` that many run at once (Pillow releases the GIL while it decodes and encodes).
The publish-side half (placing 1,000 images in a site build, incremental publishes) is measured with
the site integration.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageFilter

from comstack_core.images import FileBlobStore, FileVariantIndex, ensure_variants, process_image

WIDTH, HEIGHT = 2400, 1600  # 3.8 Mpx, a phone photo scaled for the web


def photo(seed: int) -> Image.Image:
    rng = random.Random(seed)
    base = Image.linear_gradient("L").rotate(rng.randrange(360)).resize((WIDTH, HEIGHT))
    noise = Image.frombytes("L", (WIDTH, HEIGHT), rng.randbytes(WIDTH * HEIGHT))
    picture = Image.merge("RGB", (base, noise, base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    return picture.filter(ImageFilter.GaussianBlur(1.2))


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def make_jpegs(count: int, target: int) -> list[bytes]:
    first = photo(0)
    quality = min(range(30, 96, 5), key=lambda q: abs(len(jpeg(first, q)) - target))
    return [jpeg(photo(seed), quality) for seed in range(count)]


@dataclass
class Timing:
    process: float
    store: float
    variants: float
    stored_bytes: int
    variant_bytes: int

    @property
    def total(self) -> float:
        return self.process + self.store + self.variants


def upload(data: bytes, blobs: FileBlobStore, index: FileVariantIndex) -> Timing:
    started = time.perf_counter()
    image = process_image(data)
    processed = time.perf_counter()
    key = blobs.put(image.data)
    stored = time.perf_counter()
    variants = ensure_variants(key, blobs, index, image=image)
    done = time.perf_counter()
    return Timing(processed - started, stored - processed, done - stored, image.size, sum(v.size for v in variants))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()

    print(f"generating {args.count} JPEGs of about {args.size_mb} MB...", file=sys.stderr)
    uploads = make_jpegs(args.count, int(args.size_mb * 1024 * 1024))
    with tempfile.TemporaryDirectory(prefix="comstack-bench-images-") as tmp:
        blobs, index = FileBlobStore.in_data_dir(Path(tmp)), FileVariantIndex.in_data_dir(Path(tmp))
        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            timings = list(pool.map(lambda data: upload(data, blobs, index), uploads))
        wall = time.perf_counter() - started
    input_mb = sum(len(u) for u in uploads) / 1e6
    figures = {
        "images": args.count,
        "threads": args.threads,
        "mean_input_mb": round(input_mb / args.count, 3),
        "size_px": f"{WIDTH}x{HEIGHT}",
        "wall_s": round(wall, 3),
        "images_per_s": round(args.count / wall, 2),
        "input_mb_per_s": round(input_mb / wall, 2),
        "per_image_ms": {
            name: {
                "median": round(statistics.median(values) * 1000, 1),
                "p95": round(percentile(values, 0.95) * 1000, 1),
            }
            for name, values in (
                ("total", [t.total for t in timings]),
                ("process", [t.process for t in timings]),
                ("store", [t.store for t in timings]),
                ("variants", [t.variants for t in timings]),
            )
        },
        "stored_over_input": round(sum(t.stored_bytes for t in timings) / (input_mb * 1e6), 3),
        "variants_over_input": round(sum(t.variant_bytes for t in timings) / (input_mb * 1e6), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(f"{args.count} JPEGs of {figures['mean_input_mb']} MB ({WIDTH}x{HEIGHT}), {args.threads} thread(s)")
    print(f"  wall {wall:.2f} s: {figures['images_per_s']} images/s, {figures['input_mb_per_s']} MB/s")
    for name, stats in figures["per_image_ms"].items():  # type: ignore[attr-defined]
        print(f"  {name:<9} median {stats['median']:>7.1f} ms   p95 {stats['p95']:>7.1f} ms")
    print(f"  stored/input {figures['stored_over_input']}, variants/input {figures['variants_over_input']}")
    print(f"  peak RSS {figures['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
