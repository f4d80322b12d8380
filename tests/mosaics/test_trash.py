"""The trash: a delete in the dashboard hides the mosaic or image from every page and tile at once, a restore brings
it back, the retention deletes it from the Data API only after TRASH_RETENTION_DAYS and only once, admins empty it."""

import io
import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage
from shapely import wkt
from shapely.geometry import mapping

from audit.models import Action, Entry
from dataapi.errors import NotFound
from mosaics import tasks
from mosaics.models import TrashItem
from searches.models import SavedArea, SavedSearch
from searches.services import saved_search_run
from tests.dataserver.catalog_scenes import make_scene
from tests.mosaics.conftest import htmx, island
from tests.mosaics.test_proxy import body, centre_tile, map_tiles, opaque_pixels
from tests.rasters import write_raster
from uploads.services import UploadRefused, upload_job_create, upload_job_link


def page_of(client, mosaic_id: str):
    return client.get(reverse("mosaics:detail", args=[mosaic_id]))


def image_names(client, mosaic_id: str) -> list[str]:
    features = island(page_of(client, mosaic_id).content.decode(), "images-map")["features"]
    return sorted(feature["properties"]["name"] for feature in features)


def colours(png: bytes) -> set[tuple[int, int, int]]:
    picture = PILImage.open(io.BytesIO(png)).convert("RGBA")
    return {colour[:3] for _, colour in picture.getcolors(256 * 256) if colour[3] == 255}


@pytest.fixture
def two_flights(teams, tmp_path):
    """Acme's mosaic of a red image and a blue one beside it, and the URL of a tile that shows both."""
    mosaic = teams.acme_api.mosaic_create(name="Two flights", tags=[])
    red = write_raster(tmp_path / "red.tif", width=64, height=64, colour=(255, 0, 0))
    blue = write_raster(tmp_path / "blue.tif", width=64, height=64, colour=(0, 0, 255), origin=(500_640.0, 6_200_000.0))
    red_id = teams.acme_api.mosaic_upload_image(mosaic.id, file=red).image_id
    blue_id = teams.acme_api.mosaic_upload_image(mosaic.id, file=blue).image_id
    z, x, y = centre_tile(teams.acme_api, mosaic.id, zoom=13)
    url = map_tiles(teams.alice_client, mosaic.id).format(z=z, x=x, y=y)
    return mosaic.id, red_id, blue_id, url


def test_a_deleted_image_is_gone_at_once_and_its_tiles_come_back_when_restored(teams, two_flights):
    mosaic_id, red_id, _, url = two_flights
    assert colours(body(Client().get(url))) == {(255, 0, 0), (0, 0, 255)}

    answer = teams.alice_client.post(reverse("mosaics:image-delete", args=[red_id]), {}, **htmx())
    assert answer.status_code == 204
    assert image_names(teams.alice_client, mosaic_id) == ["blue.tif"]
    assert colours(body(Client().get(url))) == {(0, 0, 255)}  # the map no longer draws it
    preview = reverse("mosaics:image-preview", args=[red_id, "s"])
    assert teams.alice_client.get(preview).status_code == 404
    assert teams.alice_client.get(reverse("mosaics:image-rename", args=[red_id])).status_code == 404
    original = reverse("mosaics:image-original", args=[red_id])
    assert teams.alice_client.get(original, HTTP_ACCEPT="application/json").json() == {
        "error": "This image is in the team's trash."
    }
    teams.acme_api.image_get(red_id)  # still stored upstream

    trash = teams.alice_client.get(reverse("mosaics:trash")).content.decode()
    assert "red.tif" in trash and "alice@example.com" in trash and "not in the trash" in trash
    item = TrashItem.objects.get(upstream_id=red_id)
    assert teams.bob_client.post(reverse("mosaics:trash-restore", args=[item.pk])).status_code == 403  # a viewer
    restored = teams.alice_client.post(reverse("mosaics:trash-restore", args=[item.pk]))
    assert restored.status_code == 302
    assert image_names(teams.alice_client, mosaic_id) == ["blue.tif", "red.tif"]
    assert colours(body(Client().get(url))) == {(255, 0, 0), (0, 0, 255)}
    assert teams.alice_client.get(preview).status_code == 200


def test_a_deleted_mosaic_leaves_the_list_its_page_and_its_tiles_until_restored(teams, mosaic_with_image):
    mosaic_id = mosaic_with_image.mosaic_id
    z, x, y = centre_tile(teams.acme_api, mosaic_id)
    url = map_tiles(teams.alice_client, mosaic_id).format(z=z, x=x, y=y)
    assert opaque_pixels(body(Client().get(url))) > 0

    teams.alice_client.post(reverse("mosaics:delete", args=[mosaic_id]), {}, **htmx())
    assert "Fields" not in teams.alice_client.get(reverse("mosaics:list")).content.decode()
    assert page_of(teams.alice_client, mosaic_id).status_code == 404
    assert Client().get(url).status_code == 404
    assert teams.acme_api.mosaic_get(mosaic_id).name == "Fields"  # still stored upstream
    # The storage gauge says how much of the use the trash holds.
    assert "298.2 kB of it in the trash" in teams.alice_client.get(reverse("mosaics:list")).content.decode()

    item = TrashItem.objects.get(upstream_id=mosaic_id)
    teams.alice_client.post(reverse("mosaics:trash-restore", args=[item.pk]))
    assert "Fields" in teams.alice_client.get(reverse("mosaics:list")).content.decode()
    assert opaque_pixels(body(Client().get(url))) > 0


