"""The imagery store on each backend: an upload cut off in the middle leaves nothing (no partial file, no multipart
upload), stale uploads are cleaned up, and the consistency check finds and repairs what the database and the store
disagree on."""

import hashlib
import itertools
import os
import socket
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from dataserver.models import Image
from dataserver.storage import STORE_ERRORS, ImageFiles, store
from dataserver.tasks import stale_uploads_abort
from tests.conftest import basic, make_account
from tests.dataserver.uploading import (
    mosaic_create,
    raster_error,
    stored_files,
    upload_ok,
)
from tests.rasters import COGEO, write_raster
from tests.uploads.stack import wait_for


def cut_off_upload(url: str, token: str, mosaic_id: str, *, sent: int) -> None:
    """POST an upload announcing 64 MiB, send `sent` bytes of it, and hang up."""
    host, port = url.removeprefix("http://").split(":")
    boundary = "cut-off-upload"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.tif\"\r\n"
        "Content-Type: image/tiff\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            (
                f"POST /rest/rasters/mosaic/{mosaic_id}/image HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Authorization: Basic {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {64 * 2**20}\r\n\r\n"
            ).encode()
            + head
        )
        block = b"II*\x00" + os.urandom(2**20 - 4)
        for _ in range(sent // len(block)):
            sock.sendall(block)
        time.sleep(0.5)  # the server has read what was sent


@pytest.mark.django_db(transaction=True)
def test_an_upload_cut_off_midway_leaves_nothing_in_the_store(live_server):
    _, token = make_account("alice@example.com")
    mosaic = mosaic_create(Client(**basic(token)))
    cut_off_upload(live_server.url, token, mosaic["id"], sent=40 * 2**20)  # more than two parts of a multipart upload
    wait_for(lambda: stored_files() == set(), seconds=30)
    assert not Image.objects.exists()


def test_the_periodic_clean_up_drops_stale_uploads(settings):
    """(Whether an upload is stale comes from the store's own clock: moto's server dates every multipart upload in
    2010, so here every upload is stale once the age is past.)"""
    files = ImageFiles(uuid.uuid4(), uuid.uuid4(), uuid.uuid4())
    stale = store().writer(files.original)
    stale.write(b"II*\x00" + bytes(1000))
    assert stored_files() == {Path(files.original + ".part")}
    settings.DATASERVER_STALE_UPLOAD_SECONDS = -60
    stale_uploads_abort()
    assert stored_files() == set()
    with pytest.raises(STORE_ERRORS):
        stale.complete()  # the upload is no more


def check(*args) -> tuple[int, str]:
    """The storage check's exit status and what it printed."""
    out = StringIO()
    try:
        call_command("dataserver_storage_check", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_the_storage_check_lists_and_repairs_unowned_and_missing_objects(api, tmp_path):
    mosaic = mosaic_create(api)
    kept = upload_ok(api, mosaic["id"], write_raster(tmp_path / "kept.tif"))
    lost = upload_ok(api, mosaic["id"], write_raster(tmp_path / "lost.tif", width=40))
    imagery = store()
    kept_row = Image.objects.select_related("mosaic").get(id=kept["id"])
    kept_files = ImageFiles(kept_row.mosaic.account_id, kept_row.mosaic_id, kept_row.id)
    lost_files = ImageFiles(kept_row.mosaic.account_id, kept_row.mosaic_id, uuid.UUID(lost["id"]))
    stray = ImageFiles(kept_row.mosaic.account_id, kept_row.mosaic_id, uuid.uuid4()).original
    imagery.put(stray, b"left by a crash")
    imagery.delete([kept_files.preview("s"), lost_files.original])
    status, report = check("--grace", "-60")
    assert status == 1
    assert f"unowned object: {imagery.uri(stray)}" in report
    assert f"missing object of image {kept['id']}: {imagery.uri(kept_files.preview('s'))}" in report
    assert f"missing object of image {lost['id']}: {imagery.uri(lost_files.original)}" in report

    status, report = check("--grace", "-60", "--repair")
    assert status == 0, report
    assert imagery.size(stray) is None
    assert imagery.read(kept_files.preview("s"))[:3] == b"\xff\xd8\xff", "the preview is drawn again"
    assert not Image.objects.filter(id=lost["id"]).exists(), "an image without its original is gone"
    assert not [key for key in map(str, stored_files()) if lost["id"] in key]
    assert check("--grace", "-60") == (0, "The imagery store and the database agree.\n")


def test_a_young_unowned_object_is_taken_for_an_upload_in_flight(api):
    imagery = store()
    imagery.put(ImageFiles(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()).original, b"arriving")
    assert check() == (0, "The imagery store and the database agree.\n")


def test_a_missing_cog_is_built_again_by_the_repair(api, django_capture_on_commit_callbacks):
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks(execute=True):
        image = upload_ok(api, mosaic["id"], COGEO)
    row = Image.objects.select_related("mosaic").get(id=image["id"])
    files = ImageFiles(row.mosaic.account_id, row.mosaic_id, row.id)
    assert row.cog_ready
    store().delete([files.cog])
    status, report = check("--repair")
    assert status == 0 and f"queued the COG build of image {row.id} again" in report
    assert store().size(files.cog) and Image.objects.get(id=row.id).cog_ready


def test_link_image_of_an_object_of_the_stores_own_bucket_is_copied_by_the_store(api, storage_backend):
    if storage_backend == "folder":  # no bucket of its own: an s3:// link needs DATASERVER_S3_BUCKET
        url = "s3://some-bucket/scenes/field.tif"
        assert raster_error(link(api, url), 422, "InvalidLink") == {"url": url}
        return
    imagery = store()
    data = COGEO.read_bytes()
    imagery.client.put_object(Bucket=imagery.bucket, Key="scenes/field.tif", Body=data)
    answer = link(api, f"s3://{imagery.bucket}/scenes/field.tif")
    assert answer.status_code == 200, answer.content
    (image,) = api.get(f"/rest/rasters/mosaic/{answer.json()['mosaic_id']}/image").json()
    assert image["checksum"] == hashlib.sha1(data).hexdigest() and image["file_size"] == len(data)
    assert imagery.read(image["image_url"][len(imagery.uri("")) :]) == data
    assert imagery.client.head_object(Bucket=imagery.bucket, Key="scenes/field.tif")["ContentLength"] == len(data)


def test_link_image_refuses_another_accounts_stored_original(api, other_api, tmp_path):
    theirs = upload_ok(other_api, mosaic_create(other_api)["id"], write_raster(tmp_path / "theirs.tif"))
    url = theirs["image_url"]  # file:// outside the import folder, or s3:// under the store's own prefix
    assert raster_error(link(api, url), 422, "InvalidLink") == {"url": url}


def link(api, url: str):
    mosaic = mosaic_create(api, name="Linked")
    return api.post(f"/rest/rasters/mosaic/{mosaic['id']}/link-image", {"url": url}, content_type="application/json")


@pytest.mark.parametrize("storage_backend", ["s3"])
def test_an_upload_the_store_refuses_is_a_503_that_says_so_and_keeps_nothing(api, storage_backend, s3_endpoint):
    import boto3

    mosaic = mosaic_create(api)
    boto3.client("s3", endpoint_url=s3_endpoint).delete_bucket(Bucket=store().bucket)  # every write now refused
    with open(COGEO, "rb") as file:
        answer = api.post(f"/rest/rasters/mosaic/{mosaic['id']}/image", {"file": file})
    assert answer.status_code == 503
    assert answer.json() == {"detail": "The imagery store did not answer as it should; try again later (nothing of a "
                                       "failed upload is kept)"}
    assert not Image.objects.exists()
    assert api.get(f"/rest/rasters/mosaic/{mosaic['id']}/image").json() == []


@pytest.mark.parametrize("storage_backend", ["s3"])
def test_a_raster_read_once_from_the_store_gets_its_bytes_in_few_requests(storage_backend, monkeypatch):
    """What GDAL reads of an original for the previews (`read_once`): the object's own bytes wherever it jumps, reads
    in order in few GETs, after a jump no more than it asks, and a window's blocks a GET each."""
    from dataserver import storage

    data = os.urandom(12 * 2**20)
    store().put("acc/read-once.tif", data)
    fetched = []
    get = storage.S3RangeReader.get
    monkeypatch.setattr(storage.S3RangeReader, "get", lambda self, a, b: fetched.append(b - a + 1) or get(self, a, b))
    path, opener = store().read_once("acc/read-once.tif")
    assert opener.isfile(path) and not opener.isfile(path + ".aux.xml") and opener.size(path) == len(data)
    file = opener.open(path, "rb")
    block = 256 * 1024
    assert file.read(8) == data[:8]  # the header, from the first answer
    fetched.clear()
    assert b"".join(file.read(block) for _ in range(40)) == data[8 : 8 + 40 * block]  # 10 MB in order
    assert len(fetched) <= 40 * block // storage.READ_AHEAD_BYTES + 3
    fetched.clear()
    file.seek(3 * block + 5)  # back, and out of what the last fetch holds
    assert file.read(block) == data[3 * block + 5 : 4 * block + 5]
    assert fetched == [block]
    file.seek(-100, os.SEEK_END)
    assert file.read(block) == data[-100:] and file.read(block) == b""
    fetched.clear()
    assert file.get_byte_ranges([5 * block, 100], [block, 7]) == [data[5 * block : 6 * block], data[100:107]]
    assert fetched == [block, 7]


@pytest.mark.parametrize("storage_backend", ["s3"])
def test_a_cog_build_from_the_store_fetches_the_original_once_and_keeps_no_copy(
    api, tmp_path, settings, storage_backend, django_capture_on_commit_callbacks
):
    """The warp goes over a wide original's blocks more than once; from the store it reads a local copy, fetched
    once, and nothing of it stays on the worker's disk."""
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks() as pending:
        image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "wide.tif", width=3000, height=600))
    fetched = []

    def count(parsed, **_) -> None:
        fetched.append(parsed["ContentLength"])

    events = store().client.meta.events
    events.register("after-call.s3.GetObject", count)
    try:
        for callback in pending:
            callback()
    finally:
        events.unregister("after-call.s3.GetObject", count)
    assert Image.objects.get(id=image["id"]).cog_ready
    assert sum(fetched) == (tmp_path / "wide.tif").stat().st_size
    assert not list(settings.DATASERVER_SCRATCH_DIR.glob("**/*")), "nothing of the build is left in the scratch folder"


@pytest.mark.parametrize("storage_backend", ["s3"])
def test_an_object_written_in_uneven_chunks_is_stored_whole_in_full_parts(storage_backend):
    """Chunks that do not fall on the parts' edges (as a multipart body's do): every byte in order, each part but
    the last of PART_SIZE, as S3 requires of all but the last."""
    import boto3

    from dataserver.storage import PART_SIZE

    data = os.urandom(2 * PART_SIZE + 12345)
    cuts = [0, 1, 1_000_003, PART_SIZE - 7, PART_SIZE + 5, 2 * PART_SIZE, len(data)]
    with store().writer("acc/uneven.bin") as out:
        for start, end in itertools.pairwise(cuts):
            out.write(data[start:end])
    assert store().read("acc/uneven.bin") == data
    client = boto3.client("s3", endpoint_url=store().client.meta.endpoint_url)
    key = store().object_key("acc/uneven.bin")
    sizes = [client.head_object(Bucket=store().bucket, Key=key, PartNumber=n)["ContentLength"] for n in (1, 2, 3)]
    assert sizes == [PART_SIZE, PART_SIZE, 12345]
