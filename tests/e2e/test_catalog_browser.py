"""In a real browser: draw an area over the NAIP fixture scenes, search, follow footprints and rows both ways, open a
preview, reload, go back, export."""

import io
import json
import math
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from teams.models import Role, Team
from tests.catalog.conftest import naip  # noqa: F401  (the NAIP fixture scenes)
from tests.conftest import make_account
from tests.dataserver.catalog_scenes import make_scene
from tests.e2e.test_frame_browser import sign_in
from tests.teams.conftest import connect, join, make_user

pytestmark = pytest.mark.e2e
# The map opens over the NAIP scenes on the Montana / British Columbia border.
START = "/catalog/?view=49.02,-115.85,10"


def png(color: tuple[int, int, int, int], size: int = 256) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (size, size), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def previews(page):
    """NAIP previews (on the provider's host) are a red image. Requests are recorded."""
    red = png((255, 0, 0, 255), 64)
    sent = []

    def preview(route):
        sent.append(route.request)
        route.fulfill(body=red, content_type="image/png")

    page.route("https://planetarycomputer.microsoft.com/**", preview)
    return sent


@pytest.fixture
def alice(live_api, settings, naip):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    alice = make_user("alice")
    acme = Team.objects.create(name="Acme")
    join(alice, acme, Role.ADMIN)
    _, token = make_account("acme@example.com")
    connect(acme, api_url=live_api, token=token)
    make_scene("overlap", provider="sky", bounds=(-115.9, 48.98, -115.8, 49.06))  # over the NAIP scenes at the centre
    return alice


