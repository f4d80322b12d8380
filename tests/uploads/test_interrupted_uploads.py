"""Connections cut in the middle of a multi-chunk upload, over real sockets to the live server: the upload resumes
from the offset the server recorded, the file arrives intact, and at most one chunk travels twice."""

import hashlib
import time

import pytest
from django.conf import settings as django_settings

from teams.clients import client_for
from tests.rasters import write_raster
from uploads.models import State, UploadJob

from .conftest import signed_in
from .wire import Uploader

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 64 * 1024


def uploader_of(live_server, user) -> Uploader:
    return Uploader(live_server.url, signed_in(user).cookies[django_settings.SESSION_COOKIE_NAME].value)


def finished_job(seconds: float = 20) -> UploadJob:
    """The upload's job once the server, which may still be handling the last hung-up PATCH, has sent it on."""
    deadline = time.monotonic() + seconds
    while not (job := UploadJob.objects.get()).is_finished and time.monotonic() < deadline:
        time.sleep(0.1)
    return job


def test_an_upload_cut_at_several_points_resumes_to_an_identical_file(cast, accounts, mosaic_id, live_server, tmp_path):
    source = write_raster(tmp_path / "big.tif", width=400, height=400)  # about 480 KB: eight chunks
    data = source.read_bytes()
    uploader = uploader_of(live_server, cast.alice)
    path = uploader.create(mosaic_id=mosaic_id, filename="big.tif", size=len(data))
    cuts = {1: 10, 3: 30_000, 5: 0, 6: CHUNK}  # chunk number → bytes of it sent before the hang-up
    chunk_number, recorded, sent_before_cuts = 0, [], []
    while (offset := uploader.offset(path)) < len(data):
        chunk = data[offset : offset + CHUNK]
        if chunk_number in cuts:
            sent = min(cuts.pop(chunk_number), len(chunk))
            uploader.patch_cut(path, chunk, offset, after=sent)
            sent_before_cuts.append(sent)
            recorded.append(uploader.settled_offset(path, offset + sent) - offset)
            continue
        assert uploader.patch(path, chunk, offset) == 204
        chunk_number += 1

    assert recorded == sent_before_cuts, "every byte that arrived before a hang-up was kept"
    assert sent_before_cuts[:3] == [10, 30_000, 0]
    job = finished_job()
    assert job.state == State.READY, job.message
    assert uploader.bytes_sent - len(data) <= CHUNK, "no more than one chunk was sent twice"
    images = client_for(team=cast.acme).mosaic_images(mosaic_id)
    assert [image.checksum for image in images] == [hashlib.sha1(data).hexdigest()]


def test_a_file_kept_across_hang_ups_has_the_originals_sha256(cast, accounts, mosaic_id, live_server, tmp_path):
    source = write_raster(tmp_path / "big.tif", width=300, height=300)
    data = source.read_bytes()
    uploader = uploader_of(live_server, cast.alice)
    path = uploader.create(mosaic_id=mosaic_id, filename="big.tif", size=len(data) + 1)  # one byte short: kept on disk
    offset = 0
    for cut in (100, 50_000, 7):
        chunk = data[offset : offset + CHUNK]
        uploader.patch_cut(path, chunk, offset, after=cut)
        offset = uploader.settled_offset(path, offset + cut)
        assert uploader.patch(path, data[offset : offset + CHUNK], offset) == 204
        offset = uploader.offset(path)
    while offset < len(data):
        assert uploader.patch(path, data[offset : offset + CHUNK], offset) == 204
        offset = uploader.offset(path)
    stored = UploadJob.objects.get().path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest()
