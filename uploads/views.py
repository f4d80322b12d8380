"""The tus 1.0.0 endpoint (core, creation, termination, expiration, checksum) and the job list of a mosaic.

Every method needs a session, the current team and the member role; the unsafe ones need the CSRF header too
(CsrfViewMiddleware). A PATCH body is read from the request as a stream, never through `request.body`.
"""

import base64
import binascii
from datetime import timedelta
from functools import wraps

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from dataapi.errors import DataAPIError, NotFound
from mapflow_web.errors import shown
from mapflow_web.http import DashboardRequest
from mosaics import events
from teams.models import Role
from teams.permissions import team_role_required

from . import selectors, services
from .job_list import JUST_READY_SECONDS, job_list_context
from .models import State, UploadJob

TUS_VERSION = "1.0.0"
TUS_HEADERS = {
    "Tus-Resumable": TUS_VERSION,
    "Tus-Version": TUS_VERSION,
    "Tus-Extension": "creation,termination,expiration,checksum",
    "Tus-Checksum-Algorithm": "sha1,sha256,md5",
}


def _answer(status: int, message: str = "", **headers) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _expires(job: UploadJob) -> str:
    return http_date(job.expires_at.timestamp())


class BadMetadata(ValueError):
    """An `Upload-Metadata` header that cannot be read; the message names the key and the problem."""


def _metadata(header: str) -> dict[str, str]:
    """`Upload-Metadata`: comma-separated `key base64value` pairs, the values UTF-8 text."""
    pairs = {}
    for item in filter(None, (part.strip() for part in header.split(","))):
        key, _, value = item.partition(" ")
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise BadMetadata(f"Upload-Metadata: the value of {key} is not valid base64") from None
        try:
            pairs[key] = raw.decode()
        except UnicodeDecodeError:
            raise BadMetadata(f"Upload-Metadata: the value of {key} is not UTF-8 text") from None
    return pairs


def _header_int(request, name: str) -> int | None:
    value = request.headers.get(name, "")
    return int(value) if value.isdigit() else None


def tus(view):
    """Answers OPTIONS with the server's capabilities, 412 to other tus versions, and tus errors as plain text."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return _answer(204, **{k.replace("-", "_"): v for k, v in TUS_HEADERS.items()})
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return _answer(412, "This server speaks tus 1.0.0", Tus_Version=TUS_VERSION)
        try:
            return view(request, *args, **kwargs)
        except services.UploadRefused as exc:
            return _answer(exc.status, exc.message)
        except NotFound:
            return _answer(404, "This mosaic does not exist in the team's Data API account")
        except DataAPIError as exc:
            what = shown(exc)
            return _answer(what.status, what.message)

    return wrapped


@require_http_methods(["OPTIONS", "POST"])
@team_role_required(Role.MEMBER)
@tus
def upload_create(request: DashboardRequest) -> HttpResponse:
    size = _header_int(request, "Upload-Length")
    if size is None:
        return _answer(400, "Upload-Length is missing (deferred lengths are not supported)")
    try:
        metadata = _metadata(request.headers.get("Upload-Metadata", ""))
    except BadMetadata as exc:
        return _answer(400, str(exc))
    if not metadata.get("mosaic_id") or not metadata.get("filename"):
        return _answer(400, "Upload-Metadata needs filename and mosaic_id")
    job = services.upload_job_create(
        client=request.dataapi,
        team=request.team,
        user=request.user,
        mosaic_id=metadata["mosaic_id"],
        filename=metadata["filename"],
        size=size,
    )
    location = request.build_absolute_uri(reverse("uploads:upload", args=[job.pk]))
    return _answer(201, Location=location, Upload_Expires=_expires(job), Upload_Offset="0")


@require_http_methods(["OPTIONS", "HEAD", "PATCH", "DELETE"])
@team_role_required(Role.MEMBER)
@tus
def upload_detail(request: DashboardRequest, job_id) -> HttpResponse:
    job = selectors.upload_job_for_team(team=request.team, job_id=job_id)
    if job is None:
        return _answer(404, "No such upload")
    if request.method == "DELETE":
        services.upload_job_terminate(job=job)
        return _answer(204)
    if job.state == State.FAILED:
        return _answer(410, job.message)
    if job.state == State.UPLOADING and job.expires_at < timezone.now():
        return _answer(410, "This upload has expired")
    if request.method == "HEAD":
        return _answer(200, Upload_Offset=str(job.offset), Upload_Length=str(job.size), Upload_Expires=_expires(job))
    if request.content_type != "application/offset+octet-stream":
        return _answer(415, "A PATCH body must be application/offset+octet-stream")
    offset, length = _header_int(request, "Upload-Offset"), _header_int(request, "Content-Length")
    if offset is None or length is None:
        return _answer(400, "Upload-Offset and Content-Length are required")
    job = services.upload_job_receive(
        client=request.dataapi,
        job=job,
        stream=request,
        offset=offset,
        length=length,
        checksum=request.headers.get("Upload-Checksum"),
    )
    return _answer(204, Upload_Offset=str(job.offset), Upload_Expires=_expires(job))


def _jobs(request: DashboardRequest, mosaic_id: str) -> HttpResponse:
    context = job_list_context(request, mosaic_id)
    response = render(request, "uploads/_jobs.html", context)
    if not request.htmx:
        return response
    if not context["polling"]:
        response = HttpResponseStopPolling(response.content)
    recently = timezone.now() - timedelta(seconds=JUST_READY_SECONDS)
    if any(job.state == State.READY and job.updated_at >= recently for job in context["jobs"]):
        response["HX-Trigger"] = events.IMAGES_CHANGED  # the mosaic page redraws its images and tiles
    return response


@require_GET
@team_role_required(Role.VIEWER)
def job_list(request: DashboardRequest, mosaic_id: str) -> HttpResponse:
    """The mosaic's upload jobs; polled while any of them is still going, 286 (stop polling) once all are done."""
    return _jobs(request, mosaic_id)


@require_POST
@team_role_required(Role.MEMBER)
def job_link(request: DashboardRequest, mosaic_id: str) -> HttpResponse:
    """Queue a "link by URL" job; answers with the refreshed job list."""
    try:
        services.upload_job_link(
            client=request.dataapi,
            team=request.team,
            user=request.user,
            mosaic_id=mosaic_id,
            url=request.POST.get("url", ""),
        )
    except services.UploadRefused as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    return _jobs(request, mosaic_id)
