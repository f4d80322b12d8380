"""The saved search pages against the self-hosted Data API on the live server: saving the catalog's search, named
areas from files, editing, pausing, following, marking seen, the badge, and who may do what."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import box, mapping

from searches import services
from searches.models import Follower, SavedSearch, SeenScene
from searches.tasks import saved_search_run
from tests.catalog.conftest import NAIP_AOI

from .conftest import EAST, WEST, new_scenes_import, saved_search_post, signed_in

NORTH = box(-116.1, 49.05, -115.6, 49.1)


@pytest.fixture
def saved(alice, naip, django_capture_on_commit_callbacks):
    """Alice's saved search over two areas of the border, its first run done."""
    with django_capture_on_commit_callbacks(execute=True):
        assert saved_search_post(alice).status_code == 302
    return SavedSearch.objects.get()


def with_new_scenes(search, tmp_path, count=3) -> list[str]:
    ids = new_scenes_import(tmp_path, count)
    saved_search_run(search.pk)
    return ids


def test_the_catalogs_search_is_saved_with_its_area_and_filters(alice, naip, django_capture_on_commit_callbacks):
    answer = alice.post(reverse("catalog:search"), {"aoi": json.dumps(NAIP_AOI), "cloud_max": "20", "per_page": "250"})
    assert answer.status_code == 303
    catalog = alice.get(answer["Location"]).content.decode()
    link = re.search(r'id="search-save" class="[^"]*" href="([^"]+)"', catalog).group(1).replace("&amp;", "&")
    form = alice.get(link)
    assert form.status_code == 200 and 'name="area"' in form.content.decode()
    key = re.search(r'name="area" value="([^"]+)"', form.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice.post(link, {"name": "Border watch", "area": key, "cloud_max": "20", "follow": "1"})
    search = SavedSearch.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("searches:detail", args=[search.pk])
    assert search.filters == {"cloud_max": ["20"]} and search.created_by.username == "alice"
    assert [(area.name, area.geometry) for area in search.areas.all()] == [("Area", NAIP_AOI)]
    assert search.checked_at is not None and SeenScene.objects.count() == 11  # the first run: none is new
    assert not SeenScene.objects.filter(is_new=True).exists()
    assert Follower.objects.get().user.username == "alice"


def test_a_geojson_gives_named_areas_from_the_property_chosen(alice, naip):
    areas = (("Field 1", WEST), ("Field 2", EAST), ("Field 3", NORTH))
    assert saved_search_post(alice, areas=areas).status_code == 302
    assert [area.name for area in SavedSearch.objects.get().areas.all()] == ["Field 1", "Field 2", "Field 3"]
    page = alice.get(reverse("searches:list")).content.decode()
    assert "Border" in page and '<td class="text-end">3</td>' in page


def test_a_missing_name_property_is_named_with_the_properties_there_are(alice, naip):
    answer = saved_search_post(alice, name_property="field")
    assert answer.status_code == 400
    expected = "Area 1 of areas.geojson has no &quot;field&quot; property to name it by; the areas have: name."
    assert expected in answer.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_polygons_of_a_kml_are_areas_numbered_after_the_file(alice, naip):
    polygon = (
        "<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>{}</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark>"
    )
    ring = lambda geometry: " ".join(f"{x},{y}" for x, y in geometry.exterior.coords)  # noqa: E731
    kml = f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{polygon.format(ring(WEST))}{polygon.format(ring(EAST))}</Document></kml>'
    upload = SimpleUploadedFile("fields.kml", kml.encode())
    answer = alice.post(reverse("searches:create"), {"name": "KML", "areas_file": upload})
    assert answer.status_code == 302
    assert [area.name for area in SavedSearch.objects.get().areas.all()] == ["fields 1", "fields 2"]


def test_a_search_needs_an_area_and_a_last_day_not_past(alice, naip):
    answer = alice.post(reverse("searches:create"), {"name": "Nothing"})
    assert answer.status_code == 400
    assert "Search an area in the catalog first, or load a file of areas." in answer.content.decode()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    answer = saved_search_post(alice, active_until=yesterday)
    assert answer.status_code == 400 and "The last active day is in the past." in answer.content.decode()


def test_an_area_over_the_teams_search_limit_is_refused_by_name(alice, naip):
    answer = saved_search_post(alice, areas=(("Small", WEST), ("Continent", box(-100, 0, 0, 60))))
    assert answer.status_code == 400
    assert "Continent: The area covers" in answer.content.decode() and not SavedSearch.objects.exists()


def test_new_scenes_show_on_the_page_and_the_badge_until_marked_seen(alice, saved, tmp_path):
    ids = with_new_scenes(saved, tmp_path)
    page = alice.get(reverse("searches:detail", args=[saved.pk])).content.decode()
    assert re.search(r'id="new-scenes-badge"[^>]*>3<', page)
    rows = re.findall(r'<tr class="table-warning" data-scene="([^"]+)"', page)
    assert set(rows) == set(ids) and rows[:3] == ids[::-1]  # the West area's, the newest first
    first = SeenScene.objects.get(scene_id=ids[0])
    alice.post(reverse("searches:seen", args=[saved.pk]), {"scene": first.pk})
    page = alice.get(reverse("searches:detail", args=[saved.pk])).content.decode()
    assert re.search(r'id="new-scenes-badge"[^>]*>2<', page) and f'data-scene="{ids[0]}"' not in page
    alice.post(reverse("searches:seen", args=[saved.pk]))
    page = alice.get(reverse("searches:detail", args=[saved.pk])).content.decode()
    assert 'id="new-scenes-badge"' not in page and 'class="table-warning"' not in page


def test_editing_new_filters_records_afresh_and_a_file_replaces_the_areas(
    alice, saved, tmp_path, django_capture_on_commit_callbacks
):
    new_scenes_import(tmp_path, 2)
    upload = SimpleUploadedFile("a.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "North"}, "geometry": mapping(NORTH)}
    ]}).encode())  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice.post(reverse("searches:edit", args=[saved.pk]), {
            "name": "Renamed", "areas_file": upload, "name_property": "name", "cloud_max": "50",
        })  # fmt: skip
    assert answer.status_code == 302
    saved.refresh_from_db()
    assert saved.name == "Renamed" and saved.filters == {"cloud_max": ["50"]}
    assert [area.name for area in saved.areas.all()] == ["North"]
    assert SeenScene.objects.filter(area__saved_search=saved).exists()
    assert not SeenScene.objects.filter(is_new=True).exists()  # what the new area had is its start, not news


