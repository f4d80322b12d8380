"""The mosaic's upload jobs as the page polls them, and the clean-up of what is failed, finished or abandoned."""

import json
import re
from datetime import timedelta

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from teams.clients import client_for
from uploads.models import State, UploadJob
from uploads.tasks import upload_jobs_clean

from .conftest import signed_in, tus_client, tus_create


def job(team, **fields) -> UploadJob:
    defaults = {"mosaic_id": "m1", "filename": "a.tif", "size": 1000, "expires_at": timezone.now() + timedelta(hours=1)}
    made = UploadJob.objects.create(team=team, **{**defaults, **fields})
    made.path.parent.mkdir(parents=True, exist_ok=True)
    made.path.write_bytes(b"x")
    return made


def jobs_page(user, mosaic_id="m1"):
    return signed_in(user).get(reverse("uploads:jobs", args=[mosaic_id]), headers={"HX-Request": "true"})


def test_the_list_polls_each_second_while_a_job_is_going(cast):
    job(cast.acme, state=State.SENDING, bytes_sent=250)
    answer = jobs_page(cast.bob)
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'hx-trigger="every 1s, uploads-changed from:body"' in page and "data-poll-when-visible" in page
    assert "Sending to Mapflow" in page and 'data-percent="25"' in page


def test_the_list_stops_polling_with_286_once_every_job_is_done_and_shows_the_apis_reason(cast):
    job(cast.acme, state=State.READY)
    job(cast.acme, state=State.FAILED, message="This image is in EPSG:4326; the mosaic's images are in EPSG:32637")
    answer = jobs_page(cast.alice)
    page = answer.content.decode()
    assert answer.status_code == 286 and "every 1s" not in page
    assert "Ready" in page and "This image is in EPSG:4326" in page
    assert answer["HX-Trigger"] == "mosaics-images-changed", "the mosaic page redraws its images"


def test_the_list_shows_only_the_current_teams_jobs(cast):
    job(cast.cosmo, filename="theirs.tif", state=State.SENDING)
    assert "theirs.tif" not in jobs_page(cast.alice).content.decode()


def test_the_clean_up_deletes_abandoned_failed_and_old_jobs_with_their_files(db, cast, settings):
    long_ago = timezone.now() - timedelta(hours=settings.UPLOADS_CLEANUP_HOURS + 1)
    abandoned = job(cast.acme, expires_at=timezone.now() - timedelta(minutes=1))
    failed = job(cast.acme, state=State.FAILED)
    going = job(cast.acme)
    UploadJob.objects.filter(pk=failed.pk).update(updated_at=long_ago)
    recent_failure = job(cast.acme, state=State.FAILED)
    assert upload_jobs_clean() == 2
    assert set(UploadJob.objects.values_list("pk", flat=True)) == {going.pk, recent_failure.pk}
    assert not abandoned.path.exists() and not failed.path.exists() and going.path.exists()


def test_the_clean_up_runs_on_the_beat_schedule(settings):
    assert any(entry["task"] == "uploads.tasks.upload_jobs_clean" for entry in settings.CELERY_BEAT_SCHEDULE.values())


def widget_island(user, team, mosaic_id: str | None) -> tuple[dict, str]:
    """The drop zone as a mosaic page renders it for `user`: its json_script island and its HTML."""
    request = RequestFactory().get("/")
    request.user, request.team, request.dataapi, request.csp_nonce = user, team, client_for(team=team), "n"
    html = Template("{% load uploads %}{% upload_dropzone mosaic_id %}").render(
        RequestContext(request, {"mosaic_id": mosaic_id})
    )
    island = re.search(r'<script id="upload-dropzone-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(island.group(1)), html


@pytest.mark.django_db(transaction=True)
def test_the_widget_counts_uploads_in_flight_against_free_storage_and_offers_to_resume(cast, accounts, mosaic_id):
    accounts.acme.memory_limit = 1_000_000
    accounts.acme.max_upload_file_size = 800_000
    accounts.acme.save()
    location = tus_create(tus_client(cast.alice), mosaic_id=mosaic_id, filename="a.tif", size=300_000)["Location"]
    island, html = widget_island(cast.alice, cast.acme, mosaic_id)
    assert island["freeBytes"] == 700_000 and island["maxUploadFileSize"] == 800_000
    assert island["chunkSize"] > 0 and island["mosaicId"] == mosaic_id
    mosaic_url = f"/mosaics/{mosaic_id}/"
    assert island["resumable"] == [
        {"url": location, "filename": "a.tif", "size": 300_000, "offset": 0, "mosaicUrl": mosaic_url}
    ]
    assert island["createUrl"] is None and "Link by URL" in html
    assert "tus-js-client-4.3.1.min.js" in html and 'nonce="n"' in html
    assert widget_island(cast.charlie, cast.cosmo, mosaic_id)[0]["resumable"] == []


@pytest.mark.django_db(transaction=True)
def test_the_new_mosaic_drop_zone_creates_first_and_lists_unfinished_uploads_of_every_mosaic(cast, mosaic_id):
    tus_create(tus_client(cast.alice), mosaic_id=mosaic_id, filename="a.tif", size=300_000)
    island, html = widget_island(cast.alice, cast.acme, None)
    assert island["mosaicId"] is None and island["createUrl"] == "/mosaics/new"
    assert [(item["filename"], item["mosaicUrl"]) for item in island["resumable"]] == [("a.tif", f"/mosaics/{mosaic_id}/")]
    assert "New mosaic from files" in html and "Link by URL" not in html
