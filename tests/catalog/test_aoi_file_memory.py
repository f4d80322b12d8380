"""Hostile area files sent to a real gunicorn worker, as an attacker would: each is refused with a sentence naming
the limit it passed, and the worker's peak memory grows by less than 100 MB while it reads the file, a 1 GiB
expansion included. The peak is the kernel's high-water mark of the worker (VmHWM), reset before each request."""

import re
import sys
from pathlib import Path

import pytest
import requests
from shapely.geometry import shape

from tests.uploads.stack import Stack

from . import hostile_files as hostile

MB = 10**6
GROWTH_LIMIT = 100 * MB
CSRF = "c" * 32
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", "127.0.0.1:{port}", "-w", "1",
            "--access-logfile", "/dev/null", "mapflow_web.wsgi:application"]  # fmt: skip


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("aoi-files")


@pytest.fixture(scope="module")
def web(folder):
    """The site under gunicorn (one worker), warmed up with one good file of each format."""
    stack = Stack(folder, rate=None, web=GUNICORN, worker=False).start()
    good = {
        "area.kmz": hostile.zip_write(folder / "area.kmz", {"doc.kml": hostile.KML_HEAD + hostile.placemark(
            hostile.SQUARE) + hostile.KML_TAIL}),
        "area.zip": hostile.zip_write(folder / "area.zip", hostile.shapefile_parts()),
    }  # fmt: skip
    for path in good.values():
        assert send(stack, path).status_code == 200
    for name, content in [("area.geojson", '{"type": "Point", "coordinates": [1, 2]}'), ("area.wkt", "POINT (1 2)")]:
        (folder / name).write_text(content)
        assert send(stack, folder / name).status_code == 400  # a point is no area, but the reader ran
    yield stack
    stack.stop()


def send(stack: Stack, path: Path) -> requests.Response:
    with open(path, "rb") as file:
        return requests.post(
            f"{stack.url}/catalog/aoi-file",
            files={"file": (path.name, file)},
            cookies={"sessionid": stack.session, "csrftoken": CSRF},
            headers={"X-CSRFToken": CSRF},
            timeout=300,
        )


def _kilobytes(status: str, field: str) -> int:
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1))


def sent_with_peak_growth(stack: Stack, path: Path) -> tuple[requests.Response, int]:
    """The answer to `path`, and by how many bytes the worker's resident memory rose at its highest meanwhile."""
    (worker,) = stack.web_processes()
    proc = Path(f"/proc/{worker.pid}")
    (proc / "clear_refs").write_text("5")  # the high-water mark starts again from the present size
    before = _kilobytes((proc / "status").read_text(), "VmRSS")
    answer = send(stack, path)
    return answer, (_kilobytes((proc / "status").read_text(), "VmHWM") - before) * 1024


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (hostile.kmz_unpacking_to_a_gib, "bomb.kmz unpacks to more than 50 MB"),
        (hostile.shapefile_with_a_gib_shp, "big-shp.zip unpacks to more than 50 MB"),
        (hostile.kmz_with_a_tag_that_never_ends, "endless.kmz holds a tag, an attribute or a comment longer than 1 MB"),
        (hostile.kmz_with_a_million_vertices, "million.kmz has more than 100,000 vertices"),
        (hostile.geojson_with_400_000_vertices, "detailed.geojson has more than 100,000 vertices"),
        (hostile.geojson_of_three_million_arrays, "arrays.geojson holds more than 800,000 JSON values"),
        (hostile.geojson_nested_a_million_deep, "deep.geojson is nested more than 64 levels deep"),
        (hostile.wkt_nested_100_000_deep, "deep.wkt is nested more than 64 levels deep"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_a_hostile_area_file_is_refused_with_the_limit_it_passed_and_memory_stays_bounded(
    web, folder, build, message
):
    answer, growth = sent_with_peak_growth(web, build(folder))
    assert answer.status_code == 400, answer.text[:500]
    assert message in answer.json()["error"]
    assert growth < GROWTH_LIMIT, f"the worker grew by {growth / MB:.0f} MB"


def test_a_shapefile_whose_attribute_table_unpacks_to_a_gib_gives_its_area_without_reading_the_table(web, folder):
    answer, growth = sent_with_peak_growth(web, hostile.shapefile_with_a_gib_dbf(folder))
    assert answer.status_code == 200, answer.text[:500]
    assert shape(answer.json()["geometry"]).equals(hostile.SQUARE)
    assert growth < GROWTH_LIMIT, f"the worker grew by {growth / MB:.0f} MB"