def test_the_retention_deletes_upstream_only_after_the_period_and_only_once(teams, mosaic_with_image, settings):
    settings.TRASH_RETENTION_DAYS = 7
    image_id = mosaic_with_image.image_id
    teams.alice_client.post(reverse("mosaics:image-delete", args=[image_id]), {})
    item = TrashItem.objects.get(upstream_id=image_id)

    TrashItem.objects.filter(pk=item.pk).update(deleted_at=timezone.now() - timedelta(days=6, hours=23))
    assert tasks.trash_purge_due() == 0
    assert tasks.trash_item_purge(item.pk) is False  # a task that arrives early does nothing either
    teams.acme_api.image_get(image_id)

    TrashItem.objects.filter(pk=item.pk).update(deleted_at=timezone.now() - timedelta(days=7, minutes=1))
    assert tasks.trash_purge_due() == 1  # (tasks run in-process here)
    with pytest.raises(NotFound):
        teams.acme_api.image_get(image_id)
    assert not TrashItem.objects.exists()
    assert tasks.trash_item_purge(item.pk) is False  # redelivered: nothing left to do
    deleted = Entry.objects.filter(action=Action.IMAGE_DELETE, object_id=image_id)
    assert [(entry.actor, entry.object_name) for entry in deleted] == [(None, "cogeo.tif")]


def test_a_purge_under_way_is_not_started_again_but_one_that_died_is(teams, mosaic_with_image):
    """Two deliveries at once: the one that claimed the item deletes it, the other finds it claimed and leaves it;
    a claim an hour old is a purge whose worker died, and is taken over."""
    mosaic_id = mosaic_with_image.mosaic_id
    teams.alice_client.post(reverse("mosaics:delete", args=[mosaic_id]), {})
    item = TrashItem.objects.get(upstream_id=mosaic_id)
    now = timezone.now()
    TrashItem.objects.filter(pk=item.pk).update(deleted_at=now - timedelta(days=30), purge_started_at=now)
    assert tasks.trash_purge_due() == 0 and tasks.trash_item_purge(item.pk) is False
    assert teams.acme_api.mosaic_get(mosaic_id).name == "Fields"
    assert "being deleted" in teams.alice_client.get(reverse("mosaics:trash")).content.decode()
    assert teams.alice_client.post(reverse("mosaics:trash-restore", args=[item.pk])).status_code == 404

    TrashItem.objects.filter(pk=item.pk).update(purge_started_at=now - timedelta(hours=1, minutes=1))
    assert tasks.trash_purge_due() == 1
    with pytest.raises(NotFound):
        teams.acme_api.mosaic_get(mosaic_id)


def test_an_immediate_delete_bypasses_the_trash_once_the_name_is_typed(teams, mosaic_with_image):
    url = reverse("mosaics:image-delete", args=[mosaic_with_image.image_id])
    wrong = teams.alice_client.post(url, {"now": "on", "confirmation": "cogeo"}, **htmx("dialog-form"))
    assert wrong.status_code == 422 and "Type cogeo.tif exactly to delete it for good" in wrong.content.decode()
    teams.acme_api.image_get(mosaic_with_image.image_id)
    done = teams.alice_client.post(url, {"now": "on", "confirmation": "cogeo.tif"}, **htmx())
    assert done.status_code == 204 and not TrashItem.objects.exists()
    with pytest.raises(NotFound):
        teams.acme_api.image_get(mosaic_with_image.image_id)


def test_only_admins_empty_the_trash_and_other_teams_never_see_it(teams, mosaic_with_image):
    teams.alice_client.post(reverse("mosaics:delete", args=[mosaic_with_image.mosaic_id]), {})
    assert "Fields" not in teams.charlie_client.get(reverse("mosaics:trash")).content.decode()
    item = TrashItem.objects.get()
    assert teams.charlie_client.post(reverse("mosaics:trash-restore", args=[item.pk])).status_code == 404
    assert teams.bob_client.post(reverse("mosaics:trash-empty"), {"sure": "on"}).status_code == 403
    unsure = teams.alice_client.post(reverse("mosaics:trash-empty"), {}, follow=True).content.decode()
    assert "Tick the box" in unsure and TrashItem.objects.exists()

    emptied = teams.alice_client.post(reverse("mosaics:trash-empty"), {"sure": "on"}, follow=True).content.decode()
    assert "1 item deleted for good" in emptied and "The trash is empty" in emptied
    with pytest.raises(NotFound):
        teams.acme_api.mosaic_get(mosaic_with_image.mosaic_id)


