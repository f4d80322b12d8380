"""Scenes with no cloud or off-nadir value pass the API's filters: the page counts them and can leave them out; a
search that finds nothing says what each filter took away. Against the self-hosted Data API on the live server."""

import pytest
from django.urls import reverse

from catalog import selectors
from teams.clients import client_for
from tests.dataserver.catalog_scenes import AOI, make_scene

from .test_search_page import rows, url


@pytest.fixture
def mixed(db):
    """Seven scenes: three with no cloud cover, one with no off-nadir angle."""
    for number in range(7):
        make_scene(f"s{number}", cloud_cover=None if number in (1, 4, 6) else 5.0 + number,
                   off_nadir=None if number == 2 else 3.0)


def page_text(answer) -> str:
    return " ".join(answer.content.decode().split())


def test_the_page_counts_the_scenes_with_unknown_values(alice, mixed):
    answer = alice.get(url(cloud_max="8"))
    assert sorted(rows(answer)) == ["s0", "s1", "s2", "s3", "s4", "s6"]  # s5 has 10 % cloud
    text = page_text(answer)
    assert "3 scenes with no cloud cover pass the filters on it." in text
    assert "1 scene with no off-nadir angle passes the filters on it." in text


def test_scenes_with_unknown_values_can_be_left_out(alice, mixed):
    answer = alice.get(url(cloud_max="8", cloud_known="on"))
    assert sorted(rows(answer)) == ["s0", "s2", "s3"]
    text = page_text(answer)
    assert "Scenes 1–3 of 3" in text
    assert "3 scenes with no cloud cover left out" in text
    both = alice.get(url(cloud_known="on", nadir_known="on", sort="cloud"))
    assert rows(both) == ["s0", "s3", "s5"]


def test_the_unknown_count_takes_a_logarithmic_number_of_calls(alice, acme_account, cast):
    for number in range(40):
        make_scene(f"n{number:02}", cloud_cover=None if number % 4 == 0 else float(number))
    client = client_for(team=cast.acme)
    calls = []
    search = client.catalog_search
    client.catalog_search = lambda **query: calls.append(query) or search(**query)
    query = {"aoi": AOI}
    assert selectors.unknown_count(client=client, query=query, sort_by="CLOUD_COVER", field_name="cloudCover",
                                   total=40) == 10
    assert len(calls) <= 7  # 1 + ceil(log2(40))


def test_a_search_finding_nothing_says_what_each_filter_took_away(alice, mixed):
    answer = alice.get(url(cloud_max="1", nadir_min="50", provider="sky"))
    text = page_text(answer)
    assert "No scene matches this search." in text
    # Without the cloud filter, the off-nadir filter still keeps out all but the one with no angle; without the
    # off-nadir filter, the three with no cloud cover pass; the provider filter takes nothing away.
    assert "without “Max cloud % 1”: 1 scene" in text
    assert "without “Min off-nadir ° 50”: 3 scenes" in text
    assert "without “Providers sky”: 0 scenes" in text


def test_a_search_with_results_makes_no_relaxed_searches(alice, mixed):
    assert "Without one of the filters" not in page_text(alice.get(url(cloud_max="50")))


def test_the_export_leaves_out_what_the_page_leaves_out(alice, mixed):
    query = url(cloud_known="on").split("?", 1)[1]
    answer = alice.get(f"{reverse('catalog:export-csv')}?{query}")
    ids = sorted(line.split(",")[0] for line in answer.content.decode().splitlines()[1:])
    assert ids == ["s0", "s2", "s3", "s5"]
