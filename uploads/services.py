"""Writes of the upload pipeline: create a job, append the bytes of a tus PATCH, deliver the file to the Data API,
clean up. They receive the team's client, they never build it."""

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import Action
from audit.services import entry_record
from common.image_fit import IMAGE_EXTENSIONS
from common.sizes import format_size
from dataapi.client import DataAPIClient
from dataapi.errors import DataAPIError
from mosaics import trash
from mosaics.models import Kind
from mosaics.proxy import tiles_changed
from teams.models import Team
from teams.services import team_storage_changed

from . import selectors, tiff
from .models import FINISHED, State, UploadJob

logger = logging.getLogger("uploads")

LINK_SCHEMES = ("s3", "https")
READ_SIZE = 1024 * 1024
PROGRESS_SECONDS = 1.0
WRITING_LEASE_SECONDS = 30
LINK_CLOCK_SLACK = timedelta(minutes=5)


class UploadRefused(Exception):
    """The upload cannot start or go on; `status` is the HTTP status the tus endpoint answers with."""

    def __init__(self, message: str, *, status: int) -> None:
        self.message, self.status = message, status
        super().__init__(message)


def _expiry():
    return timezone.now() + timedelta(hours=settings.UPLOADS_EXPIRY_HOURS)


def _save(job: UploadJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=[*fields, "updated_at"])


def _mosaic_check(*, client: DataAPIClient, team: Team, mosaic_id: str) -> None:
    """NotFound for a mosaic the team's account does not have; refused for one in the team's trash (its images would
    go with it)."""
    client.mosaic_get(mosaic_id)
    if trash.is_trashed(team_id=team.pk, kind=Kind.MOSAIC, upstream_id=mosaic_id):
        raise UploadRefused("This mosaic is in the team's trash: restore it before adding images", status=409)


def upload_job_create(
    *, client: DataAPIClient, team: Team, user, mosaic_id: str, filename: str, size: int
) -> UploadJob:
    """A job waiting for `size` bytes of `filename`, once the mosaic, the size and the team's free storage allow it."""
    name = Path(filename).name
    if not name.lower().endswith(IMAGE_EXTENSIONS):
        raise UploadRefused(f"{name or 'This file'} is not a GeoTIFF (.tif or .tiff)", status=415)
    _mosaic_check(client=client, team=team, mosaic_id=mosaic_id)
    memory = client.memory()
    if memory.maxUploadFileSize is not None and size > memory.maxUploadFileSize:
        limit = format_size(memory.maxUploadFileSize)
        raise UploadRefused(f"{name} is {format_size(size)}; the largest allowed is {limit}", status=413)
    free = selectors.free_bytes(team=team, memory=memory)
    if free is not None and size > free:
        message = f"Not enough storage: {name} needs {format_size(size)}, {format_size(free)} is free"
        raise UploadRefused(message, status=413)
    job = UploadJob.objects.create(
        team=team, created_by=user, mosaic_id=mosaic_id, filename=name, size=size, expires_at=_expiry()
    )
    job.path.parent.mkdir(parents=True, exist_ok=True)
    job.path.touch()
    return job


