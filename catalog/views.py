"""The map search page: one URL for the page, its results fragment (htmx), the exports, the AOI file reader, the
gazetteer and the coverage layer."""

import json
import math
from urllib.parse import urlsplit

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from leaflet import app_settings as leaflet_settings
from shapely.geometry import mapping, shape

from dataapi import errors as api_errors
from mapflow_web.errors import api_error_response, shown
from mapflow_web.http import DashboardRequest
from mosaics import trash
from teams.models import Role
from teams.permissions import team_role_required

from . import coverage, places, selectors, services
from .aoi_files import AOIFileError, aoi_from_file, aoi_from_text, size_check
from .areas import TooDetailed, area_for_search
from .exports import results_csv, results_geojson
from .forms import SearchForm, km2
from .results import result_rows, with_rows

EXPORT_LIMIT = 5000
# The results table: (sort key or None, label).
COLUMNS = [
    (None, "Scene"),
    ("date", "Date"),
    ("provider", "Provider"),
    ("resolution", "m/px"),
    ("cloud", "Cloud %"),
    ("nadir", "Off-nadir °"),
    (None, "AOI %"),
]
# The values a result may lack and still pass the API's filters: (the form's field leaving such results out, the
# API's sort by that value, the result's field, what the page calls it).
UNKNOWN_COUNTS = [
    ("cloud_known", "CLOUD_COVER", "cloudCover", "cloud cover"),
    ("nadir_known", "OFF_NADIR_ANGLE", "offNadirAngle", "off-nadir angle"),
]
AOI_ERRORS = {"TOO_LARGE_AOI", "INVALID_AOI"}
FORM_OVERHEAD = 64 * 1024  # bytes of a multipart body around the file: boundaries, headers, the file's name


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme or 'https'}://{parts.netloc}" if parts.netloc else None


def _base_maps() -> list[dict]:
    return [
        {"name": str(name), "url": url, "options": options if isinstance(options, dict) else {"attribution": options}}
        for name, url, options in leaflet_settings["TILES"]
    ]


def _allow_images(response: HttpResponse, request: DashboardRequest) -> HttpResponse:
    """Previews of search results come from the providers' hosts (https) and, for own imagery, from the Data API."""
    credential = getattr(request.team, "credential", None)
    sources = ["https:", *filter(None, [_origin(credential.api_url) if credential else None])]
    sources += filter(None, (_origin(layer["url"]) for layer in _base_maps()))
    response._csp_update = {"img-src": sorted(set(sources))}
    return response


def _search_form(request: DashboardRequest, options: selectors.SearchOptions) -> SearchForm:
    """The search of the request: a POST's fields, or the query string's, whose `area` is the key of a kept area."""
    data = request.POST if request.method == "POST" else request.GET
    if not set(data) - {"view", "csrfmiddlewaretoken"}:
        data = None  # the map's view alone is no search
    missing_area = False
    if data is not None and data.get("area"):
        area = selectors.searched_area_get(team=request.team, key=data["area"])
        if area is not None:
            services.searched_area_touch(area=area)
        data = data.copy()
        data["aoi"] = json.dumps(area.geometry) if area else ""
        missing_area = area is None
    form = SearchForm(data, providers=options.providers, area_limit=options.area_limit)
    if missing_area and not form.is_valid():
        form.errors["aoi"] = form.error_class([
            "This link's area is not kept for your team (it may be another team's, or unused for long); draw it again."
        ])
    return form


def _search_url(form: SearchForm, key: str) -> str:
    """The page's URL for a search whose area is kept under `key`."""
    query = QueryDict(mutable=True)
    for name, values in form.data.lists():
        kept = [value for value in values if value != ""]
        if kept and name not in ("aoi", "csrfmiddlewaretoken"):
            query.setlist(name, kept)
    query["area"] = key
    return f"{reverse('catalog:search')}?{query.urlencode()}"


def _api_error(form: SearchForm, error: api_errors.DataAPIError) -> None:
    """An error of the API next to the control it concerns: the area, or the search button."""
    if error.code in AOI_ERRORS:
        form.add_error("aoi", shown(error).message)
    elif isinstance(error, api_errors.APITimeout):
        form.add_error(None, "The search took too long; try a smaller area or fewer providers.")
    else:
        form.add_error(None, shown(error).message)


