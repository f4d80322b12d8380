"""In a real browser: draw an area over the NAIP fixture scenes, search, follow footprints and rows both ways, open a
preview, reload, go back, export."""

import io
import json
import math
import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from shapely import wkt
from shapely.geometry import mapping

from dataserver.models import Account
from teams.clients import client_for
from teams.models import Role, Team
from tests.catalog.conftest import naip  # noqa: F401  (the NAIP fixture scenes)
from tests.conftest import make_account
from tests.dataserver.catalog_scenes import make_scene
from tests.e2e.test_frame_browser import sign_in
from tests.rasters import COGEO
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


SEARCH_TIMEOUT = 20_000  # ms: a search with its own-imagery look-ups, on a loaded machine


def search_in(page, tmp_path, polygon: dict) -> None:
    """Set the area from a GeoJSON file and search."""
    area = tmp_path / "area.geojson"
    area.write_text(json.dumps(polygon))
    page.locator("#aoi-file").set_input_files(area)
    expect(page.locator("#aoi-area")).to_contain_text("km²")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-table tbody tr").first).to_be_visible(timeout=SEARCH_TIMEOUT)


NAIP_BOX = {"type": "Polygon", "coordinates": [[[-116.1, 48.95], [-115.6, 48.95], [-115.6, 49.1], [-116.1, 49.1],
                                                  [-116.1, 48.95]]]}
# Whether any header's text is cut (wider than its cell).
HEADERS_CUT = "ths => ths.filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent.trim())"


def test_results_are_readable_at_1366_by_768(page, alice, previews, tmp_path):
    make_scene("cloudy", provider="sky", bounds=(-115.9, 48.98, -115.8, 49.06), cloud_cover=49.164228)
    sign_in(page, "alice")
    page.goto(START)
    search_in(page, tmp_path, NAIP_BOX)

    # The filters fold away and the results get the height: more than fifteen rows show at once.
    expect(page.locator("#filters")).not_to_have_attribute("open", "")
    scroll = page.locator(".results-scroll").bounding_box()
    assert scroll["height"] > 15 * 28 and scroll["y"] + scroll["height"] <= 768
    headers = page.locator("#results-table th")
    assert headers.evaluate_all(HEADERS_CUT) == []
    expect(headers.nth(1)).to_have_text("Scene")

    # The scene column shows the provider's id; percentages show one decimal.
    row = page.locator('#results-table tr[data-scene="cloudy"]')
    expect(row.locator("td.scene-name")).to_have_text("cloudy")
    expect(row.locator("td").nth(5)).to_have_text("49.2")
    assert re.fullmatch(r"\d+\.\d", row.locator("td").nth(7).inner_text())

    # Thumbnails of the quicklooks load in the rows.
    thumbs = page.locator("#results-table td.thumb img")
    expect(thumbs.first).to_be_visible()
    assert thumbs.first.evaluate("img => img.complete && img.naturalWidth > 0")

    # The pick-list and the scene panel name scenes by their ids.
    page.mouse.click(*map_centre(page))
    pick = page.locator(".scene-pick button")
    expect(pick.first).to_be_visible()
    labels = pick.all_inner_texts()
    assert len(set(labels)) == len(labels) and any(label.startswith("cloudy · ") for label in labels)
    pick.filter(has_text="cloudy").click()
    expect(page.locator("#scene-id")).to_have_value("cloudy")
    expect(page.locator("#scene-meta")).to_contain_text("49.2 %")

    # Esc closes the panel and gives the focus back to the scene's row.
    page.locator("#scene-copy").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#scene-details")).to_be_hidden()
    assert "scene=" not in page.url
    assert page.console_errors == []


def test_own_imagery_rows_show_the_file_its_date_and_pixel_size(page, alice, previews, tmp_path):
    api = client_for(team=Team.objects.get(name="Acme"))
    mosaic = api.mosaic_create(name="Fields 2024")
    image_id = api.mosaic_upload_image(mosaic.id, file=COGEO).image_id
    image = api.image_get(image_id)
    sign_in(page, "alice")
    page.goto("/catalog/")
    search_in(page, tmp_path, mapping(wkt.loads(image.footprint).buffer(-0.0001)))

    image_row = page.locator(f'#results-table tr[data-scene="{image_id}"]')
    cells = image_row.locator("td")
    expect(cells.nth(1)).to_have_text(image.filename)
    expect(cells.nth(2)).to_have_text(image.uploaded_at.strftime("%Y-%m-%d"))
    expect(cells.nth(3)).to_have_text("My imagery: images")
    assert re.fullmatch(r"\d+(\.\d{1,2})?", cells.nth(4).inner_text())
    mosaic_cells = page.locator(f'#results-table tr[data-scene="{mosaic.id}"] td')
    expect(mosaic_cells.nth(1)).to_have_text("Fields 2024")
    expect(mosaic_cells.nth(3)).to_have_text("My imagery: mosaics")

    # The thumbnail and the preview come through the dashboard: no link of the Data API reaches the page.
    thumb = image_row.locator("td.thumb img")
    assert thumb.get_attribute("src") == f"/images/{image_id}/preview/s"
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") > 0
    image_row.click()
    expect(page.locator("#scene-meta")).to_contain_text(image.filename)
    expect(page.locator(".leaflet-preview-pane img.leaflet-image-layer")).to_have_attribute(
        "src", f"/images/{image_id}/preview/l"
    )
    assert "/rest/" not in page.content()
    assert page.console_errors == []


