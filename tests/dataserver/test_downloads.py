"""Downloading an image's original (DATA_API.md section 3): the signed link, ranges to resume, and every refusal.

On an object store browsers can reach, the link redirects to a presigned URL of the store: `downloaded` follows it
over HTTP as a browser does, so that each test checks what a user gets (the bytes, the file name) on both backends.
"""

import hashlib
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client, RequestFactory

from dataserver.models import Image
from dataserver.rasters import signed_links
from dataserver.rasters.downloads import CHUNK, original_response
from dataserver.storage import PRESIGNED_URL_SECONDS
from tests.dataserver.uploading import mosaic_create, raster_error, upload
from tests.rasters import write_raster


@pytest.fixture
def original(api, tmp_path, django_capture_on_commit_callbacks):
    """Alice's image, its tiles built (its ingest over), and the bytes of its original."""
    path = write_raster(tmp_path / "field 7 (north).tif", width=300, height=200)
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks(execute=True):
        image_id = upload(api, mosaic["id"], path).json()["image_id"]
    return image_id, path.read_bytes()


def link_of(api, image_id: str) -> dict:
    answer = api.get(f"/rest/rasters/image/{image_id}/download")
    assert answer.status_code == 200, answer.content
    return answer.json()


def fetched(response) -> bytes:
    return b"".join(response.streaming_content)


