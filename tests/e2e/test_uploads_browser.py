"""In a real browser with a real Celery worker: two GeoTIFFs dropped on a mosaic, the page reloaded while they are
still going up, both resumed, and both images' tiles on the map."""

import pytest
import rasterio
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import OPAQUE_PIXELS, acme, eventually  # noqa: F401  (acme: a fixture)
from tests.rasters import COGEO
from tests.worker import celery_worker

pytestmark = pytest.mark.e2e
CHUNK = 64 * 1024


def east_neighbour(path):
    """cogeo.tif moved one image width east: same CRS, bands and pixel size, so the mosaic takes both."""
    with rasterio.open(COGEO) as src:
        profile = src.profile | {"transform": src.transform * src.transform.translation(src.width, 0)}
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(src.read())
    return path


def test_two_files_go_up_survive_a_reload_resume_and_show_their_tiles(page, acme, settings, tmp_path):  # noqa: F811
    settings.UPLOADS_CHUNK_SIZE = CHUNK
    settings.UPLOADS_DIR = tmp_path / "uploads"
    mosaic = client_for(team=acme).mosaic_create(name="Drone", tags=[])
    files = [str(COGEO), str(east_neighbour(tmp_path / "east.tif"))]
    patches: dict[str, int] = {}  # PATCH requests per upload

    def cut_after_first_chunk(route):
        if route.request.method != "PATCH":
            return route.continue_()
        patches[route.request.url] = patches.get(route.request.url, 0) + 1
        if patches[route.request.url] == 1:
            return route.continue_()
        route.abort("connectionreset")  # the connection drops for every later chunk of each file

    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    page.route("**/uploads/tus/**", cut_after_first_chunk)
    page.locator("#upload-files").set_input_files(files)
    for _ in range(150):  # Playwright runs the route handler only while the test waits through it
        if len(patches) == 2 and min(patches.values()) > 1:
            break
        page.wait_for_timeout(100)
    assert len(patches) == 2 and min(patches.values()) > 1, "both files started going up, then lost the connection"

    page.reload()  # with the connection still cut: a retry of the old page must not finish a file meanwhile
    page.unroute("**/uploads/tus/**")
    resume = page.locator("[data-upload-resume]")
    expect(resume).to_be_visible()
    expect(resume).to_contain_text("cogeo.tif")
    expect(resume).to_contain_text("east.tif")

    with celery_worker():
        page.locator("#upload-files").set_input_files(files)
        jobs = page.locator("#upload-jobs")
        assert eventually(lambda: jobs.locator("[data-state=ready]").count() == 2, seconds=90), jobs.inner_text()
        page.reload()
        expect(page.locator("#images-table")).to_contain_text("cogeo.tif")
        expect(page.locator("#images-table")).to_contain_text("east.tif")
        expect(page.locator("#images-table .badge", has_text="tiles ready")).to_have_count(2)
    assert eventually(lambda: page.evaluate(OPAQUE_PIXELS) > 1000)
    assert client_for(team=acme).mosaic_get(mosaic.id).image_count == 2
    assert [error for error in page.console_errors if "ERR_CONNECTION_RESET" not in error] == []


def test_new_mosaic_from_files_names_the_mosaic_then_sends_both_files_into_it(page, acme, settings, tmp_path):  # noqa: F811
    settings.UPLOADS_DIR = tmp_path / "uploads"
    files = [str(COGEO), str(east_neighbour(tmp_path / "east.tif"))]
    sign_in(page, "alice")
    page.goto("/mosaics/")
    page.locator("#upload-files").set_input_files(files)
    dialog = page.locator("#mosaic-dialog")
    expect(dialog).to_contain_text("New mosaic from 2 files")
    expect(dialog.get_by_label("Name")).to_have_value("cogeo")
    dialog.get_by_label("Name").fill("Survey 2026")
    dialog.get_by_role("button", name="Create and upload").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#mosaic-table")).to_contain_text("Survey 2026")
    into = page.locator("[data-upload-into]")
    expect(into).to_contain_text("Uploading into Survey 2026")

    with celery_worker():
        expect(page.locator("[data-upload-file] [data-upload-status]", has_text="Received")).to_have_count(2)
        into.get_by_role("link", name="Survey 2026").click()
        jobs = page.locator("#upload-jobs")
        assert eventually(lambda: jobs.locator("[data-state=ready]").count() == 2, seconds=90), jobs.inner_text()
    mosaic = next(m for m in client_for(team=acme).mosaic_list() if m.name == "Survey 2026")
    assert mosaic.image_count == 2
    assert page.console_errors == []
