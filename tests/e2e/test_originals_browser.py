"""In a real browser, a viewer downloads images' originals from the mosaic page, one and several at once; each file is
byte for byte the image (its SHA-1 is the image's checksum), and the page never holds the team's token."""

import hashlib
import time
from pathlib import Path

import pytest
import rasterio
from playwright.sync_api import expect

from teams.clients import client_for
from teams.models import Role, Team
from tests.conftest import make_account
from tests.e2e.test_frame_browser import sign_in
from tests.rasters import COGEO, write_raster
from tests.teams.conftest import connect, join, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def acme(live_api, settings):
    """Acme, where bob is a viewer, with a mosaic of two images."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = Team.objects.create(name="Acme")
    join(make_user("bob"), team, Role.VIEWER)
    _, token = make_account("acme@example.com")
    connect(team, api_url=live_api, token=token)
    return team


def sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def test_a_viewer_downloads_an_original_and_then_both_selected(page, acme, tmp_path):
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name="Fields")
    api.mosaic_upload_image(mosaic.id, file=COGEO)
    with rasterio.open(COGEO) as src:  # a second image like the first one
        north = write_raster(tmp_path / "north.tif", crs="EPSG:3857", pixel_size=src.transform.a)
    api.mosaic_upload_image(mosaic.id, file=north)
    checksums = {image.filename: image.checksum for image in api.mosaic_images(mosaic.id)}

    sign_in(page, "bob")
    page.goto(f"/mosaics/{mosaic.id}/")
    expect(page.locator("#images-table")).to_contain_text("tiles ready")
    assert acme.credential.token not in page.content()

    with page.expect_download() as one:
        page.get_by_role("link", name="Download the original of cogeo.tif").click()
    download = one.value
    assert download.suggested_filename == "cogeo.tif"
    assert sha1(Path(download.path())) == checksums["cogeo.tif"] == sha1(COGEO)

    button = page.get_by_role("button", name="Download selected originals")
    expect(button).to_be_disabled()
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.get_by_label("Select every image that can be downloaded").check()
    expect(button).to_be_enabled()
    button.click()
    deadline = time.monotonic() + 15
    while len(downloads) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert {item.suggested_filename: sha1(Path(item.path())) for item in downloads} == checksums
    expect(page.locator("#download-status")).to_have_text("Started 2 of 2 downloads.")
    assert page.console_errors == []
