"""The mosaic list and the mosaic page: what each role sees, filters, sorting, islands, and other teams' ids."""

from django.urls import reverse

from tests.mosaics.conftest import htmx, island
from tests.teams.conftest import signed_in


def test_the_list_shows_each_mosaic_with_tags_image_count_size_and_date(teams, mosaic_with_image):
    teams.acme_api.mosaic_create(name="Empty one", tags=[])
    page = teams.alice_client.get(reverse("mosaics:list")).content.decode()
    assert "Fields" in page and "Empty one" in page
    assert ">2024</span>" in page and ">drone</span>" in page
    assert "298.2 kB" in page  # cogeo.tif's size
    assert "2 of 2 mosaics" in page
    assert 'href="/mosaics/"' in page  # the navigation has the Mosaics link
    assert "New mosaic from files" in page and 'id="upload-dropzone"' in page


def test_the_list_filters_by_name_and_tag_and_sorts_in_a_fragment(teams):
    for name, tags in [("Alpha field", ["a"]), ("Beta field", ["a", "b"]), ("Gamma road", ["b"])]:
        teams.acme_api.mosaic_create(name=name, tags=tags)
    url = reverse("mosaics:list")

    fragment = teams.alice_client.get(url, {"tag": "b", "sort": "name"}, **htmx("mosaic-table")).content.decode()
    assert fragment.lstrip().startswith('<section id="mosaic-table"') and "<nav" not in fragment
    assert fragment.index("Beta field") < fragment.index("Gamma road") and "Alpha field" not in fragment

    fragment = teams.alice_client.get(url, {"name": "FIELD", "sort": "-name"}, **htmx("mosaic-table")).content.decode()
    assert fragment.index("Beta field") < fragment.index("Alpha field") and "Gamma road" not in fragment
    assert "2 of 3 mosaics" in fragment

    nothing = teams.alice_client.get(url, {"name": "nowhere"}, **htmx("mosaic-table")).content.decode()
    assert "No mosaic matches these filters." in nothing


def test_the_list_of_a_team_without_a_credential_explains_why_it_is_empty(cast):
    answer = signed_in(cast.alice).get(reverse("mosaics:list"))
    assert answer.status_code == 200
    assert "This team has not connected a Data API account yet." in answer.content.decode()


def test_other_teams_never_see_acmes_mosaics(teams, mosaic_with_image):
    page = teams.charlie_client.get(reverse("mosaics:list")).content.decode()
    assert "Fields" not in page and "No mosaics yet." in page
    assert teams.charlie_client.get(reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])).status_code == 404


def test_the_mosaic_page_has_the_images_table_and_the_map_islands(teams, mosaic_with_image):
    page = teams.alice_client.get(reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])).content.decode()
    assert "cogeo.tif" in page and "EPSG:" in page and "uint8" in page and "tiles ready" in page
    assert f'/images/{mosaic_with_image.image_id}/preview/s' in page
    settings = island(page, "mosaic-map-settings")
    west, south, east, north = settings["bounds"]
    assert west < east and south < north
    images_map = island(page, "images-map")
    assert images_map["tiles"].startswith(f"/mosaics/{mosaic_with_image.mosaic_id}/tiles/{{z}}/{{x}}/{{y}}.png?token=")
    assert [feature["id"] for feature in images_map["features"]] == [mosaic_with_image.image_id]
    # The upstream tile URL carries the mosaic's uri: it never reaches the browser.
    assert "uri=" not in page and "/api/v0/cogs/" not in page


def test_the_mosaic_page_needs_two_calls_to_the_data_api(teams, mosaic_with_image, caplog):
    url = reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])
    teams.alice_client.get(url)  # the storage gauge's answer is now cached
    caplog.clear()
    with caplog.at_level("INFO", logger="dataapi"):
        teams.alice_client.get(url)
    calls = [r.getMessage() for r in caplog.records if r.name == "dataapi"]
    assert len(calls) == 2, "\n".join(calls)


def test_a_viewer_sees_everything_but_no_button_that_changes_something(teams, mosaic_with_image):
    listing = teams.bob_client.get(reverse("mosaics:list")).content.decode()
    page = teams.bob_client.get(reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])).content.decode()
    assert "Fields" in listing and "cogeo.tif" in page and "Copy tile URL" in page
    for label in ["New mosaic", "Edit", "Delete", "Rename", "Link image"]:
        assert f">{label}" not in listing + page, label
    assert 'id="upload-dropzone"' not in listing + page


def test_an_image_still_processing_is_polled_until_its_tiles_are_ready(teams, monkeypatch):
    from dataserver.tasks import image_build_cog
    from tests.rasters import COGEO

    queued = []
    monkeypatch.setattr(image_build_cog, "delay", queued.append)  # the COG is built below, when the test says
    mosaic = teams.acme_api.mosaic_create(name="Slow", tags=[])
    uploaded = teams.acme_api.mosaic_upload_image(mosaic.id, file=COGEO)
    url = reverse("mosaics:detail", args=[mosaic.id])
    page = teams.alice_client.get(url).content.decode()
    assert "processing" in page and 'hx-trigger="every 3s,' in page

    image_build_cog(queued[0])
    done = teams.alice_client.get(url, {"polling": "1"}, **htmx("images"))
    assert done.status_code == 286  # htmx stops polling
    body = done.content.decode()
    assert "tiles ready" in body and "every 3s" not in body and uploaded.image_id in body
