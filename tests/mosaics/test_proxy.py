"""The tile and preview proxy: team-checked, ETag/304 passed on, hot tiles kept in Redis, empty tiles at once,
signed tile URLs for QGIS, and the upstream uri and token never in an answer."""

import contextlib
import io
import json
import re
import time
import uuid
from types import SimpleNamespace

import morecantile
import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from dataapi.client import DataAPIClient
from mapflow_web.celery import app as celery_app
from mosaics import signed_tiles
from mosaics.selectors import footprint_bounds
from teams import services
from tests.conftest import make_account
from tests.http import QuietHandler, served
from tests.mosaics.conftest import htmx, island
from tests.rasters import write_raster
from tests.teams.conftest import connect
from tests.uploads.conftest import tus_client, tus_upload
from uploads.models import State, UploadJob

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")


def centre_tile(api, mosaic_id: str, zoom: int = 16) -> tuple[int, int, int]:
    west, south, east, north = footprint_bounds(api.mosaic_get(mosaic_id).footprint)
    tile = WEB_MERCATOR.tile((west + east) / 2, (south + north) / 2, zoom)
    return tile.z, tile.x, tile.y


def map_tiles(client, mosaic_id: str) -> str:
    """The XYZ template of the mosaic page's map, as the user's browser gets it."""
    return island(client.get(reverse("mosaics:detail", args=[mosaic_id])).content.decode(), "images-map")["tiles"]


def centre_tile_url(teams, mosaic_with_image, client=None) -> str:
    mosaic_id = mosaic_with_image.mosaic_id
    z, x, y = centre_tile(teams.acme_api, mosaic_id)
    return map_tiles(client or teams.alice_client, mosaic_id).format(z=z, x=x, y=y)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def opaque_pixels(png: bytes) -> int:
    picture = PILImage.open(io.BytesIO(png)).convert("RGBA")
    assert picture.size == (256, 256)
    return 256 * 256 - picture.getchannel("A").histogram()[0]


def test_a_tile_of_the_mosaic_comes_through_the_dashboard_with_etag_and_304(teams, mosaic_with_image):
    url = centre_tile_url(teams, mosaic_with_image)
    first = Client().get(url)  # the map's URL is signed: the browser's session is not needed
    # The middle of the photo is all image: the map's tile comes in the fastest encoding.
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    assert opaque_pixels(body(first)) > 1000
    assert first["Cache-Control"].startswith("private") and first["ETag"]
    headers = " ".join(f"{name}: {value}" for name, value in first.items())
    assert "uri=" not in headers and "Basic" not in headers

    again = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_qgis_gets_png_tiles_and_the_map_jpeg_ones_each_cached_as_such(teams, mosaic_with_image):
    page = teams.alice_client.get(reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])).content.decode()
    qgis = re.search(r'id="tile-url"[^>]*value="([^"]+)"', page).group(1).replace("&amp;", "&")
    z, x, y = centre_tile(teams.acme_api, mosaic_with_image.mosaic_id)
    qgis_url = qgis.removeprefix("http://testserver").format(z=z, x=x, y=y)
    map_url = centre_tile_url(teams, mosaic_with_image)
    for _ in range(2):  # relayed, then from the cache
        png, jpeg = Client().get(qgis_url), Client().get(map_url)
        assert png["Content-Type"] == "image/png" and PILImage.open(io.BytesIO(body(png))).format == "PNG"
        assert jpeg["Content-Type"] == "image/jpeg" and PILImage.open(io.BytesIO(body(jpeg))).format == "JPEG"
    assert Client().get(qgis_url + "&format=gif").status_code == 400


def test_a_hot_tile_is_served_from_the_cache_without_asking_the_data_api(teams, mosaic_with_image, monkeypatch):
    url = centre_tile_url(teams, mosaic_with_image)
    asked = []
    relay_get = DataAPIClient.relay_get
    monkeypatch.setattr(DataAPIClient, "relay_get", lambda self, url, **kw: asked.append(url) or relay_get(self, url, **kw))
    first = Client().get(url)
    png = body(first)
    assert len(asked) == 1 and opaque_pixels(png) > 0
    second = Client().get(url)
    assert body(second) == png and second["ETag"] == first["ETag"] and len(asked) == 1


