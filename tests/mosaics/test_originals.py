"""Downloading an image's original from the mosaic page: for members and viewers, from the Data API's signed link
(which the browser gets, never the token), for the team's images only, with the API's refusals in words."""

import hashlib
import json
import uuid

import pytest
import requests
from django.urls import reverse

from dataserver.models import Account, Image
from tests.http import QuietHandler, served
from tests.teams.conftest import connect, signed_in

JSON = {"HTTP_ACCEPT": "application/json"}


def original_url(image_id: str) -> str:
    return reverse("mosaics:image-original", args=[image_id])


def test_viewers_and_members_see_a_download_action_per_image_and_for_the_selected_ones(teams, mosaic_with_image):
    page_url = reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])
    for client in (teams.bob_client, teams.alice_client):  # a viewer, an admin
        page = client.get(page_url).content.decode()
        assert f'href="{original_url(mosaic_with_image.image_id)}?next={page_url}"' in page
        assert ">Download<" in page and "Download the original of" in page and "Download selected originals" in page
        assert f'name="original" value="{mosaic_with_image.image_id}"' in page


def test_the_download_is_the_data_apis_signed_link_and_serves_the_original(teams, mosaic_with_image):
    answer = teams.bob_client.get(original_url(mosaic_with_image.image_id))
    assert answer.status_code == 302 and "no-cache" in answer["Cache-Control"]
    link = answer["Location"]
    assert "/rest/rasters/download/" in link
    token = teams.acme.credential.token
    assert token not in link and "Basic" not in link
    original = requests.get(link, timeout=10)  # no session, no token: the link is enough
    image = teams.acme_api.image_get(mosaic_with_image.image_id)
    assert original.status_code == 200 and hashlib.sha1(original.content).hexdigest() == image.checksum


def test_the_pages_script_gets_the_link_as_json(teams, mosaic_with_image):
    answer = teams.bob_client.get(original_url(mosaic_with_image.image_id), **JSON)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"url", "filename"} and body["filename"] == "cogeo.tif"
    assert "/rest/rasters/download/" in body["url"]


def test_another_teams_image_is_not_found(teams, mosaic_with_image):
    assert teams.charlie_client.get(original_url(mosaic_with_image.image_id)).status_code == 404
    answer = teams.charlie_client.get(original_url(mosaic_with_image.image_id), **JSON)
    assert answer.status_code == 404
    assert answer.json() == {"error": "This image does not exist (or belongs to another account)."}


def test_originals_the_api_keeps_have_no_download_action_and_are_refused_in_words(teams, mosaic_with_image):
    Account.objects.filter(email="acme@example.com").update(originals_downloadable=False)
    page_url = reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])
    page = teams.bob_client.get(page_url).content.decode()
    assert "Download the original of" not in page and 'name="original"' not in page
    answer = teams.bob_client.get(original_url(mosaic_with_image.image_id), **JSON)
    assert answer.status_code == 403
    assert answer.json() == {"error": "This image's original may not be downloaded."}
    back = teams.bob_client.get(original_url(mosaic_with_image.image_id), {"next": page_url}, follow=True)
    assert back.redirect_chain == [(page_url, 302)]
    assert "This image&#x27;s original may not be downloaded." in back.content.decode()


def test_an_image_still_processing_is_not_ready_to_download(teams, mosaic_with_image):
    Image.objects.filter(id=mosaic_with_image.image_id).update(cog_ready=False)  # as before its COG was built
    answer = teams.bob_client.get(original_url(mosaic_with_image.image_id), **JSON)
    assert answer.status_code == 409
    assert "not ready yet" in answer.json()["error"]


def test_a_next_page_elsewhere_is_not_followed(teams, mosaic_with_image):
    Account.objects.filter(email="acme@example.com").update(originals_downloadable=False)
    answer = teams.bob_client.get(original_url(mosaic_with_image.image_id), {"next": "https://evil.example.com/"})
    assert answer.status_code == 302 and answer["Location"] == reverse("mosaics:list")


@pytest.fixture
def hostile_api():
    """A Data API whose download link is a javascript: URL."""

    class Handler(QuietHandler):
        def do_GET(self):
            content = json.dumps({"download_url": "javascript:alert(document.cookie)", "filename": "a.tif"}).encode()
            self.answer(content)

    with served(Handler) as server:
        yield f"http://127.0.0.1:{server.server_port}/rest"


def test_a_download_link_that_is_no_web_address_never_reaches_the_browser(cast, hostile_api):
    connect(cast.acme, api_url=hostile_api, token="token")
    client = signed_in(cast.bob)
    answer = client.get(original_url(str(uuid.uuid4())), **JSON)
    assert answer.status_code == 502 and "javascript" not in answer.content.decode()
    assert "not a web address" in answer.json()["error"]
    answer = client.get(original_url(str(uuid.uuid4())))
    assert answer.status_code == 302 and "javascript" not in answer["Location"]
