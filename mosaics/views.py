"""Mosaic list and page, the compare page, the dialogs that change mosaics and images, the trash, and the tile and
preview proxy."""

import hashlib
import math
from collections.abc import Callable
from urllib.parse import quote, urlsplit
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import (
    HttpResponseClientRedirect,
    HttpResponseStopPolling,
    trigger_client_event,
)
from leaflet import app_settings as leaflet_settings

from common.sizes import format_size
from common.tiles import tile_in_grid
from dataapi import errors as api_errors
from mapflow_web.errors import api_error_response, missing, shown
from mapflow_web.http import DashboardRequest
from teams.models import Role
from teams.permissions import team_role_required

from . import events, proxy, selectors, services, trash
from .forms import DeleteForm, ImageRenameForm, MosaicFilterForm, MosaicForm
from .models import Kind
from .signed_tiles import tile_token_make, tile_token_team_id

MOSAICS_CHANGED = "mosaics-changed"


def _bound(request: DashboardRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


def _can_write(request: DashboardRequest) -> bool:
    return request.membership is not None and request.membership.can_write


def _url_maker(name: str, *rest) -> Callable[[str], str]:
    """The URL of `name` for any id, reversed once rather than once a row (reverse() dominates a long page otherwise)."""
    sample = "00000000-0000-0000-0000-000000000000"
    url = reverse(name, args=[sample, *rest])
    return lambda object_id: url.replace(sample, str(object_id))


def _hidden(request: DashboardRequest, kind: Kind) -> set[str]:
    """The ids of the team's mosaics or images in its trash: the pages leave them out."""
    return trash.trashed_ids(team_id=request.team.pk, kind=kind)


def _refuse_trashed(request: DashboardRequest, kind: Kind, upstream_id: str) -> None:
    if trash.is_trashed(team_id=request.team.pk, kind=kind, upstream_id=upstream_id):
        raise Http404(f"This {kind.label.lower()} is in the team's trash")


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
            "size": format_size(mosaic.sizeInBytes),
            "created": _moment(mosaic.created_at),
            "url": detail(mosaic.id),
            "actions": _actions(name=mosaic.name, edit=("Edit", edit(mosaic.id)), delete_url=delete(mosaic.id)),
        }
        for mosaic in mosaics
    ]


def _pixel_size(values: list[float]) -> str:
    """One number for square pixels ("0.5972"), both otherwise ("0.5 × 0.25")."""
    shown = [f"{value:.4g}" for value in values]
    return shown[0] if len(set(shown)) == 1 else " × ".join(shown)


def _format(meta) -> str:
    """Bands × data types · pixel size ("3 × uint8 · 0.5972"), a dash for what is unknown."""
    dtypes = ", ".join(dict.fromkeys(meta.dtypes))  # "uint8" for three bands of uint8
    return f"{meta.count or '—'} × {dtypes or '—'} · {_pixel_size(meta.pixel_size) or '—'}"