def test_a_tile_outside_the_mosaic_is_transparent_and_immediate(teams, mosaic_with_image):
    url = map_tiles(teams.alice_client, mosaic_with_image.mosaic_id).format(z=16, x=0, y=0)
    started = time.perf_counter()
    answer = Client().get(url)
    assert time.perf_counter() - started < 0.5
    assert answer.status_code == 200 and opaque_pixels(answer.content) == 0


def test_deleting_the_image_empties_the_tiles_at_once(teams, mosaic_with_image):
    url = centre_tile_url(teams, mosaic_with_image)
    assert opaque_pixels(body(Client().get(url))) > 0
    teams.alice_client.post(reverse("mosaics:image-delete", args=[mosaic_with_image.image_id]), {})
    assert opaque_pixels(body(Client().get(url))) == 0


def test_viewers_get_tiles_and_other_teams_and_strangers_none(teams, mosaic_with_image):
    url = centre_tile_url(teams, mosaic_with_image, client=teams.bob_client)
    answer = Client().get(url)
    assert answer.status_code == 200 and opaque_pixels(body(answer)) > 0  # viewers see everything
    # Charlie gets no page of Acme's mosaic, so no token; signed in or not, a tile URL without one is refused.
    assert teams.charlie_client.get(reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])).status_code == 404
    tokenless = url.split("?")[0]
    assert Client().get(tokenless).status_code == 403
    assert teams.alice_client.get(tokenless).status_code == 403