def test_a_sort_or_page_click_searches_with_the_filters_as_edited(page, alice, previews, tmp_path):
    make_scene("clear", provider="sky", bounds=(-115.9, 48.98, -115.8, 49.06), cloud_cover=0.0)
    sign_in(page, "alice")
    page.goto(START)
    search_in(page, tmp_path, NAIP_BOX)
    everything = scene_rows(page)
    assert "clear" in everything and "overlap" in everything

    page.locator("#filters > summary").click()
    page.get_by_label("Max cloud %").fill("5")
    page.get_by_role("link", name="Provider").click()
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Provider")
    assert "clear" in scene_rows(page) and "overlap" not in scene_rows(page)  # the overlap scene has 10 % cloud
    expect(page.get_by_label("Max cloud %")).to_have_value("5")
    assert "cloud_max=5" in page.url and "sort=provider" in page.url


def test_a_new_area_clears_the_old_results(page, alice, previews, tmp_path):
    sign_in(page, "alice")
    page.goto(START)
    search_in(page, tmp_path, NAIP_BOX)
    page.get_by_role("button", name="Clear area").click()
    expect(page.locator("#results-table")).to_have_count(0)
    expect(page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas")).to_have_count(1)  # the canvas
    assert page.locator("#catalog-results").count() == 0
    expect(page.get_by_role("link", name="Export GeoJSON")).to_have_count(0)


def test_share_copies_the_link_of_the_search_and_its_scene(page, alice, previews, tmp_path):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "alice")
    page.goto(START)
    search_in(page, tmp_path, NAIP_BOX)
    page.locator('#results-table tr[data-scene="overlap"]').click()
    page.get_by_role("button", name="Share").click()
    expect(page.locator("#share-status")).to_have_text("Link copied.")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == page.url and "scene=overlap" in link and "area=" in link

    fresh = page.context.new_page()
    fresh.goto(link)
    expect(fresh.locator("#scene-id")).to_have_value("overlap")
    expect(fresh.locator('#results-table tr[data-scene="overlap"]')).to_have_attribute("aria-selected", "true")
    fresh.close()


def test_scenes_with_no_cloud_value_are_counted_and_left_out_and_an_empty_search_says_why(page, alice, previews,
                                                                                           tmp_path):
    sign_in(page, "alice")
    page.goto(START)
    search_in(page, tmp_path, NAIP_BOX)
    assert len(scene_rows(page)) == 12
    note = page.locator("#unknown-values li").first
    expect(note).to_contain_text("11 scenes with no cloud cover pass the filters on it.")  # all but "overlap"
    note.get_by_role("button", name="Leave them out").click()
    expect(page.locator("#results-summary")).to_have_text("Scenes 1–1 of 1")
    assert scene_rows(page) == ["overlap"]
    expect(page.locator("#filters > summary")).to_contain_text("Only scenes with a cloud value")

    page.locator("#filters > summary").click()
    page.get_by_label("Max cloud %").fill("5")  # "overlap" has 10 %
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-summary")).to_have_text("No scene matches this search.")
    expect(page.locator("#relaxed")).to_contain_text("without “Max cloud % 5”: 1 scene")
    expect(page.locator("#relaxed")).to_contain_text("without “Only scenes with a cloud value”: 11 scenes")
    assert page.console_errors == []


def map_view(page) -> tuple[float, float, int]:
    lat, lon, zoom = re.search(r"view=([-\d.]+)%2C([-\d.]+)%2C(\d+)", page.url).groups()
    return float(lat), float(lon), int(zoom)


