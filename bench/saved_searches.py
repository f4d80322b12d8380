"""Saved searches at scale: a round of runs of many active saved searches over a large catalog, and the CPU it costs
the Celery worker.

    python bench/saved_searches.py [--searches 1000] [--scenes 1000000] [--teams 50] [--period-minutes 60]

Starts the site under gunicorn (one worker, the self-hosted Data API in it), a Celery worker (one child) and a Redis
of their own (tests/uploads/stack.py) on a fresh SQLite database in a temporary folder, all removed on exit. Fills
the catalog with `--scenes` generated scenes spread over the globe (bench/catalog_search.py), creates `--searches`
saved searches with one city-sized area (0.2°) each at random scenes, spread over `--teams` teams, then:

- round 1: every search's first run (it records what its area has);
- round 2: after 1% more scenes are imported, every search's next run (it flags the new ones).

For each round: wall seconds until every search has run, the worker's CPU seconds (main process and child), CPU ms
per run, scenes recorded and flagged, and the worker's average share of one core if the round repeats every
`--period-minutes` (the target: under 0.5). The yardstick, in the same run: the same searches sent by a bare loop of
`requests` calls from this process (its CPU per search), and the ratio of the worker's CPU per run to it.
"""

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
from celery import Celery

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.uploads.stack import MANAGE, Stack, wait_for  # noqa: E402  (processes and files only: no Django models)

FILL = """
import sys
sys.path.insert(0, {bench!r})
import numpy as np
from catalog_search import fill
rng = np.random.default_rng({seed})
for start in range({start}, {start} + {count}, 100_000):
    fill(rng, min(100_000, {start} + {count} - start), start)
"""
CREATE = """
import json, random
from django.utils import timezone
from shapely.geometry import box, mapping
from dataserver.models import Scene
from searches.models import SavedArea, SavedSearch
from teams.models import Credential, Team
random.seed(7)
credential = Credential.objects.get()
teams = [credential.team]
for number in range(1, {teams}):
    team = Team.objects.create(name=f"Team {{number}}")
    Credential.objects.create(team=team, api_url=credential.api_url, token_encrypted=credential.token_encrypted,
                              last_four=credential.last_four, checked_at=credential.checked_at)
    teams.append(team)
ids = [f"scene-{{random.randrange({scenes})}}" for _ in range({searches})]
corners = list(Scene.objects.filter(scene_id__in=ids).values_list("west", "south"))
while len(corners) < {searches}:
    corners += corners
now = timezone.now()
searches = SavedSearch.objects.bulk_create(
    SavedSearch(team=teams[number % len(teams)], name=f"search {{number}}", next_run_at=now)
    for number in range({searches})
)
SavedArea.objects.bulk_create(
    SavedArea(saved_search=search, name="area", geometry=mapping(box(west, south, west + 0.2, south + 0.2)))
    for search, (west, south) in zip(searches, corners)
)
print(json.dumps([area.geometry for area in SavedArea.objects.order_by("pk")]))
"""


def manage_shell(stack: Stack, code: str) -> str:
    import subprocess

    done = subprocess.run([*MANAGE, "shell", "-c", code], env=stack.env, check=True, capture_output=True, text=True)
    return done.stdout


def query(stack: Stack, sql: str):
    with sqlite3.connect(stack.folder / "db.sqlite3", timeout=30) as db:
        return db.execute(sql).fetchall()


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def worker_processes(stack: Stack) -> list[psutil.Process]:
    main = psutil.Process(stack.processes["worker"].pid)
    return [main, *main.children(recursive=True)]


