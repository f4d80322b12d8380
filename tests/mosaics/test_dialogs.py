"""The dialogs that create, rename, tag and delete mosaics and images: htmx and full-page variants, validation errors
in place, viewers refused, other teams' ids not found."""

import json

import pytest
from django.urls import reverse

from dataapi.errors import NotFound
from tests.mosaics.conftest import htmx


def names(api) -> list[str]:
    return sorted(mosaic.name for mosaic in api.mosaic_list())


def events(answer) -> dict:
    return json.loads(answer["HX-Trigger"])


def test_creating_a_mosaic_through_htmx_tells_the_list_to_refresh_and_the_page_its_id(teams):
    answer = teams.alice_client.post(reverse("mosaics:create"), {"name": " Fields ", "tags": "a, b, a"}, **htmx())
    (mosaic,) = teams.acme_api.mosaic_list()
    assert (mosaic.name, mosaic.tags) == ("Fields", ["a", "b"])
    assert answer.status_code == 204
    url = reverse("mosaics:detail", args=[mosaic.id])
    assert events(answer) == {"mosaics-changed": {}, "mosaic-created": {"id": mosaic.id, "name": "Fields", "url": url}}


def test_new_mosaic_from_files_opens_the_dialog_named_after_the_first_file(teams):
    url = reverse("mosaics:create") + "?files=3&name=Orthophoto 2024 north"
    fragment = teams.alice_client.get(url, **htmx("dialog-form")).content.decode()
    assert "New mosaic from 3 files" in fragment and 'value="Orthophoto 2024 north"' in fragment
    assert "Create and upload" in fragment
    wrong = teams.alice_client.post(
        reverse("mosaics:create") + "?files=3", {"name": " ", "tags": ""}, **htmx("dialog-form")
    )
    assert wrong.status_code == 422 and "New mosaic from 3 files" in wrong.content.decode()
    assert "HX-Trigger" not in wrong and teams.acme_api.mosaic_list() == []


def test_the_create_form_loads_into_the_dialog_and_works_as_a_full_page_too(teams):
    fragment = teams.alice_client.get(reverse("mosaics:create"), **htmx("dialog-form")).content.decode()
    assert fragment.lstrip().startswith('<form id="dialog-form"') and "New mosaic" in fragment
    page = teams.alice_client.get(reverse("mosaics:create")).content.decode()
    assert "<nav" in page and 'id="dialog-form"' in page
    answer = teams.alice_client.post(reverse("mosaics:create"), {"name": "Full page", "tags": ""})
    assert answer.status_code == 302 and answer["Location"] == reverse("mosaics:list")
    assert names(teams.acme_api) == ["Full page"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": "  ", "tags": ""}, "This field is required."),
        ({"name": "x" * 256, "tags": ""}, "Ensure this value has at most 255 characters"),
        ({"name": "Ok", "tags": ",".join(f"t{i}" for i in range(21))}, "At most 20 tags; there are 21"),
    ],
)
def test_a_mosaic_form_with_a_mistake_is_shown_again_with_the_error_in_place(teams, data, error):
    answer = teams.alice_client.post(reverse("mosaics:create"), data, **htmx("dialog-form"))
    assert answer.status_code == 422
    body = answer.content.decode()
    assert body.lstrip().startswith('<form id="dialog-form"') and error in body and 'aria-invalid="true"' in body
    assert teams.acme_api.mosaic_list() == []


def test_renaming_and_retagging_a_mosaic(teams):
    mosaic = teams.acme_api.mosaic_create(name="Old", tags=["x"])
    form = teams.alice_client.get(reverse("mosaics:edit", args=[mosaic.id]), **htmx("dialog-form")).content.decode()
    assert 'value="Old"' in form and 'value="x"' in form
    answer = teams.alice_client.post(reverse("mosaics:edit", args=[mosaic.id]), {"name": "New", "tags": "y"}, **htmx())
    assert answer.status_code == 204
    assert (teams.acme_api.mosaic_get(mosaic.id).name, teams.acme_api.mosaic_get(mosaic.id).tags) == ("New", ["y"])


