"""A saved search's run in a real worker process, killed with SIGKILL midway through its areas: the broker
redelivers it (late acknowledgement) and the run that completes flags each new scene once per area, nothing twice."""

import sqlite3
import subprocess

import pytest

from tests.uploads.stack import MANAGE, Stack, wait_for

from .conftest import NAIP, new_scenes_file

STRIPS = 12  # areas, west to east over the border: a run of a few seconds through the throttled relay
CREATE = """
from django.contrib.auth import get_user_model
from catalog.aoi_files import NamedArea
from searches import services
from shapely.geometry import box, mapping
from teams.models import Team
width = 0.5 / {strips}
areas = [NamedArea(name=f"strip {{n}}", geometry=mapping(box(-116.1 + n * width, 48.95, -116.1 + (n + 1) * width,
                                                             49.1))) for n in range({strips})]
services.saved_search_create(team=Team.objects.get(), user=get_user_model().objects.get(), name="Strips",
                             filters={{}}, areas=areas, follow=False)
"""
RUN = "from searches.tasks import saved_search_run; saved_search_run.delay({pk})"


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, rate=6000).start()  # 6 KB/s towards the API: each search's request takes a while
    yield stack
    stack.stop()


def manage(stack: Stack, *args: str) -> None:
    subprocess.run([*MANAGE, *args], env=stack.env, check=True, capture_output=True)


def query(stack: Stack, sql: str) -> list[tuple]:
    with sqlite3.connect(stack.folder / "db.sqlite3", timeout=10) as db:
        return db.execute(sql).fetchall()


def checked_at(stack: Stack):
    rows = query(stack, "SELECT checked_at FROM searches_savedsearch")
    return rows[0][0] if rows else None


def test_a_run_killed_midway_and_redelivered_flags_each_new_scene_once(stack, tmp_path):
    manage(stack, "dataserver_catalog", "import", str(NAIP), "--provider", "naip")
    manage(stack, "shell", "-c", CREATE.format(strips=STRIPS))
    first = wait_for(lambda: checked_at(stack), seconds=120, every=0.2)  # the first run records what there is
    baseline = query(stack, "SELECT count(*) FROM searches_seenscene")[0][0]

    path, ids = new_scenes_file(tmp_path, 11)  # over every strip
    manage(stack, "dataserver_catalog", "import", path, "--provider", "naip")
    pk = query(stack, "SELECT id FROM searches_savedsearch")[0][0]
    # Not waited for: the task may be over before the command's own process has ended.
    queuing = subprocess.Popen([*MANAGE, "shell", "-c", RUN.format(pk=pk)], env=stack.env)

    def some_new_recorded():
        count = query(stack, "SELECT count(*) FROM searches_seenscene WHERE is_new")[0][0]
        return count if count and checked_at(stack) == first else None

    at_kill = wait_for(some_new_recorded, seconds=60, every=0.02)
    stack.worker_child_kill()
    wait_for(lambda: checked_at(stack) != first, seconds=120, every=0.2)
    queuing.wait(timeout=60)

    rows = query(stack, "SELECT area_id, scene_id, is_new FROM searches_seenscene")
    new = [(area, scene) for area, scene, is_new in rows if is_new]
    assert {scene for _, scene in new} == set(ids)
    assert len(rows) == len({(area, scene) for area, scene, _ in rows}) == baseline + len(new)
    assert 0 < at_kill < len(new), "killed between two areas' records, not before or after the run"
    log = (stack.folder / "worker.log").read_text()
    assert "WorkerLostError" in log or "exited prematurely" in log or "signal 9" in log