@team_role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def search(request: DashboardRequest):
    """GET runs the search of the query string. The form POSTs (an area of thousands of vertices does not fit in a
    URL): its area is kept for the team and the answer redirects to the GET of the search, which names the area by
    its key, so that the page's URL, its history and a shared link restore the search."""
    context = {"base_maps": _base_maps(), "page": None}
    status = 200
    try:
        options = selectors.search_options(client=request.dataapi)
    except api_errors.DataAPIError as exc:
        options, context["unavailable"] = selectors.SearchOptions(), shown(exc).message
    try:
        form = _search_form(request, options)
    except RequestDataTooBig:
        form = SearchForm(None, providers=options.providers, area_limit=options.area_limit)
        context["too_big"] = "The area is too large to send; load it as a file instead, which is simplified for you."
        status = 413
    if request.method == "POST" and form.is_bound and form.is_valid():
        area = services.searched_area_keep(team=request.team, geometry=form.cleaned_data["aoi"])
        return HttpResponseRedirect(_search_url(form, area.key), status=303)
    if request.method == "GET" and form.is_bound and form.is_valid():
        offset = (form.page_number - 1) * form.page_size
        client = request.dataapi
        try:
            hidden = trash.hidden_imagery(client=client, team_id=request.team.pk)
            page = selectors.scene_search(
                client=client, query=form.api_query(), offset=offset, count=form.page_size, known=form.known_fields(),
                hidden=hidden,
            )  # fmt: skip
            own = selectors.own_imagery(client=client, results=page.images)
            context["unknown"] = _unknown(client, form, page)
            context["relaxed"] = _relaxed(client, form, hidden) if page.total == 0 else []
        except api_errors.DataAPIError as exc:
            _api_error(form, exc)
        else:
            rows = result_rows(page.images, own=own, providers=options.providers)
            context["page"], context["rows"] = page, rows
            context["results"] = with_rows(results_geojson(page.images, digits=6), rows, own)
            context["pages"] = _pages(form, page.total)
            context["first"], context["last"] = offset + 1, offset + len(page.images)
    if form.errors:
        status = 400
    valid = form.is_bound and not form.errors
    context |= {
        "form": form,
        "columns": _columns(form.sort_key if valid else "date", form.descending if valid else True),
        "settings": {
            "areaLimit": options.area_limit,
            "areaLimitText": options.area_limit and km2(options.area_limit),
            "aoiFileUrl": reverse("catalog:aoi-file"),
            "maxZoom": leaflet_settings["MAX_ZOOM"],
            "placesUrl": reverse("catalog:places"),
            "coverageUrl": reverse("catalog:coverage"),
        },
    }
    template = "catalog/search.html#search" if request.htmx else "catalog/search.html"
    return _allow_images(render(request, template, context, status=status), request)


def _unknown(client, form: SearchForm, page: selectors.SearchPage) -> list[dict]:
    """For cloud cover and off-nadir angle: how many of the results have no value (they pass the API's filters),
    and whether they are left out."""
    total = page.total if page.api_total is None else page.api_total
    whole = page.api_total is None and len(page.images) == total  # every result is on the page: counted here
    notes = []
    for name, sort_by, field_name, what in UNKNOWN_COUNTS:
        if whole:
            count = sum(getattr(image, field_name) is None for image in page.images)
        else:
            count = selectors.unknown_count(
                client=client, query=form.api_query(), sort_by=sort_by, field_name=field_name, total=total
            )
        if count:
            left_out = bool(form.cleaned_data[name])
            notes.append({"name": name, "label": form.fields[name].label, "count": count, "what": what,
                          "left_out": left_out})
    return notes


def _relaxed(client, form: SearchForm, hidden: set[str]) -> list[tuple[str, int]]:
    """When nothing matches: each filter set, with how many results the search has without it (one search each),
    the `hidden` imagery of the team's trash not counted."""
    totals = []
    for name, label in form.set_filters.items():
        query, known = form.api_query(without=name), form.known_fields(without=name)
        page = selectors.scene_search(client=client, query=query, offset=0, count=0, known=known, hidden=hidden)
        totals.append((label, page.total))
    return totals


