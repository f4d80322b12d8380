"""The self-hosted Data API on machines that share no disk: two web processes and two Celery workers, each with a
working folder of its own, against one database, one Redis and one S3 object store (moto's server on loopback).

An upload through one web process has its COG built by a worker while the other web process serves its tiles and
its download; a worker killed in the middle of a build leaves it to the other one."""

import hashlib
import io
import os
import signal
import subprocess
import sys

import morecantile
import psutil
import pytest
import requests
from PIL import Image as PILImage

from tests.conftest import s3_storage_use
from tests.rasters import write_raster
from tests.uploads.stack import MANAGE, ROOT, Stack, free_port, wait_for

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")


class Node:
    """One machine's process (a web server or a worker) with its own working folder."""

    def __init__(self, stack: Stack, name: str, command: list[str]) -> None:
        self.folder = stack.folder / name
        (self.folder / "scratch").mkdir(parents=True)
        env = {**stack.env, "DATASERVER_SCRATCH_DIR": str(self.folder / "scratch"), "UPLOADS_DIR": str(self.folder)}
        env.pop("DATASERVER_STORAGE_DIR")
        self.log = open(self.folder / "log", "ab")
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def building(self) -> bool:
        return any((self.folder / "scratch").iterdir())

    def kill(self) -> None:
        """The machine is gone: the process and its children, at once."""
        for child in psutil.Process(self.process.pid).children(recursive=True):
            child.kill()
        self.process.kill()
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process.poll() is None:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                child.kill()
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)
        self.log.close()


def web(stack: Stack, name: str) -> tuple[Node, str]:
    port = free_port()
    return Node(stack, name, [*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"]), f"http://127.0.0.1:{port}"


def worker(stack: Stack, name: str) -> Node:
    command = [sys.executable, "-m", "celery", "-A", "mapflow_web", "worker", "--pool=prefork", "--concurrency=1",
               "--without-gossip", "--without-mingle", "-n", f"{name}-{stack.web_port}@%h", "-l", "INFO"]
    return Node(stack, name, command)


@pytest.fixture
def cluster(tmp_path, s3_endpoint, settings):
    bucket = s3_storage_use(settings, s3_endpoint)
    env = {
        "DATASERVER_STORAGE_URL": f"s3://{bucket}/imagery",
        "DATASERVER_S3_ENDPOINT_URL": s3_endpoint,
        "DATASERVER_S3_PUBLIC_URL": s3_endpoint,
        # a task whose worker vanished is handed to another after this many seconds
        "CELERY_VISIBILITY_TIMEOUT": "5",
        **{name: os.environ[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")},
    }
    stack = Stack(tmp_path, rate=None, worker=False, env=env).start()  # Redis, the database, the first web process
    nodes = []
    try:
        second, second_url = web(stack, "web-b")
        nodes.append(second)
        wait_for(lambda: stack._answers(f"{second_url}/healthz"), seconds=90)
        nodes += [worker(stack, "worker-a"), worker(stack, "worker-b")]
        yield stack, second_url, nodes
    finally:
        for node in nodes:
            node.stop()
        stack.stop()


def test_an_upload_through_one_web_process_is_built_by_a_worker_and_served_by_the_other(cluster, tmp_path, s3_endpoint):
    stack, other_url, nodes = cluster
    workers = nodes[1:]
    auth = {"Authorization": f"Basic {stack.token}"}
    path = write_raster(tmp_path / "field.tif", width=3000, height=3000)
    mosaic_id = stack.api_post("/rasters/mosaic", {"name": "Aerial"})["id"]
    with open(path, "rb") as file:
        answer = requests.post(f"{stack.url}/rest/rasters/mosaic/{mosaic_id}/image", files={"file": file},
                               headers=auth, timeout=120)
    assert answer.status_code == 200, answer.text
    image_id = answer.json()["image_id"]

    builder = wait_for(lambda: next((node for node in workers if node.building()), None), seconds=60, every=0.02)
    builder.kill()  # in the middle of its build
    survivor = next(node for node in workers if node is not builder)

    def image():
        return requests.get(f"{other_url}/rest/rasters/image/{image_id}", headers=auth, timeout=10).json()

    done = wait_for(lambda: image()["cog_link"] and image(), seconds=120, every=0.5)
    assert done["cog_link"].startswith("s3://")
    survivor.log.flush()
    assert "image_build_cog" in (survivor.folder / "log").read_text() and "succeeded" in (
        survivor.folder / "log"
    ).read_text(), "the other worker finished the build"

    layer = requests.get(f"{other_url}/rest/rasters/mosaic/{mosaic_id}", headers=auth, timeout=10).json()
    tilejson = requests.get(layer["rasterLayer"]["tileJsonUrl"].replace(stack.url, other_url), timeout=30).json()
    west, south, east, north = tilejson["bounds"]
    tile = WEB_MERCATOR.tile((west + east) / 2, (south + north) / 2, tilejson["maxzoom"])
    tile_url = tilejson["tiles"][0].format(z=tile.z, x=tile.x, y=tile.y)
    assert tile_url.startswith(other_url)
    png = requests.get(tile_url, timeout=30)
    assert png.status_code == 200
    assert PILImage.open(io.BytesIO(png.content)).convert("RGBA").getchannel("A").getextrema()[1] == 255

    link = requests.get(f"{other_url}/rest/rasters/image/{image_id}/download", headers=auth, timeout=10).json()
    download = requests.get(link["download_url"].replace(stack.url, other_url), timeout=60)
    assert download.url.startswith(s3_endpoint)  # redirected to a presigned URL: the store sends the bytes
    body = download.content
    assert hashlib.sha1(body).hexdigest() == done["checksum"] == hashlib.sha1(path.read_bytes()).hexdigest()
    for node in nodes:  # (the killed worker's machine keeps what it was building when it went)
        if node is not builder:
            assert not any((node.folder / "scratch").iterdir()), f"{node.folder.name} keeps nothing of the imagery"