def upload_job_link(*, client: DataAPIClient, team: Team, user, mosaic_id: str, url: str) -> UploadJob:
    """A job that asks the Data API to ingest the object at `url` (s3:// or https://)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in LINK_SCHEMES or not parts.netloc or not parts.path.strip("/"):
        raise UploadRefused("Give an s3:// or https:// link to a GeoTIFF", status=400)
    _mosaic_check(client=client, team=team, mosaic_id=mosaic_id)
    job = UploadJob.objects.create(
        team=team,
        created_by=user,
        mosaic_id=mosaic_id,
        filename=Path(parts.path).name,
        source_url=url.strip(),
        state=State.SENDING,
        expires_at=_expiry(),
    )
    _queue_send(job)
    return job


def _queue_send(job: UploadJob) -> None:
    from .tasks import upload_job_send

    transaction.on_commit(lambda: upload_job_send.delay(str(job.pk)))


def upload_job_receive(
    *, client: DataAPIClient, job: UploadJob, stream: BinaryIO, offset: int, length: int, checksum: str | None
) -> UploadJob:
    """Append a PATCH body, read from `stream` in pieces, at `offset`. The offset in the database follows the bytes
    on disk as they arrive and is saved whatever happens, so a broken connection resumes where it stopped. A chunk
    with an `Upload-Checksum` is kept only whole and matching."""
    if job.state != State.UPLOADING:
        state = job.get_state_display().lower()
        raise UploadRefused(f"{job.filename} is no longer receiving bytes ({state})", status=409)
    if offset + length > job.size:
        raise UploadRefused(f"The chunk goes past the end of {job.filename} ({job.size} bytes)", status=413)
    algorithm, expected = _checksum_header(checksum)
    digest = hashlib.new(algorithm) if algorithm else None
    _writing_start(job, offset)
    written, saved_at, rejected = offset, time.monotonic(), False
    with open(job.path, "r+b") as fh:
        fh.seek(offset)
        try:
            while written < offset + length:
                try:
                    piece = stream.read(min(READ_SIZE, offset + length - written))
                except OSError:  # the client went away (a reset connection; Django's UnreadablePostError)
                    piece = b""
                if not piece:
                    logger.warning(
                        "The connection broke after %d of %d bytes of a chunk of %s; the upload resumes from there",
                        written - offset, length, job.filename,
                    )
                    break
                fh.write(piece)
                written += len(piece)
                if digest is not None:
                    digest.update(piece)
                if time.monotonic() - saved_at >= PROGRESS_SECONDS:
                    fh.flush()
                    # Bytes of a chunk with a checksum count only once verified.
                    progress = {"offset": written} if digest is None else {}
                    UploadJob.objects.filter(pk=job.pk).update(writing_until=_lease(), **progress)
                    saved_at = time.monotonic()
        finally:
            whole = written == offset + length
            if digest is not None and not (whole and digest.digest() == expected):
                written, rejected = offset, whole  # an unverifiable or corrupted chunk is dropped whole
            fh.truncate(written)
            fh.flush()
            _save(job, offset=written, expires_at=_expiry(), writing_until=None)
    if rejected:
        raise UploadRefused("Checksum mismatch: the chunk was not stored", status=460)
    _header_check(client=client, job=job)
    if job.state == State.UPLOADING and job.offset == job.size:
        _save(job, state=State.CHECKING)
        _queue_send(job)
    return job


def _lease():
    return timezone.now() + timedelta(seconds=WRITING_LEASE_SECONDS)


def _writing_start(job: UploadJob, offset: int) -> None:
    """Take the file for one PATCH: a request whose connection broke may still be finishing its write."""
    free = Q(writing_until__isnull=True) | Q(writing_until__lt=timezone.now())
    if UploadJob.objects.filter(free, pk=job.pk, offset=offset).update(writing_until=_lease()):
        return
    job.refresh_from_db(fields=["offset"])
    if job.offset != offset:
        raise UploadRefused(f"The upload is at byte {job.offset}, not {offset}", status=409)
    raise UploadRefused("Another request is writing to this upload; try again shortly", status=423)


def _checksum_header(value: str | None) -> tuple[str | None, bytes | None]:
    if not value:
        return None, None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm.lower() not in {"sha1", "sha256", "md5"}:
        raise UploadRefused(f"Checksum algorithm {algorithm} is not supported", status=400)
    try:
        return algorithm.lower(), base64.b64decode(encoded, validate=True)
    except ValueError as exc:
        raise UploadRefused("Upload-Checksum is not base64", status=400) from exc


def _header_check(*, client: DataAPIClient, job: UploadJob) -> None:
    """Once the received bytes hold the TIFF directory, read it and compare it with what the Data API takes (a CRS,
    its pixel limits) and with the mosaic's first image."""
    if job.header_checked or job.offset < min(16, job.size):
        return
    with open(job.path, "rb") as fh:
        prefix = fh.read(16)
    try:
        if job.offset < min(tiff.bytes_needed(prefix), job.size):
            return
        header = tiff.header_read(job.path)
    except tiff.NotAGeoTIFF as exc:
        _refuse(job, f"{job.filename} is {exc}")
    if reason := tiff.header_refusal(header, client.memory(), filename=job.filename):
        _refuse(job, reason)
    images = client.mosaic_images(job.mosaic_id)
    if images and (reason := tiff.header_mismatch(header, images[0].meta_data, filename=job.filename)):
        _refuse(job, reason)
    _save(job, header_checked=True)


def _refuse(job: UploadJob, message: str):
    """Stop an upload whose first bytes show it cannot join the mosaic; what arrived of it is of no use."""
    upload_job_fail(job=job, message=message)
    job.path.unlink(missing_ok=True)
    raise UploadRefused(message, status=422)


def upload_job_fail(*, job: UploadJob, message: str) -> None:
    """The job stops with `message`; its file stays until the clean-up (`upload_jobs_clean`)."""
    logger.info("upload %s failed: %s", job.pk, message)
    _save(job, state=State.FAILED, message=message)


def upload_job_terminate(*, job: UploadJob) -> None:
    """tus termination: forget the job and its bytes (not while the file is on its way to the Data API)."""
    if job.state in (State.CHECKING, State.SENDING):
        raise UploadRefused(f"{job.filename} is being sent to the Data API", status=409)
    job.path.unlink(missing_ok=True)
    job.delete()


def file_checksum(path: Path, *, heartbeat: Callable[[], None]) -> str:
    digest = hashlib.sha1()
    beat_at = time.monotonic()
    with open(path, "rb") as fh:
        while piece := fh.read(READ_SIZE):
            digest.update(piece)
            if time.monotonic() - beat_at >= PROGRESS_SECONDS:
                heartbeat()
                beat_at = time.monotonic()
    return digest.hexdigest()


