"""In a real browser: create a mosaic, rename it, see an uploaded image's tiles on the map, open its large preview,
delete the image (to the trash), delete the mosaic for good; without a page reload where htmx does the work."""

import time

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from teams.models import Role, Team
from tests.conftest import make_account
from tests.e2e.test_frame_browser import sign_in
from tests.rasters import COGEO
from tests.teams.conftest import connect, join, make_user

pytestmark = pytest.mark.e2e

# Drawn in the page: how many pixels of the loaded mosaic tiles are not transparent.
OPAQUE_PIXELS = """() => {
  let opaque = 0;
  for (const img of document.querySelectorAll(".mosaic-tiles img.leaflet-tile-loaded")) {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque++;
  }
  return opaque;
}"""


def eventually(check, seconds: float = 15) -> bool:
    """Whether `check()` becomes true within `seconds` (polled: waiting functions need eval, which the CSP forbids)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def acme(live_api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = Team.objects.create(name="Acme")
    join(make_user("alice"), team, Role.ADMIN)
    _, token = make_account("acme@example.com")
    connect(team, api_url=live_api, token=token)
    return team


def test_alice_manages_a_mosaic_and_sees_its_tiles(page, acme):
    sign_in(page, "alice")
    page.get_by_role("link", name="Mosaics").click()
    expect(page.get_by_text("No mosaics yet.")).to_be_visible()
    page.wait_for_load_state()  # the page's scripts run before its buttons do anything (a cold browser is slow)
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="New mosaic", exact=True).click()
    dialog = page.locator("#mosaic-dialog")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog.get_by_role("alert")).to_contain_text("This field is required.")
    dialog.get_by_label("Name").fill("Fields")
    dialog.get_by_label("Tags").fill("drone, 2024")
    dialog.get_by_role("button", name="Create").click()
    expect(dialog).to_be_hidden()
    table = page.locator("#mosaic-table")
    expect(table.get_by_role("link", name="Fields")).to_be_visible()
    expect(table).to_contain_text("drone")

    page.get_by_role("button", name="Edit Fields").click()
    expect(dialog.get_by_label("Name")).to_have_value("Fields")
    dialog.get_by_label("Name").fill("Fields 2024")
    dialog.get_by_role("button", name="Save").click()
    expect(table.get_by_role("link", name="Fields 2024")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    api = client_for(team=acme)
    (mosaic,) = api.mosaic_list()
    api.mosaic_upload_image(mosaic.id, file=COGEO)

    table.get_by_role("link", name="Fields 2024").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fields 2024")
    expect(page.locator("#images-table")).to_contain_text("tiles ready")
    assert eventually(lambda: page.evaluate(OPAQUE_PIXELS) > 1000)
    page.locator("#images-table tr[data-image]").hover()
    expect(page.locator("#images-table tr.table-active")).to_have_count(1)

    page.get_by_role("button", name="Large preview of cogeo.tif").click()
    lightbox = page.locator("#lightbox")
    expect(lightbox).to_be_visible()
    assert eventually(lambda: page.evaluate("document.getElementById('lightbox-image').naturalWidth") > 256)
    lightbox.get_by_role("button", name="Close").click()

    page.get_by_role("button", name="Delete cogeo.tif").click()
    expect(dialog).to_contain_text("go to the team's trash")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(page.locator("#images")).to_contain_text("No images in this mosaic yet.")

    page.get_by_role("button", name="Delete mosaic").click()
    expect(dialog).to_contain_text("Fields 2024 and its 1 image")  # (the image in the trash is still stored)
    dialog.get_by_label("Delete for good now").check()
    dialog.get_by_label("To delete for good, type the name").fill("Fields 2024")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("No mosaics yet.")).to_be_visible()
    assert api.mosaic_list() == []
    # The browser logs the 422 of the invalid form; nothing else may fail.
    assert [error for error in page.console_errors if "422" not in error] == []