def downloaded(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of what a browser gets from a download link: this server's answer, or the store's
    answer to the presigned URL it redirects to."""
    headers = headers or {}
    answer = Client().get(url, headers=headers)
    if answer.status_code != 302:
        return answer.status_code, answer.headers, fetched(answer) if answer.streaming else answer.content
    assert answer["Cache-Control"] == "no-store"
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["X-Amz-Expires"] == [str(PRESIGNED_URL_SECONDS)]
    stored = requests.get(answer["Location"], headers=headers, timeout=30)
    return stored.status_code, stored.headers, stored.content


def test_the_link_serves_the_original_with_no_credentials(api, original, settings, storage_backend):
    image_id, data = original
    link = link_of(api, image_id)
    assert set(link) == {"download_url", "filename", "expires_in"}
    assert (link["filename"], link["expires_in"]) == ("field 7 (north).tif", settings.DATASERVER_DOWNLOAD_URL_TTL)
    assert link["download_url"].startswith("http://testserver/rest/rasters/download/")
    status, headers, body = downloaded(link["download_url"])
    assert status == 200
    assert hashlib.sha1(body).hexdigest() == api.get(f"/rest/rasters/image/{image_id}").json()["checksum"]
    assert body == data and headers["Content-Length"] == str(len(data))
    assert headers["Content-Type"] == "image/tiff" and headers["Accept-Ranges"] == "bytes"
    assert headers["Content-Disposition"] == 'attachment; filename="field 7 (north).tif"'
    if storage_backend == "folder":  # (the store's ETag is its own)
        assert headers["ETag"] == f'"{hashlib.sha1(data).hexdigest()}"'


def test_the_store_is_asked_directly_only_when_browsers_can_reach_it(api, original, settings, storage_backend):
    image_id, data = original
    url = link_of(api, image_id)["download_url"]
    answer = Client().get(url)
    if storage_backend == "folder":
        assert answer.status_code == 200
        return
    assert answer.status_code == 302 and answer["Location"].startswith(settings.DATASERVER_S3_PUBLIC_URL)
    settings.DATASERVER_S3_PUBLIC_URL = None  # an endpoint with a private address: this server sends the file
    answer = Client().get(url)
    assert answer.status_code == 200 and fetched(answer) == data
    assert answer["Content-Disposition"] == 'attachment; filename="field 7 (north).tif"'


def test_a_download_resumes_from_where_it_stopped(api, original):
    image_id, data = original
    url = link_of(api, image_id)["download_url"]
    status, headers, first = downloaded(url, {"Range": "bytes=0-9999"})
    assert (status, headers["Content-Range"]) == (206, f"bytes 0-9999/{len(data)}")
    status, headers, rest = downloaded(url, {"Range": "bytes=10000-", "If-Range": headers["ETag"]})
    assert (status, headers["Content-Range"]) == (206, f"bytes 10000-{len(data) - 1}/{len(data)}")
    assert headers["Content-Length"] == str(len(data) - 10000)
    assert first + rest == data


# How this server answers odd ranges; on an object store the store answers them (DATA_API.md section 3).
SERVER_RANGES = pytest.mark.parametrize("storage_backend", ["folder"])


@SERVER_RANGES
@pytest.mark.parametrize(
    "header,status,part",
    [
        ("bytes=-100", 206, slice(-100, None)),
        ("bytes=5-5", 206, slice(5, 6)),
        ("bytes=100-99999999", 206, slice(100, None)),
        ("bytes=0-9,20-29", 200, slice(None)),  # several ranges: the whole file
        ("bytes=9-2", 200, slice(None)),  # not a range
        ("lines=1-2", 200, slice(None)),
    ],
)
def test_a_range_gives_those_bytes_and_anything_else_the_whole_file(api, original, header, status, part):
    image_id, data = original
    answer = downloaded(link_of(api, image_id)["download_url"], {"Range": header})
    assert (answer[0], answer[2]) == (status, data[part])


@SERVER_RANGES
def test_a_range_for_another_version_of_the_file_gives_the_whole_file(api, original):
    image_id, data = original
    status, _, body = downloaded(link_of(api, image_id)["download_url"], {"Range": "bytes=10-", "If-Range": '"other"'})
    assert (status, body) == (200, data)


@SERVER_RANGES
@pytest.mark.parametrize("header", ["bytes=99999999-", "bytes=-0"])
def test_a_range_past_the_end_is_not_satisfiable(api, original, header):
    image_id, data = original
    status, headers, _ = downloaded(link_of(api, image_id)["download_url"], {"Range": header})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(data)}"


def test_an_expired_link_is_refused(api, original, monkeypatch, settings):
    image_id, _ = original
    url = link_of(api, image_id)["download_url"]
    later = time.time() + settings.DATASERVER_DOWNLOAD_URL_TTL + 1
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    raster_error(Client().get(url), 403, "DownloadLinkExpired")


def test_the_expiry_is_a_setting(api, original, settings, monkeypatch):
    image_id, _ = original
    settings.DATASERVER_DOWNLOAD_URL_TTL = 60
    link = link_of(api, image_id)
    assert link["expires_in"] == 60
    later = time.time() + 61
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    raster_error(Client().get(link["download_url"]), 403, "DownloadLinkExpired")


def test_a_forged_or_stale_link_opens_nothing(api, original):
    image_id, _ = original
    url = link_of(api, image_id)["download_url"]
    raster_error(Client().get(url[:-3] + "abc"), 404, "DownloadLinkNotValid")
    preview_token = signed_links.previews.link(RequestFactory().get("/"), uuid.UUID(image_id)).rsplit("/", 1)[1]
    raster_error(Client().get(url.rsplit("/", 1)[0] + "/" + preview_token), 404, "DownloadLinkNotValid")
    api.delete(f"/rest/rasters/image/{image_id}")
    raster_error(Client().get(url), 404, "DownloadLinkNotValid")


def test_another_accounts_image_is_not_found(api, other_api, original):
    image_id, _ = original
    assert raster_error(other_api.get(f"/rest/rasters/image/{image_id}/download"), 404, "ItemNotFound") == {
        "uid": image_id,
        "instance_type": "image",
    }


def test_an_account_whose_originals_stay_on_the_server_cannot_download_them(api, account, original):
    image_id, _ = original
    url = link_of(api, image_id)["download_url"]
    user, _ = account
    user.originals_downloadable = False
    user.save()
    assert api.get(f"/rest/rasters/image/{image_id}").json()["available_for_download"] is False
    raster_error(api.get(f"/rest/rasters/image/{image_id}/download"), 403, "ImageNotDownloadable")
    raster_error(Client().get(url), 403, "ImageNotDownloadable")  # a link given before, too


def test_an_image_still_being_ingested_has_no_data_to_download_yet(api, tmp_path):
    mosaic = mosaic_create(api)
    image_id = upload(api, mosaic["id"], write_raster(tmp_path / "new.tif")).json()["image_id"]  # no COG yet
    image = api.get(f"/rest/rasters/image/{image_id}").json()
    assert image["cog_link"] is None and image["available_for_download"] is True
    raster_error(api.get(f"/rest/rasters/image/{image_id}/download"), 409, "ImageDataNotAvailable")


def test_an_image_whose_cog_failed_can_still_be_downloaded(api, tmp_path):
    mosaic = mosaic_create(api)
    image_id = upload(api, mosaic["id"], write_raster(tmp_path / "new.tif")).json()["image_id"]
    Image.objects.filter(id=image_id).update(cog_error="GDAL failed")  # what the COG task records when it fails
    assert api.get(f"/rest/rasters/image/{image_id}/download").status_code == 200


def test_a_multi_gigabyte_original_is_streamed_and_its_end_can_be_read_alone(db, tmp_path, settings):
    settings.DATASERVER_STORAGE_URL = str(tmp_path)  # a folder whatever the backend: a sparse file uses no disk
    big = tmp_path / "big.tif"
    with open(big, "wb") as fh:
        fh.truncate(5 * 1024**3)
        fh.seek(5 * 1024**3 - 4)
        fh.write(b"tail")
    request = RequestFactory().get("/", HTTP_RANGE="bytes=-4")
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    tail = original_response(request, "big.tif", filename="big.tif", checksum="0" * 40, modified=moment)
    assert tail.status_code == 206 and fetched(tail) == b"tail"
    whole = original_response(RequestFactory().get("/"), "big.tif", filename="big.tif", checksum="0" * 40, modified=moment)
    assert whole.streaming and whole["Content-Length"] == str(5 * 1024**3)
    chunks = iter(whole.streaming_content)
    assert len(next(chunks)) == CHUNK  # read a block at a time, never whole
    whole.close()