def test_the_map_and_qgis_share_one_url_that_stays_the_same_all_day(teams, mosaic_with_image, monkeypatch):
    url = reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])
    noon = (time.time() // 86400) * 86400 + 12 * 3600
    monkeypatch.setattr(signed_tiles, "time", SimpleNamespace(time=lambda: noon))
    page = teams.alice_client.get(url).content.decode()
    qgis = re.search(r'id="tile-url"[^>]*value="([^"]+)"', page).group(1).replace("&amp;", "&")
    tiles = island(page, "images-map")["tiles"]
    assert tiles.startswith(qgis.removeprefix("http://testserver") + "&v=")
    # An hour later the images part of the page is refreshed (it is while images process): the same URL, so the map
    # keeps its tiles, and so do the browser's cache and QGIS's.
    monkeypatch.setattr(signed_tiles, "time", SimpleNamespace(time=lambda: noon + 3600))
    refreshed = teams.alice_client.get(url, **htmx("images")).content.decode()
    assert island(refreshed, "images-map")["tiles"] == tiles
    # Valid for the days the dialog says, whole days.
    days = settings.MOSAICS_TILE_URL_DAYS
    monkeypatch.setattr(signed_tiles, "time", SimpleNamespace(time=lambda: noon + days * 86400))
    assert Client().get(tiles.format(z=16, x=0, y=0)).status_code == 200
    monkeypatch.setattr(signed_tiles, "time", SimpleNamespace(time=lambda: noon + (days + 1) * 86400))
    assert Client().get(tiles.format(z=16, x=0, y=0)).status_code == 403


def test_the_signed_tile_url_works_without_a_session_for_its_mosaic_only(teams, mosaic_with_image):
    page = teams.alice_client.get(reverse("mosaics:detail", args=[mosaic_with_image.mosaic_id])).content.decode()
    template = re.search(r'id="tile-url"[^>]*value="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert template.startswith("http://testserver/mosaics/") and "{z}/{x}/{y}.png?token=" in template
    z, x, y = centre_tile(teams.acme_api, mosaic_with_image.mosaic_id)
    url = template.removeprefix("http://testserver").format(z=z, x=x, y=y)
    answer = Client().get(url)
    assert answer.status_code == 200 and opaque_pixels(body(answer)) > 0

    other = teams.acme_api.mosaic_create(name="Other", tags=[])
    assert Client().get(url.replace(mosaic_with_image.mosaic_id, other.id)).status_code == 403
    assert Client().get(url[:-3] + "xyz").status_code == 403


def test_an_expired_or_forged_tile_token_is_refused(teams, mosaic_with_image):
    z, x, y = centre_tile(teams.acme_api, mosaic_with_image.mosaic_id)
    url = reverse("mosaics:tile", args=[mosaic_with_image.mosaic_id, z, x, y])
    expired = signed_tiles.tile_token_make(team_id=teams.acme.pk, mosaic_id=mosaic_with_image.mosaic_id, days=-1)
    assert Client().get(url, {"token": expired}).status_code == 403
    # A token charlie forges for Acme's mosaic with Cosmo's id is not signed by the server.
    forged = signing.dumps({"team": teams.cosmo.pk, "mosaic": mosaic_with_image.mosaic_id, "expires": 2**40}, key="x")
    assert Client().get(url, {"token": forged}).status_code == 403
    # A genuine token of Cosmo's for Acme's mosaic: Cosmo's account cannot see it.
    cosmo = signed_tiles.tile_token_make(team_id=teams.cosmo.pk, mosaic_id=mosaic_with_image.mosaic_id, days=1)
    assert Client().get(url, {"token": cosmo}).status_code == 404


def test_a_signed_tile_is_answered_without_the_session_stack_but_with_the_security_headers(teams, mosaic_with_image):
    z, x, y = centre_tile(teams.acme_api, mosaic_with_image.mosaic_id)
    url = reverse("mosaics:tile", args=[mosaic_with_image.mosaic_id, z, x, y])
    token = signed_tiles.tile_token_make(team_id=teams.acme.pk, mosaic_id=mosaic_with_image.mosaic_id, days=1)
    answer = teams.alice_client.get(url, {"token": token})  # a browser with a session pastes the QGIS URL
    assert answer.status_code == 200 and opaque_pixels(body(answer)) > 0
    # No cookie read or set, so a caching proxy in front of QGIS may keep it; the security middleware still ran.
    assert "Vary" not in answer and not answer.cookies
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert Client().get(url, {"token": ""}).status_code == 403


@contextlib.contextmanager
def tile_api(tiles):
    """A Data API with one mosaic, whose tile requests `tiles(handler)` answers; yields its id and the API's URL."""
    mosaic_id = str(uuid.uuid4())

    class Handler(QuietHandler):
        def do_GET(self):
            if self.path.startswith("/tiles/"):
                return tiles(self)
            if self.path.endswith("/image"):
                return self.answer(b"[]")
            port = self.server.server_port
            self.answer(json.dumps({
                "id": mosaic_id, "name": "Portal", "image_count": 1,
                "footprint": "POLYGON((-180 -85, 180 -85, 180 85, -180 85, -180 -85))",
                "rasterLayer": {"tileUrl": f"http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.png"},
            }).encode())

    with served(Handler) as server:
        yield mosaic_id, f"http://127.0.0.1:{server.server_port}/rest"


def signed_tile(team, mosaic_id: str):
    url = reverse("mosaics:tile", args=[mosaic_id, 3, 4, 3])
    return Client().get(url, {"token": signed_tiles.tile_token_make(team_id=team.pk, mosaic_id=mosaic_id, days=1)})


def test_only_images_are_relayed_under_the_dashboards_origin(cast):
    # A captive portal, a misconfigured server: a page where a tile should be.
    with tile_api(lambda handler: handler.answer(b"<script>alert(document.cookie)</script>", kind="text/html")) as (
        mosaic_id, api_url
    ):
        connect(cast.acme, api_url=api_url, token="token")
        answer = signed_tile(cast.acme, mosaic_id)
    assert answer.status_code == 502 and answer["Content-Type"].startswith("text/plain")
    assert b"not an image" in answer.content and b"<script>" not in answer.content


def test_a_tile_cut_off_by_the_data_api_is_an_error_and_is_not_kept(cast):
    def cut_off(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", "5000")
        handler.send_header("ETag", '"cut"')
        handler.end_headers()
        handler.wfile.write(b"\x89PNG" + bytes(100))
        handler.close_connection = True

    with tile_api(cut_off) as (mosaic_id, api_url):
        connect(cast.acme, api_url=api_url, token="token")
        answers = [signed_tile(cast.acme, mosaic_id) for _ in range(2)]
    for answer in answers:  # the second asked again: nothing half-read was cached
        assert answer.status_code == 502 and answer["Content-Type"].startswith("text/plain")
        assert b"Data API" in answer.content


@pytest.mark.parametrize(("size", "longest"), [("s", 256), ("l", 1024)])
def test_previews_come_through_the_dashboard_for_the_team_only(teams, mosaic_with_image, size, longest):
    url = reverse("mosaics:image-preview", args=[mosaic_with_image.image_id, size])
    answer = teams.bob_client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/jpeg"
    assert max(PILImage.open(io.BytesIO(body(answer))).size) <= longest
    assert teams.charlie_client.get(url).status_code == 404
    assert teams.alice_client.get(url.replace(f"/{size}", "/m")).status_code == 404


def test_a_changed_credential_stops_the_old_accounts_tiles_at_once(teams, mosaic_with_image, live_api):
    """An admin connects the team to another account: the old account's mosaic is not the team's any more, and its
    cached tiles and tile source (kept for a minute) must not outlive the change."""
    url = centre_tile_url(teams, mosaic_with_image)
    assert Client().get(url).status_code == 200 and Client().get(url).status_code == 200  # cached now
    _, other_token = make_account("other-account@example.com")
    services.credential_save(team=teams.acme, api_url=live_api, token=other_token, by=teams.alice)
    assert Client().get(url).status_code == 404


def test_a_tile_cached_before_an_image_was_ready_is_not_served_after(teams, settings, tmp_path):
    """The tile cache forgets a mosaic's tiles where its state changes: when an uploaded image becomes ready."""
    settings.UPLOADS_DIR = tmp_path / "uploads"
    mosaic = teams.acme_api.mosaic_create(name="Two flights", tags=[])
    west = write_raster(tmp_path / "west.tif", width=64, height=64, colour=(255, 0, 0))
    teams.acme_api.mosaic_upload_image(mosaic.id, file=west)
    east = write_raster(tmp_path / "east.tif", width=64, height=64, colour=(0, 0, 255), origin=(500_640.0, 6_200_000.0))
    z, x, y = centre_tile(teams.acme_api, mosaic.id, zoom=13)
    url = map_tiles(teams.alice_client, mosaic.id).format(z=z, x=x, y=y)
    before = opaque_pixels(body(Client().get(url)))
    assert before > 0 and opaque_pixels(body(Client().get(url))) == before  # the second one came from the cache

    tus_upload(tus_client(teams.alice), mosaic_id=mosaic.id, path=east)  # the worker sends it, it becomes ready
    assert UploadJob.objects.get().state == State.READY

    assert opaque_pixels(body(Client().get(url))) > before


def test_a_tile_cached_before_a_cog_was_built_outside_the_dashboard_is_not_served_after(teams, tmp_path):
    """An image uploaded with another client (curl, QGIS) becomes ready with no word to the dashboard: the next look at
    the mosaic sees its COG and asks for the tiles again."""
    from dataserver.models import Image
    from dataserver.tasks import image_build_cog

    mosaic = teams.acme_api.mosaic_create(name="Flown by QGIS", tags=[])
    red = write_raster(tmp_path / "red.tif", width=64, height=64, colour=(255, 0, 0))
    celery_app.conf.task_always_eager = False  # no worker takes the build yet (the fixture sets it back)
    uploaded = teams.acme_api.mosaic_upload_image(mosaic.id, file=red)
    assert not teams.acme_api.image_get(uploaded.image_id).cog_link
    z, x, y = centre_tile(teams.acme_api, mosaic.id, zoom=13)
    url = map_tiles(teams.alice_client, mosaic.id).format(z=z, x=x, y=y)
    assert opaque_pixels(body(Client().get(url))) == 0  # nothing to draw yet, and that answer is cached

    image_build_cog(uploaded.image_id)  # what a worker of the Data API does
    assert Image.objects.get(id=uploaded.image_id).cog_ready

    assert opaque_pixels(body(Client().get(map_tiles(teams.alice_client, mosaic.id).format(z=z, x=x, y=y)))) > 0
