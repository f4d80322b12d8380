"""Search through the spatial index: scenes that move or go are found where they are, the total counts only the
footprints that meet the AOI, and pages stay in order with the account's own imagery among the scenes."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from shapely.geometry import Polygon, box, shape

from dataserver.catalog import scenes
from dataserver.models import Scene
from tests.dataserver.catalog_scenes import AOI, aoi_box, found, make_scene, search
from tests.dataserver.test_catalog_own_imagery import uploaded  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_a_scene_moved_or_deleted_is_found_where_it_is_now(api):
    make_scene("moving")
    make_scene("going")
    moved = Scene.with_footprint(box(40, 40, 40.2, 40.2), provider_name="sky", scene_id="moving")
    Scene.objects.filter(scene_id="moving").update(
        **{name: getattr(moved, name) for name in ("footprint", "west", "south", "east", "north")}
    )
    Scene.objects.filter(scene_id="going").delete()
    assert found(api) == []
    assert found(api, aoi_box(40.05, 40.05, 40.1, 40.1)) == ["moving"]


def scenes_near_the_corners() -> list[str]:
    """Scenes whose bounds meet the AOI's, four of whose footprints miss it; the ids of the others by cloud cover."""
    west, south, east, north = shape(AOI).bounds
    # Bounds over a corner of the AOI but footprints off it: one triangle beyond each corner.
    for number, (x, y, dx, dy) in enumerate([(west, south, -1, -1), (east, south, 1, -1), (east, north, 1, 1),
                                             (west, north, -1, 1)]):  # fmt: skip
        corner = Polygon([(x + 0.04 * dx, y), (x + 0.04 * dx, y + 0.04 * dy), (x, y + 0.04 * dy)])
        nearer = [(px - 0.01 * dx, py - 0.01 * dy) for px, py in corner.exterior.coords]
        make_scene(f"miss-{number}", geometry=Polygon(nearer))
    # Bounds across one edge, inside, around, and a thin diagonal over a corner that does touch the AOI.
    make_scene("across-west", bounds=(west - 0.1, south + 0.01, west + 0.01, north - 0.01), cloud_cover=4.0)
    make_scene("inside", bounds=(west + 0.01, south + 0.01, east - 0.01, north - 0.01), cloud_cover=3.0)
    make_scene("around", bounds=(west - 1, south - 1, east + 1, north + 1), cloud_cover=None)
    make_scene("diagonal", geometry=Polygon([(west - 0.03, south + 0.035), (west + 0.035, south - 0.03),
                                             (west + 0.045, south - 0.03), (west - 0.03, south + 0.045)]),
               cloud_cover=1.0)  # fmt: skip
    return ["diagonal", "inside", "across-west", "around"]


def test_the_total_and_the_pages_hold_only_footprints_that_meet_the_aoi(api):
    expected = scenes_near_the_corners()
    answer = search(api, sortBy="CLOUD_COVER", sortOrder="ASC").json()
    assert answer["total"] == 4
    assert found(api, sortBy="CLOUD_COVER", sortOrder="ASC") == expected
    paged = [found(api, sortBy="CLOUD_COVER", sortOrder="ASC", limit=1, offset=offset)[0] for offset in range(4)]
    assert paged == expected
    assert found(api, sortBy="CLOUD_COVER", sortOrder="ASC", offset=4) == []


def test_past_the_exact_count_the_total_is_an_estimate_but_the_pages_hold_only_footprints_that_meet(api, monkeypatch):
    monkeypatch.setattr(scenes, "EXACT_TOTAL", 3)
    monkeypatch.setattr(scenes, "RTREE_EXACT_TOTAL", 3)
    expected = scenes_near_the_corners()
    assert search(api).json()["total"] > 3
    for order in ({}, {"sortBy": "CLOUD_COVER", "sortOrder": "ASC"}):
        assert sorted(found(api, **order)) == sorted(expected)
        paged = [found(api, **order, limit=1, offset=offset)[0] for offset in range(4)]
        assert sorted(paged) == sorted(expected)
        assert found(api, **order, offset=4, limit=4) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner estimates; SQLite always counts")
def test_where_the_planner_expects_very_many_the_total_is_its_estimate_and_the_pages_stay_exact(api, monkeypatch):
    monkeypatch.setattr(scenes, "COUNT_ESTIMATE_LIMIT", 0)  # every search "very many": no walk counts them
    expected = scenes_near_the_corners()
    assert search(api).json()["total"] >= 1  # the planner's estimate for this small table
    for order in ({}, {"sortBy": "CLOUD_COVER", "sortOrder": "ASC"}):
        paged = [found(api, **order, limit=1, offset=offset)[0] for offset in range(4)]
        assert sorted(paged) == sorted(expected)
        assert found(api, **order, offset=4, limit=4) == []


def test_the_accounts_imagery_takes_its_place_on_every_page(api, uploaded):  # noqa: F811
    mosaic_id, image_id, footprint = uploaded
    bounds = shape(footprint).bounds
    # Scenes without a date sort with the own imagery (no date either) by id: some before it, some after, some
    # between the image and the mosaic.
    for scene_id in ("0", "4", "8", "c", "g", "~"):
        make_scene(scene_id, bounds=bounds, acquired_at=None)
    for month in (1, 2, 3):
        make_scene(f"dated-{month}", bounds=bounds, acquired_at=datetime(2024, month, 1, tzinfo=UTC))
    answer = search(api, footprint).json()
    everything = [image["id"] for image in answer["images"]]
    undated = sorted(["0", "4", "8", "c", "g", "~", image_id, mosaic_id])
    assert everything == ["dated-3", "dated-2", "dated-1", *undated]
    assert answer["total"] == 11
    for limit in (1, 2, 3):
        pages = [search(api, footprint, limit=limit, offset=offset).json() for offset in range(0, 11, limit)]
        assert [image["id"] for page in pages for image in page["images"]] == everything
        assert {page["total"] for page in pages} == {11}
