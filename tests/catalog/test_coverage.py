"""The coverage layer's answers: footprints when close, counted cells when far, bounded searches, cached counts."""

import pytest
from django.urls import reverse

from catalog import coverage
from tests.dataserver.catalog_scenes import make_scene

COVERAGE = reverse("catalog:coverage")


@pytest.fixture
def scenes(db):
    make_scene("near", bounds=(10.0, 10.0, 10.2, 10.2))
    make_scene("far", bounds=(-70.0, -30.0, -69.8, -29.8))


def test_close_in_the_footprints_of_the_view_are_given(alice, scenes):
    answer = alice.get(COVERAGE, {"bbox": "9.5,9.5,10.5,10.5", "zoom": "10"}).json()
    assert answer["total"] == 1 and [f["id"] for f in answer["footprints"]["features"]] == ["near"]


def test_far_out_cells_count_the_scenes_and_fill_in_over_requests(alice, scenes, acme_account):
    acme_account.search_area_limit = 80_000_000 * 10**6  # a search may cover a tile of level 3
    acme_account.save()
    world = {"bbox": "-180,-85,180,85", "zoom": "2"}  # cells of level 3: 64 of them
    first = alice.get(COVERAGE, world).json()
    assert first["pending"] == 64 - coverage.CELL_LOOKUPS
    answer = alice.get(COVERAGE, world).json()
    assert answer["pending"] == 0
    cells = answer["cells"]
    assert len(cells) == 2 and all(cell["count"] == 1 for cell in cells)
    for (west, south, east, north), (lon, lat) in zip(sorted(c["bbox"] for c in cells), [(-69.9, -29.9), (10.1, 10.1)],
                                                      strict=True):
        assert west <= lon <= east and south <= lat <= north


def test_a_cell_counts_its_sub_tiles_where_a_search_may_cover_less(alice, scenes, acme_account):
    acme_account.search_area_limit = 20_000_000 * 10**6  # level 4: four sub-tiles to a cell of level 3
    acme_account.save()
    answer = alice.get(COVERAGE, {"bbox": "0,0,20,20", "zoom": "2"}).json()
    assert answer["pending"] == 0 and [cell["count"] for cell in answer["cells"]] == [1]


def test_a_request_makes_a_bounded_number_of_searches(alice, scenes, monkeypatch):
    calls = []
    original = coverage.DataAPIClient.catalog_search
    monkeypatch.setattr(coverage.DataAPIClient, "catalog_search", lambda self, **q: calls.append(q) or original(self, **q))
    alice.get(COVERAGE, {"bbox": "-180,-85,180,85", "zoom": "2"})
    assert len(calls) == coverage.CELL_LOOKUPS


def test_the_query_level_follows_the_search_area_limit():
    assert coverage.query_level(None) == 0
    assert coverage.query_level(500_000 * 10**6) == 6  # tiles of 626 km at the equator
    assert coverage.query_level(10**20) == 0


@pytest.mark.parametrize("query", [{"bbox": "1,2,3", "zoom": "3"}, {"bbox": "a,b,c,d", "zoom": "3"},
                                   {"bbox": "1,2,3,4", "zoom": "99"}, {"bbox": "nan,2,3,4", "zoom": "3"}])
def test_a_bad_view_is_refused_saying_what_is_expected(alice, query):
    answer = alice.get(COVERAGE, query)
    assert answer.status_code == 400 and "bbox=west,south,east,north" in answer.json()["error"]
