"""In a real browser: an image deleted from its mosaic's page leaves the table and the map's tiles at once; restored
from the trash page, its tiles are back."""

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import OPAQUE_PIXELS, acme, eventually  # noqa: F401  (acme: a fixture)
from tests.rasters import COGEO

pytestmark = pytest.mark.e2e


def test_alice_deletes_an_image_sees_it_gone_and_restores_it(page, acme):  # noqa: F811
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name="Fields", tags=[])
    api.mosaic_upload_image(mosaic.id, file=COGEO)
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    assert eventually(lambda: page.evaluate(OPAQUE_PIXELS) > 1000)

    page.get_by_role("button", name="Delete cogeo.tif").click()
    dialog = page.locator("#mosaic-dialog")
    expect(dialog).to_contain_text("restorable for 7 days")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("#images")).to_contain_text("No images in this mosaic yet.")
    assert eventually(lambda: page.evaluate(OPAQUE_PIXELS) == 0)
    page.reload()  # the frame's gauge is drawn with each page
    expect(page.locator("#storage-gauge")).to_contain_text("298.2 kB of it in the trash")

    page.locator("#storage-gauge").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trash")
    expect(page.get_by_text("Deletes made outside the dashboard")).to_be_visible()
    page.get_by_role("button", name="Restore cogeo.tif").click()
    expect(page.get_by_text("cogeo.tif restored.")).to_be_visible()
    expect(page.get_by_text("The trash is empty.")).to_be_visible()

    page.goto(f"/mosaics/{mosaic.id}/")
    expect(page.locator("#images-table")).to_contain_text("cogeo.tif")
    assert eventually(lambda: page.evaluate(OPAQUE_PIXELS) > 1000)
    assert page.console_errors == []
