"""In a real browser, with a real Celery worker: save a search of three named areas from a GeoJSON file, new scenes
arrive in the catalog, the beat task runs, the badge counts them, the search's page lists them, mark all seen."""

import json
import re

import pytest
from playwright.sync_api import expect
from shapely.geometry import box, mapping

from searches.models import SavedSearch
from teams.models import Role, Team
from tests.catalog.conftest import naip  # noqa: F401  (the NAIP fixture scenes)
from tests.conftest import make_account
from tests.e2e.test_frame_browser import sign_in
from tests.searches.conftest import EAST, WEST, new_scenes_import, wait_for
from tests.searches.test_runs import checked_after, run_round
from tests.teams.conftest import connect, join, make_user
from tests.worker import celery_worker

pytestmark = pytest.mark.e2e
NORTH = box(-116.1, 49.05, -115.6, 49.1)


@pytest.fixture
def alice(live_api, settings, naip):  # noqa: F811
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    alice = make_user("alice")
    acme = Team.objects.create(name="Acme")
    join(alice, acme, Role.ADMIN)
    _, token = make_account("acme@example.com")
    connect(acme, api_url=live_api, token=token)
    return alice


def fields_geojson() -> bytes:
    features = [
        {"type": "Feature", "properties": {"name": name, "crop": "wheat"}, "geometry": mapping(geometry)}
        for name, geometry in [("West field", WEST), ("East field", EAST), ("North strip", NORTH)]
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_alice_saves_three_named_areas_sees_the_new_scenes_badge_and_marks_them_seen(page, alice, tmp_path):
    sign_in(page, "alice")
    with celery_worker():
        page.get_by_role("link", name="Saved searches").click()
        page.get_by_role("link", name="New saved search").click()
        page.get_by_label("Name", exact=True).fill("Fields")
        page.get_by_label("Areas file").set_input_files(
            files=[{"name": "fields.geojson", "mimeType": "application/geo+json", "buffer": fields_geojson()}]
        )
        expect(page.get_by_label("Name areas by property")).to_have_value("name")  # offered from the file
        page.get_by_role("button", name="Save").click()
        for name in ("West field", "East field", "North strip"):
            expect(page.get_by_role("heading", name=name)).to_be_visible()
        search = SavedSearch.objects.get()
        wait_for(checked_after(search, None))
        ids = new_scenes_import(tmp_path, 3)
        run_round(search)

    page.reload()
    badge = page.locator("#new-scenes-badge")
    new_count = search.areas.filter(scenes__is_new=True).count()
    expect(badge).to_have_text(re.compile(rf"^{new_count}\b"))
    page.get_by_role("link", name="Saved searches").click()
    page.get_by_role("link", name="Fields").click()
    west = page.locator("section", has=page.get_by_role("heading", name="West field"))
    expect(west.locator("tr.table-warning")).to_have_count(3)
    for scene_id in ids:
        expect(west.get_by_role("cell", name=scene_id, exact=True)).to_be_visible()
    page.get_by_role("button", name="Mark all seen").focus()
    page.keyboard.press("Enter")
    expect(page.locator("tr.table-warning")).to_have_count(0)
    expect(badge).to_have_count(0)
    assert page.console_errors == []


def test_the_catalog_map_shows_the_saved_areas_as_a_layer_that_opens_their_search(page, alice):
    from catalog.aoi_files import NamedArea
    from searches import services

    services.saved_search_create(
        team=alice.memberships.get().team, user=alice, name="Fields", filters={}, follow=False,
        areas=[NamedArea(name="West field", geometry=mapping(WEST)),
               NamedArea(name="East field", geometry=mapping(EAST))],
    )  # fmt: skip
    sign_in(page, "alice")
    page.goto("/catalog/?view=49.02,-115.85,10")
    page.get_by_label("Saved searches").check()
    areas = page.locator('.leaflet-overlay-pane path[stroke="#fd7e14"]')
    expect(areas).to_have_count(2)
    areas.first.click()  # the west field's outline
    page.get_by_role("link", name="Fields: West field").click()
    expect(page.get_by_role("heading", name="West field")).to_be_visible()
    assert page.console_errors == []