def test_no_image_is_added_to_a_mosaic_in_the_trash(teams):
    mosaic = teams.acme_api.mosaic_create(name="Gone", tags=[])
    teams.alice_client.post(reverse("mosaics:delete", args=[mosaic.id]), {})
    for start in (
        lambda: upload_job_create(
            client=teams.acme_api, team=teams.acme, user=teams.alice, mosaic_id=mosaic.id, filename="a.tif", size=10
        ),
        lambda: upload_job_link(
            client=teams.acme_api, team=teams.acme, user=teams.alice, mosaic_id=mosaic.id, url="https://x.test/a.tif"
        ),
    ):
        with pytest.raises(UploadRefused, match="This mosaic is in the team's trash"):
            start()


def catalog_results(client, mosaic) -> tuple[list[str], str]:
    """The ids of the catalog search's results over the mosaic (sorted), and the page's summary of them."""
    aoi = json.dumps(mapping(wkt.loads(mosaic.footprint)))
    page = client.get(f"{reverse('catalog:search')}?{urlencode({'aoi': aoi})}").content.decode()
    summary = re.search(r'<p [^>]*id="results-summary">(.*?)</p>', page, re.DOTALL).group(1)
    return sorted(re.findall(r'<tr data-scene="([^"]+)"', page)), summary


def test_the_catalog_search_leaves_out_the_imagery_in_the_trash(teams, two_flights):
    mosaic_id, red_id, blue_id, _ = two_flights
    mosaic = teams.acme_api.mosaic_get(mosaic_id)
    assert catalog_results(teams.alice_client, mosaic)[0] == sorted([mosaic_id, red_id, blue_id])

    teams.alice_client.post(reverse("mosaics:image-delete", args=[red_id]), {}, **htmx())
    assert catalog_results(teams.alice_client, mosaic) == (sorted([blue_id, mosaic_id]), "Scenes 1–2 of 2")

    teams.alice_client.post(reverse("mosaics:delete", args=[mosaic_id]), {}, **htmx())
    assert catalog_results(teams.alice_client, mosaic) == ([], "No scene matches this search.")
    assert len(teams.acme_api.catalog_search(aoi=mapping(wkt.loads(mosaic.footprint))).images) == 3  # still upstream


def test_pages_of_results_follow_each_other_without_the_gap_of_a_trashed_image(teams, two_flights):
    mosaic_id, red_id, blue_id, _ = two_flights
    footprint = wkt.loads(teams.acme_api.mosaic_get(mosaic_id).footprint)
    scenes = [make_scene(f"S{number:03}", bounds=footprint.bounds).scene_id for number in range(100)]
    teams.alice_client.post(reverse("mosaics:image-delete", args=[red_id]), {}, **htmx())
    aoi = json.dumps(mapping(footprint))

    def page(number: int) -> tuple[list[str], str]:
        query = {"aoi": aoi, "page": number, "sort": "provider", "order": "asc"}  # own imagery first, on page 1
        html = teams.alice_client.get(f"{reverse('catalog:search')}?{urlencode(query)}")
        html = html.content.decode()
        summary = re.search(r'<p [^>]*id="results-summary">(.*?)</p>', html, re.DOTALL).group(1)
        return re.findall(r'<tr data-scene="([^"]+)"', html), summary

    (first, first_summary), (second, second_summary) = page(1), page(2)
    assert (first_summary, second_summary) == ("Scenes 1–100 of 102", "Scenes 101–102 of 102")
    assert sorted(first + second) == sorted([*scenes, mosaic_id, blue_id])  # each once, the trashed one in neither


def test_the_counts_without_a_filter_leave_out_the_imagery_in_the_trash(teams, two_flights):
    """A search that finds nothing tells how many scenes each filter holds back: the trashed image is not one."""
    mosaic_id, red_id, _, _ = two_flights
    aoi = json.dumps(mapping(wkt.loads(teams.acme_api.mosaic_get(mosaic_id).footprint)))
    query = urlencode({"aoi": aoi, "cloud_known": "on"})  # own imagery has no cloud cover: none passes

    def without_date() -> str:
        page = teams.alice_client.get(f"{reverse('catalog:search')}?{query}").content.decode()
        found = re.search(r"without “Only scenes with a cloud value”: (\d+) scene", page)
        assert found, re.search(r'id="results-summary">(.*?)</p>', page, re.DOTALL) or page[-3000:]
        return found.group(1)

    assert without_date() == "3"  # the mosaic and its two images
    teams.alice_client.post(reverse("mosaics:image-delete", args=[red_id]), {}, **htmx())
    assert without_date() == "2"


def test_a_saved_search_run_does_not_report_the_imagery_in_the_trash(teams, two_flights):
    mosaic_id, red_id, blue_id, _ = two_flights
    footprint = mapping(wkt.loads(teams.acme_api.mosaic_get(mosaic_id).footprint))
    teams.alice_client.post(reverse("mosaics:image-delete", args=[red_id]), {}, **htmx())
    search = SavedSearch.objects.create(team=teams.acme, name="Over the flights", created_by=teams.alice)
    area = SavedArea.objects.create(saved_search=search, name="Flights", geometry=footprint)

    saved_search_run(client=teams.acme_api, search=search)
    assert sorted(area.scenes.values_list("scene_id", flat=True)) == sorted([mosaic_id, blue_id])