def test_going_to_a_place_by_name_or_coordinates(page, alice, previews):
    sign_in(page, "alice")
    page.goto("/catalog/")
    query = page.get_by_label("Place name, or latitude, longitude")
    query.fill("vancou")
    query.press("Enter")
    expect(page.locator("#place-status")).to_have_text("Showing Vancouver, Canada.")
    lat, lon, zoom = map_view(page)
    assert abs(lat - 49.25) < 0.1 and abs(lon + 123.12) < 0.1 and zoom >= 11

    query.fill("paris")
    query.press("Enter")
    expect(page.locator("#place-status")).to_have_text("Showing Paris, France.")
    others = page.locator("#place-results button")
    expect(others.first).to_be_visible()  # Paris, Texas and the like
    others.first.focus()
    page.keyboard.press("Escape")
    expect(page.locator("#place-results")).to_be_hidden()

    query.fill("49.02, -115.85")
    query.press("Enter")
    expect(page.locator("#place-status")).to_have_text("Showing 49.02, -115.85.")
    lat, lon, _ = map_view(page)
    assert abs(lat - 49.02) < 0.01 and abs(lon + 115.85) < 0.01

    query.fill("Atlantis Nowhere")
    query.press("Enter")
    expect(page.locator("#place-status")).to_contain_text("No place named “Atlantis Nowhere”")
    assert page.console_errors == []


def test_the_maps_view_is_the_area_and_finds_the_scenes_in_it(page, alice, previews):
    sign_in(page, "alice")
    page.goto(START)
    page.get_by_role("button", name="Use map view").click()
    expect(page.locator("#aoi-area")).to_contain_text(re.compile(r"Area: [\d,]+ km²"))
    [ring] = json.loads(page.locator("#id_aoi").input_value())["coordinates"]
    lons, lats = [lon for lon, _ in ring], [lat for _, lat in ring]
    assert abs((min(lons) + max(lons)) / 2 + 115.85) < 0.01 and abs((min(lats) + max(lats)) / 2 - 49.02) < 0.01
    assert 0.5 < max(lons) - min(lons) < 2  # the map's width at zoom 10
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-table tbody tr").first).to_be_visible()
    assert {"overlap", "mt_m_4911558_sw_11_060_20231117_20240103"} <= set(scene_rows(page))


def test_an_area_is_typed_and_searched_with_the_keyboard_alone(page, alice, previews):
    sign_in(page, "alice")
    page.goto(START)
    # Tab from the top of the page: every stop shows a focus ring, and the typed-area box is among them.
    page.locator("body").focus()
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement;
            const target = el.id === "aoi-file" ? el.previousElementSibling : el;
            const style = getComputedStyle(target);
            const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 || style.boxShadow !== "none";
            return {id: el.id, text: el.textContent.trim().slice(0, 30), tag: el.tagName, ring};
        }""")
        seen.append(focused)
        if focused["tag"] == "SUMMARY" and "Type or paste" in focused["text"]:
            break
    assert [f for f in seen if not f["ring"]] == []
    assert any(f["id"] == "aoi-file" for f in seen)  # "Load file…" (its label shows the ring)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("-116.1, 48.95, -115.6, 49.1")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#aoi-area")).to_contain_text(re.compile(r"Area: [\d,]+ km²"))
    page.get_by_role("button", name="Search").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#results-table tbody tr").first).to_be_visible()
    assert len(scene_rows(page)) == 12

    # A row opens the scene with Enter; Esc closes it.
    row = page.locator('#results-table tr[data-scene="overlap"]')
    row.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#scene-details")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#scene-details")).to_be_hidden()

    # Esc folds the filters the focus is in.
    page.locator("#filters > summary").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Max cloud %").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#filters")).not_to_have_attribute("open", "")
    expect(page.locator("#filters > summary")).to_be_focused()

    page.locator("#aoi-typed > summary").click()
    page.locator("#aoi-text").fill("POLYGON ((0 0, 1 0")
    page.get_by_role("button", name="Use this area").click()
    expect(page.locator("#aoi-error")).to_contain_text("The typed area is not valid WKT")


BLANK_CANVAS = """canvas => {
  const blank = document.createElement("canvas");
  blank.width = canvas.width; blank.height = canvas.height;
  return canvas.toDataURL() === blank.toDataURL();
}"""


def test_the_coverage_layer_shows_where_the_catalog_has_scenes_at_every_zoom(page, alice, previews):
    Account.objects.filter(email="acme@example.com").update(search_area_limit=80_000_000 * 10**6)
    sign_in(page, "alice")
    page.goto("/catalog/?view=20,0,2")
    status = page.locator("#coverage-status")
    expect(status).to_have_text("Catalog: shaded where the catalog has scenes", timeout=20_000)
    canvas = page.locator(".leaflet-coverage-pane canvas")
    assert canvas.evaluate(BLANK_CANVAS) is False

    page.goto(START)  # close in: the footprints of the NAIP scenes
    expect(status).to_have_text("Catalog: 16 scenes in view", timeout=20_000)
    assert canvas.evaluate(BLANK_CANVAS) is False
    assert page.console_errors == []