def _columns(sort: str, descending: bool) -> list[dict]:
    """Each column's header: a link sorting by it (the current one flips its order) and its aria-sort."""
    columns = []
    for key, label in COLUMNS:
        if key == sort:
            columns.append({"key": key, "label": label, "next": "asc" if descending else "desc",
                            "aria": "descending" if descending else "ascending"})
        else:
            columns.append({"key": key, "label": label, "next": "desc" if key == "date" else "asc", "aria": None})
    return columns


def _pages(form: SearchForm, total: int) -> dict:
    count = max(1, -(-total // form.page_size))
    number = form.page_number
    return {
        "number": number,
        "count": count,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < count else None,
    }


@team_role_required(Role.VIEWER)
@require_GET
def export(request: DashboardRequest, kind: str):
    """The results of the search in the query string (up to EXPORT_LIMIT), as a GeoJSON or CSV download."""
    try:
        form = _search_form(request, selectors.search_options(client=request.dataapi))
        if not form.is_valid():
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
        page = selectors.scene_search(
            client=request.dataapi, query=form.api_query(), offset=0, count=EXPORT_LIMIT, known=form.known_fields(),
            hidden=trash.hidden_imagery(client=request.dataapi, team_id=request.team.pk),
        )  # fmt: skip
    except api_errors.DataAPIError as exc:  # a download, not a page: the sentence alone
        return api_error_response(request, exc, plain=True)
    if kind == "geojson":
        body, content_type = json.dumps(results_geojson(page.images)), "application/geo+json"
    else:
        body, content_type = results_csv(page.images), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="catalog-search.{kind}"'
    return response


@team_role_required(Role.VIEWER)
@require_POST
def aoi_file(request: DashboardRequest):
    """The area in an uploaded file (or typed: `text`) as a GeoJSON geometry, or the reason it gives none.

    A body longer than a file may be is refused by its announced length, before a byte of it is read (Django would
    otherwise spool the file to disk whatever its size); so at most that much is ever read into memory."""
    try:
        size_check("The file", _content_length(request) - FORM_OVERHEAD)
        upload = request.FILES.get("file")
        if "text" in request.POST:
            geometry = aoi_from_text(request.POST["text"])
        elif upload is None:
            return JsonResponse({"error": "Choose a file holding the area."}, status=400)
        else:
            geometry = aoi_from_file(upload.name, upload.read())
        searched = area_for_search(shape(geometry))
    except RequestDataTooBig:
        return JsonResponse({"error": "The typed area is too large; load it as a file instead."}, status=413)
    except (AOIFileError, TooDetailed) as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"geometry": mapping(searched.geometry), "note": searched.note})


def _content_length(request: DashboardRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@team_role_required(Role.VIEWER)
@require_GET
def place_search(request: DashboardRequest):
    """The places of the gazetteer named by `q`, or the point `q` names as "latitude, longitude"."""
    text = request.GET.get("q", "")
    point = places.coordinates(text)
    found = [point] if point else places.places_named(text)
    return JsonResponse({"places": [place.as_json() for place in found]})


@team_role_required(Role.VIEWER)
@require_GET
def map_coverage(request: DashboardRequest):
    """Where the catalog has scenes in the map's view: `bbox` (west,south,east,north in degrees) at `zoom`."""
    try:
        bounds = [float(part) for part in request.GET.get("bbox", "").split(",")]
        zoom = int(request.GET.get("zoom", ""))
    except ValueError:
        bounds, zoom = [], -1
    if len(bounds) != 4 or not all(map(math.isfinite, bounds)) or not 0 <= zoom <= 30:
        return JsonResponse({"error": "Give bbox=west,south,east,north in degrees and a zoom of 0 to 30."}, status=400)
    try:
        options = selectors.search_options(client=request.dataapi)
        answer = coverage.coverage(client=request.dataapi, bounds=bounds, zoom=zoom, area_limit=options.area_limit)
    except api_errors.DataAPIError as exc:
        return JsonResponse({"error": shown(exc).message}, status=502)
    return JsonResponse(answer)