def run_round(stack: Stack, broker: Celery, searches: int) -> dict:
    """Make every search due, queue the dispatcher, and wait until every search has run since."""
    (before,) = query(stack, "SELECT coalesce(max(checked_at), '') FROM searches_savedsearch")[0]
    query(stack, "UPDATE searches_savedsearch SET next_run_at = '2000-01-01 00:00:00'")
    scenes_before, new_before = query(stack, "SELECT count(*), coalesce(sum(is_new), 0) FROM searches_seenscene")[0]
    workers = worker_processes(stack)
    cpu, web_cpu, started = cpu_seconds(workers), cpu_seconds(stack.web_processes()), time.monotonic()
    broker.send_task("searches.tasks.saved_searches_dispatch")

    def done():
        sql = f"SELECT count(*) FROM searches_savedsearch WHERE checked_at > '{before}'"
        failing = query(stack, "SELECT count(*) FROM searches_savedsearch WHERE failures > 0")[0][0]
        if failing:
            raise RuntimeError(f"{failing} searches failed: see {stack.folder / 'worker.log'}")
        return query(stack, sql)[0][0] == searches

    wait_for(done, seconds=24 * 3600, every=0.5)
    wall = time.monotonic() - started
    worker_cpu = cpu_seconds(workers) - cpu
    scenes, new = query(stack, "SELECT count(*), coalesce(sum(is_new), 0) FROM searches_seenscene")[0]
    return {
        "wall_s": round(wall, 1),
        "worker_cpu_s": round(worker_cpu, 1),
        "worker_cpu_ms_per_run": round(1000 * worker_cpu / searches, 1),
        "api_cpu_s": round(cpu_seconds(stack.web_processes()) - web_cpu, 1),
        "scenes_recorded": scenes - scenes_before,
        "scenes_flagged": new - new_before,
    }


def yardstick(stack: Stack, areas: list[dict]) -> dict:
    """The same searches from a bare loop of requests (one page of up to 500 results each)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Basic {stack.token}"
    cpu, started = time.process_time(), time.monotonic()
    for area in areas:
        answer = session.post(f"{stack.url}/rest/catalog/meta", json={"aoi": area, "limit": 500}, timeout=60)
        answer.raise_for_status()
    return {
        "wall_s": round(time.monotonic() - started, 1),
        "client_cpu_ms_per_search": round(1000 * (time.process_time() - cpu) / len(areas), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--scenes", type=int, default=1_000_000)
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--period-minutes", type=float, default=60)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="searches-bench-"))
    web = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", "127.0.0.1:{port}", "-w", "1",
           "--access-logfile", "/dev/null", "mapflow_web.wsgi"]
    env = {"LOG_LEVEL": "WARNING", "SEARCHES_TEAM_RUNS_PER_DISPATCH": str(args.searches),
           "SEARCHES_DISPATCH_SECONDS": "1", "DATA_API_READ_TIMEOUT": "120"}
    stack = Stack(folder, rate=None, web=web, env=env)
    try:
        stack.start()
        started = time.monotonic()
        manage_shell(stack, FILL.format(bench=str(REPO / "bench"), seed=1, start=0, count=args.scenes))
        print(f"catalog: {args.scenes:,} scenes filled in {time.monotonic() - started:.0f} s", flush=True)
        areas = json.loads(manage_shell(stack, CREATE.format(teams=args.teams, scenes=args.scenes,
                                                             searches=args.searches)).strip().splitlines()[-1])
        broker = Celery(broker=stack.env["REDIS_URL"])
        period = args.period_minutes * 60
        rows = {}
        rows["round 1 (first runs)"] = run_round(stack, broker, args.searches)
        more = max(1, args.scenes // 100)
        manage_shell(stack, FILL.format(bench=str(REPO / "bench"), seed=2, start=args.scenes, count=more))
        rows[f"round 2 (+{more:,} scenes)"] = run_round(stack, broker, args.searches)
        stick = yardstick(stack, areas)
        print(f"{args.searches:,} saved searches in {args.teams} teams, {args.scenes:,} scenes; "
              f"period {args.period_minutes:g} min")
        for name, row in rows.items():
            row["worker_cores_over_period"] = round(row["worker_cpu_s"] / period, 4)
            row["ratio_to_bare_loop"] = round(row["worker_cpu_ms_per_run"] / stick["client_cpu_ms_per_search"], 1)
            print(f"{name}: " + "  ".join(f"{key} {value}" for key, value in row.items()), flush=True)
        print("yardstick (bare requests loop, same searches): " + "  ".join(f"{k} {v}" for k, v in stick.items()))
        print(json.dumps({"rounds": rows, "yardstick": stick}))
    finally:
        stack.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.chdir(REPO)
    main()
