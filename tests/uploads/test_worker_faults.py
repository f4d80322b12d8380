"""Faults against a real worker process and a real Redis: the worker killed with SIGKILL in the middle of a
transfer, Redis restarted in the middle of a transfer. Each time the job ends ready with exactly one image."""

import pytest

from tests.rasters import write_raster

from .stack import Stack, wait_for
from .wire import Uploader

RATE = 3 * 1024 * 1024  # bytes a second from the worker to the Data API: a transfer of a few seconds


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, rate=RATE).start()
    yield stack
    stack.stop()


@pytest.fixture
def big_tiff(tmp_path):
    return write_raster(tmp_path / "scene.tif", width=2400, height=2300).read_bytes()  # about 16.6 MB


def upload_until_sending(stack: Stack, data: bytes) -> str:
    mosaic_id = stack.api_post("/rasters/mosaic", {"name": "Aerial"})["id"]
    Uploader(stack.url, stack.session).send(mosaic_id=mosaic_id, data=data, filename="scene.tif", chunk_size=1 << 23)

    def sending():
        job = stack.job()
        return job if job and job["state"] == "sending" and job["bytes_sent"] > 0 else None

    job = wait_for(sending, seconds=30)
    assert job["bytes_sent"] < job["size"], "caught in the middle of the transfer"
    return mosaic_id


def assert_ready_with_one_image(stack: Stack, mosaic_id: str) -> None:
    job = wait_for(lambda: (job := stack.job())["state"] in ("ready", "failed") and job, seconds=90, every=0.5)
    assert job["state"] == "ready", job["message"]
    images = stack.api(f"/rasters/mosaic/{mosaic_id}/image")
    assert [image["id"] for image in images] == [job["image_id"]]
    assert not (stack.folder / "uploads" / f"{job['id']}.part").exists()


def test_a_worker_killed_mid_transfer_leaves_the_job_to_finish_with_exactly_one_image(stack, big_tiff):
    mosaic_id = upload_until_sending(stack, big_tiff)
    stack.worker_child_kill()
    assert_ready_with_one_image(stack, mosaic_id)


def test_redis_restarted_mid_transfer_loses_no_job(stack, big_tiff):
    mosaic_id = upload_until_sending(stack, big_tiff)
    stack.redis_restart(down_seconds=1)
    assert_ready_with_one_image(stack, mosaic_id)
