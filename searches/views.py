"""Saved searches: the list with new counts, a search's page (its areas, new scenes, mark seen), create from the
catalog's search, edit, pause, delete, follow; and the unsubscribe link of the e-mails."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.aoi_files import AOIFileError, NamedArea, size_check
from catalog.selectors import SearchOptions, search_options, searched_area_get
from dataapi import errors as api_errors
from mapflow_web.errors import shown
from mapflow_web.http import DashboardRequest
from teams.models import Role
from teams.permissions import team_role_required

from . import selectors, services
from .filters import FIELDS, catalog_url, filters_from, search_form
from .forms import SavedSearchForm
from .models import SavedSearch

FORM_OVERHEAD = 64 * 1024  # bytes of a multipart body around the file


def _search_for_team(request: DashboardRequest, pk: int) -> SavedSearch:
    search = selectors.saved_search_get(team=request.team, pk=pk)
    if search is None:
        raise Http404("No such saved search in this team")
    return search


def _options(request: DashboardRequest, context: dict) -> SearchOptions:
    try:
        return search_options(client=request.dataapi)
    except api_errors.DataAPIError as exc:
        context["unavailable"] = shown(exc).message
        return SearchOptions()


@team_role_required(Role.VIEWER)
@require_GET
def saved_search_list(request: DashboardRequest):
    searches = selectors.saved_searches_of(team=request.team, user=request.user)
    return render(request, "searches/list.html", {"searches": searches, "can_write": request.membership.can_write})


@team_role_required(Role.VIEWER)
@require_GET
def saved_search_detail(request: DashboardRequest, pk: int):
    search = _search_for_team(request, pk)
    areas = selectors.saved_search_areas(search=search)
    for entry in areas:
        entry.catalog = catalog_url(team=request.team, filters=search.filters, geometry=entry.area.geometry)
    context = {
        "search": search,
        "areas": areas,
        "follows": selectors.follows(search=search, user=request.user),
        "can_write": request.membership.can_write,
    }
    return render(request, "searches/detail.html", context)


@team_role_required(Role.VIEWER)
@require_GET
def saved_areas_layer(request: DashboardRequest):
    """The team's saved areas for the catalog map's layer; each links to its search's page."""
    layer = selectors.saved_areas_layer(team=request.team)
    detail = reverse("searches:detail", args=[0])
    for feature in layer["features"]:
        feature["properties"]["url"] = detail.replace("/0/", f"/{feature['properties'].pop('searchId')}/")
    return JsonResponse(layer)


def _areas_checked(form: SavedSearchForm, filters: dict, areas: list[NamedArea], options: SearchOptions) -> bool:
    """Whether the catalog would search each area with these filters; the reasons on the forms otherwise."""
    ok = True
    for area in areas:
        checked = search_form(filters=filters, geometry=area.geometry, options=options)
        if not checked.is_valid() and "aoi" in checked.errors:
            form.add_error(None, f"{area.name}: {' '.join(checked.errors['aoi'])}")
            ok = False
    return ok


def _upload_check(request: DashboardRequest, form: SavedSearchForm) -> bool:
    try:
        size_check("The file", int(request.META.get("CONTENT_LENGTH") or 0) - FORM_OVERHEAD)
    except (AOIFileError, ValueError) as exc:
        form.add_error("areas_file", str(exc))
        return False
    return True


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def saved_search_create(request: DashboardRequest):
    """GET: the form, filled from a catalog search's query string (its filters and its kept area's key); POST:
    the new search, over that area or over the areas of a file."""
    context: dict = {}
    options = _options(request, context)
    data = request.POST if request.method == "POST" else request.GET
    kept = searched_area_get(team=request.team, key=data["area"]) if data.get("area") else None
    catalog_areas = [NamedArea(name="Area", geometry=kept.geometry)] if kept else []
    filters = filters_from(data)
    form = SavedSearchForm(request.POST or None, request.FILES or None)
    filter_form = search_form(filters=filters, geometry=None, options=options)
    if request.method == "POST" and _upload_check(request, form) and form.is_valid():
        areas = form.areas or catalog_areas
        if not areas:
            form.add_error("areas_file", "Search an area in the catalog first, or load a file of areas.")
        elif filter_form.is_valid() and _areas_checked(form, filters, areas, options):
            search = services.saved_search_create(
                team=request.team, user=request.user, name=form.cleaned_data["name"], filters=filters, areas=areas,
                active_until=form.cleaned_data["active_until"], follow=bool(request.POST.get("follow")),
            )  # fmt: skip
            messages.success(request, f"Saved “{search.name}”: it looks for new scenes from now on.")
            return redirect("searches:detail", pk=search.pk)
    context |= {
        "form": form,
        "filter_form": filter_form,
        "filter_fields": FIELDS,
        "area_key": kept.key if kept else "",
        "areas": catalog_areas,
        "creating": True,
    }
    return render(request, "searches/form.html", context, status=400 if form.errors else 200)


