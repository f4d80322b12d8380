"""In a real browser: two mosaics of the same place side by side, a red one on the left of the divider and a blue
one on its right, read from a screenshot of the map; the divider moves by keyboard, the right mosaic's opacity
shows the left one through it, and the URL keeps both."""

import io

import pytest
from PIL import Image as PILImage
from playwright.sync_api import expect

from mosaics.selectors import footprint_bounds
from mosaics.signed_tiles import tile_token_make
from teams.clients import client_for
from tests.dataserver.catalog_scenes import make_scene
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import acme, eventually  # noqa: F401  (acme: a fixture)
from tests.rasters import write_raster

pytestmark = pytest.mark.e2e

LOADED = """() => ["left", "right"].every((side) => {
  const tiles = document.querySelectorAll(`.compare-${side} img`);
  return tiles.length > 0 && [...tiles].every((img) => img.classList.contains("leaflet-tile-loaded"));
})"""


def colour_at(page, fraction: float) -> str:
    """'red', 'blue' or 'other': the colour of the map's screenshot at `fraction` of its width, below the handle."""
    box = page.locator("#compare-map").bounding_box()
    shot = PILImage.open(io.BytesIO(page.screenshot())).convert("RGB")
    red, green, blue = shot.getpixel((int(box["x"] + box["width"] * fraction), int(box["y"] + box["height"] * 0.6)))
    if red > 180 and green < 80 and blue < 80:
        return "red"
    if blue > 180 and red < 80 and green < 80:
        return "blue"
    return "other"


def test_two_mosaics_side_by_side_each_shows_its_own_tiles(page, acme, tmp_path):  # noqa: F811
    api = client_for(team=acme)
    ids = {}
    for name, colour in (("Last year", (255, 0, 0)), ("This year", (0, 0, 255))):
        mosaic = api.mosaic_create(name=name, tags=[])
        api.mosaic_upload_image(
            mosaic.id, file=write_raster(tmp_path / f"{name}.tif", width=64, height=64, colour=colour)
        )
        ids[name] = mosaic.id
    sign_in(page, "alice")
    page.goto(f"/mosaics/{ids['Last year']}/")
    page.get_by_role("link", name="Compare").click()
    page.get_by_label("Right: a mosaic").select_option(label="This year")
    page.get_by_role("button", name="Compare").click()
    assert eventually(lambda: page.evaluate(LOADED))
    page.wait_for_timeout(300)  # the tiles' fade-in
    assert (colour_at(page, 0.47), colour_at(page, 0.53)) == ("red", "blue")

    divider = page.get_by_label("Divider between the left and the right layer")
    for _ in range(5):
        divider.press("ArrowLeft")  # focuses the divider first, as Tab would
    assert eventually(lambda: "split=0.45" in page.url), (divider.input_value(), page.url)
    page.wait_for_timeout(100)
    assert (colour_at(page, 0.43), colour_at(page, 0.47), colour_at(page, 0.53)) == ("red", "blue", "blue")

    page.get_by_label("Opacity of the right layer").fill("0")
    assert eventually(lambda: "opacity=0" in page.url)
    page.wait_for_timeout(100)
    assert (colour_at(page, 0.47), colour_at(page, 0.53)) == ("red", "red")  # the left one, through the right

    page.reload()  # the URL keeps the comparison
    expect(page.get_by_label("Right: a mosaic")).to_have_value(ids["This year"])
    assert eventually(lambda: page.evaluate(LOADED))
    page.wait_for_timeout(300)
    assert (colour_at(page, 0.43), colour_at(page, 0.47)) == ("red", "red")
    assert page.console_errors == []


def test_a_mosaic_beside_a_catalog_scenes_tiles(page, acme, live_server, tmp_path):  # noqa: F811
    """The scene's preview is XYZ tiles from its provider: here the signed tiles of a blue mosaic of the same place."""
    api = client_for(team=acme)
    ids = {}
    for name, colour in (("Red", (255, 0, 0)), ("Blue", (0, 0, 255))):
        mosaic = api.mosaic_create(name=name, tags=[])
        api.mosaic_upload_image(mosaic.id, file=write_raster(tmp_path / f"{name}.tif", width=64, height=64, colour=colour))
        ids[name] = mosaic.id
    token = tile_token_make(team_id=acme.pk, mosaic_id=ids["Blue"], days=1)
    tiles = f"{live_server.url}/mosaics/{ids['Blue']}/tiles/{{z}}/{{x}}/{{y}}.png?token={token}"
    footprint = footprint_bounds(api.mosaic_get(ids["Blue"]).footprint)
    make_scene("PROVIDER_SCENE_1", bounds=footprint, preview_type="xyz", preview_url=tiles)

    sign_in(page, "alice")
    page.goto(f"/mosaics/compare/?left={ids['Red']}&right_scene=PROVIDER_SCENE_1")
    expect(page.get_by_label("Right: or a catalog scene id")).to_have_value("PROVIDER_SCENE_1")
    assert eventually(lambda: page.evaluate(LOADED))
    page.wait_for_timeout(300)
    assert (colour_at(page, 0.47), colour_at(page, 0.53)) == ("red", "blue")
    assert page.console_errors == []
