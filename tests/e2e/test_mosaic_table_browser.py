"""In a real browser at 1366x768: the mosaic's images table fits beside the map (a long file name is cut with an
ellipsis and shown whole in its title; the Tiles and action columns stay on screen), every control shows a focus
ring when reached by keyboard, and Esc closes every dialog."""

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import acme  # noqa: F401  (a fixture)
from tests.rasters import COGEO

pytestmark = pytest.mark.e2e
LONG_NAME = "drone-flight-over-the-northern-fields-2026-06-01-orthomosaic-rgb-final-v3.tif"

# The focused element's ring: an outline, or Bootstrap's focus shadow (a label stands in for its hidden input).
FOCUS_RING = """() => {
  let element = document.activeElement;
  if (element.matches(".visually-hidden")) element = element.closest("label") || document.querySelector(`label[for="${element.id}"]`);
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
  return { ring: outline || style.boxShadow !== "none", name: element.id || element.textContent.trim().slice(0, 40) };
}"""


@pytest.fixture
def mosaic(acme):  # noqa: F811
    api = client_for(team=acme)
    mosaic = api.mosaic_create(name="Fields", tags=[])
    image_id = api.mosaic_upload_image(mosaic.id, file=COGEO).image_id
    api.image_rename(image_id, name=LONG_NAME)
    return mosaic


def test_the_images_table_fits_beside_the_map_with_long_names_cut(page, mosaic):
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    table = page.locator("#images-table")
    expect(table).to_contain_text("tiles ready")
    wrapper = page.locator("#images .table-responsive")
    assert wrapper.evaluate("(box) => box.scrollWidth <= box.clientWidth"), "the table scrolls sideways"
    name = table.locator("[data-image-name]")
    expect(name).to_have_attribute("title", LONG_NAME)
    assert name.evaluate("(cell) => cell.scrollWidth > cell.clientWidth"), "the long name is cut"
    cut = "(cell) => [getComputedStyle(cell).whiteSpace, getComputedStyle(cell).textOverflow]"
    assert name.evaluate(cut) == ["nowrap", "ellipsis"], "the name stays on one line, cut with an ellipsis"
    for element in [table.get_by_role("columnheader", name="Tiles"), table.get_by_role("button", name=f"Delete {LONG_NAME}")]:
        box = element.bounding_box()
        assert box and box["x"] + box["width"] <= 1366, f"{element} is off-screen"


def test_every_control_of_the_mosaic_page_shows_a_focus_ring(page, mosaic):
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    expect(page.locator("#images-table")).to_contain_text("tiles ready")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break  # past the last control
        focused = page.evaluate(FOCUS_RING)
        seen.append(focused["name"])
        assert focused["ring"], f"{focused['name']} has no visible focus ring"
    assert "Drop GeoTIFF files here or choose files" in seen and "Copy tile URL" in seen, " | ".join(seen)


def test_load_file_shows_a_focus_ring(page, acme):  # noqa: F811
    sign_in(page, "alice")
    page.goto("/catalog/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "aoi-file":
            break
    focused = page.evaluate(FOCUS_RING)
    assert focused["name"] == "Load file…" and focused["ring"]


def test_esc_closes_every_dialog_of_the_mosaic_page(page, mosaic):
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    expect(page.locator("#images-table")).to_contain_text("tiles ready")
    openers = {
        "tile-url-dialog": page.get_by_role("button", name="Copy tile URL"),
        "mosaic-dialog": page.get_by_role("button", name="Rename or tag"),
        "lightbox": page.get_by_role("button", name=f"Large preview of {LONG_NAME}"),
    }
    for dialog_id, opener in openers.items():
        opener.click()
        dialog = page.locator(f"#{dialog_id}")
        expect(dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    assert page.console_errors == []
