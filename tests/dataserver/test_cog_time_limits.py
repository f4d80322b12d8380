"""The COG build's time limits, against a real prefork Celery worker (the pool that enforces them), with a limit of
1 s: a build that runs past it is stopped, and one whose process does not come back from a call is killed a little
later. Either way the image has no tiles, an error that says why, and no file of the build is left on disk.

A build is made to run long by pausing its process (SIGSTOP), as a GDAL call that takes minutes would hold it: the
test needs no image that takes long to build on every machine."""

import signal
import sqlite3
import time

import pytest
import requests

from tests.rasters import write_raster
from tests.uploads.stack import Stack, wait_for

STOPPED = "The COG build was stopped at its time limit of 1 s"


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, rate=None, worker=False, env={"DATASERVER_COG_TIME_LIMIT": "1"}).start()
    yield stack
    stack.stop()


def upload(stack: Stack, path) -> str:
    """Upload `path` to a new mosaic of the stack's Data API; the new image's id."""
    mosaic_id = stack.api_post("/rasters/mosaic", {"name": "Aerial"})["id"]
    with open(path, "rb") as file:
        answer = requests.post(
            f"{stack.url}/rest/rasters/mosaic/{mosaic_id}/image",
            files={"file": (path.name, file)},
            headers={"Authorization": f"Basic {stack.token}"},
            timeout=120,
        )
    answer.raise_for_status()
    return answer.json()["image_id"]


def cog_files(stack: Stack) -> list:
    """Whatever lies in the mosaics' COG folders and the scratch folder: COGs, a build's folder and its temporary
    files."""
    return [*(stack.folder / "imagery").glob("*/*/cog/**/*"), *(stack.folder / "scratch").glob("**/*")]


def building(stack: Stack, tmp_path) -> tuple[str, object]:
    """Upload an image, start the worker; once the build has begun, pause the process that runs it."""
    image_id = upload(stack, write_raster(tmp_path / "large.tif", width=3000, height=3000))
    stack.worker_start()
    wait_for(lambda: cog_files(stack), every=0.01)
    (child,) = stack.worker_processes()
    child.send_signal(signal.SIGSTOP)
    return image_id, child


def image_failed(stack: Stack, image_id: str) -> dict:
    def row():
        with sqlite3.connect(stack.folder / "db.sqlite3", timeout=10) as db:
            query = "SELECT cog_ready, cog_error FROM dataserver_image WHERE id = ?"
            ready, error = db.execute(query, (image_id.replace("-", ""),)).fetchone()
        return error and {"cog_ready": bool(ready), "cog_error": error}

    return wait_for(row, seconds=60, every=0.1)


def test_a_build_past_its_time_limit_is_stopped_and_leaves_the_image_failed_with_nothing_written(stack, tmp_path):
    image_id, child = building(stack, tmp_path)
    time.sleep(1.5)  # past the limit of 1 s, short of the kill at 2.1 s
    child.send_signal(signal.SIGCONT)
    assert image_failed(stack, image_id) == {"cog_ready": False, "cog_error": STOPPED}
    assert child.is_running(), "stopped between two calls, not killed"
    assert stack.api(f"/rasters/image/{image_id}")["cog_link"] is None
    assert cog_files(stack) == []


def test_a_build_that_does_not_come_back_is_killed_and_leaves_the_image_failed_with_nothing_written(stack, tmp_path):
    image_id, child = building(stack, tmp_path)
    assert image_failed(stack, image_id) == {"cog_ready": False, "cog_error": STOPPED}
    wait_for(lambda: not child.is_running() and stack.worker_processes(), seconds=10)  # killed, and replaced
    assert cog_files(stack) == []
    assert stack.api(f"/rasters/image/{image_id}")["cog_link"] is None