def test_deleting_a_mosaic_for_good_at_once_says_what_goes_and_needs_its_name_typed(teams, mosaic_with_image):
    url = reverse("mosaics:delete", args=[mosaic_with_image.mosaic_id])
    form = teams.alice_client.get(url, **htmx("dialog-form")).content.decode()
    assert "Fields and its 1 image (298.2 kB)" in form and "<strong>Fields</strong>" in form

    wrong = teams.alice_client.post(url, {"now": "on", "confirmation": "fields"}, **htmx("dialog-form"))
    assert wrong.status_code == 422 and "Type Fields exactly to delete it for good" in wrong.content.decode()
    assert names(teams.acme_api) == ["Fields"]

    done = teams.alice_client.post(url, {"now": "on", "confirmation": "Fields"}, **htmx())
    assert done.status_code == 204 and events(done) == {"mosaics-changed": {}}
    assert names(teams.acme_api) == []


def test_deleting_a_mosaic_from_its_own_page_goes_back_to_the_list(teams):
    mosaic = teams.acme_api.mosaic_create(name="Gone", tags=[])
    page = f"http://testserver{reverse('mosaics:detail', args=[mosaic.id])}"
    answer = teams.alice_client.post(
        reverse("mosaics:delete", args=[mosaic.id]), {"confirmation": "Gone"}, **htmx(current_url=page)
    )
    assert answer["HX-Redirect"] == reverse("mosaics:list")


def test_renaming_and_deleting_an_image(teams, mosaic_with_image):
    rename = reverse("mosaics:image-rename", args=[mosaic_with_image.image_id])
    assert 'value="cogeo.tif"' in teams.alice_client.get(rename, **htmx("dialog-form")).content.decode()
    empty = teams.alice_client.post(rename, {"name": " "}, **htmx("dialog-form"))
    assert empty.status_code == 422 and "This field is required." in empty.content.decode()
    answer = teams.alice_client.post(rename, {"name": "north.tif"}, **htmx())
    assert answer.status_code == 204 and events(answer) == {"mosaics-images-changed": {}}
    assert teams.acme_api.image_get(mosaic_with_image.image_id).filename == "north.tif"

    delete = reverse("mosaics:image-delete", args=[mosaic_with_image.image_id])
    form = teams.alice_client.get(delete, **htmx("dialog-form")).content.decode()
    assert "north.tif (298.2 kB) go to the" in form
    answer = teams.alice_client.post(delete, {"now": "on", "confirmation": "north.tif"})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])
    with pytest.raises(NotFound):
        teams.acme_api.image_get(mosaic_with_image.image_id)


def test_a_viewer_is_refused_every_change(teams, mosaic_with_image):
    mosaic, image = mosaic_with_image.mosaic_id, mosaic_with_image.image_id
    for name, args, data in [
        ("mosaics:create", [], {"name": "No"}),
        ("mosaics:edit", [mosaic], {"name": "No"}),
        ("mosaics:delete", [mosaic], {"confirmation": "Fields"}),
        ("mosaics:image-rename", [image], {"name": "No"}),
        ("mosaics:image-delete", [image], {}),
    ]:
        assert teams.bob_client.get(reverse(name, args=args)).status_code == 403, name
        assert teams.bob_client.post(reverse(name, args=args), data, **htmx()).status_code == 403, name
    assert names(teams.acme_api) == ["Fields"]
    assert teams.acme_api.image_get(image).filename == "cogeo.tif"


def test_another_teams_ids_are_not_found(teams, mosaic_with_image):
    mosaic, image = mosaic_with_image.mosaic_id, mosaic_with_image.image_id
    for name, args, data in [
        ("mosaics:edit", [mosaic], {"name": "Mine"}),
        ("mosaics:delete", [mosaic], {"confirmation": "Fields"}),
        ("mosaics:image-rename", [image], {"name": "Mine"}),
        ("mosaics:image-delete", [image], {}),
    ]:
        assert teams.charlie_client.get(reverse(name, args=args)).status_code == 404, name
        assert teams.charlie_client.post(reverse(name, args=args), data, **htmx()).status_code == 404, name
    assert names(teams.acme_api) == ["Fields"]
