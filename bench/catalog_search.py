"""Catalog search speed on a catalog as dense as real ones are where people look, against the search of 8cd5e97.

    python bench/catalog_search.py [--backend sqlite|postgres|both] [--scenes 1000000] [--baseline-samples 5]
                                   [--import-items 100000]

The generated catalog (fully, `--scenes`) holds a busy city (10,000 aerial scenes over a 0.2° square), a country
(500,000 scenes over a 6° square, but at most half the catalog, most of them clustered over 60 towns) and the rest of
the world (3,000 towns, a fifth of the scenes spread between them); 70% of the scenes are aerial-sized (0.05-0.2°),
30% satellite-sized (0.5-1°), with a tenth of the metadata unknown. The database fills to 10%, 50% and 100% of it
(every part in proportion: the busy city holds 1,000, 5,000, then 10,000 scenes), and at each step this times,
through the real HTTP API (Django test client):

- a city AOI (0.2° square) over a random town of the world, page of 100 (the default order, newest first);
- the busy city's AOI, page of 100;
- the country's AOI, page of 100 sorted by date (newest first);

each with this code's search and, in the same run on the same database, the search of commit 8cd5e97 (read from git
by `git show`, so the bench needs this repository's history), which loads every match into Python, with fewer samples
(`--baseline-samples`, 0 to skip it). Then it imports `--import-items` generated STAC items twice (inserts, then
updates in place). Rows are loaded with COPY on PostgreSQL and executemany on SQLite. PostgreSQL runs in the database
$BENCH_POSTGRES_DATABASE (default bench_catalog_<pid>) on $BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432), created for the run and dropped afterwards.
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
BASELINE_COMMIT = "8cd5e97"
FILLS = (0.1, 0.5, 1.0)
CITY, COUNTRY = 0.2, 6.0
BUSY_CITY = (2.25, 48.75)  # south-west corner of its AOI, inside the country
COUNTRY_BOX = (0.0, 44.0, 6.0, 50.0)
SAMPLES = {"city": 60, "busy": 30, "country": 20}
CHUNK = 100_000
COLUMNS = ("id", "provider_name", "scene_id", "footprint", "west", "south", "east", "north", "acquired_at",
           "cloud_cover", "off_nadir", "resolution", "product_type")  # fmt: skip
# What the baseline's search narrows scenes down by: the tallest scene (north - south) and a latitude band.
BASELINE_INDEXES = ("CREATE INDEX scene_height ON dataserver_scene ((north - south))",
                    "CREATE INDEX scene_bbox ON dataserver_scene (south, west)")  # fmt: skip
TALLEST = 'Scene.objects.order_by("-height")'
EPOCH = datetime(2019, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Part:
    """Scenes over `box` (west, south, east, north): a share `clustered` of them around `towns` (sigma 0.15°)."""

    name: str
    box: tuple[float, float, float, float]
    towns: np.ndarray
    clustered: float
    satellite: float


def catalog_parts(rng: np.random.Generator, scenes: int) -> list[tuple[Part, int]]:
    busy = min(10_000, scenes // 100)
    country = min(500_000, scenes // 2)
    west, south = BUSY_CITY
    busy_box = (west + 0.03, south + 0.03, west + CITY - 0.03, south + CITY - 0.03)
    towns = np.column_stack([rng.uniform(0.5, 5.5, 60), rng.uniform(44.5, 49.5, 60)])
    world = np.column_stack([rng.uniform(-170, 170, 3000), rng.uniform(-55, 38, 3000)])
    return [
        (Part("busy city", busy_box, np.zeros((0, 2)), 0.0, 0.0), busy),
        (Part("country", COUNTRY_BOX, towns, 0.8, 0.3), country),
        (Part("world", (-175.0, -58.0, 175.0, 40.0), world, 0.8, 0.3), scenes - busy - country),
    ]


def scene_rows(rng: np.random.Generator, part: Part, count: int, first: int) -> list[tuple]:
    """`count` scenes of `part` (their centres within its box), numbered from `first`, as rows of COLUMNS."""
    import shapely

    west, south, east, north = part.box
    centres = np.column_stack([rng.uniform(west, east, count), rng.uniform(south, north, count)])
    if len(part.towns):
        clustered = rng.random(count) < part.clustered
        towns = part.towns[rng.integers(0, len(part.towns), count)]
        centres[clustered] = towns[clustered] + rng.normal(0, 0.15, (clustered.sum(), 2))
        centres = np.clip(centres, (west, south), (east, north))
    size = np.where(rng.random(count) < part.satellite, rng.uniform(0.5, 1.0, count), rng.uniform(0.05, 0.2, count))
    half = np.column_stack([size, size * rng.uniform(0.8, 1.2, count)]) / 2
    bounds = np.column_stack([centres - half, centres + half])
    footprints = shapely.to_geojson(shapely.box(*bounds.T))
    days = rng.integers(0, 2400, count).tolist()
    unknown = rng.random((count, 3)) < 0.1
    clouds, nadirs = rng.uniform(0, 100, count), rng.uniform(0, 30, count)
    sizes = rng.choice([0.3, 0.5, 1.5, 3.0, 10.0], count)
    rows = []
    for number, (w, s, e, n) in enumerate(bounds.tolist()):
        cloud, nadir, resolution = (None if unknown[number, k] else float(v[number])
                                    for k, v in enumerate((clouds, nadirs, sizes)))  # fmt: skip
        rows.append((
            uuid.UUID(int=first + number), f"provider-{number % 5}", f"scene-{first + number}",
            footprints[number], w, s, e, n, EPOCH + timedelta(days=days[number]), cloud, nadir, resolution,
            "IMAGE",
        ))  # fmt: skip
    return rows


def load(rows: list[tuple]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY dataserver_scene ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO dataserver_scene ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                [(row[0].hex, *row[1:]) for row in rows],
            )


def search_indexes(cursor) -> list[tuple[str, str]]:
    """PostgreSQL: the indexes of the scenes but their primary key and unique ids, and the statements building them."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'dataserver_scene' AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = 'dataserver_scene'::regclass)"
    )
    return cursor.fetchall()


