"""A saved search's filters are the catalog search form's fields (as lists of strings, like a query string), so the
catalog's form is the one place that turns them into an API query, and its link reproduces the search."""

import json
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from catalog import services as catalog_services
from catalog.forms import SearchForm
from catalog.selectors import SearchOptions
from teams.models import Team

FIELDS = (
    "date_from", "date_to", "cloud_max", "res_min", "res_max", "nadir_min", "nadir_max", "coverage_min", "product",
    "provider",
)  # fmt: skip


def filters_from(data) -> dict[str, list[str]]:
    """The filter fields of a QueryDict (a catalog link's query string, or a form's POST)."""
    filters = {}
    for name in FIELDS:
        values = [value for value in data.getlist(name) if value != ""]
        if values:
            filters[name] = values
    return filters


def search_form(*, filters: dict, geometry: dict | None, options: SearchOptions) -> SearchForm:
    """The catalog's search form, bound to `filters` and the area `geometry` (None: a placeholder area, to check
    the filters alone)."""
    data = QueryDict(mutable=True)
    for name in FIELDS:
        data.setlist(name, filters.get(name, []))
    placeholder = {"type": "Polygon", "coordinates": [[[0, 0], [0.01, 0], [0.01, 0.01], [0, 0]]]}
    data["aoi"] = json.dumps(geometry or placeholder)
    return SearchForm(data, providers=options.providers, area_limit=options.area_limit)


def catalog_url(*, team: Team, filters: dict, geometry: dict) -> str:
    """The catalog page running this search over `geometry` (kept for the team, as the catalog keeps a searched
    area, so the link names it by key)."""
    area = catalog_services.searched_area_keep(team=team, geometry=geometry)
    query = [(name, value) for name in FIELDS for value in filters.get(name, [])] + [("area", area.key)]
    return f"{reverse('catalog:search')}?{urlencode(query)}"