@team_role_required(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def saved_search_edit(request: DashboardRequest, pk: int):
    search = _search_for_team(request, pk)
    context: dict = {"search": search}
    options = _options(request, context)
    initial = {"name": search.name, "active_until": search.active_until}
    form = SavedSearchForm(request.POST or None, request.FILES or None, initial=initial)
    filters = filters_from(request.POST) if request.method == "POST" else search.filters
    filter_form = search_form(filters=filters, geometry=None, options=options)
    areas = [NamedArea(name=area.name, geometry=area.geometry) for area in search.areas.all()]
    if request.method == "POST" and _upload_check(request, form) and form.is_valid():
        if filter_form.is_valid() and _areas_checked(form, filters, form.areas or areas, options):
            services.saved_search_update(
                search=search, user=request.user, name=form.cleaned_data["name"], filters=filters,
                active_until=form.cleaned_data["active_until"], areas=form.areas,
            )  # fmt: skip
            messages.success(request, f"Saved “{search.name}”.")
            return redirect("searches:detail", pk=search.pk)
    context |= {"form": form, "filter_form": filter_form, "filter_fields": FIELDS, "areas": areas, "creating": False}
    return render(request, "searches/form.html", context, status=400 if form.errors else 200)


@team_role_required(Role.MEMBER)
@require_POST
def saved_search_pause(request: DashboardRequest, pk: int):
    search = _search_for_team(request, pk)
    services.saved_search_pause(search=search, user=request.user, paused=request.POST.get("paused") == "1")
    return redirect("searches:detail", pk=search.pk)


@team_role_required(Role.MEMBER)
@require_POST
def saved_search_delete(request: DashboardRequest, pk: int):
    search = _search_for_team(request, pk)
    services.saved_search_delete(search=search, user=request.user)
    messages.success(request, f"Deleted the saved search “{search.name}”.")
    return redirect("searches:list")


@team_role_required(Role.VIEWER)
@require_POST
def saved_search_follow(request: DashboardRequest, pk: int):
    """Any member, viewers too, chooses whether to get the e-mail digest."""
    search = _search_for_team(request, pk)
    if request.POST.get("follow") == "1":
        services.saved_search_follow(search=search, user=request.user)
    else:
        services.saved_search_unfollow(search=search, user=request.user)
    if request.POST.get("next") == "list":
        return redirect("searches:list")
    return redirect("searches:detail", pk=search.pk)


@team_role_required(Role.MEMBER)
@require_POST
def scenes_seen(request: DashboardRequest, pk: int):
    """Mark one new scene seen (`scene`, its row's id) or, without it, all of the search's."""
    search = _search_for_team(request, pk)
    scene = request.POST.get("scene")
    services.scenes_mark_seen(search=search, scene_pk=int(scene) if scene and scene.isdigit() else None)
    return redirect("searches:detail", pk=search.pk)


@csrf_exempt  # the signed token is the authority: mail clients POST it without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a page with one button (a link opened by a mail scanner unsubscribes nobody); POST: unsubscribed."""
    if request.method == "GET":
        return render(request, "searches/unsubscribe.html", {"token": token})
    search = services.unsubscribe(token=token)
    return render(request, "searches/unsubscribe.html", {"done": True, "search": search}, status=200 if search else 404)
