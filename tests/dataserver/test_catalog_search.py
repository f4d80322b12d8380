import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import shapely
from shapely.geometry import Polygon, box, shape

from dataserver.catalog.stac import scenes_import, stac_items
from tests.dataserver.catalog_scenes import AOI, aoi_box, found, make_scene, search

NAIP = Path(__file__).parents[1] / "fixtures" / "stac" / "naip-250.json"
pytestmark = pytest.mark.django_db


def test_a_search_by_a_naip_footprint_finds_that_item_covering_all_of_it(api):
    scenes_import(items=stac_items(str(NAIP)), provider="naip")
    item = json.loads(NAIP.read_text())["features"][7]
    answer = search(api, item["geometry"], dataProviders=["naip"], limit=500)
    assert answer.status_code == 200, answer.content
    images = {image["id"]: image for image in answer.json()["images"]}
    ours = [image for image in images.values() if shape(image["footprint"]).equals(shape(item["geometry"]))]
    assert len(ours) == 1
    assert ours[0]["aoiIntersectionPercent"] == 100
    assert ours[0]["pixelResolution"] == 0.6 and ours[0]["colorBandOrder"] == "RGBN"
    assert ours[0]["acquisitionDate"].startswith(item["properties"]["datetime"][:10])
    # Neighbouring tiles only touch or overlap the edges: they cover less of it.
    assert all(image["aoiIntersectionPercent"] < 100 for image in images.values() if image is not ours[0])


def test_the_answer_has_every_field_of_the_contract(api):
    make_scene("a")
    answer = search(api).json()
    assert set(answer) == {"images", "total", "limit", "offset"}
    assert answer["limit"] == 100 and answer["offset"] == 0 and answer["total"] == 1
    assert set(answer["images"][0]) == {
        "id", "footprint", "pixelResolution", "acquisitionDate", "productType", "sensor", "satId", "colorBandOrder",
        "cloudCover", "offNadirAngle", "providerName", "previewType", "previewUrl", "previews", "zoom", "minAreaSqkm",
        "isNew", "aoiIntersectionPercent",
    }  # fmt: skip
    assert (answer["images"][0]["minAreaSqkm"], answer["images"][0]["isNew"]) == (None, None)


def test_it_skips_scenes_whose_bounds_meet_the_aoi_but_whose_footprint_does_not(api):
    make_scene("triangle", geometry=Polygon([(10, 10), (10.04, 10), (10, 10.04)]), acquired_at=None)
    make_scene("square")
    assert found(api, aoi_box(10.03, 10.03, 10.2, 10.2)) == ["square"]


FILTERS = [
    ("acquisitionDateFrom", "2024-05-01T00:00:00Z", "acquired_at", datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)),
    ("acquisitionDateTo", "2024-05-01T00:00:00", "acquired_at", datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)),
    ("minResolution", 1.0, "resolution", 1.5, 0.5),
    ("maxResolution", 1.0, "resolution", 0.5, 1.5),
    ("maxCloudCover", 20, "cloud_cover", 15.0, 25.0),
    ("minOffNadirAngle", 10, "off_nadir", 12.0, 8.0),
    ("maxOffNadirAngle", 10, "off_nadir", 8.0, 12.0),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "field", "kept", "dropped"), FILTERS, ids=[f[0] for f in FILTERS])
def test_each_filter_keeps_matching_and_unknown_values_and_drops_the_rest(api, name, value, field, kept, dropped):
    make_scene("kept", **{field: kept})
    make_scene("dropped", **{field: dropped})
    make_scene("unknown", **{field: None})
    assert sorted(found(api, **{name: value})) == ["kept", "unknown"]


def test_a_date_with_any_offset_is_the_same_moment_in_utc(api):
    """ISO 8601 allows offsets up to 23:59 and PostgreSQL takes 15:59 at most: every moment is compared in UTC, and one
    within a day of the calendar's end is the end."""
    make_scene("before", acquired_at=datetime(2023, 12, 31, 5, 0, tzinfo=UTC))
    make_scene("after", acquired_at=datetime(2023, 12, 31, 6, 0, tzinfo=UTC))
    assert found(api, acquisitionDateFrom="2024-01-01T00:00:00+18:19") == ["after"]  # 2023-12-31T05:41Z
    assert found(api, acquisitionDateTo="2023-12-30T12:00:00-17:50") == ["before"]  # 2023-12-31T05:50Z
    assert found(api, acquisitionDateFrom="9999-12-31T23:00:00-05:00") == []
    assert sorted(found(api, acquisitionDateTo="9999-12-31T23:00:00-05:00")) == ["after", "before"]