def fill(rng: np.random.Generator, parts: list[tuple[Part, int]], share_from: float, share_to: float, first: int):
    """Adds each part's scenes from `share_from` to `share_to` of its count; the number of the next scene. PostgreSQL
    builds the indexes again afterwards, much sooner than it would keep them up to date row by row."""
    from django.db import connection, transaction

    indexes = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            indexes = search_indexes(cursor)
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
    for part, count in parts:
        todo = int(count * share_to) - int(count * share_from)
        while todo > 0:
            chunk = min(CHUNK, todo)
            with transaction.atomic():
                load(scene_rows(rng, part, chunk, first))
            first, todo = first + chunk, todo - chunk
    with connection.cursor() as cursor:
        if indexes:
            cursor.execute("SET maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
        # What autovacuum would do after a bulk load: the planner's statistics, and (PostgreSQL) the visibility map
        # that lets an index answer alone.
        cursor.execute("VACUUM ANALYZE dataserver_scene" if connection.vendor == "postgresql" else "ANALYZE")
    return first


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:8.1f} ms  p95 {p95 * 1000:8.1f} ms"


def time_searches(client, corners, side: float, extra: dict) -> tuple[list[float], list[int]]:
    from shapely.geometry import box, mapping

    samples, totals = [], []
    for west, south in corners:
        aoi = mapping(box(west, south, west + side, south + side))
        started = time.perf_counter()
        answer = client.post("/rest/catalog/meta", {"aoi": aoi, **extra}, content_type="application/json")
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.content
        totals.append(answer.json()["total"])
    return samples, totals


