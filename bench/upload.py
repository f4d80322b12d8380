"""Upload benchmark: memory and speed of `POST /rest/rasters/mosaic/{id}/image` under gunicorn.

    .venv/bin/python bench/upload.py [--sizes-mb 256 1024] [--port 8101]

For each size, writes an uncompressed 3-band uint8 GeoTIFF of about that size, uploads it with curl, and prints:
the worker's peak RSS growth during the upload (sampled every 50 ms), the upload's time and throughput against `cp`
of the same file on the same disk, and how many bytes the worker read back from disk after receiving the file.
"""

import argparse
import math
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import DataServer, cp_seconds  # noqa: E402

MB = 1024 * 1024
SAMPLE_SECONDS = 0.05
WARM_UP_UPLOADS = 30


def raster_write(path: Path, *, size_bytes: int, tiled: bool = True) -> Path:
    """A 3-band uint8 GeoTIFF of about `size_bytes`, uncompressed, with a pattern so previews have content."""
    side = int(math.sqrt(size_bytes / 3)) // 512 * 512 or 512
    profile = {
        "driver": "GTiff", "width": side, "height": side, "count": 3, "dtype": "uint8",
        "crs": "EPSG:32637", "transform": from_origin(500_000.0, 6_200_000.0, 0.3, 0.3),
    }
    if tiled:
        profile.update(tiled=True, blockxsize=512, blockysize=512)
    ramp = (np.arange(side, dtype=np.uint32) % 256).astype(np.uint8)
    with rasterio.open(path, "w", **profile) as dst:
        for row in range(0, side, 512):
            band = np.broadcast_to(ramp, (512, side))
            block = np.stack([band, np.roll(band, row, axis=1), np.flip(band, axis=1)])
            dst.write(block, window=rasterio.windows.Window(0, row, side, 512))
    return path


class UploadWatch:
    """Samples every 50 ms the RSS of every worker and the size of the partial file arriving in the imagery folder.

    `growth` is the largest rise of one worker's RSS over its start; `received_at` is when the arriving file reached
    `size` bytes (the body is received; checks and previews follow).
    """

    def __init__(self, processes, *, incoming: Path, size: int) -> None:
        self.processes = processes
        self.incoming = incoming
        self.size = size
        self.start = {p.pid: p.memory_info().rss for p in processes}
        self.peak = dict(self.start)
        self.started_at = time.perf_counter()
        self.received_at = None
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while self.running:
            for process in self.processes:
                self.peak[process.pid] = max(self.peak[process.pid], process.memory_info().rss)
            if self.received_at is None and self._arrived() >= self.size:
                self.received_at = time.perf_counter()
            time.sleep(SAMPLE_SECONDS)

    def _arrived(self) -> int:
        sizes = []
        for path in self.incoming.rglob("*.part"):
            try:
                sizes.append(path.stat().st_size)
            except FileNotFoundError:
                pass  # accepted and moved between the listing and the stat
        return max(sizes, default=0)

    def __enter__(self) -> "UploadWatch":
        self.started_at = time.perf_counter()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running = False
        self.thread.join(timeout=5)

    @property
    def growth(self) -> int:
        return max(self.peak[pid] - self.start[pid] for pid in self.start)


def read_chars(processes) -> int:
    """Bytes the workers read() from files (socket receives are not counted by the kernel here)."""
    return sum(p.io_counters().read_chars for p in processes)


def upload_measure(server: DataServer, path: Path, folder: Path) -> dict:
    mosaic_id = server.mosaic_create(path.stem)
    workers = server.worker_processes()
    cp = cp_seconds(path, folder)
    reads_before = read_chars(workers)
    size = path.stat().st_size
    with UploadWatch(workers, incoming=server.storage, size=size) as watch:
        server.upload(path, mosaic_id)
        elapsed = time.perf_counter() - watch.started_at
    return {
        "size": size,
        "rss_growth": watch.growth,
        "seconds": elapsed,
        "received_seconds": (watch.received_at or math.nan) - watch.started_at,
        "cp_seconds": cp,
        "read_back": read_chars(workers) - reads_before,
    }


def warm_up(server: DataServer, folder: Path) -> None:
    """Small uploads until every worker has received one, so that none is measured while importing rasterio."""
    small = raster_write(folder / "warm-up.tif", size_bytes=3 * 512 * 512)
    mosaic_id = server.mosaic_create("warm-up")
    workers = server.worker_processes()
    written = {p.pid: p.io_counters().write_chars for p in workers}
    for _ in range(WARM_UP_UPLOADS):
        server.upload(small, mosaic_id)
        if all(p.io_counters().write_chars - written[p.pid] >= small.stat().st_size for p in workers):
            break
    else:
        raise RuntimeError(f"not every worker got one of {WARM_UP_UPLOADS} warm-up uploads")
    small.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--striped", action="store_true", help="write striped rasters instead of tiled ones")
    parser.add_argument("--gdal-cachemax", default="32", help="GDAL_CACHEMAX of the server (MB, or e.g. 5%%)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="upload-bench-", dir=Path(tempfile.gettempdir())) as tmp:
        folder = Path(tmp)
        with DataServer(port=args.port, gdal_cachemax=args.gdal_cachemax) as server:
            warm_up(server, folder)
            print(f"{'file MB':>8} {'peak RSS growth MB':>19} {'received s':>11} {'total s':>8} {'MB/s':>7} "
                  f"{'cp s':>6} {'received/cp':>12} {'total/cp':>9} {'read back MB':>13}")
            for size_mb in args.sizes_mb:
                path = raster_write(folder / f"upload-{size_mb}mb.tif", size_bytes=size_mb * MB, tiled=not args.striped)
                try:
                    r = upload_measure(server, path, folder)
                finally:
                    path.unlink()
                print(f"{r['size'] / MB:8.0f} {r['rss_growth'] / MB:19.1f} {r['received_seconds']:11.2f} "
                      f"{r['seconds']:8.2f} {r['size'] / MB / r['seconds']:7.0f} {r['cp_seconds']:6.2f} "
                      f"{r['cp_seconds'] / r['received_seconds']:12.2f} {r['cp_seconds'] / r['seconds']:9.2f} "
                      f"{r['read_back'] / MB:13.1f}", flush=True)


if __name__ == "__main__":
    main()
