"""The catalog page against the self-hosted Data API on the live server: filters, sorting, pages, errors, links."""

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from shapely.geometry import box, mapping

from dataapi import errors as api_errors
from dataapi.client import DataAPIClient
from tests.dataserver.catalog_scenes import AOI, make_scene
from tests.teams.conftest import make_user, signed_in

from .conftest import NAIP_AOI

SEARCH = reverse("catalog:search")


def url(aoi=AOI, **fields) -> str:
    return f"{SEARCH}?{urlencode({'aoi': json.dumps(aoi), **fields}, doseq=True)}"


def rows(answer) -> list[str]:
    """The scene ids of the results table, in order."""
    return re.findall(r'<tr data-scene="([^"]+)"', answer.content.decode())


def island(answer) -> dict:
    page = answer.content.decode()
    found = re.search(r'<script id="catalog-results" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def scene_ids(answer) -> list[str]:
    """The provider's scene ids of the rows, in order."""
    names = {f["id"]: f["properties"]["providerName"] for f in island(answer)["features"]}
    return [names[row] for row in rows(answer)]


def scenes(*specs):
    """Scenes in the default AOI, each named by its provider (so that tests read the names back from the page)."""
    return [make_scene(name, provider=name, **fields) for name, fields in specs]


def test_the_page_shows_the_map_the_form_and_the_navigation(alice):
    answer = alice.get(SEARCH)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="catalog-map"' in page and 'id="catalog-settings"' in page
    assert f'href="{SEARCH}"' in page  # the Catalog link of the navigation
    assert "<tr data-scene" not in page
    settings = json.loads(re.search(r'id="catalog-settings" type="application/json">(.*?)<', page).group(1))
    assert settings["areaLimit"] == 500_000 * 10**6 and settings["areaLimitText"] == "500,000 km²"


def test_a_search_over_naip_lists_its_scenes_in_the_table_and_on_the_map(alice, naip):
    answer = alice.get(url(NAIP_AOI))
    assert answer.status_code == 200
    assert len(rows(answer)) == 11
    features = island(answer)["features"]
    assert [f["id"] for f in features] == rows(answer)
    assert {f["geometry"]["type"] for f in features} == {"Polygon"}
    assert {f["properties"]["previewType"] for f in features} == {"png"}
    assert "Scenes 1–11 of 11" in answer.content.decode()


def test_with_htmx_only_the_search_fragment_comes_back(alice, naip):
    answer = alice.get(url(NAIP_AOI), headers={"HX-Request": "true"})
    page = answer.content.decode()
    assert page.lstrip().startswith('<div id="search">')
    assert "catalog-map" not in page and len(rows(answer)) == 11


def test_viewers_may_search_too(bob, naip):
    assert len(rows(bob.get(url(NAIP_AOI)))) == 11


def test_the_page_needs_a_team_with_a_data_api_account(cast, live_api):
    assert signed_in(make_user("dora")).get(SEARCH).url == reverse("teams:team")
    page = signed_in(cast.alice).get(SEARCH).content.decode()
    assert "This team has not connected a Data API account yet." in page


MAY = datetime(2024, 5, 10, tzinfo=UTC)
FILTERS = [
    ({"date_from": "2024-05-01", "date_to": "2024-05-31"}, "acquired_at", MAY, datetime(2024, 6, 2, tzinfo=UTC)),
    ({"date_to": "2024-05-10"}, "acquired_at", MAY, datetime(2024, 5, 11, 1, tzinfo=UTC)),
    ({"cloud_max": "20"}, "cloud_cover", 15.0, 25.0),
    ({"res_min": "0.4", "res_max": "1"}, "resolution", 0.5, 1.5),
    ({"nadir_min": "10", "nadir_max": "20"}, "off_nadir", 12.0, 25.0),
    ({"product": "MOSAIC"}, "product_type", "MOSAIC", "IMAGE"),
]


@pytest.mark.parametrize(("fields", "column", "kept", "dropped"), FILTERS, ids=[" ".join(f[0]) for f in FILTERS])
def test_each_filter_keeps_the_scenes_that_match_it(alice, fields, column, kept, dropped):
    scenes(("kept", {column: kept}), ("dropped", {column: dropped}))
    assert scene_ids(alice.get(url(**fields))) == ["kept"]


def test_the_coverage_filter_keeps_scenes_covering_enough_of_the_area(alice):
    make_scene("whole", provider="whole", bounds=(10.0, 10.0, 10.2, 10.2))
    make_scene("corner", provider="corner", bounds=(10.1, 10.1, 10.3, 10.3))
    assert sorted(scene_ids(alice.get(url()))) == ["corner", "whole"]
    assert scene_ids(alice.get(url(coverage_min="50"))) == ["whole"]


def test_the_provider_filter_offers_the_apis_providers_and_keeps_the_ticked_ones(alice):
    scenes(("maxar", {}), ("airbus", {}))
    page = alice.get(SEARCH).content.decode()
    assert 'value="maxar"' in page and 'value="airbus"' in page
    assert scene_ids(alice.get(url(provider="airbus"))) == ["airbus"]
    assert sorted(scene_ids(alice.get(url(provider=["airbus", "maxar"])))) == ["airbus", "maxar"]


SORTS = [
    ("date", "desc", ["c", "b", "a"]),
    ("date", "asc", ["a", "b", "c"]),
    ("cloud", "asc", ["b", "c", "a"]),
    ("nadir", "desc", ["c", "a", "b"]),
    ("resolution", "asc", ["a", "c", "b"]),
    ("provider", "desc", ["c", "b", "a"]),
]


@pytest.mark.parametrize(("sort", "order", "expected"), SORTS)
def test_results_sort_by_each_column(alice, sort, order, expected):
    scenes(
        ("a", {"acquired_at": datetime(2024, 1, 1, tzinfo=UTC), "cloud_cover": 30, "off_nadir": 10, "resolution": 0.3}),
        ("b", {"acquired_at": datetime(2024, 2, 1, tzinfo=UTC), "cloud_cover": 10, "off_nadir": 5, "resolution": 1.0}),
        ("c", {"acquired_at": datetime(2024, 3, 1, tzinfo=UTC), "cloud_cover": 20, "off_nadir": 20, "resolution": 0.5}),
    )
    assert scene_ids(alice.get(url(sort=sort, order=order))) == expected


def test_a_column_header_sorts_by_it_and_a_second_click_reverses_the_order(alice):
    scenes(("a", {"cloud_cover": 30}), ("b", {"cloud_cover": 10}))
    page = alice.get(url()).content.decode()
    header = re.search(r'<a href="([^"]+)"[^>]*>Cloud %</a>', page).group(1).replace("&amp;", "&")
    ascending = alice.get(SEARCH + header)
    assert scene_ids(ascending) == ["b", "a"]
    header = re.search(r'<a href="([^"]+)"[^>]*>Cloud % ▲</a>', ascending.content.decode()).group(1)
    assert scene_ids(alice.get(SEARCH + header.replace("&amp;", "&"))) == ["a", "b"]


def test_pages_go_through_every_result_once(alice):
    for number in range(105):
        make_scene(f"s{number:03}", provider=f"p{number:03}")
    first = alice.get(url(sort="provider", order="asc"))
    assert len(rows(first)) == 100 and "Page 1 of 2" in first.content.decode()
    following = re.search(r'<a [^>]*href="([^"]+)"[^>]*>Next</a>', first.content.decode()).group(1)
    second = alice.get(SEARCH + following.replace("&amp;", "&"))
    assert scene_ids(second) == [f"p{number:03}" for number in range(100, 105)]
    assert "Scenes 101–105 of 105" in second.content.decode()
    assert len(rows(alice.get(url(sort="provider", per_page="250")))) == 105


def test_a_link_to_a_search_reproduces_it_filters_sort_and_page_included(alice, naip):
    make_scene("fine", provider="sky", bounds=(-115.9, 49.0, -115.8, 49.05), resolution=0.3)
    link = url(NAIP_AOI, res_min="0.5", sort="provider", order="asc", view="49,-115.8,11")
    first, again = alice.get(link), alice.get(link)
    assert rows(first) == rows(again) and len(rows(first)) == 11
    assert {f["properties"]["pixelResolution"] for f in island(first)["features"]} == {0.6}
    page = first.content.decode()
    assert 'name="res_min" id="id_res_min" value="0.5"' in page
    assert 'name="sort" value="provider"' in page and 'name="order" value="asc"' in page
    assert json.loads(re.search(r'name="aoi" value="([^"]+)"', page).group(1).replace("&quot;", '"')) == NAIP_AOI


def test_an_area_across_the_antimeridian_finds_scenes_on_both_sides(alice):
    make_scene("east", provider="east", bounds=(178.0, 0.0, 179.5, 1.0))
    make_scene("west", provider="west", bounds=(-179.5, 0.0, -178.0, 1.0))
    make_scene("far", provider="far", bounds=(170.0, 0.0, 171.0, 1.0))
    drawn = mapping(box(177.0, -0.5, 183.0, 1.5))  # as drawn on a map panned east of 180°
    assert sorted(scene_ids(alice.get(url(drawn)))) == ["east", "west"]


def test_a_multi_part_area_finds_scenes_in_each_part(alice):
    make_scene("north", provider="north", bounds=(10.0, 20.0, 10.2, 20.2))
    make_scene("south", provider="south", bounds=(10.0, -20.2, 10.2, -20.0))
    make_scene("between", provider="between", bounds=(10.0, 0.0, 10.2, 0.2))
    parts = {"type": "MultiPolygon", "coordinates": [mapping(box(10, 20, 10.1, 20.1))["coordinates"],
                                                     mapping(box(10, -20.1, 10.1, -20))["coordinates"]]}
    assert sorted(scene_ids(alice.get(url(parts)))) == ["north", "south"]


def field_error(answer, field: str) -> str:
    """The text shown under a control (the area's errors live in #aoi-error, the others under their input)."""
    page = answer.content.decode()
    element = "aoi-error" if field == "aoi" else "search-error" if field == "search" else f"id_{field}-error"
    found = re.search(rf'id="{element}"[^>]*>(.*?)</div>', page, re.S)
    return found.group(1).strip().replace("&#x27;", "'") if found else ""


INVALID = [
    ({"cloud_max": "150"}, "cloud_max", "less than or equal to 100"),
    ({"res_min": "2", "res_max": "1"}, "res_max", "The minimum resolution is above the maximum."),
    ({"nadir_min": "30", "nadir_max": "10"}, "nadir_max", "The minimum off-nadir angle is above the maximum."),
    ({"date_from": "2024-06-01", "date_to": "2024-05-01"}, "date_to", "The start date is after the end date."),
    ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
    ({"coverage_min": "-1"}, "coverage_min", "greater than or equal to 0"),
]


@pytest.mark.parametrize(("fields", "field", "message"), INVALID, ids=[case[1] for case in INVALID])
def test_a_wrong_filter_is_explained_under_its_control(alice, fields, field, message):
    answer = alice.get(url(**fields))
    assert answer.status_code == 400 and "<tr data-scene" not in answer.content.decode()
    assert message in field_error(answer, field)


BAD_AREAS = [
    (None, "Draw an area on the map or drop a file to search in."),
    ("{not json", "The area is not GeoJSON; draw it again or drop a file."),
    (
        json.dumps({"type": "Point", "coordinates": [10, 10]}),
        "The area must be a GeoJSON Polygon or MultiPolygon, not 'Point'.",
    ),
    (json.dumps(mapping(box(0, 0, 20, 20))), "more than your team's search limit of 500,000 km²"),
]


@pytest.mark.parametrize(("aoi", "message"), BAD_AREAS, ids=["missing", "not json", "point", "too large"])
def test_a_bad_area_is_explained_next_to_the_area_control(alice, aoi, message):
    query = {"cloud_max": "10"} | ({"aoi": aoi} if aoi else {})
    answer = alice.get(f"{SEARCH}?{urlencode(query)}")
    assert answer.status_code == 400
    assert message in field_error(answer, "aoi")


def test_an_area_the_api_finds_too_large_is_explained_next_to_the_area_control(alice, acme_account):
    alice.get(SEARCH)  # the team's limits are now known to the page
    acme_account.search_area_limit = 1_000_000
    acme_account.save()
    answer = alice.get(url())
    assert answer.status_code == 400
    assert "more than the search area limit of 1000000 m²" in field_error(answer, "aoi")


def test_a_search_that_times_out_says_so_next_to_the_search_button(alice, monkeypatch):
    def slow(self, **query):
        raise api_errors.APITimeout(method="POST", path="/catalog/meta")

    monkeypatch.setattr(DataAPIClient, "catalog_search", slow)  # a timeout cannot be produced on demand
    answer = alice.get(url())
    assert answer.status_code == 400
    assert "The search took too long; try a smaller area or fewer providers." in field_error(answer, "search")


def test_result_previews_may_come_from_the_providers_and_the_data_api(alice, live_api):
    policy = alice.get(SEARCH).headers["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]+)", policy).group(1).split()
    assert "https:" in img_src and live_api.removesuffix("/rest") in img_src
    assert "script-src 'self' 'nonce-" in policy


def test_the_results_export_as_geojson_with_their_metadata(alice, naip):
    make_scene("fine", provider="sky", bounds=(-115.9, 49.0, -115.8, 49.05), resolution=0.3)
    answer = alice.get(reverse("catalog:export-geojson") + url(NAIP_AOI, res_min="0.5").removeprefix(SEARCH))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/geo+json"
    assert 'filename="catalog-search.geojson"' in answer["Content-Disposition"]
    collection = json.loads(answer.content)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 11
    assert {f["properties"]["pixelResolution"] for f in collection["features"]} == {0.6}
    assert {(f["properties"]["providerName"], f["geometry"]["type"]) for f in collection["features"]} == {
        ("naip", "Polygon")
    }


def test_the_results_export_as_csv_one_row_per_scene(alice, naip):
    answer = alice.get(reverse("catalog:export-csv") + url(NAIP_AOI).removeprefix(SEARCH))
    assert answer.status_code == 200 and answer["Content-Type"] == "text/csv; charset=utf-8"
    lines = answer.content.decode().splitlines()
    assert lines[0].startswith("id,acquisitionDate,providerName") and lines[0].endswith(",footprint")
    assert len(lines) == 12 and all('"POLYGON ((' in line for line in lines[1:])


def test_an_export_of_a_bad_search_says_why(alice):
    answer = alice.get(reverse("catalog:export-csv") + "?cloud_max=10")
    assert answer.status_code == 400 and "Draw an area" in answer.content.decode()


def test_a_csv_export_does_not_let_a_spreadsheet_run_metadata_as_a_formula(alice):
    make_scene("a", provider="=HYPERLINK(\"http://evil.example\")", sensor="-2+3")
    answer = alice.get(reverse("catalog:export-csv") + url().removeprefix(SEARCH))
    row = answer.content.decode().splitlines()[1]
    assert "'=HYPERLINK" in row and ",'-2+3," in row
