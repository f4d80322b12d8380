"""The frame of every page: navigation, team switcher, storage gauge, and alerts when the Data API misbehaves."""

import logging
import time
from http.server import BaseHTTPRequestHandler

import pytest
from django.urls import reverse

from tests.conftest import make_account
from tests.http import served
from tests.teams.conftest import connect, signed_in


@pytest.fixture
def failing_api():
    """A real HTTP server that answers every request the way `behaviour` says ("slow" or a status code)."""
    state = {"behaviour": 503}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if state["behaviour"] == "slow":
                time.sleep(1.0)
            self.send_response(200 if state["behaviour"] == "slow" else state["behaviour"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    with served(Handler) as server:
        yield state, f"http://127.0.0.1:{server.server_port}/rest"


def page_of(user) -> str:
    answer = signed_in(user).get(reverse("teams:team"))
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_gauge_shows_used_limit_and_percent_and_is_cached(cast, live_api, caplog):
    _, token = make_account("acme@example.com", memory_limit=1_000_000)
    connect(cast.acme, api_url=live_api, token=token)
    with caplog.at_level(logging.INFO, logger="dataapi"):
        first, second = page_of(cast.alice), page_of(cast.bob)
    assert "Storage: 0 B of 1 MB (0%)" in first and 'data-percent="0"' in first
    assert "Storage: 0 B of 1 MB (0%)" in second
    assert len([r for r in caplog.records if "/rasters/memory" in r.getMessage()]) == 1


def test_the_frame_has_the_navigation_and_the_team_switcher(cast):
    page = page_of(cast.alice)
    assert f'href="{reverse("teams:team")}"' in page and ">Team<" in page
    assert 'name="team_id"' in page and "Acme (admin)" in page


def test_an_api_that_is_down_gives_a_clear_alert_and_the_page_renders(cast, db):
    connect(cast.acme, api_url="http://127.0.0.1:9/rest", token="YTpi")
    page = page_of(cast.alice)
    assert "The Data API cannot be reached. Storage use is not shown" in page and "Members" in page


def test_a_slow_api_gives_an_alert_within_the_gauges_timeout(cast, failing_api, settings):
    state, url = failing_api
    state["behaviour"] = "slow"
    settings.STORAGE_GAUGE_TIMEOUT = (1.0, 0.2)
    connect(cast.acme, api_url=url, token="YTpi")
    started = time.monotonic()
    page = page_of(cast.alice)
    assert time.monotonic() - started < 1.0
    assert "The Data API did not answer in time." in page


def test_an_api_answering_5xx_gives_an_alert(cast, failing_api):
    state, url = failing_api
    connect(cast.acme, api_url=url, token="YTpi")
    assert "The Data API is failing; try again later." in page_of(cast.alice)


def test_a_rejected_token_sends_admins_to_fix_the_credential(cast, live_api):
    connect(cast.acme, api_url=live_api, token="bm9ib2R5Om5vdGhpbmc=")
    alice_page, bob_page = page_of(cast.alice), page_of(cast.bob)
    assert "The Data API rejected this team's token." in alice_page
    assert f'href="{reverse("teams:team")}#credential">Fix the credential' in alice_page
    assert "Ask an admin of Acme to fix the credential." in bob_page and "Fix the credential" not in bob_page


def test_a_team_without_a_credential_is_told_to_connect_one(cast):
    assert "This team has not connected a Data API account yet" in page_of(cast.alice)


def test_htmx_requests_carry_the_csrf_token_in_a_header(cast):
    alice = signed_in(cast.alice, enforce_csrf_checks=True)
    page = alice.get(reverse("teams:team")).content.decode()
    token = alice.cookies["csrftoken"].value
    assert "hx-headers='{&quot;X-CSRFToken&quot;: &quot;" in page or 'hx-headers=\'{"X-CSRFToken": "' in page
    url = reverse("teams:member-role", args=[cast.bob_in_acme.pk])
    assert alice.post(url, {"role": "member"}, headers={"HX-Request": "true"}).status_code == 403
    assert alice.post(url, {"role": "member"}, headers={"HX-Request": "true", "X-CSRFToken": token}).status_code == 200