def draw_rectangle(page, *, half_width: int = 150, half_height: int = 60) -> None:
    """Drag a rectangle around the middle of the map."""
    page.locator(".leaflet-draw-draw-rectangle").click()
    box = page.locator("#catalog-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - half_width, y - half_height)
    page.mouse.down()
    page.mouse.move(x, y, steps=5)
    page.mouse.move(x + half_width, y + half_height, steps=5)
    page.mouse.up()


def scene_rows(page) -> list[str]:
    return page.locator("#results-table tbody tr").evaluate_all("rows => rows.map(row => row.dataset.scene)")


def map_centre(page) -> tuple[float, float]:
    box = page.locator("#catalog-map").bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_alice_searches_naip_scenes_on_the_map_and_shares_the_search(page, alice, previews):
    sign_in(page, "alice")
    page.goto(START)
    draw_rectangle(page)
    expect(page.locator("#aoi-area")).to_contain_text(re.compile(r"Area: [\d,.]+ km²"))
    page.get_by_role("button", name="Search").click()

    rows = page.locator("#results-table tbody tr")
    expect(rows.first).to_be_visible()
    found = scene_rows(page)
    assert len(found) >= 4
    expect(page.locator("#results-summary")).to_contain_text(f"of {len(found)}")
    assert "area=" in page.url and "aoi=" not in page.url and "view=" in page.url

    # A footprint under the mouse highlights its row; a row under the mouse highlights its footprint.
    x, y = map_centre(page)
    page.mouse.move(x, y)
    expect(page.locator("#results-table tr.hovered")).to_have_count(1)
    page.mouse.move(x, y - 300)  # off the footprints
    canvas = page.locator(".leaflet-overlay-pane canvas")
    pixels = "canvas => canvas.toDataURL()"  # (a screenshot would inject a style the CSP refuses)
    before = canvas.evaluate(pixels)
    rows.nth(0).hover()
    expect(rows.nth(0)).to_have_class("hovered")
    assert canvas.evaluate(pixels) != before

    # A click where footprints overlap offers a pick-list of their scenes.
    page.mouse.click(x, y)
    pick = page.locator(".scene-pick button")
    expect(pick.filter(has_text="sky")).to_have_count(1)
    assert pick.count() >= 2
    pick.filter(has_text="naip").first.click()
    details = page.locator("#scene-details")
    expect(details).to_be_visible()
    expect(details).to_contain_text("naip")
    selected = page.locator("#scene-id").input_value()
    assert selected in found
    expect(page.locator(f'#results-table tr[data-scene="{selected}"]')).to_have_attribute("aria-selected", "true")
    expect(page.locator(".leaflet-preview-pane img.leaflet-image-layer")).to_have_count(1)
    expect(page.locator("#scene-preview")).to_have_text("Preview shown on the map.")
    assert previews and all(
        "authorization" not in request.headers and "cookie" not in request.headers for request in previews
    )

    # A reload keeps the whole search, the selected scene included.
    searched = page.url
    assert f"scene={selected}" in searched
    page.reload()
    expect(rows.first).to_be_visible()
    expect(page.locator("#scene-id")).to_have_value(selected)
    assert scene_rows(page) == found and page.url == searched
    expect(page.locator("#aoi-area")).to_contain_text("km²")

    # Sorting is another search in the history; the back button returns to the first one.
    page.get_by_role("link", name="Provider").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Provider")
    assert "sort=provider" in page.url
    page.go_back()
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("Date")
    assert scene_rows(page) == found and "sort=provider" not in page.url

    with page.expect_download() as download:
        page.get_by_role("link", name="Export GeoJSON").click()
    exported = json.loads(open(download.value.path()).read())
    assert sorted(feature["id"] for feature in exported["features"]) == sorted(found)
    assert page.console_errors == []


def test_a_file_sets_the_area_and_one_over_the_limit_is_flagged_before_searching(page, alice, previews, tmp_path):
    sign_in(page, "alice")
    page.goto(START)
    small = tmp_path / "area.geojson"
    triangle = [[[-116, 49], [-115.9, 49], [-115.9, 49.05], [-116, 49]]]
    small.write_text(json.dumps({"type": "Polygon", "coordinates": triangle}))
    page.locator("#aoi-file").set_input_files(small)
    expect(page.locator("#aoi-area")).to_contain_text(re.compile(r"Area: [12]\d km²"))
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-table tbody tr").first).to_be_visible()

    huge = tmp_path / "huge.wkt"
    huge.write_text("POLYGON ((0 0, 20 0, 20 20, 0 20, 0 0))")
    page.locator("#aoi-file").set_input_files(huge)
    expect(page.locator("#aoi-error")).to_contain_text("over your team's search limit of 500,000 km²")
    expect(page.get_by_role("button", name="Search")).to_be_disabled()

    broken = tmp_path / "broken.kml"
    broken.write_text("<kml>")
    page.locator("#aoi-file").set_input_files(broken)
    expect(page.locator("#aoi-error")).to_contain_text("broken.kml is not valid KML")
    assert all("400" in error for error in page.console_errors)


@pytest.mark.parametrize("vertices", [1000, 10_000])
def test_a_detailed_area_from_a_file_is_searched_and_its_link_stays_short(page, alice, previews, tmp_path, vertices):
    """A city boundary has hundreds to thousands of vertices: the search works from the page, with a short link."""
    sign_in(page, "alice")
    page.goto(START)
    ring = [[-115.85 + 0.2 * math.cos(2 * math.pi * i / (vertices - 1)), 49.02 + 0.12 * math.sin(2 * math.pi * i / (vertices - 1))]
            for i in range(vertices - 1)]
    area = tmp_path / "city.geojson"
    area.write_text(json.dumps({"type": "Polygon", "coordinates": [ring + [ring[0]]]}))
    page.locator("#aoi-file").set_input_files(area)
    expect(page.locator("#aoi-area")).to_contain_text("km²")
    if vertices > 1000:
        expect(page.locator("#aoi-note")).to_contain_text(f"Simplified for the search from {vertices:,} to")
    else:
        expect(page.locator("#aoi-note")).to_have_text("")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-table tbody tr").first).to_be_visible()
    assert len(scene_rows(page)) >= 11
    assert "area=" in page.url and len(page.url) < 400
    page.reload()
    expect(page.locator("#results-table tbody tr").first).to_be_visible()
    assert len(scene_rows(page)) >= 11
    assert page.console_errors == []


HOSTILE = '<a href="/accounts/login/" id="fake-link">Session expired: sign in again</a><img src=x onerror="window.pwned=1">'


def test_names_an_imported_catalog_gives_show_as_text_in_the_pick_list_and_the_panel(page, alice, previews):
    make_scene("hostile", provider=HOSTILE[:64], sensor=HOSTILE, sat_id=HOSTILE, bounds=(-115.9, 48.98, -115.8, 49.06))
    sign_in(page, "alice")
    page.goto(START)
    draw_rectangle(page)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-table tbody tr").first).to_be_visible()
    page.mouse.click(*map_centre(page))
    pick = page.locator(".scene-pick button")
    expect(pick.filter(has_text="Session expired")).to_have_count(1)
    pick.filter(has_text="Session expired").click()
    expect(page.locator("#scene-details")).to_contain_text(HOSTILE)
    assert page.locator("#fake-link, img[src='x']").count() == 0
    assert page.evaluate("window.pwned") is None
