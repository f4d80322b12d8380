"""Downloading an image's original (DATA_API.md section 3): the signed link, ranges to resume, and every refusal."""

import hashlib
import time
import uuid
from datetime import UTC, datetime

import pytest
from django.test import Client, RequestFactory

from dataserver.models import Image
from dataserver.rasters import signed_links
from dataserver.rasters.downloads import CHUNK, original_response
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


def test_the_link_serves_the_original_with_no_credentials(api, original, settings):
    image_id, data = original
    link = link_of(api, image_id)
    assert set(link) == {"download_url", "filename", "expires_in"}
    assert (link["filename"], link["expires_in"]) == ("field 7 (north).tif", settings.DATASERVER_DOWNLOAD_URL_TTL)
    assert link["download_url"].startswith("http://testserver/rest/rasters/download/")
    answer = Client().get(link["download_url"])
    assert answer.status_code == 200
    body = fetched(answer)
    assert hashlib.sha1(body).hexdigest() == api.get(f"/rest/rasters/image/{image_id}").json()["checksum"]
    assert body == data and answer["Content-Length"] == str(len(data))
    assert answer["Content-Type"] == "image/tiff" and answer["Accept-Ranges"] == "bytes"
    assert answer["Content-Disposition"] == 'attachment; filename="field 7 (north).tif"'
    assert answer["ETag"] == f'"{hashlib.sha1(data).hexdigest()}"'


def test_a_download_resumes_from_where_it_stopped(api, original):
    image_id, data = original
    url = link_of(api, image_id)["download_url"]
    first = Client().get(url, HTTP_RANGE="bytes=0-9999")
    assert (first.status_code, first["Content-Range"]) == (206, f"bytes 0-9999/{len(data)}")
    etag = first["ETag"]
    rest = Client().get(url, HTTP_RANGE="bytes=10000-", HTTP_IF_RANGE=etag)
    assert (rest.status_code, rest["Content-Range"]) == (206, f"bytes 10000-{len(data) - 1}/{len(data)}")
    assert rest["Content-Length"] == str(len(data) - 10000)
    assert fetched(first) + fetched(rest) == data


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
    answer = Client().get(link_of(api, image_id)["download_url"], HTTP_RANGE=header)
    assert answer.status_code == status
    assert fetched(answer) == data[part]


def test_a_range_for_another_version_of_the_file_gives_the_whole_file(api, original):
    image_id, data = original
    answer = Client().get(link_of(api, image_id)["download_url"], HTTP_RANGE="bytes=10-", HTTP_IF_RANGE='"other"')
    assert answer.status_code == 200 and fetched(answer) == data


@pytest.mark.parametrize("header", ["bytes=99999999-", "bytes=-0"])
def test_a_range_past_the_end_is_not_satisfiable(api, original, header):
    image_id, data = original
    answer = Client().get(link_of(api, image_id)["download_url"], HTTP_RANGE=header)
    assert answer.status_code == 416
    assert answer["Content-Range"] == f"bytes */{len(data)}" and answer.json() == {"detail": "Range Not Satisfiable"}


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