def test_cloud_cover_is_a_percent_so_a_tenth_means_a_tenth_of_a_percent(api):
    make_scene("clear", cloud_cover=0.05)
    make_scene("hazy", cloud_cover=5.0)
    assert found(api, maxCloudCover=0.1) == ["clear"]
    assert search(api).json()["images"][0]["cloudCover"] in (0.05, 5.0)


def test_min_aoi_intersection_keeps_scenes_covering_enough_of_the_aoi(api):
    make_scene("all", bounds=(10, 10, 10.2, 10.2))
    make_scene("quarter", bounds=(10.1, 10.1, 10.3, 10.3))
    assert sorted(found(api, minAoiIntersectionPercent=50)) == ["all"]
    assert sorted(found(api, minAoiIntersectionPercent=25)) == ["all", "quarter"]


SHAPES = [
    box(10.1, 10.0, 10.3, 10.3),
    Polygon([(10.05, 10.05), (10.15, 10.05), (10.05, 10.15)]),
    box(10.1, 10.1, 10.12, 10.11),
    Polygon([(10.0, 10.1), (10.2, 10.0), (10.2, 10.2)]),
]


@pytest.mark.parametrize("footprint", SHAPES, ids=["half", "triangle", "inside", "wedge"])
def test_the_intersection_percent_is_the_share_of_the_aoi_the_footprint_covers(api, footprint):
    make_scene("s", geometry=footprint)
    aoi = shape(AOI)
    [image] = search(api).json()["images"]
    assert image["aoiIntersectionPercent"] == pytest.approx(footprint.intersection(aoi).area / aoi.area * 100, abs=0.01)


SORTS = [
    ("ACQUISITION_DATE", "acquired_at", [datetime(2024, m, 1, tzinfo=UTC) for m in (3, 1, 2)]),
    ("CLOUD_COVER", "cloud_cover", [30.0, 10.0, 20.0]),
    ("OFF_NADIR_ANGLE", "off_nadir", [3.0, 1.0, 2.0]),
    ("PIXEL_RESOLUTION", "resolution", [0.3, 0.1, 0.2]),
    ("SAT_ID", "sat_id", ["WorldView-3", "GeoEye-1", "Pleiades-1A"]),
    ("ZOOM", "zoom", [18, 16, 17]),
]


@pytest.mark.parametrize(("sort_by", "field", "values"), SORTS, ids=[s[0] for s in SORTS])
def test_each_sort_key_orders_both_ways_with_unknown_values_last(api, sort_by, field, values):
    for name, value in zip("cab", values):
        make_scene(name, **{field: value})
    make_scene("unknown", **{field: None})
    assert found(api, sortBy=sort_by, sortOrder="ASC", dataProviders=["sky"]) == ["a", "b", "c", "unknown"]
    assert found(api, sortBy=sort_by, sortOrder="DESC", dataProviders=["sky"]) == ["c", "b", "a", "unknown"]


def test_it_sorts_by_provider_name(api):
    for provider in ("beta", "alpha", "gamma"):
        make_scene(provider, provider=provider)
    assert found(api, sortBy="PROVIDER_NAME", sortOrder="ASC", dataProviders=["alpha", "beta", "gamma"]) == [
        "alpha", "beta", "gamma",
    ]  # fmt: skip


def test_the_newest_scenes_come_first_by_default(api):
    make_scene("old", acquired_at=datetime(2020, 1, 1, tzinfo=UTC))
    make_scene("new", acquired_at=datetime(2024, 1, 1, tzinfo=UTC))
    assert found(api) == ["new", "old"]


