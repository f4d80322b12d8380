"""Where the dashboard connects for a team: only to Data API URLs the operator lists, only at public addresses or in
networks the operator lists, and tiles only from the API's own origin. Nobody who may save a credential (any
signed-in user can create a team and own it) can make the server reach its loopback or private network."""

import json
import socket
import threading
import time
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from mosaics import signed_tiles
from teams.models import Credential
from tests.conftest import allow_api
from tests.http import QuietHandler, served
from tests.teams.conftest import connect, signed_in


class Listener:
    """A TCP port on loopback that counts the connections made to it (and answers none of them)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def listener():
    port = Listener()
    yield port
    port.socket.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def save(client, api_url: str):
    started = time.monotonic()
    answer = client.post(reverse("teams:credential"), {"api_url": api_url, "token": "YTpi"})
    return answer, time.monotonic() - started


def form_error(answer) -> str:
    page = answer.content.decode()
    start = page.index('<div class="text-danger small" role="alert">')
    return page[start:page.index("</div>", start)]


def test_an_unlisted_url_is_refused_without_a_connection_and_the_same_way_whether_a_port_is_open(cast, listener):
    alice = signed_in(cast.alice)
    open_answer, open_time = save(alice, f"http://127.0.0.1:{listener.port}/rest")
    closed_answer, closed_time = save(alice, f"http://127.0.0.1:{closed_port()}/rest")
    assert open_answer.status_code == closed_answer.status_code == 400
    assert "not one this site connects to" in form_error(open_answer)
    assert form_error(open_answer) == form_error(closed_answer)
    assert listener.connections == 0 and open_time < 1 and closed_time < 1
    assert not Credential.objects.exists()


def test_the_team_page_offers_the_listed_data_apis_only(cast, settings):
    settings.DATA_API_ALLOWED_URLS = ["https://api.mapflow.ai/rest", "https://maps.example.com/rest"]
    page = signed_in(cast.alice).get(reverse("teams:team")).content.decode()
    assert '<option value="https://api.mapflow.ai/rest"' in page
    assert '<option value="https://maps.example.com/rest"' in page
    assert page.count("<option value=\"http") == 2


def test_a_listed_host_that_resolves_to_loopback_is_not_connected_to(cast, settings, monkeypatch, listener):
    """DNS can point a listed name anywhere: the address is checked when connecting, every time."""
    settings.DATA_API_ALLOWED_NETWORKS = []
    url = allow_api(f"http://api.example.test:{listener.port}/rest")
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket, "getaddrinfo",
        lambda host, *args, **kwargs: real("127.0.0.1" if host == "api.example.test" else host, *args, **kwargs),
    )
    answer, _ = save(signed_in(cast.alice), url)
    assert answer.status_code == 400 and "cannot be reached" in form_error(answer)
    assert listener.connections == 0


def test_a_listed_host_inside_a_listed_network_is_reached_at_the_checked_address(cast, settings, monkeypatch):
    seen = []

    class Handler(QuietHandler):
        def do_GET(self):
            seen.append(self.headers["Host"])
            body = json.dumps({"email": "team@example.com"}).encode()
            self.answer(body)

    with served(Handler) as server:
        url = allow_api(f"http://api.example.test:{server.server_port}/rest")
        real = socket.getaddrinfo
        monkeypatch.setattr(
            socket, "getaddrinfo",
            lambda host, *args, **kwargs: real("127.0.0.1" if host == "api.example.test" else host, *args, **kwargs),
        )
        answer, _ = save(signed_in(cast.alice), url)
    assert answer.status_code == 302
    assert seen == [f"api.example.test:{server.server_port}"]
    assert Credential.objects.get().email == "team@example.com"


def test_a_stored_url_that_is_no_longer_listed_is_not_used(cast, settings, listener):
    url = f"http://127.0.0.1:{listener.port}/rest"
    connect(cast.acme, api_url=url, token="YTpi")
    settings.DATA_API_ALLOWED_URLS = [settings.DATA_API_HOSTED_URL]
    alice = signed_in(cast.alice)
    page = alice.get(reverse("teams:team")).content.decode()
    assert "no longer one this site connects to" in page
    mosaics = alice.get(reverse("mosaics:list"))
    assert "no longer one this site connects to" in mosaics.content.decode()
    mosaic_id = str(uuid.uuid4())
    token = signed_tiles.tile_token_make(team_id=cast.acme.pk, mosaic_id=mosaic_id, days=1)
    tile = Client().get(reverse("mosaics:tile", args=[mosaic_id, 3, 4, 3]), {"token": token})
    assert tile.status_code == 409 and b"no longer one this site connects to" in tile.content
    assert listener.connections == 0


def test_tiles_are_relayed_only_from_the_apis_own_origin(cast, listener):
    """A Data API (listed, so trusted to answer) names a tile URL on another internal port: nothing goes there."""
    mosaic_id = str(uuid.uuid4())

    class Handler(QuietHandler):
        def do_GET(self):
            body = json.dumps({
                "id": mosaic_id, "name": "Elsewhere", "image_count": 1,
                "footprint": "POLYGON((-180 -85, 180 -85, 180 85, -180 85, -180 -85))",
                "rasterLayer": {"tileUrl": f"http://127.0.0.1:{listener.port}/tiles/{{z}}/{{x}}/{{y}}.png"},
            }).encode()
            self.answer(b"[]" if self.path.endswith("/image") else body)

    with served(Handler) as server:
        connect(cast.acme, api_url=f"http://127.0.0.1:{server.server_port}/rest", token="YTpi")
        token = signed_tiles.tile_token_make(team_id=cast.acme.pk, mosaic_id=mosaic_id, days=1)
        tile = Client().get(reverse("mosaics:tile", args=[mosaic_id, 3, 4, 3]), {"token": token})
    assert tile.status_code == 502 and b"does not fetch from" in tile.content
    assert listener.connections == 0
