"""Tile benchmark: our `/api/v0/cogs/tiles/{z}/{x}/{y}.png?uri=<mosaic>` against TiTiler on the same 4 COGs.

    .venv/bin/python bench/tiles.py [--clients 8] [--repeat 3] [--passes 2] [--zooms 16 17 18] [--formats png jpeg]

Uploads 4 adjacent rasters (tests/fixtures/cogeo.tif shifted into a 2x2 grid) to the self-hosted Data API under
gunicorn (COGs built during the upload), writes a MosaicJSON of the same 4 COGs for TiTiler (titiler.application
under uvicorn, as many workers as gunicorn), then requests every tile covering the mosaic at the given zooms,
`--repeat` times in a shuffled order, from `--clients` concurrent keep-alive connections (wrk: bench/load.py), from each server in turn; ours once per `--formats` (`&format=` of the tile URL: tiles with data everywhere in that
encoding, the others PNG). Prints per server and pass: requests, tiles per second, p50 and p95 latency in ms, the
mean tile size, the CPU time the server's processes spent per tile, errors.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import morecantile
import psutil
import rasterio
from rasterio.warp import transform_bounds

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import load_run  # noqa: E402
from servers import PYTHON, REPO, DataServer, stop, wait_until_up  # noqa: E402

COGEO = REPO / "tests" / "fixtures" / "cogeo.tif"
WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")


def rasters_write(folder: Path) -> list[Path]:
    """cogeo.tif shifted by its own width and height into a 2x2 grid of adjacent GeoTIFFs."""
    with rasterio.open(COGEO) as src:
        data = src.read()
        profile = {"driver": "GTiff", "width": src.width, "height": src.height, "count": src.count,
                   "dtype": src.dtypes[0], "crs": src.crs, "tiled": True, "blockxsize": 512, "blockysize": 512,
                   "compress": "deflate"}
        transform, width, height = src.transform, src.width, src.height
    paths = []
    for row in range(2):
        for col in range(2):
            path = folder / f"part-{row}-{col}.tif"
            shifted = transform * transform.translation(col * width, row * height)
            with rasterio.open(path, "w", **profile, transform=shifted) as dst:
                dst.write(data if (row + col) % 2 == 0 else data[:, :, ::-1])
            paths.append(path)
    return paths


def covering_tiles(cogs: list[Path], zooms: list[int]) -> list[tuple[int, int, int]]:
    west, south, east, north = 180.0, 90.0, -180.0, -90.0
    for path in cogs:
        with rasterio.open(path) as src:
            w, s, e, n = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
        west, south, east, north = min(west, w), min(south, s), max(east, e), max(north, n)
    return [(t.z, t.x, t.y) for z in zooms for t in WEB_MERCATOR.tiles(west, south, east, north, [z])]


def mosaicjson_write(cogs: list[Path], path: Path) -> Path:
    from cogeo_mosaic.mosaic import MosaicJSON

    mosaic = MosaicJSON.from_urls([str(cog) for cog in cogs], quiet=True)
    path.write_text(mosaic.model_dump_json(exclude_none=True))
    return path


class TiTiler:
    """titiler.application under uvicorn, in a session of its own so that stopping it stops its workers."""

    def __init__(self, *, port: int, workers: int, gdal_cachemax: str, log: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.args = [PYTHON, "-m", "uvicorn", "titiler.application.main:app", "--host", "127.0.0.1", "--port",
                     str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        self.env = {**os.environ, "GDAL_CACHEMAX": gdal_cachemax}
        self.log = log

    def __enter__(self) -> "TiTiler":
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(self.args, env=self.env, start_new_session=True, stdout=log, stderr=log)
        try:
            wait_until_up(f"{self.url}/healthz", process=self.process)
        except BaseException:
            stop(self.process)
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process)


def cpu_seconds(pid: int) -> float:
    """CPU time of a server: its master and every worker."""
    processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return sum(sum(process.cpu_times()[:2]) for process in processes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="times each tile is requested in one pass")
    parser.add_argument("--passes", type=int, default=2, help="measurements of each server, alternating")
    parser.add_argument("--zooms", type=int, nargs="+", default=[16, 17, 18])
    parser.add_argument("--workers", type=int, default=2, help="processes of each server")
    parser.add_argument("--ports", type=int, nargs=2, default=[8111, 8112])
    parser.add_argument("--gdal-cachemax", default="32", help="GDAL_CACHEMAX (MB) of both servers")
    parser.add_argument("--formats", nargs="+", default=["png", "jpeg"], choices=["png", "jpeg", "webp"],
                        help="the `format` our tiles are asked in (png: the plain template)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tiles-bench-") as tmp:
        folder = Path(tmp)
        with DataServer(port=args.ports[0], workers=args.workers, eager_tasks=True,
                        gdal_cachemax=args.gdal_cachemax) as ours:
            mosaic_id = ours.mosaic_create("tiles bench")
            for path in rasters_write(folder):
                ours.upload(path, mosaic_id)
            uri = ours.mosaic_cog_uri(mosaic_id)
            cogs = sorted(ours.storage.glob(f"*/{mosaic_id}/cog/*.tif"))
            if len(cogs) != 4:
                raise RuntimeError(f"expected 4 COGs, found {len(cogs)}")
            mosaic_json = mosaicjson_write(cogs, folder / "mosaic.json")
            tiles = covering_tiles(cogs, args.zooms)
            order = tiles * args.repeat
            random.Random(1).shuffle(order)
            ours_urls = [f"{ours.url}/api/v0/cogs/tiles/{z}/{x}/{y}.png?uri={uri}" for z, x, y in order]
            servers = {
                f"ours {encoding}": [url if encoding == "png" else f"{url}&format={encoding}" for url in ours_urls]
                for encoding in args.formats
            }
            servers["titiler png"] = [f"{{url}}/mosaicjson/tiles/WebMercatorQuad/{z}/{x}/{y}.png?url={mosaic_json}"
                                      for z, x, y in order]
            with TiTiler(port=args.ports[1], workers=args.workers, gdal_cachemax=args.gdal_cachemax,
                         log=folder / "titiler.log") as titiler:
                servers["titiler png"] = [url.format(url=titiler.url) for url in servers["titiler png"]]
                pids = {name: titiler.process.pid if name.startswith("titiler") else ours.process.pid
                        for name in servers}
                print(f"{len(tiles)} tiles at zooms {args.zooms}, {len(order)} requests per pass, "
                      f"{args.clients} clients, {args.workers} processes per server", flush=True)
                for name, urls in servers.items():  # warm up: imports, GDAL, OS cache, on both
                    load_run(urls[: len(tiles)], clients=args.clients)
                print(f"{'server':<12} {'pass':>4} {'requests':>8} {'tiles/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
                      f"{'mean KiB':>8} {'CPU ms/tile':>11} {'errors':>6}")
                summary = {name: [] for name in servers}
                for run in range(args.passes):
                    for name, urls in servers.items():
                        cpu = cpu_seconds(pids[name])
                        r = load_run(urls, clients=args.clients)
                        r["cpu_ms"] = (cpu_seconds(pids[name]) - cpu) * 1000 / r["requests"]
                        summary[name].append(r)
                        print(f"{name:<12} {run + 1:>4} {r['requests']:>8} {r['tiles_per_second']:>8.1f} "
                              f"{r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} {r['mean_kb']:>8.1f} {r['cpu_ms']:>11.1f} "
                              f"{r['errors']:>6}", flush=True)
                best = {name: max(r["tiles_per_second"] for r in runs) for name, runs in summary.items()}
                print(json.dumps({
                    "best_tiles_per_second": {k: round(v, 1) for k, v in best.items()},
                    "ratio_to_titiler": {k: round(v / best["titiler png"], 2) for k, v in best.items()
                                         if k != "titiler png"},
                    "min_cpu_ms_per_tile": {k: round(min(r["cpu_ms"] for r in runs), 1) for k, runs in summary.items()},
                }))


if __name__ == "__main__":
    main()
