"""In a real browser at 1366x768: an upload says how fast it goes and how long it has left, and the mosaic list shows
which mosaics are receiving uploads."""

import re

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import acme  # noqa: F401  (a fixture)
from tests.rasters import write_raster

pytestmark = pytest.mark.e2e
CHUNK = 256 * 1024


def test_an_upload_shows_its_speed_and_time_left_and_the_list_shows_its_mosaic_receiving(page, acme, settings, tmp_path):  # noqa: F811
    settings.UPLOADS_CHUNK_SIZE = CHUNK
    settings.UPLOADS_DIR = tmp_path / "uploads"
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name="Survey", tags=[])
    api.mosaic_create(name="Idle", tags=[])
    big = write_raster(tmp_path / "big.tif", crs="EPSG:3857", width=1000, height=1000)  # 3 MB

    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 300_000,
    })
    page.locator("#upload-files").set_input_files(str(big))
    status = page.locator('[data-upload-file="big.tif"] [data-upload-status]')
    pace = re.compile(r"Uploading to us: \d+% · \d+(\.\d)? kB/s · \d+ s left")
    expect(status).to_have_text(pace, timeout=15_000)

    page.goto("/mosaics/")
    table = page.locator("#mosaic-table")
    expect(table.locator("tr", has_text="Survey")).to_contain_text("receiving 1 upload")
    expect(table.locator("tr", has_text="Idle")).not_to_contain_text("receiving")
    assert page.console_errors == []
