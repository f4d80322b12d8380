"""What the production server (gunicorn, as gunicorn.conf.py runs it) logs when clients misbehave: a connection that
drops in the middle of a PATCH is a warning of one line, not an "Internal Server Error" with a traceback; a refused
tile token is one line too; tiles served are left out of the access log."""

import re
import sys
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from gunicorn.config import Config

from mapflow_web.access_log import AccessLog
from tests.rasters import write_raster

from .stack import Stack, wait_for
from .wire import Uploader

GUNICORN = [
    sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:{port}", "--workers", "1",
    "mapflow_web.wsgi",
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """One server for these tests (each looks for lines of its own in its log); no worker: nothing here is queued."""
    stack = Stack(tmp_path_factory.mktemp("server-logs"), rate=None, web=GUNICORN, worker=False).start()
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


def test_the_access_log_names_failed_tiles_and_leaves_out_served_ones(stack):
    forged = requests.get(f"{stack.url}/mosaics/{uuid.uuid4()}/tiles/3/4/3.png", params={"token": "forged"}, timeout=10)
    page = requests.get(f"{stack.url}/accounts/login/", timeout=10)
    assert forged.status_code == 403 and page.status_code == 200
    assert wait_for(lambda: '"GET /accounts/login/ HTTP/1.1" 200' in web_log(stack), seconds=5)
    assert re.search(r'"GET /mosaics/[0-9a-f-]+/tiles/3/4/3.png HTTP/1.1" 403', web_log(stack))
    assert "forged" not in web_log(stack)  # paths only: a tile URL's token is a capability
    # A tile served (200 or 304) makes no line: a map view asks for hundreds.
    log, lines = AccessLog(Config()), []
    log._access_log_enabled = True
    log.access_log.info = lambda *args: lines.append(args)
    for status, path in [(200, "/mosaics/x/tiles/3/4/3.png"), (304, "/api/v0/cogs/tiles/3/4/3.png"),
                         (404, "/mosaics/x/tiles/3/4/3.png"), (200, "/mosaics/")]:  # fmt: skip
        response = SimpleNamespace(status=f"{status} X", status_code=status, sent=0, headers=[])
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": path}
        log.access(response, SimpleNamespace(path=path, headers=[]), environ, timedelta(milliseconds=3))
    assert [args[1]["s"] for args in lines] == ["404", "200"]
