"""Upload pipeline benchmark: memory and speed of the tus endpoint and of the task that streams files to the Data API.

    .venv/bin/python bench/uploads_pipeline.py [--sizes-mb 100 1024 5120]

Starts the site under gunicorn (gunicorn.conf.py, one worker), a Celery worker (one child) and a Redis of their own,
on a fresh SQLite database in a temporary folder (tests/uploads/stack.py). For each size, writes an uncompressed
3-band GeoTIFF, then on loopback, in the same run:

- browser to dashboard: the file sent to the tus endpoint by a script, in chunks of UPLOADS_CHUNK_SIZE, against
  `curl -T` of the same file to a plain streaming view of the same gunicorn (bench_sink below);
- dashboard to Data API: the worker's transfer (from the job's `sending` state to `processing`), against `curl -F` of
  the same file to `POST /rest/rasters/mosaic/{id}/image`;
- the peak RSS growth of the web worker during the tus upload and of the Celery worker's child during the transfer
  over their idle size (sampled every 50 ms).

Each size is measured `--rounds` times (each round: tus, the worker's transfer, `curl -T`, `curl -F`, each into a
new mosaic and each once the worker and the Data API are idle again); the best time of each kind counts, and the JSON
line lists every round's MB/s. On this kind of machine one write of a GB to a new file costs from 0.2 to 3 s of the
kernel's time depending on what the page cache is doing, whoever writes it: a single measurement says more about
the order of the runs than about the code.

Targets: both ratios at least 0.8; both growths within 64 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapflow_web.settings")
from tests.uploads.stack import Stack, wait_for  # noqa: E402  (processes and files only: no Django models)

MB = 1024 * 1024
SAMPLE_SECONDS = 0.05
SINK_PATH = "/bench-sink"


def sink_path(uploads_dir: str | Path) -> Path:
    return Path(uploads_dir) / "bench-sink.part"


def bench_sink(application):
    """Wrap the site with a plain view that streams a PUT body to a file next to the uploads and keeps it, as the tus
    endpoint keeps its files (the yardstick of the tus endpoint; the benchmark deletes the file once timed)."""

    def wrapped(environ, start_response):
        if environ.get("PATH_INFO") != SINK_PATH:
            return application(environ, start_response)
        remaining = int(environ.get("CONTENT_LENGTH") or 0)
        stream = environ["wsgi.input"]
        with open(sink_path(os.environ["UPLOADS_DIR"]), "wb") as sink:
            while remaining > 0 and (piece := stream.read(min(MB, remaining))):
                sink.write(piece)
                remaining -= len(piece)
        start_response("204 No Content", [])
        return [b""]

    return wrapped


def raster_write(path: Path, *, size_bytes: int) -> Path:
    """A tiled 3-band uint8 GeoTIFF of about `size_bytes`, uncompressed."""
    side = max(512, int(math.sqrt(size_bytes / 3)) // 512 * 512)
    profile = {
        "driver": "GTiff", "width": side, "height": side, "count": 3, "dtype": "uint8", "tiled": True,
        "blockxsize": 512, "blockysize": 512, "crs": "EPSG:32637", "BIGTIFF": "IF_SAFER",
        "transform": from_origin(500_000.0, 6_200_000.0, 0.3, 0.3),
    }
    ramp = (np.arange(side, dtype=np.uint32) % 256).astype(np.uint8)
    with rasterio.open(path, "w", **profile) as dst:
        for row in range(0, side, 512):
            band = np.broadcast_to(ramp, (512, side))
            dst.write(np.stack([band, band, band]), window=rasterio.windows.Window(0, row, side, 512))
    return path


class Peak:
    """The largest rise of the RSS of `processes()` over `idle` (per pid) while `active()` holds."""

    def __init__(self, processes, active=lambda: True) -> None:
        self.processes, self.active = processes, active
        self.idle = {p.pid: p.memory_info().rss for p in processes()}
        self.growth = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            if self.active():
                for process in self.processes():
                    rise = process.memory_info().rss - self.idle.get(process.pid, process.memory_info().rss)
                    self.growth = max(self.growth, rise)
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return self.growth / MB


class FileSlice:
    """`length` bytes of an open file from its current position, read the way http.client sends a body."""

    def __init__(self, fh, length: int) -> None:
        self.fh, self.left = fh, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.fh.read(size)
        self.left -= len(data)
        return data


def tus_send(stack: Stack, uploader: Uploader, *, path: Path, mosaic_id: str, chunk_size: int) -> float:
    """Seconds to send the file to the tus endpoint, chunk after chunk, straight from disk, over one keep-alive
    connection as a browser does."""
    size = path.stat().st_size
    started = time.perf_counter()
    location = uploader.create(mosaic_id=mosaic_id, filename=path.name, size=size)
    connection = http.client.HTTPConnection("127.0.0.1", stack.web_port, timeout=600, blocksize=MB)
    with open(path, "rb") as fh, contextlib.closing(connection):
        for offset in range(0, size, chunk_size):
            length = min(chunk_size, size - offset)
            headers = {**uploader.headers, "Content-Type": "application/offset+octet-stream",
                       "Upload-Offset": str(offset), "Content-Length": str(length)}
            connection.request("PATCH", location, body=FileSlice(fh, length), headers=headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status != 204:
                raise RuntimeError(f"PATCH at {offset} answered {answer.status}")
    return time.perf_counter() - started


def curl(*args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(["curl", "-sS", "--fail-with-body", "-o", "/dev/null", *args], capture_output=True,
                          timeout=3600)
    if done.returncode:
        raise RuntimeError(f"curl failed: {done.stderr.decode()}")
    return time.perf_counter() - started


def transfer_seconds(stack: Stack) -> float:
    """Seconds the worker spent sending the newest job (its `sending` state), once the job is past it."""
    started = wait_for(lambda: stack.job()["state"] == "sending" and time.perf_counter(), seconds=3600, every=0.02)
    wait_for(lambda: stack.job()["state"] in ("processing", "ready", "failed"), seconds=3600, every=0.02)
    ended = time.perf_counter()
    job = stack.job()
    if job["state"] == "failed":
        raise RuntimeError(f"the transfer failed: {job['message']}")
    return ended - started


def job_finished(stack: Stack) -> None:
    """Wait until the newest job is done (the Data API's COG built too), so that nothing competes with what follows."""
    wait_for(lambda: stack.job()["state"] in ("ready", "failed"), seconds=3600, every=0.2)


def run_round(stack: Stack, uploader: Uploader, path: Path, *, chunk_size: int, peaks: dict) -> dict:
    """One of each measurement, in turn, each into a new mosaic and each once the machine is quiet again."""
    mosaic_id = stack.api_post("/rasters/mosaic", {"name": f"bench {path.name}"})["id"]
    web = Peak(stack.web_processes)
    worker = Peak(stack.worker_processes, active=lambda: (stack.job() or {}).get("state") in ("checking", "sending"))
    os.sync()  # each timed write starts with no other file's pages waiting to be written out
    tus_s = tus_send(stack, uploader, path=path, mosaic_id=mosaic_id, chunk_size=chunk_size)
    peaks["web"] = max(peaks.get("web", 0), web.stop())
    send_s = transfer_seconds(stack)
    peaks["worker"] = max(peaks.get("worker", 0), worker.stop())
    job_finished(stack)

    os.sync()
    put_s = curl("-T", str(path), f"{stack.url}{SINK_PATH}")
    sink_path(stack.env["UPLOADS_DIR"]).unlink()
    other_mosaic = stack.api_post("/rasters/mosaic", {"name": f"bench {path.name} curl"})["id"]
    # The worker sends a file just written (the upload); a file just written reads back slower (its pages are still
    # being written out), so curl gets a fresh copy of the same bytes too.
    fresh = shutil.copyfile(path, path.with_suffix(".copy.tif"))
    form_s = curl("-H", f"Authorization: Basic {stack.token}", "-F", f"file=@{fresh}",
                  f"{stack.url}/rest/rasters/mosaic/{other_mosaic}/image")
    fresh.unlink()
    wait_for(lambda: stack.api(f"/rasters/mosaic/{other_mosaic}")["rasterLayer"]["tileUrl"], seconds=3600, every=0.5)
    return {"tus": tus_s, "put": put_s, "send": send_s, "form": form_s}


def run_size(stack: Stack, uploader: Uploader, folder: Path, size_mb: int, *, chunk_size: int, rounds: int) -> dict:
    path = raster_write(folder / f"bench-{size_mb}.tif", size_bytes=size_mb * MB)
    size = path.stat().st_size
    peaks: dict[str, float] = {}
    runs = [run_round(stack, uploader, path, chunk_size=chunk_size, peaks=peaks) for _ in range(rounds)]
    path.unlink()
    best = {name: min(run[name] for run in runs) for name in runs[0]}
    mb = size / MB
    return {
        "size_mb": round(mb),
        "web_rss_growth_mb": round(peaks["web"], 1),
        "worker_rss_growth_mb": round(peaks["worker"], 1),
        "tus_mb_s": round(mb / best["tus"], 1),
        "curl_put_mb_s": round(mb / best["put"], 1),
        "tus_ratio": round(best["put"] / best["tus"], 2),
        "send_mb_s": round(mb / best["send"], 1),
        "curl_form_mb_s": round(mb / best["form"], 1),
        "send_ratio": round(best["form"] / best["send"], 2),
        "rounds_mb_s": {name: [round(mb / run[name]) for run in runs] for name in runs[0]},
    }


def main() -> None:
    from django.conf import settings as site_settings

    from tests.uploads.wire import Uploader

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[100, 1024, 5120])
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each kind per size; the best counts")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="uploads-bench-"))
    web = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", "127.0.0.1:{port}", "-w", "1",
           "--access-logfile", "/dev/null", "--pythonpath", "bench", "uploads_pipeline:application"]
    env = {"DATASERVER_MAX_UPLOAD_FILE_SIZE": "50GB", "UPLOADS_LOCK_SECONDS": "60", "LOG_LEVEL": "WARNING"}
    stack = Stack(folder, rate=None, web=web, env=env)
    try:
        stack.start()
        uploader = Uploader(stack.url, stack.session)
        print("size_mb web_growth_mb worker_growth_mb tus_MB/s curl-T_MB/s tus_ratio send_MB/s curl-F_MB/s send_ratio")
        for size_mb in args.sizes_mb:
            row = run_size(stack, uploader, folder, size_mb, chunk_size=site_settings.UPLOADS_CHUNK_SIZE,
                           rounds=args.rounds)
            print(" ".join(str(value) for name, value in row.items() if name != "rounds_mb_s"), flush=True)
            print(json.dumps(row), flush=True)
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    import django

    django.setup()
    main()
else:
    # Imported by gunicorn: the site with the yardstick view in front.
    from mapflow_web.wsgi import application as site

    application = bench_sink(site)