def _image_rows(images: list) -> list[dict]:
    small, large = _url_maker("mosaics:image-preview", "s"), _url_maker("mosaics:image-preview", "l")
    rename, delete = _url_maker("mosaics:image-rename"), _url_maker("mosaics:image-delete")
    original = _url_maker("mosaics:image-original")
    return [
        {  # flat, of text: a dict's key is the template's cheapest lookup, and a page may show hundreds of rows
            "id": image.id,
            "filename": image.filename,
            "ready": bool(image.cog_link),
            "original": original(image.id) if image.available_for_download else None,
            "size": format_size(image.file_size),
            "uploaded": _moment(image.uploaded_at),
            "crs": image.meta_data.crs or "",
            "format": _format(image.meta_data),
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
        context["page"] = selectors.mosaic_list(client=request.dataapi, hidden=_hidden(request, Kind.MOSAIC), **chosen)
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


def _map_settings() -> dict:
    """The base maps and zoom limit of every mosaic map (the island `mosaic-map-settings`)."""
    return {
        "baseMaps": [
            {"name": str(name), "url": url, "options": options} for name, url, options in leaflet_settings["TILES"]
        ],
        "maxZoom": leaflet_settings["MAX_ZOOM"],
    }


def _images_context(request: DashboardRequest, mosaic_id: str, detail: selectors.MosaicDetail) -> dict:
    return {
        "images": _image_rows(detail.images),
        "processing": detail.processing,
        "poll_seconds": events.POLL_SECONDS,
        "mosaic_id": mosaic_id,
        "can_write": _can_write(request),
        "download_next": f"next={quote(request.path)}",  # a download comes back to this page
        "upload_reference": selectors.upload_reference(detail.images),
        "summary": {"count": len(detail.images), "size": format_size(sum(image.file_size for image in detail.images))},
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
    _refuse_trashed(request, Kind.MOSAIC, mosaic_id)
    hidden = _hidden(request, Kind.IMAGE)
    if request.htmx and request.htmx.target == "images":
        images = selectors.mosaic_images(client=request.dataapi, mosaic_id=mosaic_id, hidden=hidden)
        detail = selectors.MosaicDetail(mosaic=None, images=images)
        # With the header's counts and the storage gauge, which change with the images.
        context = _images_context(request, mosaic_id, detail) | {"oob": True}
        if request.GET.get("polling") and not detail.processing:
            return render(request, "mosaics/detail.html#images", context, status=HttpResponseStopPolling.status_code)
        return render(request, "mosaics/detail.html#images", context)
    detail = selectors.mosaic_detail(client=request.dataapi, mosaic_id=mosaic_id, hidden=hidden)
    proxy.tile_source_remember(
        team_id=request.team.pk,
        stamp=request.team.credential.updated_at.timestamp(),
        mosaic=detail.mosaic,
        images=detail.images,
        trashed=proxy.trashed_images_of(team_id=request.team.pk, mosaic_id=mosaic_id),
    )
    context = _images_context(request, mosaic_id, detail) | {
        "mosaic": detail.mosaic,
        "map_settings": _map_settings() | {"bounds": selectors.footprint_bounds(detail.mosaic.footprint)},
        # Not build_absolute_uri: it would escape the template's braces.
        "qgis_url": f"{request.scheme}://{request.get_host()}"
        + _tile_template(mosaic_id, token=_tile_token(request, mosaic_id)),
        "qgis_days": settings.MOSAICS_TILE_URL_DAYS,
    }
    return render(request, "mosaics/detail.html", context)


def _fraction(value: str | None, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, 0.0), 1.0) if math.isfinite(number) else default


@team_role_required(Role.VIEWER)
@require_GET
def compare_page(request: DashboardRequest):
    """Two layers on one map, a swipe divider between them and the right one's opacity: each one of the team's
    mosaics (`left`, `right`: its id) or a catalog scene's preview (`left_scene`, `right_scene`: its id); the URL keeps
    the choice, with `split` and `opacity`. Only mosaics of the team's list (not in its trash) are offered, and only
    their tiles are signed for the page; scene previews come from their providers, whose origins the page's policy
    then lets images come from."""
    mosaics = selectors.mosaic_list(client=request.dataapi, hidden=_hidden(request, Kind.MOSAIC), sort="name").mosaics
    known = {mosaic.id: mosaic for mosaic in mosaics}
    missing_scenes = []

    def layer(side: str) -> dict | None:
        scene_id = request.GET.get(f"{side}_scene", "").strip()[:255]
        if scene_id:
            scene = selectors.scene_layer(client=request.dataapi, scene_id=scene_id)
            if scene is None:
                missing_scenes.append(scene_id)
            return scene
        mosaic = known.get(request.GET.get(side, ""))
        if mosaic is None:
            return None
        tiles = _tile_template(mosaic.id, token=_tile_token(request, mosaic.id))
        bounds = selectors.footprint_bounds(mosaic.footprint)
        return {"kind": "mosaic", "id": mosaic.id, "name": mosaic.name, "tiles": tiles, "bounds": bounds}

    left, right = layer("left"), layer("right")
    context = {
        "mosaics": mosaics,
        "left": left,
        "right": right,
        "missing_scenes": missing_scenes,
        "sides": [("left", "Left", left), ("right", "Right", right)],
        "compare_map": _map_settings()
        | {
            "left": left,
            "right": right,
            "split": _fraction(request.GET.get("split"), 0.5),
            "opacity": _fraction(request.GET.get("opacity"), 1.0),
        },
    }
    response = render(request, "mosaics/compare.html", context)
    previews = {urlsplit(chosen["preview"]["url"]) for chosen in (left, right) if chosen and chosen.get("preview")}
    if previews:
        response._csp_update = {"img-src": sorted({f"{parts.scheme}://{parts.netloc}" for parts in previews})}
    return response


# --- Dialogs ---


def _dialog(
    request: DashboardRequest, *, form: Form, status: int = 200, template: str = "mosaics/dialog.html", **context
) -> HttpResponse:
    template = f"{template}#dialog-form" if request.htmx else template
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
        apply=lambda data: created.append(
            services.mosaic_create(client=request.dataapi, team_id=request.team.pk, actor=request.user, **data)
        ),
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
    _refuse_trashed(request, Kind.MOSAIC, mosaic_id)
    initial = None
    if request.method == "GET":
        mosaic = request.dataapi.mosaic_get(str(mosaic_id))
        initial = {"name": mosaic.name, "tags": ", ".join(mosaic.tags)}
    return _form_view(
        request,
        form=MosaicForm(_bound(request), initial=initial),
        apply=lambda data: services.mosaic_update(
            client=request.dataapi, team_id=request.team.pk, actor=request.user, mosaic_id=mosaic_id, **data
        ),
        event=MOSAICS_CHANGED,
        next_url=reverse("mosaics:detail", args=[mosaic_id]),
        title="Rename or tag the mosaic",
        submit="Save",
        action=reverse("mosaics:edit", args=[mosaic_id]),
    )


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def mosaic_delete_dialog(request: DashboardRequest, mosaic_id: UUID):
    """Delete: to the trash, or with `now` and the name typed, for good at once."""
    mosaic_id = str(mosaic_id)
    _refuse_trashed(request, Kind.MOSAIC, mosaic_id)
    mosaic = request.dataapi.mosaic_get(str(mosaic_id))
    detail_url = reverse("mosaics:detail", args=[mosaic_id])
    where = {"client": request.dataapi, "team_id": request.team.pk, "actor": request.user}
    response = _form_view(
        request,
        form=DeleteForm(_bound(request), expected=mosaic.name),
        apply=lambda data: (
            services.mosaic_delete(mosaic=mosaic, **where)
            if data["now"]
            else trash.mosaic_trash(team_id=request.team.pk, actor=request.user, mosaic=mosaic)
        ),
        event=MOSAICS_CHANGED,
        next_url=reverse("mosaics:list"),
        template="mosaics/delete_dialog.html",
        title=f"Delete {mosaic.name}?",
        submit="Delete",
        what=mosaic.name,
        size=mosaic.sizeInBytes,
        image_count=mosaic.image_count,
        retention_days=settings.TRASH_RETENTION_DAYS,
        action=reverse("mosaics:delete", args=[mosaic_id]),
        cancel_url=detail_url,
    )
    if response.status_code == 204 and (request.htmx.current_url_abs_path or "").startswith(detail_url):
        return HttpResponseClientRedirect(reverse("mosaics:list"))
    return response


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def image_rename_dialog(request: DashboardRequest, image_id: UUID):
    _refuse_trashed(request, Kind.IMAGE, str(image_id))
    image = request.dataapi.image_get(str(image_id))
    return _form_view(
        request,
        form=ImageRenameForm(_bound(request), initial={"name": image.filename}),
        apply=lambda data: services.image_rename(
            client=request.dataapi, team_id=request.team.pk, actor=request.user, image=image, name=data["name"]
        ),
        event=events.IMAGES_CHANGED,
        next_url=reverse("mosaics:detail", args=[image.mosaic_id]),
        title="Rename the image",
        submit="Rename",
        action=reverse("mosaics:image-rename", args=[image.id]),
    )


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def image_delete_dialog(request: DashboardRequest, image_id: UUID):
    """Delete: to the trash, or with `now` and the file name typed, for good at once."""
    _refuse_trashed(request, Kind.IMAGE, str(image_id))
    image = request.dataapi.image_get(str(image_id))
    where = {"client": request.dataapi, "team_id": request.team.pk, "actor": request.user}
    return _form_view(
        request,
        form=DeleteForm(_bound(request), expected=image.filename),
        apply=lambda data: (
            services.image_delete(image=image, **where)
            if data["now"]
            else trash.image_trash(team_id=request.team.pk, actor=request.user, image=image)
        ),
        event=events.IMAGES_CHANGED,
        next_url=reverse("mosaics:detail", args=[image.mosaic_id]),
        template="mosaics/delete_dialog.html",
        title=f"Delete {image.filename}?",
        submit="Delete",
        what=image.filename,
        size=image.file_size,
        retention_days=settings.TRASH_RETENTION_DAYS,
        action=reverse("mosaics:image-delete", args=[image.id]),
        cancel_url=reverse("mosaics:detail", args=[image.mosaic_id]),
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
    if wants_json and trash.is_trashed(team_id=request.team.pk, kind=Kind.IMAGE, upstream_id=str(image_id)):
        return JsonResponse({"error": "This image is in the team's trash."}, status=404)
    _refuse_trashed(request, Kind.IMAGE, str(image_id))
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
    if not tile_in_grid(z, x, y):
        return HttpResponseNotFound(f"Tile {z}/{x}/{y} does not exist", content_type="text/plain")
    team_id = tile_token_team_id(request.GET.get("token", ""), mosaic_id=mosaic_id)
    if team_id is None:
        return HttpResponseForbidden("This tile URL is not valid (or has expired)", content_type="text/plain")
    encoding = request.GET.get("format", "png")
    if encoding not in proxy.ENCODINGS:
        message = f"format must be one of {', '.join(proxy.ENCODINGS)}"
        return HttpResponseBadRequest(message, content_type="text/plain")
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")  # not request.headers: it copies every header first
    try:
        return proxy.tile_response(
            team_id=team_id, mosaic_id=mosaic_id, z=z, x=x, y=y, encoding=encoding, if_none_match=if_none_match
        )
    except api_errors.DataAPIError as exc:  # (called before the middleware that answers these for other views)
        return api_error_response(request, exc, plain=True)


@team_role_required(Role.VIEWER)
@require_GET
def image_preview(request: DashboardRequest, image_id: UUID, size: str):
    if trash.is_trashed(team_id=request.team.pk, kind=Kind.IMAGE, upstream_id=str(image_id)):
        return HttpResponseNotFound("This image is in the team's trash", content_type="text/plain")
    if_none_match = request.headers.get("If-None-Match")
    try:
        return proxy.preview_response(
            client=request.dataapi, image_id=str(image_id), size=size, if_none_match=if_none_match
        )
    except api_errors.DataAPIError as exc:  # an image, not a page: the sentence alone
        return api_error_response(request, exc, plain=True)


# --- Trash ---


@team_role_required(Role.VIEWER)
@require_GET
def trash_page(request: DashboardRequest):
    items = trash.team_trash(team_id=request.team.pk)
    context = {
        "rows": [
            {
                "item": item,
                "purge_at": trash.purge_at(item),
                "restore_url": reverse("mosaics:trash-restore", args=[item.pk]),
            }
            for item in items
        ],
        "size": trash.trash_size(team_id=request.team.pk),
        "retention_days": settings.TRASH_RETENTION_DAYS,
        "can_write": _can_write(request),
        "can_empty": request.membership.can_administer,
    }
    return render(request, "mosaics/trash.html", context)


@team_role_required(Role.MEMBER)
@require_POST
def trash_restore(request: DashboardRequest, item_id: int):
    item = trash.item_restore(team_id=request.team.pk, item_id=item_id, actor=request.user)
    if item is None:
        raise Http404("This is no longer in the trash: restored, or already deleted for good")
    messages.success(request, f"{item.name} restored.")
    return redirect("mosaics:trash")


@team_role_required(Role.ADMIN)
@require_POST
def trash_empty(request: DashboardRequest):
    if not request.POST.get("sure"):
        messages.error(request, "Tick the box to confirm that the trash is deleted for good.")
        return redirect("mosaics:trash")
    done, failed = trash.trash_empty(team_id=request.team.pk, actor=request.user)
    messages.success(request, f"{done} item{pluralize(done)} deleted for good.")
    for problem in failed:
        messages.error(request, f"Not deleted, still in the trash: {problem}.")
    return redirect("mosaics:trash")