def test_pages_cover_every_scene_once_and_the_total_stays_right(api):
    for number in range(23):
        make_scene(f"s{number:02}", cloud_cover=float(number))
    make_scene("far", bounds=(50, 50, 50.1, 50.1))
    seen = []
    for offset in range(0, 30, 10):
        answer = search(api, limit=10, offset=offset, sortBy="CLOUD_COVER", sortOrder="ASC").json()
        assert (answer["total"], answer["limit"], answer["offset"]) == (23, 10, offset)
        seen += [image["cloudCover"] for image in answer["images"]]
    assert seen == [float(number) for number in range(23)]


@pytest.mark.parametrize(
    "fields,named",
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1"),
        ({"limit": 501}, "limit: Input should be less than or equal to 500"),
        ({"offset": -1}, "offset:"),
        ({"sortBy": "SIZE"}, "sortBy: Input should be 'ACQUISITION_DATE'"),
        ({"aoi": None}, "aoi: Input should be a valid dictionary"),
    ],
)
def test_a_malformed_request_is_a_400_in_the_catalog_shape_naming_the_field(api, fields, named):
    answer = search(api, **fields)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"code", "message", "params"} and body["code"] == "BAD_REQUEST"
    assert named in body["message"], body["message"]
    assert body["params"]["errors"][0]["loc"][-1] == next(iter(fields))


def test_data_providers_absent_means_all_and_empty_means_none(api):
    make_scene("a", provider="sky")
    make_scene("b", provider="sea")
    assert sorted(found(api)) == ["a", "b"]
    assert found(api, dataProviders=[]) == []
    assert found(api, dataProviders=["sea"]) == ["b"]


def test_product_types_select_images_or_mosaics(api):
    make_scene("picture", product_type="IMAGE")
    make_scene("patchwork", product_type="MOSAIC")
    assert found(api, productTypes=["MOSAIC"]) == ["patchwork"]
    assert found(api, productTypes=["IMAGE"]) == ["picture"]
    assert found(api, productTypes=[]) == []


def test_an_aoi_larger_than_the_search_area_limit_is_refused(api, account):
    user, _ = account
    user.search_area_limit = 10**9
    user.save()
    answer = search(api, aoi_box(10, 10, 11, 11))
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "TOO_LARGE_AOI" and body["params"]["aoiAreaLimit"] == 10**9
    assert body["params"]["area"] == pytest.approx(12_180_000_000, rel=0.01)  # one degree square at 10° N
    assert search(api, aoi_box(10, 10, 10.1, 10.1)).status_code == 200


