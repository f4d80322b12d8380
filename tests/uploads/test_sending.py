"""The task that sends a finished upload to the Data API: retried on 503, failed at once on 422, never twice."""

import shutil
from datetime import timedelta

import pytest
import redis
import requests
from affine import Affine
from django.utils import timezone

from teams.clients import client_for
from tests.conftest import allow_api
from tests.dataserver.test_link_image import moto_endpoint, put, s3  # noqa: F401  (fixtures)
from tests.http import QuietHandler, served
from tests.rasters import COGEO, write_raster
from uploads.models import State, UploadJob
from uploads.tasks import upload_jobs_resume

from .conftest import tus_client, tus_upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def flaky_api(live_api):
    """A real HTTP server in front of the self-hosted API that answers the first `failures` image uploads with 503,
    and loses the answer of the first `lost_links` links (the API gets them; the client gets a 503)."""
    state = {"failures": 2, "uploads": 0, "lost_links": 0, "links": 0}

    class Handler(QuietHandler):
        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "POST" and self.path.endswith("/image"):
                state["uploads"] += 1
                if state["uploads"] <= state["failures"]:
                    return self._reply(503, b'{"detail": "busy"}', "application/json")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}}
            url = live_api + self.path.removeprefix("/rest")
            answer = requests.request(self.command, url, data=body, headers=headers, timeout=30)
            if self.command == "POST" and self.path.endswith("/link-image"):
                state["links"] += 1
                if state["links"] <= state["lost_links"]:
                    return self._reply(503, b'{"detail": "gateway timeout"}', "application/json")
            self._reply(answer.status_code, answer.content, answer.headers.get("Content-Type", "application/json"))

        def _reply(self, status, body, content_type):
            self.answer(body, kind=content_type, status=status)

        do_GET = do_POST = do_PUT = do_DELETE = _forward

    with served(Handler) as server:
        yield state, f"http://127.0.0.1:{server.server_port}/rest"


def through(team, url: str) -> None:
    credential = team.credential
    credential.api_url = allow_api(url)
    credential.save()


def test_an_upload_answered_503_twice_is_retried_and_lands_once(cast, mosaic_id, flaky_api, uploads_dir):
    state, url = flaky_api
    through(cast.acme, url)
    tus_upload(tus_client(cast.alice), mosaic_id=mosaic_id, path=COGEO)
    job = UploadJob.objects.get()
    assert job.state == State.READY, job.message
    assert state["uploads"] == 3 and job.attempts == 2
    assert [image.id for image in client_for(team=cast.acme).mosaic_images(mosaic_id)] == [job.image_id]
    assert list(uploads_dir.iterdir()) == []


@pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")
def test_an_upload_the_api_refuses_with_422_fails_at_once_with_the_reason(cast, mosaic_id, flaky_api, tmp_path):
    state, url = flaky_api
    state["failures"] = 0
    through(cast.acme, url)
    unplaced = write_raster(tmp_path / "plain.tif", transform=Affine.identity())  # a CRS, but nowhere in it
    tus_upload(tus_client(cast.alice), mosaic_id=mosaic_id, path=unplaced)
    job = UploadJob.objects.get()
    assert job.state == State.FAILED and job.attempts == 0 and state["uploads"] == 1
    assert job.message == "plain.tif cannot be used: check its geotransform (it has none)"
    assert job.path.exists(), "a failed upload's file stays until the clean-up"


def test_an_image_already_in_the_mosaic_is_not_sent_again(cast, mosaic_id, flaky_api):
    state, url = flaky_api
    state["failures"] = 0
    arrived = client_for(team=cast.acme).mosaic_upload_image(mosaic_id, file=COGEO)
    through(cast.acme, url)
    tus_upload(tus_client(cast.alice), mosaic_id=mosaic_id, path=COGEO)
    job = UploadJob.objects.get()
    assert job.state == State.READY and job.image_id == arrived.image_id
    assert state["uploads"] == 0
    assert len(client_for(team=cast.acme).mosaic_images(mosaic_id)) == 1


def test_a_link_the_api_refuses_fails_in_the_same_job_list_with_the_reason(cast, accounts, mosaic_id):
    alice = tus_client(cast.alice)
    answer = alice.post(
        f"/uploads/mosaics/{mosaic_id}/link", {"url": "https://example.com/scene.tif"}, headers=alice.csrf_headers
    )
    assert answer.status_code == 200 and "scene.tif" in answer.content.decode()
    job = UploadJob.objects.get()
    assert job.source_url == "https://example.com/scene.tif" and job.state == State.FAILED
    assert job.message == "https://example.com/scene.tif is not a link the Data API may read"


def test_a_link_whose_answer_was_lost_is_not_refused_as_a_duplicate_on_retry(cast, mosaic_id, flaky_api, s3):
    state, url = flaky_api
    state["lost_links"] = 1
    through(cast.acme, url)
    alice = tus_client(cast.alice)
    source = put(s3, "drone/cogeo.tif", COGEO.read_bytes())
    alice.post(f"/uploads/mosaics/{mosaic_id}/link", {"url": source}, headers=alice.csrf_headers)
    job = UploadJob.objects.get()
    assert job.state == State.READY, job.message
    assert state["links"] == 2 and job.attempts == 1
    assert [image.id for image in client_for(team=cast.acme).mosaic_images(mosaic_id)] == [job.image_id]


def test_a_link_of_another_scheme_or_from_a_viewer_is_refused_before_any_job(cast, accounts, mosaic_id):
    alice, bob = tus_client(cast.alice), tus_client(cast.bob)
    answer = alice.post(f"/uploads/mosaics/{mosaic_id}/link", {"url": "file:///etc/passwd"}, headers=alice.csrf_headers)
    assert answer.status_code == 400 and "s3:// or https://" in answer.content.decode()
    link = {"url": "https://example.com/scene.tif"}
    assert bob.post(f"/uploads/mosaics/{mosaic_id}/link", link, headers=bob.csrf_headers).status_code == 403
    assert not UploadJob.objects.exists()


def test_a_job_whose_message_was_lost_is_queued_again_and_lands_once(cast, accounts, mosaic_id, settings, uploads_dir):
    job = UploadJob.objects.create(
        team=cast.acme, mosaic_id=mosaic_id, filename="cogeo.tif", size=COGEO.stat().st_size,
        offset=COGEO.stat().st_size, state=State.SENDING, expires_at=timezone.now() + timedelta(hours=1),
    )
    uploads_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(COGEO, job.path)
    stalled_since = timezone.now() - timedelta(seconds=settings.UPLOADS_STALLED_SECONDS + 1)
    UploadJob.objects.filter(pk=job.pk).update(updated_at=stalled_since)
    assert upload_jobs_resume() == 1
    job.refresh_from_db()
    assert job.state == State.READY, job.message
    assert [image.id for image in client_for(team=cast.acme).mosaic_images(mosaic_id)] == [job.image_id]
    assert upload_jobs_resume() == 0


def test_a_worker_renews_a_lapsed_lock_but_stops_when_another_worker_took_the_job(settings):
    from uploads.tasks import LockLost, heartbeat, job_lock

    store = redis.Redis.from_url(settings.REDIS_URL)
    with job_lock("lock-test-job") as lock:
        store.delete(lock.name)  # lapsed, nobody else took it: taken again
        heartbeat(lock)
        assert store.ttl(lock.name) > 0
        store.set(lock.name, "another-worker")
        with pytest.raises(LockLost):
            heartbeat(lock)
    assert store.get(lock.name) == b"another-worker", "the other worker's lock is left alone"
    store.delete(lock.name)
