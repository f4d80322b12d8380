"""In a real browser, names that people and imported catalogs choose are shown as text on every map: an image named
like markup does not become an element (a script's tag, or a fake "sign in again" link) in a tooltip, a popup or a
panel."""

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import acme, eventually  # noqa: F401  (the fixture)
from tests.rasters import COGEO

pytestmark = pytest.mark.e2e

HOSTILE = '<a href="/accounts/login/" id="fake-link">Session expired: sign in again</a><img src=x onerror="window.pwned=1">'
INJECTED = "#fake-link, .leaflet-pane img[src='x'], .leaflet-popup img[src='x']"


def test_an_image_named_like_markup_shows_as_text_in_the_mosaic_maps_tooltip(page, acme):  # noqa: F811
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name=HOSTILE)
    uploaded = api.mosaic_upload_image(mosaic.id, file=COGEO, filename="field.tif")
    api.image_rename(uploaded.image_id, name=f"{HOSTILE}.tif")
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOSTILE)
    box = page.locator("#mosaic-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text(f"{HOSTILE}.tif")
    assert page.locator(INJECTED).count() == 0
    assert page.evaluate("window.pwned") is None
    assert eventually(lambda: page.locator("#images-table").inner_text().count("tiles ready") == 1)
    assert page.locator(INJECTED).count() == 0