INVALID = [
    ({"type": "Point", "coordinates": [10, 10]}, "Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [10, 11]]]}, "at least 4 positions"),
    ({"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [11, 11], [10, 11]]]}, "not closed"),
    ({"type": "Polygon", "coordinates": [[[10, 10], [11, 95], [11, 11], [10, 10]]]}, "latitude 95"),
    ({"type": "Polygon", "coordinates": [[[10, 10], [400, 10], [11, 11], [10, 10]]]}, "longitude 400"),
    ({"type": "Polygon", "coordinates": [[[10, 10], ["x", 10], [11, 11], [10, 10]]]}, "must be numbers"),
    ({"type": "Polygon", "coordinates": [[[10, 10], [11, 10], [12, 10], [10, 10]]]}, "no area"),
    ({"type": "Polygon", "coordinates": []}, "non-empty list of rings"),
]


@pytest.mark.parametrize(("aoi", "message"), INVALID, ids=[m for _, m in INVALID])
def test_an_invalid_aoi_is_refused_with_a_message_naming_the_problem(api, aoi, message):
    answer = search(api, aoi)
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_AOI"
    assert message in answer.json()["message"]


def test_a_self_intersecting_aoi_is_repaired(api):
    make_scene("left", bounds=(10.0, 10.0, 10.1, 10.2))
    bowtie = {"type": "Polygon", "coordinates": [[[10, 10], [10.2, 10.2], [10.2, 10], [10, 10.2], [10, 10]]]}
    [image] = search(api, bowtie).json()["images"]
    assert image["aoiIntersectionPercent"] == 50


@pytest.mark.parametrize(
    "ring",
    [
        [[179.5, 0], [180.5, 0], [180.5, 1], [179.5, 1], [179.5, 0]],
        [[179.5, 0], [-179.5, 0], [-179.5, 1], [179.5, 1], [179.5, 0]],
    ],
    ids=["beyond-180", "jumping-ring"],
)
def test_an_aoi_across_the_antimeridian_finds_scenes_on_both_sides(api, ring):
    make_scene("east", bounds=(179.6, 0.2, 179.9, 0.8))
    make_scene("west", bounds=(-179.9, 0.2, -179.6, 0.8))
    make_scene("elsewhere", bounds=(0.2, 0.2, 0.8, 0.8))
    answer = search(api, {"type": "Polygon", "coordinates": [ring]}).json()
    assert answer["total"] == 2
    assert {image["providerName"] for image in answer["images"]} == {"sky"}
    assert sorted(found(api, {"type": "Polygon", "coordinates": [ring]})) == ["east", "west"]
    assert [image["aoiIntersectionPercent"] for image in answer["images"]] == [pytest.approx(18, abs=0.1)] * 2


def test_one_image_by_id(api):
    scene = make_scene("a", sensor="WV03", sat_id="WorldView-3")
    answer = api.get(f"/rest/catalog/meta/{scene.scene_id}")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["sensor"], body["satId"], body["aoiIntersectionPercent"]) == ("WV03", "WorldView-3", None)
    assert shapely.equals(shape(body["footprint"]), box(10, 10, 10.2, 10.2))


@pytest.mark.parametrize("scene_id", ["LC08_L2SP_197023_20220324_02_T1", "4805123", "tile 32/U:PU 2024", "a/b/c"])
def test_a_scene_is_found_and_fetched_by_its_providers_own_id(api, scene_id):
    make_scene(scene_id)
    [image] = search(api).json()["images"]
    assert image["id"] == scene_id
    answer = api.get("/rest/catalog/meta/" + quote(scene_id, safe=""))
    assert answer.status_code == 200, answer.content
    assert answer.json()["id"] == scene_id


def test_a_quicklook_is_the_one_preview_of_a_scene_laid_over_its_footprint(api):
    make_scene("quick", preview_type="png", preview_url="https://quicklooks.example.com/quick.png")
    make_scene("tiled", preview_type="xyz", preview_url="https://tiles.example.com/{z}/{x}/{y}.png")
    make_scene("bare")
    images = {image["id"]: image for image in search(api).json()["images"]}
    assert images["quick"]["previews"] == [
        {"url": "https://quicklooks.example.com/quick.png", "geometry": images["quick"]["footprint"]}
    ]
    assert images["tiled"]["previews"] == [] and images["bare"]["previews"] == []
    assert api.get("/rest/catalog/meta/quick").json()["previews"] == images["quick"]["previews"]


@pytest.mark.parametrize("hide", [True, False, None])
def test_hide_unavailable_is_accepted_and_hides_nothing_since_every_provider_is_available(api, hide):
    make_scene("a", provider="sky")
    make_scene("b", provider="sea")
    assert sorted(found(api, hideUnavailable=hide)) == ["a", "b"]


def test_an_unknown_image_id_is_a_404_in_the_catalog_error_shape(api):
    answer = api.get("/rest/catalog/meta/6a1a5cd8-9d39-4f86-8b2e-8d7df24cb5a1")
    assert answer.status_code == 404
    assert answer.json()["code"] == "NOT_FOUND" and "message" in answer.json()


def test_search_needs_a_token(client):
    assert client.post("/rest/catalog/meta", {"aoi": AOI}, content_type="application/json").status_code == 401


def test_the_user_status_lists_the_search_providers(api):
    make_scene("a", provider="naip")
    status = api.get("/rest/user/status").json()
    unpriced = {"price": [], "previewUrl": None, "previewUrlMaxZoom": None}
    assert status["searchDataProviders"] == [
        {"id": "naip", "name": "naip", "displayName": "naip", **unpriced},
        {"id": "my_imagery_images", "name": "my_imagery_images", "displayName": "My imagery: images", **unpriced},
        {"id": "my_imagery_mosaics", "name": "my_imagery_mosaics", "displayName": "My imagery: mosaics", **unpriced},
    ]
    assert status["searchAreaLimit"] > 0
