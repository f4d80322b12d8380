"""Saved searches run by a real Celery worker against the self-hosted Data API over HTTP: new scenes flagged
exactly once per area, one digest per follower, retries of a failing API, pause and the last active day."""

from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import pytest
import requests
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import box

from searches.models import SavedSearch, SeenScene
from searches.tasks import digests_send, saved_search_run, saved_searches_dispatch
from tests.conftest import allow_api
from tests.http import served
from tests.worker import celery_worker

from .conftest import due_now, new_scenes_import, saved_search_post, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def new_ids(search) -> set[tuple[str, str]]:
    return set(SeenScene.objects.filter(area__saved_search=search, is_new=True).values_list("area__name", "scene_id"))


def recorded(search) -> list[tuple[str, str]]:
    return sorted(SeenScene.objects.filter(area__saved_search=search).values_list("area__name", "scene_id"))


def checked_after(search, moment):
    def check():
        search.refresh_from_db()
        return search.checked_at is not None and (moment is None or search.checked_at > moment)

    return check


def run_round(search) -> None:
    """What beat does once the search is due: the dispatcher queues its run; wait until the run has ended."""
    search.refresh_from_db()
    before = search.checked_at
    due_now(search)
    saved_searches_dispatch.delay()
    wait_for(checked_after(search, before))


def test_a_run_flags_exactly_the_new_scenes_and_each_follower_gets_one_digest(cast, alice, bob, naip, tmp_path):
    with celery_worker():
        assert saved_search_post(alice).status_code == 302
        search = SavedSearch.objects.get()
        wait_for(checked_after(search, None))  # the first run records what the areas have
        assert recorded(search) and not new_ids(search)
        bob.post(reverse("searches:follow", args=[search.pk]), {"follow": "1"})

        ids = new_scenes_import(tmp_path, 3)
        run_round(search)
        digests_send.delay()
        wait_for(lambda: len(mail.outbox) == 2)

    west = {scene_id for area, scene_id in new_ids(search) if area == "West"}
    assert {scene_id for _, scene_id in new_ids(search)} == set(ids) and west == set(ids)  # the three westmost
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "bob@example.com"]
    body = mail.outbox[0].body
    assert all(scene_id in body for scene_id in ids) and "2025-06-01 10:00" in body and "naip" in body
    assert "/catalog/?" in body and "area=" in body
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = alice.get(reverse("searches:list")).content.decode()
    assert 'id="new-scenes-badge"' in page and ">3<" in page


def test_a_second_run_flags_nothing_and_mails_nobody(cast, alice, naip, tmp_path):
    with celery_worker():
        saved_search_post(alice)
        search = SavedSearch.objects.get()
        wait_for(checked_after(search, None))
        new_scenes_import(tmp_path, 2)
        run_round(search)
        digests_send.delay()
        wait_for(lambda: len(mail.outbox) == 1)
        rows = recorded(search)
        run_round(search)
        digests_send.delay()
        run_round(search)  # the digest task ran before this round's run (one worker, in order)

    assert recorded(search) == rows and len(new_ids(search)) == 2
    assert len(mail.outbox) == 1


@pytest.fixture
def broken_api(live_api):
    """A real HTTP server in front of the self-hosted API that answers catalog searches with 503 from the
    `fail_from`-th one (counting from 1) for `failures` of them; everything else passes through."""
    state = {"searches": 0, "fail_from": 10**9, "failures": 0}

    class Handler(BaseHTTPRequestHandler):
        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.endswith("/catalog/meta"):
                state["searches"] += 1
                failing = state["fail_from"] <= state["searches"] < state["fail_from"] + state["failures"]
                if failing:
                    return self._reply(503, b'{"detail": "busy"}')
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
            answer = requests.request(
                self.command, live_api + self.path.removeprefix("/rest"), data=body, headers=headers, timeout=30
            )
            self._reply(answer.status_code, answer.content)

        def _reply(self, status, body):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _forward

        def log_message(self, *args):
            pass

    with served(Handler) as server:
        yield state, allow_api(f"http://127.0.0.1:{server.server_port}/rest")


def through(team, url: str) -> None:
    credential = team.credential
    credential.api_url = url
    credential.save()


def test_a_run_broken_off_midway_and_run_again_records_nothing_twice(cast, alice, naip, tmp_path, broken_api, settings):
    """The run stops at its second area (the first is recorded); the retry records both areas, each scene once."""
    settings.SEARCHES_RETRY_BACKOFF = 0.05
    settings.DATA_API_MAX_RETRIES = 0
    state, url = broken_api
    through(cast.acme, url)
    with celery_worker():
        saved_search_post(alice)
        search = SavedSearch.objects.get()
        wait_for(checked_after(search, None))
        ids = new_scenes_import(tmp_path, 8)  # over both areas
        state["fail_from"], state["failures"] = state["searches"] + 2, 1
        run_round(search)

    search.refresh_from_db()
    assert state["searches"] >= 5  # the first area, the failed second, then both again
    rows = recorded(search)
    assert len(rows) == len(set(rows))
    assert {scene_id for _, scene_id in new_ids(search)} == set(ids)
    assert search.failures == 0 and search.last_error == ""


def test_a_search_whose_api_keeps_failing_is_retried_then_shown_as_failing(cast, alice, naip, broken_api, settings):
    settings.SEARCHES_RETRY_BACKOFF = 0.05
    settings.SEARCHES_MAX_RETRIES = 2
    settings.DATA_API_MAX_RETRIES = 0
    state, url = broken_api
    through(cast.acme, url)
    state["fail_from"], state["failures"] = 1, 10**9
    with celery_worker():
        saved_search_post(alice)
        wait_for(lambda: SavedSearch.objects.get().failures == 3)  # the run and its two retries
    page = alice.get(reverse("searches:list")).content.decode()
    assert "Failing" in page and "busy" in page
    assert SavedSearch.objects.get().checked_at is None


@pytest.mark.parametrize("change", ["paused", "ended"])
def test_a_paused_or_ended_search_does_not_run(cast, alice, naip, tmp_path, change):
    with celery_worker():
        saved_search_post(alice)
        search = SavedSearch.objects.get()
        wait_for(checked_after(search, None))
        if change == "paused":
            alice.post(reverse("searches:pause", args=[search.pk]), {"paused": "1"})
        else:
            SavedSearch.objects.filter(pk=search.pk).update(active_until=timezone.localdate() - timedelta(days=1))
        search.refresh_from_db()
        checked = search.checked_at
        new_scenes_import(tmp_path, 3)
        due_now(search)
        rows = recorded(search)
        saved_searches_dispatch.delay()
        saved_search_run.delay(search.pk)  # even a run queued before the change does nothing
        # Another search's first run, queued after them, ends once the worker has taken them (one worker, in order).
        saved_search_post(alice, name="Probe", areas=(("Elsewhere", box(10, 10, 10.1, 10.1)),))
        wait_for(checked_after(SavedSearch.objects.get(name="Probe"), None))
    search.refresh_from_db()
    assert search.checked_at == checked and recorded(search) == rows and not new_ids(search)
    assert SavedSearch.objects.get(pk=search.pk).next_run_at < timezone.now()  # not claimed by the dispatcher
