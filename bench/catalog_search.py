"""Catalog search speed: 100,000 scenes spread over the globe, on SQLite and on PostgreSQL.

    python bench/catalog_search.py [--backend sqlite|postgres|both] [--scenes 100000]

For each backend it fills a fresh database step by step (25%, 50%, 100% of the scenes) and times, through the
real HTTP API (Django test client), searches with a city-sized AOI (0.2° square, about 20 km) at each step and
with a country-sized AOI (6° square) on the full catalog; then the import of 10,000 STAC items (first run inserts,
later runs update). PostgreSQL runs in a database of its own, bench_catalog_<pid> on $BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432), dropped afterwards.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
CITY, COUNTRY = 0.2, 6.0
SEARCHES = {"city": 60, "country": 15}
IMPORT_ITEMS, IMPORT_RUNS = 10_000, 3


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"


def random_boxes(rng: np.random.Generator, count: int) -> np.ndarray:
    """west, south, east, north: 70% aerial-sized (0.05-0.2°), 30% satellite-sized (0.5-1°) scenes."""
    size = np.where(rng.random(count) < 0.7, rng.uniform(0.05, 0.2, count), rng.uniform(0.5, 1.0, count))
    west = rng.uniform(-180, 180 - size)
    south = rng.uniform(-60, 75, count)
    return np.column_stack([west, south, west + size, south + size * rng.uniform(0.8, 1.2, count)])


def maybe(rng, values, share_null=0.1):
    return [None if rng.random() < share_null else float(value) for value in values]


def fill(rng: np.random.Generator, count: int, start: int, boxes: np.ndarray | None = None) -> None:
    import shapely
    from django.db import connection

    from dataserver.models import Scene

    boxes = random_boxes(rng, count) if boxes is None else boxes
    footprints = shapely.to_geojson(shapely.box(*boxes.T))
    epoch = datetime(2019, 1, 1, tzinfo=UTC)
    days = rng.integers(0, 2400, count)
    clouds, nadirs = maybe(rng, rng.uniform(0, 100, count)), maybe(rng, rng.uniform(0, 30, count))
    sizes = maybe(rng, rng.choice([0.3, 0.5, 1.5, 3.0, 10.0], count))
    Scene.objects.bulk_create(
        (
            Scene(
                provider_name=f"provider-{number % 5}",
                scene_id=f"scene-{start + number}",
                footprint=footprints[number],
                west=west,
                south=south,
                east=east,
                north=north,
                height=north - south,
                acquired_at=epoch + timedelta(days=int(days[number])),
                cloud_cover=clouds[number],
                off_nadir=nadirs[number],
                resolution=sizes[number],
            )
            for number, (west, south, east, north) in enumerate(boxes.tolist())
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:  # the planner statistics that autovacuum would refresh after a bulk load
        cursor.execute("ANALYZE dataserver_scene")


def time_searches(client, rng, side: float, count: int, extra: dict, centres=None) -> tuple[list[float], list[int]]:
    from shapely.geometry import box, mapping

    from dataserver.models import Scene

    # AOIs at random existing scenes, so that every search finds something.
    centres = centres or Scene.objects.order_by("?").values_list("west", "south")[:count]
    samples, totals = [], []
    for west, south in centres:
        aoi = mapping(box(west, south, west + side, south + side))
        started = time.perf_counter()
        answer = client.post("/rest/catalog/meta", {"aoi": aoi, **extra}, content_type="application/json")
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.content
        totals.append(answer.json()["total"])
    return samples, totals


def stac_file(rng: np.random.Generator, folder: Path) -> Path:
    from shapely.geometry import box, mapping

    items = [
        {
            "type": "Feature",
            "stac_version": "1.0.0",
            "id": f"import-{number}",
            "geometry": mapping(box(west, south, east, north)),
            "bbox": [west, south, east, north],
            "properties": {"datetime": "2024-05-01T10:00:00Z", "eo:cloud_cover": 12.0, "gsd": 0.5, "platform": "x"},
            "links": [],
            "assets": {"thumbnail": {"href": f"https://example.com/{number}.jpg", "type": "image/jpeg"}},
        }
        for number, (west, south, east, north) in enumerate(random_boxes(rng, IMPORT_ITEMS).tolist())
    ]
    path = folder / "items.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": items}))
    return path


def run_backend(backend: str, scenes: int) -> None:
    """Runs inside a process whose DATABASE_URL names an empty database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapflow_web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from dataserver.catalog.stac import scenes_import, stac_items
    from dataserver.models import Account

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    account = Account.with_defaults(email="bench@example.com")
    account.search_area_limit = 10**14
    token = account.new_token()
    account.save()
    client = Client(HTTP_AUTHORIZATION=f"Basic {token}")
    rng = np.random.default_rng(7)

    print(f"== {backend}: {scenes} scenes")
    filled = 0
    for share in (0.25, 0.5, 1.0):
        started = time.perf_counter()
        fill(rng, int(scenes * share) - filled, filled)
        filled = int(scenes * share)
        print(f"   filled to {filled} scenes in {time.perf_counter() - started:.1f} s")
        samples, totals = time_searches(client, rng, CITY, SEARCHES["city"], {})
        print(f"   city AOI    ({filled:>6} scenes, mean {statistics.mean(totals):6.1f} found): {percentiles(samples)}")
    samples, totals = time_searches(client, rng, COUNTRY, SEARCHES["country"], {})
    print(f"   country AOI ({filled:>6} scenes, mean {statistics.mean(totals):6.0f} found): {percentiles(samples)}")
    filtered = {"maxCloudCover": 30, "minAoiIntersectionPercent": 0.5, "sortBy": "CLOUD_COVER", "limit": 50}
    samples, totals = time_searches(client, rng, COUNTRY, SEARCHES["country"], filtered)
    print(f"   country AOI, filtered (mean {statistics.mean(totals):6.0f} found):         {percentiles(samples)}")

    # One city gets more and more scenes of its own: the latency follows the number found.
    city = (100.0, 80.0)  # north of the generated scenes
    for cluster in (100, 1000, 5000):
        corners = rng.uniform(0, CITY - 0.05, (cluster, 2)) + city
        fill(rng, cluster, filled, np.column_stack([corners, corners + 0.05]))
        filled += cluster
        samples, totals = time_searches(client, rng, CITY, 1, {}, centres=[city] * 20)
        print(f"   city AOI with {totals[0]:>5} scenes in it ({filled} scenes in all):   {percentiles(samples)}")

    with tempfile.TemporaryDirectory() as folder:
        source = stac_file(rng, Path(folder))
        timings = []
        for _ in range(IMPORT_RUNS):
            started = time.perf_counter()
            result = scenes_import(items=stac_items(str(source)), provider="imported")
            timings.append(time.perf_counter() - started)
            assert result.imported == IMPORT_ITEMS
        runs = ", ".join(f"{timing:.2f} s" for timing in timings)
        print(f"   import of {IMPORT_ITEMS} STAC items (insert, then updates): {runs}; {percentiles(timings)}")


def postgres_database(command: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'{command} DATABASE "{name}"')


def child(backend: str, database_url: str, scenes: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, __file__, "--backend", backend, "--scenes", str(scenes), "--child"], env=env, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scenes", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_backend(args.backend, args.scenes)
        return
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATASERVER_STORAGE_DIR"] = folder
        if args.backend in ("sqlite", "both"):
            child("sqlite", f"sqlite:///{folder}/bench.sqlite3", args.scenes)
        if args.backend in ("postgres", "both"):
            name = f"bench_catalog_{os.getpid()}"
            postgres_database("CREATE", name)
            try:
                child("postgres", f"{POSTGRES}/{name}", args.scenes)
            finally:
                postgres_database("DROP", name)


if __name__ == "__main__":
    main()
