"""Mosaic list and page, the dialogs that change mosaics and images, and the tile and preview proxy."""

import hashlib
from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat, pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseStopPolling,
    trigger_client_event,
)
from leaflet import app_settings as leaflet_settings

from dataapi import errors as api_errors
from mapflow_web.errors import api_error_response, missing, shown
from mapflow_web.http import DashboardRequest
from teams.models import Role
from teams.permissions import team_role_required

from . import proxy, selectors, services
from .forms import ImageRenameForm, MosaicFilterForm, MosaicForm, NameConfirmationForm
from .signed_tiles import tile_token_make, tile_token_team_id

MOSAICS_CHANGED = "mosaics-changed"
IMAGES_CHANGED = "mosaics-images-changed"
POLL_SECONDS = 3


def _bound(request: DashboardRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


def _can_write(request: DashboardRequest) -> bool:
    return request.membership is not None and request.membership.can_write


def _url_maker(name: str, *rest) -> Callable[[str], str]:
    """The URL of `name` for any id, reversed once: a page of 200 rows would otherwise spend ~100 ms in reverse()."""
    sample = "00000000-0000-0000-0000-000000000000"
    url = reverse(name, args=[sample, *rest])
    return lambda object_id: url.replace(sample, str(object_id))


def _moment(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _actions(*, name: str, edit: tuple[str, str], delete_url: str) -> list[dict]:
    """The buttons of a row that load a dialog: (text of the edit button, its URL), and Delete."""
    return [
        {"text": edit[0], "url": edit[1], "style": "btn-outline-secondary", "label": f"{edit[0]} {name}"},
        {"text": "Delete", "url": delete_url, "style": "btn-outline-danger", "label": f"Delete {name}"},
    ]


def _mosaic_rows(mosaics: list) -> list[dict]:
    detail, edit, delete = _url_maker("mosaics:detail"), _url_maker("mosaics:edit"), _url_maker("mosaics:delete")
    return [
        {
            "mosaic": mosaic,
            "size": filesizeformat(mosaic.sizeInBytes),
            "created": _moment(mosaic.created_at),
            "url": detail(mosaic.id),
            "actions": _actions(name=mosaic.name, edit=("Edit", edit(mosaic.id)), delete_url=delete(mosaic.id)),
        }
        for mosaic in mosaics
    ]


def _image_rows(images: list) -> list[dict]:
    small, large = _url_maker("mosaics:image-preview", "s"), _url_maker("mosaics:image-preview", "l")
    rename, delete = _url_maker("mosaics:image-rename"), _url_maker("mosaics:image-delete")
    original = _url_maker("mosaics:image-original")
    return [
        {
            "image": image,
            "original": original(image.id) if image.available_for_download else None,
            "size": filesizeformat(image.file_size),
            "uploaded": _moment(image.uploaded_at),
            "dtypes": ", ".join(image.meta_data.dtypes),
            "pixel_size": " × ".join(f"{value:.4g}" for value in image.meta_data.pixel_size),
            "preview_s": small(image.id),
            "preview_l": large(image.id),
            "actions": _actions(name=image.filename, edit=("Rename", rename(image.id)), delete_url=delete(image.id)),
        }
        for image in images
    ]


# --- Pages ---


@team_role_required(Role.VIEWER)
@require_GET
def mosaic_list_page(request: DashboardRequest):
    filters = MosaicFilterForm(request.GET)
    chosen = filters.filters()
    context = {"filters": filters, "sort": chosen["sort"], "sorts": filters.fields["sort"].choices}
    context["can_write"] = _can_write(request)
    try:
        context["page"] = selectors.mosaic_list(client=request.dataapi, **chosen)
        context["rows"] = _mosaic_rows(context["page"].mosaics)
    except api_errors.DataAPIError as exc:
        context["unavailable"] = shown(exc).message
    partial = request.htmx and request.htmx.target == "mosaic-table"
    return render(request, "mosaics/list.html#mosaic-table" if partial else "mosaics/list.html", context)


def _tile_template(mosaic_id: str, **query: str) -> str:
    """The dashboard's XYZ template of a mosaic's tiles ({z}/{x}/{y} left for the map or QGIS to fill)."""
    url = reverse("mosaics:tile", args=[mosaic_id, 0, 0, 0]).replace("/0/0/0.png", "/{z}/{x}/{y}.png")
    return url + "?" + "&".join(f"{name}={value}" for name, value in query.items()) if query else url


def _tiles_version(detail: selectors.MosaicDetail) -> str:
    ready = sorted(image.id for image in detail.images if image.cog_link)
    return hashlib.sha1("|".join(ready).encode()).hexdigest()[:12]


def _tile_token(request: DashboardRequest, mosaic_id: str) -> str:
    return tile_token_make(team_id=request.team.pk, mosaic_id=mosaic_id, days=settings.MOSAICS_TILE_URL_DAYS)


def _images_context(request: DashboardRequest, mosaic_id: str, detail: selectors.MosaicDetail) -> dict:
    return {
        "images": _image_rows(detail.images),
        "processing": detail.processing,
        "poll_seconds": POLL_SECONDS,
        "mosaic_id": mosaic_id,
        "can_write": _can_write(request),
        "images_map": {
            # The QGIS URL (the same all day), a version that changes with the ready images, and the fastest
            # encoding (QGIS keeps the contract's PNG).
            "tiles": _tile_template(
                mosaic_id, token=_tile_token(request, mosaic_id), v=_tiles_version(detail), format="jpeg"
            ),
            "features": selectors.image_features(detail.images),
        },
    }


@team_role_required(Role.VIEWER)
@require_GET
def mosaic_page(request: DashboardRequest, mosaic_id: UUID):
    mosaic_id = str(mosaic_id)
    if request.htmx and request.htmx.target == "images":
        images = request.dataapi.mosaic_images(mosaic_id)
        detail = selectors.MosaicDetail(mosaic=None, images=images)
        context = _images_context(request, mosaic_id, detail)
        if request.GET.get("polling") and not detail.processing:
            return render(request, "mosaics/detail.html#images", context, status=HttpResponseStopPolling.status_code)
        return render(request, "mosaics/detail.html#images", context)
    detail = selectors.mosaic_detail(client=request.dataapi, mosaic_id=mosaic_id)
    proxy.tile_source_remember(
        team_id=request.team.pk, stamp=request.team.credential.updated_at.timestamp(), mosaic=detail.mosaic
    )
    context = _images_context(request, mosaic_id, detail) | {
        "mosaic": detail.mosaic,
        "map_settings": {
            "baseMaps": [
                {"name": str(name), "url": url, "options": options} for name, url, options in leaflet_settings["TILES"]
            ],
            "bounds": selectors.footprint_bounds(detail.mosaic.footprint),
            "maxZoom": leaflet_settings["MAX_ZOOM"],
        },
        # Not build_absolute_uri: it would escape the template's braces.
        "qgis_url": f"{request.scheme}://{request.get_host()}"
        + _tile_template(mosaic_id, token=_tile_token(request, mosaic_id)),
        "qgis_days": settings.MOSAICS_TILE_URL_DAYS,
    }
    return render(request, "mosaics/detail.html", context)


# --- Dialogs ---


def _dialog(request: DashboardRequest, *, form: Form, status: int = 200, **context) -> HttpResponse:
    template = "mosaics/dialog.html#dialog-form" if request.htmx else "mosaics/dialog.html"
    return render(request, template, {"form": form, **context}, status=status)


def _changed(request: DashboardRequest, *, event: str, next_url: str) -> HttpResponse:
    """After a change: for htmx a 204 with the event the lists listen to, else back to `next_url`."""
    if not request.htmx:
        return redirect(next_url)
    return trigger_client_event(HttpResponse(status=204), event)


def _form_view(
    request: DashboardRequest, *, form: Form, apply: Callable[[dict], object], event: str, next_url: str, **dialog
) -> HttpResponse:
    """GET: the form. POST: apply it, or show it again with what is wrong (422), the API's refusals included."""
    if form.is_bound and form.is_valid():
        try:
            apply(form.cleaned_data)
        except api_errors.DataAPIError as exc:
            if missing(exc):
                raise  # the page or dialog of something gone: 404 (mapflow_web.errors)
            form.add_error(None, shown(exc).message)
        else:
            return _changed(request, event=event, next_url=next_url)
    return _dialog(request, form=form, status=422 if form.is_bound else 200, **dialog)


def _file_count(request: DashboardRequest) -> int:
    try:
        return max(0, int(request.GET.get("files", "0")))
    except ValueError:
        return 0


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def mosaic_create_dialog(request: DashboardRequest):
    """The New mosaic dialog; "new mosaic from files" opens it with `files` (how many) and a suggested `name`, and
    learns the new mosaic's id from the `mosaic-created` event to send the files into it."""
    created = []
    files = _file_count(request)
    title = f"New mosaic from {files} file{pluralize(files)}" if files else "New mosaic"
    action = reverse("mosaics:create") + (f"?files={files}" if files else "")
    response = _form_view(
        request,
        form=MosaicForm(_bound(request), initial={"name": request.GET.get("name", "")[:255]}),
        apply=lambda data: created.append(request.dataapi.mosaic_create(**data)),
        event=MOSAICS_CHANGED,
        next_url=reverse("mosaics:list"),
        title=title,
        submit="Create and upload" if files else "Create",
        action=action,
    )
    if created and request.htmx:
        url = reverse("mosaics:detail", args=[created[0].id])
        trigger_client_event(response, "mosaic-created", {"id": created[0].id, "name": created[0].name, "url": url})
    return response


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def mosaic_edit_dialog(request: DashboardRequest, mosaic_id: UUID):
    mosaic_id = str(mosaic_id)
    initial = None
    if request.method == "GET":
        mosaic = request.dataapi.mosaic_get(str(mosaic_id))
        initial = {"name": mosaic.name, "tags": ", ".join(mosaic.tags)}
    return _form_view(
        request,
        form=MosaicForm(_bound(request), initial=initial),
        apply=lambda data: request.dataapi.mosaic_update(str(mosaic_id), **data),
        event=MOSAICS_CHANGED,
        next_url=reverse("mosaics:detail", args=[mosaic_id]),
        title="Rename or tag the mosaic",
        submit="Save",
        action=reverse("mosaics:edit", args=[mosaic_id]),
    )


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def mosaic_delete_dialog(request: DashboardRequest, mosaic_id: UUID):
    mosaic_id = str(mosaic_id)
    mosaic = request.dataapi.mosaic_get(str(mosaic_id))
    detail_url = reverse("mosaics:detail", args=[mosaic_id])
    response = _form_view(
        request,
        form=NameConfirmationForm(_bound(request), expected=mosaic.name),
        apply=lambda data: services.mosaic_delete(client=request.dataapi, team_id=request.team.pk, mosaic_id=mosaic_id),
        event=MOSAICS_CHANGED,
        next_url=reverse("mosaics:list"),
        title=f"Delete {mosaic.name}?",
        submit="Delete mosaic for good",
        danger=True,
        warning=mosaic,
        action=reverse("mosaics:delete", args=[mosaic_id]),
    )
    if response.status_code == 204 and (request.htmx.current_url_abs_path or "").startswith(detail_url):
        return HttpResponseClientRedirect(reverse("mosaics:list"))
    return response


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def image_rename_dialog(request: DashboardRequest, image_id: UUID):
    image = request.dataapi.image_get(str(image_id))
    return _form_view(
        request,
        form=ImageRenameForm(_bound(request), initial={"name": image.filename}),
        apply=lambda data: request.dataapi.image_rename(image.id, name=data["name"]),
        event=IMAGES_CHANGED,
        next_url=reverse("mosaics:detail", args=[image.mosaic_id]),
        title="Rename the image",
        submit="Rename",
        action=reverse("mosaics:image-rename", args=[image.id]),
    )


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def image_delete_dialog(request: DashboardRequest, image_id: UUID):
    image = request.dataapi.image_get(str(image_id))
    return _form_view(
        request,
        form=Form(_bound(request)),
        apply=lambda data: services.image_delete(client=request.dataapi, team_id=request.team.pk, image=image),
        event=IMAGES_CHANGED,
        next_url=reverse("mosaics:detail", args=[image.mosaic_id]),
        title=f"Delete {image.filename}?",
        submit="Delete image for good",
        danger=True,
        image=image,
        action=reverse("mosaics:image-delete", args=[image.id]),
    )


# --- Originals ---

# What the Data API's refusals of a download mean (by status, as the reference client reads them).
DOWNLOAD_REFUSALS = {
    403: "This image's original may not be downloaded",
    409: "This image's original is not ready yet; try again once its processing has finished",
}


def _back(request: DashboardRequest) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("mosaics:list")


@team_role_required(Role.VIEWER)
@require_GET
@never_cache
def image_original(request: DashboardRequest, image_id: UUID):
    """An image's original: a redirect to the Data API's download link, which needs no credentials and expires (the
    browser fetches the file from the API itself, and may resume it); for the page's script, which downloads several
    in a row, the link as JSON. A refusal says why: as JSON, or in the alerts of the page `next` names."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        link = selectors.image_download_link(client=request.dataapi, image_id=str(image_id))
    except api_errors.DataAPIError as exc:
        # This endpoint's 403 and 409 are the download's own refusals (the reference client reads them so too).
        refusal = None if missing(exc) else DOWNLOAD_REFUSALS.get(exc.status)
        status, problem = (exc.status, f"{refusal}.") if refusal else (shown(exc).status, shown(exc).message)
        if wants_json:
            return JsonResponse({"error": problem}, status=status)
        if missing(exc):
            raise  # the page of something gone: 404 (mapflow_web.errors)
        messages.error(request, problem)
        return redirect(_back(request))
    if wants_json:
        return JsonResponse({"url": link.download_url, "filename": link.filename})
    return HttpResponseRedirect(link.download_url)


# --- Tile and preview proxy ---


@require_GET
def mosaic_tile(request: HttpRequest, mosaic_id: UUID, z: int, x: int, y: int):
    """A tile of a signed URL (the mosaic page's map and QGIS): its token says whose; no session is read. Called by
    SignedTileMiddleware when a token is given."""
    mosaic_id = str(mosaic_id)
    # Answered, not raised: a refused tile is routine (an expired URL left in QGIS), one log line, no traceback.
    if z > 30 or x >= 2**z or y >= 2**z:
        return HttpResponseNotFound(f"Tile {z}/{x}/{y} does not exist", content_type="text/plain")
    team_id = tile_token_team_id(request.GET.get("token", ""), mosaic_id=mosaic_id)
    if team_id is None:
        return HttpResponseForbidden("This tile URL is not valid (or has expired)", content_type="text/plain")
    encoding = request.GET.get("format", "png")
    if encoding not in proxy.ENCODINGS:
        message = f"format must be one of {', '.join(proxy.ENCODINGS)}"
        return HttpResponseBadRequest(message, content_type="text/plain")
    if_none_match = request.headers.get("If-None-Match")
    try:
        return proxy.tile_response(
            team_id=team_id, mosaic_id=mosaic_id, z=z, x=x, y=y, encoding=encoding, if_none_match=if_none_match
        )
    except api_errors.DataAPIError as exc:  # (called before the middleware that answers these for other views)
        return api_error_response(request, exc, plain=True)


@team_role_required(Role.VIEWER)
@require_GET
def image_preview(request: DashboardRequest, image_id: UUID, size: str):
    if_none_match = request.headers.get("If-None-Match")
    try:
        return proxy.preview_response(
            client=request.dataapi, image_id=str(image_id), size=size, if_none_match=if_none_match
        )
    except api_errors.DataAPIError as exc:  # an image, not a page: the sentence alone
        return api_error_response(request, exc, plain=True)
