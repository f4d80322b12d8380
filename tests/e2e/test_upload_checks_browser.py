"""In a real browser: a file that cannot join the mosaic is refused by the page itself, from its first bytes, before
any byte is sent (a PNG named .tif, a GeoTIFF with no CRS, one in another CRS or with other bands than the mosaic's
first image), in under a second and in words that say what is wrong and what the mosaic expects."""

import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import acme  # noqa: F401  (a fixture)
from tests.rasters import COGEO, write_raster
from uploads.models import UploadJob

pytestmark = pytest.mark.e2e


def tus_requests(page) -> list:
    """Every request the page makes to the upload endpoint, as it makes it."""
    seen = []
    page.on("request", lambda request: "/uploads/tus/" in request.url and seen.append(request))
    return seen


def refused_in_under_a_second(page, files, expected: dict[str, str]) -> None:
    rows = page.locator("[data-upload-files] [data-upload-failed]")
    started = time.monotonic()
    page.locator("#upload-files").set_input_files([str(path) for path in files])
    expect(rows).to_have_count(len(expected), timeout=5000)
    elapsed = time.monotonic() - started
    for name, reason in expected.items():
        expect(page.locator(f'[data-upload-file="{name}"] [data-upload-status]')).to_have_text(reason)
    assert elapsed < 1.0, f"the page took {elapsed:.2f} s to refuse the files"


def test_a_png_named_tif_and_a_geotiff_without_a_crs_are_refused_before_a_byte_is_sent(page, acme, tmp_path):  # noqa: F811
    mosaic = client_for(team=acme).mosaic_create(name="Empty", tags=[])
    noise = np.random.default_rng(1).integers(0, 255, (800, 800, 3), dtype=np.uint8)
    png = tmp_path / "photo.tif"
    Image.fromarray(noise).save(png, "PNG")  # some 1.9 MB
    plain = write_raster(tmp_path / "plain.tif", crs=None, width=1200, height=1000)  # 3.6 MB, no CRS
    assert png.stat().st_size > 1_000_000 and plain.stat().st_size > 1_000_000

    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    sent = tus_requests(page)
    refused_in_under_a_second(page, [png, plain], {
        "photo.tif": "photo.tif is a PNG image, not a GeoTIFF",
        "plain.tif": "plain.tif has no CRS (coordinate reference system), which the Data API needs",
    })
    page.wait_for_timeout(500)
    assert sent == [] and not UploadJob.objects.exists()
    assert page.console_errors == []


def test_files_unlike_the_mosaics_first_image_are_refused_naming_what_it_expects(page, acme, tmp_path):  # noqa: F811
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name="Drone", tags=[])
    api.mosaic_upload_image(mosaic.id, file=COGEO)  # EPSG:3857, 3 bands, pixels of 0.597164
    size = 0.5971640348434448
    files = [
        write_raster(tmp_path / "wgs84.tif", crs="EPSG:4326", width=1000, height=1000),
        write_raster(tmp_path / "grey.tif", crs="EPSG:3857", count=1, pixel_size=size, width=1000, height=1000),
        write_raster(tmp_path / "coarse.tif", crs="EPSG:3857", pixel_size=2.0, width=1000, height=1000),
    ]

    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    sent = tus_requests(page)
    refused_in_under_a_second(page, files, {
        "wgs84.tif": "wgs84.tif is in EPSG:4326; the mosaic's images are in EPSG:3857",
        "grey.tif": "grey.tif has 1 band; the mosaic's images have 3",
        "coarse.tif": "coarse.tif has pixels of 2 x 2; the mosaic's images have 0.597164 x 0.597164",
    })
    page.wait_for_timeout(500)
    assert sent == [] and not UploadJob.objects.exists()
    assert page.console_errors == []
