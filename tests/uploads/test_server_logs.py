"""What the production server (gunicorn, as gunicorn.conf.py runs it) logs when clients misbehave: a connection that
drops in the middle of a PATCH is a warning of one line, not an "Internal Server Error" with a traceback; a refused
tile token is one line too."""

import re
import sys
import uuid

import pytest
import requests

from tests.rasters import write_raster

from .stack import Stack, wait_for
from .wire import Uploader

GUNICORN = [
    sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:{port}", "--workers", "1",
    "mapflow_web.wsgi",
]


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path, rate=None, web=GUNICORN).start()
    yield stack
    stack.stop()


def web_log(stack) -> str:
    return (stack.folder / "web.log").read_text(errors="replace")


def test_a_patch_cut_off_midway_is_a_one_line_warning(stack, tmp_path):
    data = write_raster(tmp_path / "big.tif", width=300, height=300).read_bytes()
    mosaic = stack.api_post("/rasters/mosaic", {"name": "Cut", "tags": []})
    uploader = Uploader(stack.url, stack.session)
    path = uploader.create(mosaic_id=mosaic["id"], filename="big.tif", size=len(data))
    uploader.patch_cut(path, data[:200_000], 0, after=50_000, reset=True)
    assert wait_for(lambda: "broke" in web_log(stack), seconds=10)
    log = web_log(stack)
    assert "Internal Server Error" not in log and "Traceback" not in log
    assert re.search(r"WARNING uploads The connection broke after \d+ of 200000 bytes of a chunk of big.tif", log)
    # What arrived before the reset is kept, and the upload goes on from there.
    offset = uploader.offset(path)
    assert 0 <= offset <= 50_000
    assert uploader.patch(path, data[offset:], offset) == 204 and uploader.offset(path) == len(data)


def test_a_refused_tile_token_is_logged_without_a_traceback(stack):
    answer = requests.get(f"{stack.url}/mosaics/{uuid.uuid4()}/tiles/3/4/3.png", params={"token": "forged"}, timeout=10)
    assert answer.status_code == 403 and "not valid" in answer.text
    assert wait_for(lambda: "WARNING django.request Forbidden: /mosaics/" in web_log(stack), seconds=5)
    assert "Traceback" not in web_log(stack)