def upload_job_deliver(*, client: DataAPIClient, job: UploadJob, heartbeat: Callable[[], None]) -> None:
    """Send the job's file (or link) to the Data API, unless an earlier attempt already got it there.

    Progress is saved at most once a second, `heartbeat` is called as often; the local file is deleted only once the
    Data API has confirmed the image. Raises `DataAPIError` when the API refuses or cannot be reached."""
    if job.is_link:
        try:
            image_id = client.mosaic_link_image(job.mosaic_id, url=job.source_url).image_id or ""
        except DataAPIError as exc:
            arrived = _linked_earlier(client=client, job=job) if exc.code == "FileAlreadyExists" else None
            if arrived is None:
                raise
            image_id = arrived.id
        _save(job, state=State.PROCESSING, image_id=image_id, message="")
        _delivered_record(job)
        return
    if not job.checksum:
        _save(job, state=State.CHECKING)
        _save(job, checksum=file_checksum(job.path, heartbeat=heartbeat))
    arrived = next((image for image in client.mosaic_images(job.mosaic_id) if image.checksum == job.checksum), None)
    if arrived is None:
        _save(job, state=State.SENDING, bytes_sent=0)
        saved_at = time.monotonic()

        def progress(sent: int) -> None:
            nonlocal saved_at
            if time.monotonic() - saved_at >= PROGRESS_SECONDS:
                saved_at = time.monotonic()
                UploadJob.objects.filter(pk=job.pk).update(bytes_sent=min(sent, job.size), updated_at=timezone.now())
                heartbeat()

        answer = client.mosaic_upload_image(job.mosaic_id, file=job.path, filename=job.filename, progress=progress)
        image_id = answer.image_id or ""
    else:
        image_id = arrived.id
    _save(job, state=State.PROCESSING, image_id=image_id, bytes_sent=job.size, message="")
    _delivered_record(job)
    job.path.unlink(missing_ok=True)


def _delivered_record(job: UploadJob) -> None:
    """The team's log tells who added the image, once the Data API has it."""
    details = {"mosaic_id": job.mosaic_id, "size": job.size} | ({"url": job.source_url} if job.is_link else {})
    entry_record(
        team_id=job.team_id, actor=job.created_by, action=Action.IMAGE_LINK if job.is_link else Action.IMAGE_UPLOAD,
        object_type="image", object_id=job.image_id, name=job.filename, details=details,
    )


def _linked_earlier(*, client: DataAPIClient, job: UploadJob):
    """The image an earlier attempt of this link job put in the mosaic, when only its answer was lost (the Data API
    then says the link is already in a mosaic): the mosaic's image of the link's file name, linked since the job began
    (give or take LINK_CLOCK_SLACK between the two servers' clocks)."""
    since = job.created_at - LINK_CLOCK_SLACK
    return next(
        (
            image
            for image in client.mosaic_images(job.mosaic_id)
            if image.filename == job.filename and image.uploaded_at and image.uploaded_at >= since
        ),
        None,
    )


def upload_job_retrying(*, job: UploadJob, error: DataAPIError) -> bool:
    """Count one more failed attempt; False when the job has used up its retries (and is now failed)."""
    if job.attempts >= settings.UPLOADS_MAX_RETRIES:
        upload_job_fail(job=job, message=error.message)
        return False
    _save(job, attempts=job.attempts + 1, message=f"{error.message}; trying again")
    return True


def upload_job_watch(*, client: DataAPIClient, job: UploadJob) -> bool:
    """Whether the Data API now serves tiles of the job's image (the job is then ready)."""
    if job.image_id:
        ready = bool(client.image_get(job.image_id).cog_link)
    else:
        ready = bool(client.mosaic_get(job.mosaic_id).rasterLayer.tileUrl)
    if ready:
        _save(job, state=State.READY)
        tiles_changed(team_id=job.team_id, mosaic_id=job.mosaic_id)  # tiles cached without this image are stale
        team_storage_changed(team_id=job.team_id)
    elif timezone.now() - job.updated_at > timedelta(seconds=settings.UPLOADS_TILES_WAIT_SECONDS):
        upload_job_fail(job=job, message="The Data API has not made tiles of this image in time")
    return ready


def upload_jobs_clean() -> int:
    """Delete abandoned uploads (past their expiry) and failed or finished jobs older than UPLOADS_CLEANUP_HOURS,
    with their files. Returns how many jobs went."""
    now = timezone.now()
    old = now - timedelta(hours=settings.UPLOADS_CLEANUP_HOURS)
    stale = UploadJob.objects.filter(
        Q(state=State.UPLOADING, expires_at__lt=now) | Q(state__in=FINISHED, updated_at__lt=old)
    )
    count = 0
    for job in stale.iterator():
        job.path.unlink(missing_ok=True)
        job.delete()
        count += 1
    return count



def upload_jobs_stalled() -> list:
    """Ids of jobs on their way to the Data API that have not moved for UPLOADS_STALLED_SECONDS."""
    since = timezone.now() - timedelta(seconds=settings.UPLOADS_STALLED_SECONDS)
    moving = (State.CHECKING, State.SENDING)
    return list(UploadJob.objects.filter(state__in=moving, updated_at__lt=since).values_list("pk", flat=True))