def baseline_search():
    """scene_search as commit BASELINE_COMMIT had it, with the scenes' height (a column of then) computed from their
    bounds: BASELINE_INDEXES index it as that commit did."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE_COMMIT}:dataserver/catalog/scenes.py"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert TALLEST in source, f"{BASELINE_COMMIT} finds the tallest scene otherwise"
    source = source.replace(TALLEST, 'Scene.objects.annotate(height=F("north") - F("south")).order_by("-height")')
    source = source.replace("from django.db.models import Q", "from django.db.models import F, Q")
    spec = importlib.util.spec_from_loader("baseline_scenes", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{BASELINE_COMMIT}:dataserver/catalog/scenes.py", "exec"), module.__dict__)
    return module.scene_search


def time_cases(client, rng, parts, baseline_samples: int) -> None:
    from dataserver.catalog import api
    from django.db import connection

    from dataserver.catalog.scenes import EXACT_TOTAL, RTREE_EXACT_TOTAL

    exact_total = EXACT_TOTAL if connection.vendor == "postgresql" else RTREE_EXACT_TOTAL

    world = parts[2][0].towns
    towns = world[rng.integers(0, len(world), SAMPLES["city"])] - CITY / 2
    country = [COUNTRY_BOX[:2]] * SAMPLES["country"]
    cases = [
        ("city AOI, a town       ", towns.tolist(), CITY, {}),
        ("city AOI, the busy city", [BUSY_CITY] * SAMPLES["busy"], CITY, {}),
        ("country AOI, by date   ", country, COUNTRY, {"sortBy": "ACQUISITION_DATE", "sortOrder": "DESC"}),
    ]
    current, baseline = api.scene_search, baseline_search()
    for label, corners, side, extra in cases:
        samples, totals = time_searches(client, corners, side, {"limit": 100, **extra})
        line = f"   {label} (mean {statistics.mean(totals):8.0f} found): {percentiles(samples)}"
        if baseline_samples:
            api.scene_search = baseline
            try:
                old, old_totals = time_searches(client, corners[:baseline_samples], side, {"limit": 100, **extra})
            finally:
                api.scene_search = current
            exact = [(old, new) for old, new in zip(old_totals, totals) if new <= exact_total]
            assert all(old == new for old, new in exact), (old_totals, totals[:baseline_samples])
            ratio = statistics.median(old) / statistics.median(samples)
            line += f"   | {BASELINE_COMMIT}: {percentiles(old)}  (p50 ratio {ratio:5.1f})"
            if old_totals != totals[:baseline_samples]:
                line += f"   total past {exact_total} not exact; {BASELINE_COMMIT} counted {old_totals[0]}"
        print(line, flush=True)


def stac_items(rng: np.random.Generator, count: int):
    import pystac

    parts = catalog_parts(rng, count)
    for part, share in parts:
        for first in range(0, share, CHUNK):
            for row in scene_rows(rng, part, min(CHUNK, share - first), first):
                west, south, east, north = row[4:8]
                value = dict(zip(COLUMNS, row))
                yield pystac.Item(
                    id=f"import-{part.name}-{row[2]}",
                    geometry={"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                                  [west, north], [west, south]]]},  # fmt: skip
                    bbox=[west, south, east, north],
                    datetime=value["acquired_at"],
                    properties={"eo:cloud_cover": value["cloud_cover"], "gsd": value["resolution"], "platform": "x"},
                )


def time_import(count: int) -> None:
    from dataserver.catalog.stac import scenes_import

    runs = []
    for _ in range(2):
        started = time.perf_counter()
        result = scenes_import(items=stac_items(np.random.default_rng(11), count), provider="imported")
        runs.append(time.perf_counter() - started)
        assert result.imported == count, result.skipped[:3]
    print(f"   import of {count} generated STAC items: {runs[0]:.1f} s ({count / runs[0]:.0f}/s) inserting, "
          f"{runs[1]:.1f} s ({count / runs[1]:.0f}/s) updating in place", flush=True)  # fmt: skip


def run_backend(backend: str, scenes: int, baseline_samples: int, import_items: int) -> None:
    """Runs inside a process whose DATABASE_URL names an empty database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mapflow_web.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from dataserver.models import Account

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        for statement in BASELINE_INDEXES:
            cursor.execute(statement)
    account = Account.with_defaults(email="bench@example.com")
    account.search_area_limit = 10**14
    token = account.new_token()
    account.save()
    client = Client(HTTP_AUTHORIZATION=f"Basic {token}")
    rng = np.random.default_rng(7)
    parts = catalog_parts(rng, scenes)

    print(f"== {backend}: up to {scenes} scenes ({', '.join(f'{part.name} {count}' for part, count in parts)})")
    samples, _ = time_searches(client, [BUSY_CITY] * SAMPLES["busy"], CITY, {"limit": 100})
    print(f"   any AOI on the empty catalog (what a request costs on this machine now): {percentiles(samples)}")
    filled, number = 0.0, 0
    for share in FILLS:
        started = time.perf_counter()
        number = fill(rng, parts, filled, share, number)
        filled = share
        print(f"   filled to {number} scenes ({share:.0%}) in {time.perf_counter() - started:.0f} s", flush=True)
        time_cases(client, rng, parts, baseline_samples)
    if import_items:
        time_import(import_items)


def postgres_database(command: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=10) as connection:
        connection.execute(f'{command} DATABASE "{name}"')


def child(backend: str, database_url: str, args) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [sys.executable, __file__, "--backend", backend, "--scenes", str(args.scenes), "--child",
               "--baseline-samples", str(args.baseline_samples), "--import-items", str(args.import_items)]  # fmt: skip
    subprocess.run(command, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scenes", type=int, default=1_000_000)
    parser.add_argument("--baseline-samples", type=int, default=5)
    parser.add_argument("--import-items", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_backend(args.backend, args.scenes, args.baseline_samples, args.import_items)
        return
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATASERVER_STORAGE_DIR"] = folder
        if args.backend in ("sqlite", "both"):
            child("sqlite", f"sqlite:///{folder}/bench.sqlite3", args)
        if args.backend in ("postgres", "both"):
            name = os.environ.get("BENCH_POSTGRES_DATABASE", f"bench_catalog_{os.getpid()}")
            postgres_database("CREATE", name)
            try:
                child("postgres", f"{POSTGRES}/{name}", args)
            finally:
                postgres_database("DROP", name)


if __name__ == "__main__":
    main()