def test_pause_and_resume(alice, saved):
    alice.post(reverse("searches:pause", args=[saved.pk]), {"paused": "1"})
    assert "Paused" in alice.get(reverse("searches:list")).content.decode()
    alice.post(reverse("searches:pause", args=[saved.pk]), {"paused": "0"})
    saved.refresh_from_db()
    assert not saved.paused and saved.next_run_at <= timezone.now()


def test_a_viewer_follows_but_cannot_change_a_search(bob, saved, tmp_path):
    with_new_scenes(saved, tmp_path, 1)
    for name, data in [("searches:edit", {"name": "x"}), ("searches:pause", {"paused": "1"}),
                       ("searches:delete", {}), ("searches:seen", {})]:  # fmt: skip
        assert bob.post(reverse(name, args=[saved.pk]), data).status_code == 403, name
    assert bob.get(reverse("searches:create")).status_code == 403
    page = bob.get(reverse("searches:detail", args=[saved.pk])).content.decode()
    assert "Mark all seen" not in page and ">Edit<" not in page and ">Delete<" not in page
    assert bob.post(reverse("searches:follow", args=[saved.pk]), {"follow": "1"}).status_code == 302
    assert Follower.objects.filter(user__username="bob", saved_search=saved).exists()
    assert SeenScene.objects.filter(is_new=True).count() == 1 and SavedSearch.objects.get().name == "Border"


def test_a_team_cannot_see_another_teams_saved_searches(cast, saved, tmp_path):
    with_new_scenes(saved, tmp_path, 2)
    charlie = signed_in(cast.charlie)
    page = charlie.get(reverse("searches:list")).content.decode()
    assert "Border" not in page and "new-scenes-badge" not in page
    assert charlie.get(reverse("searches:detail", args=[saved.pk])).status_code == 404
    for name in ("searches:edit", "searches:pause", "searches:delete", "searches:seen", "searches:follow"):
        assert charlie.post(reverse(name, args=[saved.pk]), {"paused": "1", "follow": "1"}).status_code == 404, name
    saved.refresh_from_db()
    assert not saved.paused and SeenScene.objects.filter(is_new=True).count() == 2
    assert not Follower.objects.filter(user=cast.charlie).exists()


def test_delete(alice, saved):
    assert alice.post(reverse("searches:delete", args=[saved.pk])).status_code == 302
    assert not SavedSearch.objects.exists() and not SeenScene.objects.exists()


