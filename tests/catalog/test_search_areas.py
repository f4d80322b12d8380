"""A search's area travels in a POST, not in the URL (a city boundary of hundreds of vertices is a request line
servers refuse), and is named in the page's URL by a key the team keeps; detailed areas are simplified within a
stated tolerance, and the user is told."""

import json
import math
import re
from urllib.parse import parse_qs, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from shapely.geometry import shape

from catalog.models import SearchedArea
from tests.conftest import make_account
from tests.teams.conftest import connect, signed_in

from .conftest import NAIP_AOI

SEARCH = reverse("catalog:search")


def rows(answer) -> list[str]:
    return re.findall(r'<tr data-scene="([^"]+)"', answer.content.decode())


def circle(vertices: int, *, lon: float = -115.85, lat: float = 49.02, radius: float = 0.2) -> dict:
    """A polygon of `vertices` positions (closing one included) around the NAIP scenes."""
    points = [
        [round(lon + radius * math.cos(2 * math.pi * i / (vertices - 1)), 7),
         round(lat + radius * 0.6 * math.sin(2 * math.pi * i / (vertices - 1)), 7)]
        for i in range(vertices - 1)
    ]
    return {"type": "Polygon", "coordinates": [points + [points[0]]]}


def scenes_in(aoi: dict) -> int:
    """How many scenes the Data API itself finds in `aoi`, searched with the exact area."""
    _, token = make_account(f"count-{id(aoi)}@example.com")
    answer = Client(HTTP_AUTHORIZATION=f"Basic {token}").post(
        "/rest/catalog/meta", {"aoi": aoi, "limit": 500}, content_type="application/json"
    )
    return answer.json()["total"]


def post_search(client, aoi: dict, **fields):
    return client.post(SEARCH, {"aoi": json.dumps(aoi), **fields})


def test_a_search_posts_its_area_and_lands_on_a_short_link_that_restores_it(alice, naip):
    answer = post_search(alice, circle(1000), cloud_max="100")
    assert answer.status_code == 303
    location = answer["Location"]
    assert len(location) < 200 and "aoi" not in parse_qs(urlsplit(location).query)
    assert parse_qs(urlsplit(location).query)["cloud_max"] == ["100"]
    page = alice.get(location)
    assert page.status_code == 200 and len(rows(page)) == scenes_in(circle(1000)) > 11
    # The page holds the area as given, for the map; a teammate's copy of the link restores it too.
    value = re.search(r'name="aoi" value="([^"]*)"', page.content.decode()).group(1)
    assert len(json.loads(value.replace("&quot;", '"'))["coordinates"][0]) == 1000


def test_the_same_area_is_kept_once(alice, naip):
    first, second = post_search(alice, NAIP_AOI), post_search(alice, NAIP_AOI, cloud_max="5")
    assert parse_qs(urlsplit(first["Location"]).query)["area"] == parse_qs(urlsplit(second["Location"]).query)["area"]
    assert SearchedArea.objects.count() == 1


def test_another_teams_link_does_not_give_its_area(alice, cast, naip, live_api):
    location = post_search(alice, NAIP_AOI)["Location"]
    _, token = make_account("cosmo@example.com")
    connect(cast.cosmo, api_url=live_api, token=token)
    page = signed_in(cast.charlie).get(location)
    assert page.status_code == 400 and rows(page) == []
    assert "This link&#x27;s area is not kept for your team" in page.content.decode()


def test_a_detailed_area_is_simplified_within_the_tolerance_and_the_page_says_so(alice, naip):
    page = alice.get(post_search(alice, circle(10_000))["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and len(rows(page)) == scenes_in(circle(10_000)) > 11
    note = re.search(r'id="aoi-note"[^>]*>([^<]*)<', text).group(1)
    assert "Simplified for the search from 10,000 to" in note and "no point moved more than" in note
    kept = int(re.search(r"to ([\d,]+) vertices", note).group(1).replace(",", ""))
    assert kept <= 1000


def test_an_area_too_detailed_even_when_simplified_is_refused_with_the_limit(alice, naip, settings):
    settings.CATALOG_AOI_TOLERANCE_METRES = 0.001
    settings.CATALOG_AOI_MAX_VERTICES = 5000
    answer = post_search(alice, circle(10_000))
    assert answer.status_code == 400
    assert "The area has 10,000 vertices" in answer.content.decode()
    assert "a search takes at most 5,000" in answer.content.decode()
    assert not SearchedArea.objects.exists()


def test_an_area_file_with_many_vertices_comes_back_simplified(alice):
    data = json.dumps(circle(20_000)).encode()
    answer = alice.post(reverse("catalog:aoi-file"), {"file": SimpleUploadedFile("city.geojson", data)})
    assert answer.status_code == 200
    body = answer.json()
    assert "from 20,000 to" in body["note"]
    simplified, original = shape(body["geometry"]), shape(circle(20_000))
    assert len(simplified.geoms[0].exterior.coords) <= 1000
    # No point of the original is more than the stated tolerance (10 m, about 9e-5 degrees) from the outline.
    assert original.hausdorff_distance(simplified) < 10 / 111_320 + 1e-9


def test_the_data_api_refuses_an_aoi_over_its_vertex_limit_naming_it(api, settings):
    settings.DATASERVER_AOI_MAX_VERTICES = 500
    answer = api.post("/rest/catalog/meta", {"aoi": circle(501)}, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_AOI" and "more than 500 vertices" in answer.json()["message"]
    assert api.post("/rest/catalog/meta", {"aoi": circle(500)}, content_type="application/json").status_code == 200
