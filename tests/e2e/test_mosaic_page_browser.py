"""In a real browser at 1366x768 with a real Celery worker: the mosaic page stays true without a reload. An upload
cut off, the page reloaded (its unfinished upload offered), the file dropped again: once its image is ready the map
fits it, the header's count and size, the unfinished uploads and the storage gauge follow at once, and its row turns
green only then; after the image is deleted, the header and the gauge say so. A map the user has moved stays where
it is when an image comes."""

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import OPAQUE_PIXELS, acme, eventually  # noqa: F401  (acme: a fixture)
from tests.e2e.test_uploads_browser import east_neighbour
from tests.rasters import COGEO
from tests.worker import celery_worker

pytestmark = pytest.mark.e2e
CHUNK = 64 * 1024


def test_the_page_follows_an_upload_to_its_tiles_and_a_deletion_without_a_reload(page, acme, settings, tmp_path):  # noqa: F811
    settings.UPLOADS_CHUNK_SIZE = CHUNK
    settings.UPLOADS_DIR = tmp_path / "uploads"
    mosaic = client_for(team=acme).mosaic_create(name="Drone", tags=[])
    patches = []

    def cut_after_first_chunk(route):
        if route.request.method != "PATCH":
            return route.continue_()
        patches.append(route.request.url)
        return route.continue_() if len(patches) == 1 else route.abort("connectionreset")

    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    summary, gauge = page.locator("#mosaic-summary"), page.locator("#storage-gauge")
    expect(summary).to_have_text("0 images, 0 B")
    expect(gauge).to_contain_text("Storage: 0 B of 50 GB")
    page.route("**/uploads/tus/**", cut_after_first_chunk)
    page.locator("#upload-files").set_input_files(str(COGEO))
    for _ in range(150):  # Playwright runs the route handler only while the test waits through it
        if len(patches) > 1:
            break
        page.wait_for_timeout(100)
    assert len(patches) > 1, "the first chunk went up, then the connection broke"
    page.reload()
    page.unroute("**/uploads/tus/**")
    resume = page.locator("[data-upload-resume]")
    expect(resume).to_contain_text("cogeo.tif: 21% of 298.2 kB received")
    page.evaluate("window.notReloaded = true")

    with celery_worker():
        page.locator("#upload-files").set_input_files(str(COGEO))
        expect(resume).to_be_hidden(timeout=15_000)  # received whole: no longer unfinished
        row = page.locator('[data-upload-file="cogeo.tif"] [data-upload-status]')
        expect(row).not_to_have_class("small text-success")
        expect(page.locator("#upload-jobs [data-state=ready]")).to_have_count(1, timeout=90_000)
        expect(row).to_have_text("Ready: its tiles are on the map")
        expect(row).to_have_class("small text-success")
    expect(summary).to_have_text("1 image, 298.2 kB")
    expect(gauge).to_contain_text("Storage: 298.2 kB of 50 GB")
    expect(page.locator("#images-table")).to_contain_text("tiles ready")
    assert eventually(lambda: page.evaluate(OPAQUE_PIXELS) > 20_000), "the map fitted the new image"

    page.get_by_role("button", name="Delete cogeo.tif").click()
    page.locator("#mosaic-dialog").get_by_role("button", name="Delete", exact=True).click()  # to the trash
    expect(page.locator("#images")).to_contain_text("No images in this mosaic yet.")
    expect(summary).to_have_text("0 images, 0 B")
    expect(gauge).to_contain_text("Storage: 298.2 kB of 50 GB (0%), 298.2 kB of it in the trash")
    assert page.evaluate("window.notReloaded") is True
    assert [error for error in page.console_errors if "ERR_CONNECTION_RESET" not in error] == []


def test_a_new_image_leaves_a_map_the_user_has_moved_where_it_is(page, acme, tmp_path):  # noqa: F811
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name="Drone", tags=[])
    api.mosaic_upload_image(mosaic.id, file=COGEO)
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    footprints = page.locator("#mosaic-map path.leaflet-interactive")
    expect(footprints).to_have_count(1)
    page.get_by_role("button", name="Zoom out").click()
    page.wait_for_timeout(500)  # the zoom's animation
    before = footprints.first.bounding_box()

    api.mosaic_upload_image(mosaic.id, file=east_neighbour(tmp_path / "east.tif"))
    page.evaluate("document.body.dispatchEvent(new CustomEvent('mosaics-images-changed'))")
    expect(footprints).to_have_count(2)
    assert footprints.first.bounding_box() == before, "the map stayed where the user put it"
