"""Reads of the catalog page: what a team may search, and the scenes a search finds."""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache

from dataapi.client import DataAPIClient
from dataapi.schemas import SearchImage
from teams.models import Team

from .models import SearchedArea

API_PAGE = 500  # the largest `limit` of POST /catalog/meta
OPTIONS_CACHE_SECONDS = 300


@dataclass
class SearchOptions:
    """The providers a team can search and its largest search area (m², None when the API sets none)."""

    providers: list[tuple[str, str]] = field(default_factory=list)
    area_limit: int | None = None


@dataclass
class SearchPage:
    images: list[SearchImage]
    total: int


def search_options(*, client: DataAPIClient) -> SearchOptions:
    """From GET /user/status, cached briefly per account (the key holds a digest of the token, never the token)."""
    account = hashlib.sha256(f"{client.base_url} {client.session.headers['Authorization']}".encode()).hexdigest()
    key = f"catalog:options:{account}"
    options = cache.get(key)
    if options is None:
        status = client.user_status()
        options = SearchOptions(
            providers=[(p.name, p.displayName or p.name) for p in status.searchDataProviders],
            area_limit=status.searchAreaLimit,
        )
        cache.set(key, options, OPTIONS_CACHE_SECONDS)
    return options


def scene_search(*, client: DataAPIClient, query: dict, offset: int, count: int) -> SearchPage:
    """`count` results from `offset`, in as many API calls of up to API_PAGE results as needed."""
    images: list[SearchImage] = []
    total = 0
    while True:
        limit = min(API_PAGE, count - len(images))
        answer = client.catalog_search(**query, limit=limit, offset=offset + len(images))
        images.extend(answer.images)
        total = answer.total
        if len(answer.images) < limit or len(images) >= count or offset + len(images) >= total:
            return SearchPage(images=images, total=total)


def searched_area_get(*, team: Team, key: str) -> SearchedArea | None:
    """The team's kept area of that key, or None."""
    return SearchedArea.objects.filter(team=team, key=key[:24]).first()