def test_the_unsubscribe_link_asks_once_then_stops_the_digests(client, saved):
    token = services.unsubscribe_token(Follower.objects.get())
    url = reverse("searches:unsubscribe", args=[token])
    assert client.get(url).status_code == 200 and Follower.objects.exists()  # a mail scanner's GET changes nothing
    answer = client.post(url)
    assert answer.status_code == 200 and "You will get no more e-mails about “Border”." in answer.content.decode()
    assert not Follower.objects.exists()
    assert client.post(url).status_code == 404
    assert client.post(reverse("searches:unsubscribe", args=[token[:-2] + "xx"])).status_code == 404


def test_the_dispatcher_caps_each_team_and_spaces_its_runs(cast, settings):
    settings.SEARCHES_TEAM_RUNS_PER_DISPATCH, settings.SEARCHES_DISPATCH_SECONDS = 4, 60
    past = timezone.now() - timedelta(minutes=1)
    acme = [SavedSearch.objects.create(team=cast.acme, name=f"a{n}", next_run_at=past) for n in range(6)]
    cosmo = [SavedSearch.objects.create(team=cast.cosmo, name=f"c{n}", next_run_at=past) for n in range(2)]
    SavedSearch.objects.create(team=cast.cosmo, name="paused", next_run_at=past, paused=True)
    SavedSearch.objects.create(team=cast.cosmo, name="ended", next_run_at=past,
                               active_until=timezone.localdate() - timedelta(days=1))  # fmt: skip
    first = services.saved_searches_due()
    assert sorted(pk for pk, _ in first) == sorted(s.pk for s in acme[:4] + cosmo)
    assert sorted(delay for pk, delay in first if pk in {s.pk for s in acme}) == [0, 15, 30, 45]
    assert services.saved_searches_due() == [(acme[4].pk, 0.0), (acme[5].pk, 15.0)]
    assert services.saved_searches_due() == []


def test_the_catalog_maps_layer_holds_the_teams_saved_areas_only(cast, alice, saved):
    layer = alice.get(reverse("searches:areas")).json()
    assert [(f["properties"]["search"], f["properties"]["area"]) for f in layer["features"]] == [
        ("Border", "West"), ("Border", "East")
    ]
    assert layer["features"][0]["properties"]["url"] == reverse("searches:detail", args=[saved.pk])
    assert signed_in(cast.charlie).get(reverse("searches:areas")).json()["features"] == []


def test_searches_created_together_fall_due_spread_over_the_period(cast, settings, django_capture_on_commit_callbacks):
    from catalog.aoi_files import NamedArea

    settings.SEARCHES_PERIOD_MINUTES = 60
    area = NamedArea(name="West", geometry=WEST.__geo_interface__)
    with django_capture_on_commit_callbacks(execute=False):
        for number in range(20):
            services.saved_search_create(team=cast.acme, user=cast.alice, name=f"s{number}", filters={}, areas=[area],
                                         follow=False)  # fmt: skip
    due = sorted(SavedSearch.objects.values_list("next_run_at", flat=True))
    assert due[0] >= timezone.now() - timedelta(minutes=1) and due[-1] <= timezone.now() + timedelta(minutes=60)
    assert due[-1] - due[0] > timedelta(minutes=30)


def test_saved_search_changes_are_in_the_audit_log_with_who_made_them(alice, saved):
    from audit.models import Action, Entry

    alice.post(reverse("searches:edit", args=[saved.pk]), {"name": "Border, east", "cloud_max": "30"})
    alice.post(reverse("searches:pause", args=[saved.pk]), {"paused": "1"})
    alice.post(reverse("searches:pause", args=[saved.pk]), {"paused": "0"})
    alice.post(reverse("searches:delete", args=[saved.pk]))
    entries = Entry.objects.filter(team=saved.team).order_by("at", "id")
    assert [(entry.action, entry.actor_email, entry.object_name) for entry in entries] == [
        (Action.SEARCH_CREATE, "alice@example.com", "Border"),
        (Action.SEARCH_CHANGE, "alice@example.com", "Border, east"),
        (Action.SEARCH_PAUSE, "alice@example.com", "Border, east"),
        (Action.SEARCH_RESUME, "alice@example.com", "Border, east"),
        (Action.SEARCH_DELETE, "alice@example.com", "Border, east"),
    ]
    assert entries[1].details == {"filters": True, "areas": False}
