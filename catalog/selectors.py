"""Reads of the catalog page: what a team may search, and the scenes a search finds."""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from shapely.geometry import shape

from dataapi import errors as api_errors
from dataapi.client import DataAPIClient
from dataapi.schemas import Image, SearchImage
from teams.models import Team

from .models import SearchedArea

API_PAGE = 500  # the largest `limit` of POST /catalog/meta
# A search that leaves out results with unknown values looks at this many of the API's results at most.
KNOWN_SCAN_LIMIT = 5000
OPTIONS_CACHE_SECONDS = 300
# The providers under which a search finds the account's own imagery, and what each finds.
OWN_PROVIDERS = {"my_imagery_images": "IMAGE", "my_imagery_mosaics": "MOSAIC"}
OWN_LOOKUPS = 30  # API calls a page of results may make to name the own images and mosaics among them
OWN_CACHE_SECONDS = 300
METRES_PER_DEGREE = 111_320
GEOGRAPHIC_CRS = {"EPSG:4326", "OGC:CRS84", "EPSG:4269"}


@dataclass
class SearchOptions:
    """The providers a team can search and its largest search area (m², None when the API sets none)."""

    providers: list[tuple[str, str]] = field(default_factory=list)
    area_limit: int | None = None


@dataclass
class SearchPage:
    images: list[SearchImage]
    total: int
    looked_at: int | None = None  # when results with unknown values were left out: how many the API's were
    api_total: int | None = None  # ... and how many the API has (more than looked_at: the total is a lower bound)


@dataclass(frozen=True)
class OwnItem:
    """What a search result of the account's own imagery does not say: its name, date and pixel size (m)."""

    name: str
    date: datetime | None = None
    pixel_size: float | None = None
    preview_image: str | None = None  # the id of the image whose preview stands for it


def account_key(client: DataAPIClient) -> str:
    """A digest naming the client's account in cache keys (never the token itself)."""
    return hashlib.sha256(f"{client.base_url} {client.session.headers['Authorization']}".encode()).hexdigest()


def search_options(*, client: DataAPIClient) -> SearchOptions:
    """From GET /user/status, cached briefly per account."""
    key = f"catalog:options:{account_key(client)}"
    options = cache.get(key)
    if options is None:
        status = client.user_status()
        options = SearchOptions(
            providers=[(p.name, p.displayName or p.name) for p in status.searchDataProviders],
            area_limit=status.searchAreaLimit,
        )
        cache.set(key, options, OPTIONS_CACHE_SECONDS)
    return options


def scene_search(
    *,
    client: DataAPIClient,
    query: dict,
    offset: int,
    count: int,
    known: list[str] | tuple = (),
    hidden: set[str] | frozenset = frozenset(),
) -> SearchPage:
    """`count` results from `offset`, in as many API calls of up to API_PAGE results as needed.

    With `known` (fields of a result), results lacking one of them are left out: the API cannot, as a value that is
    null passes its filters, so the first KNOWN_SCAN_LIMIT results are read and filtered here. The `hidden` own
    images and mosaics (those of the team's trash, which the API still has) are left out of the page and the total:
    one more call finds how many of them the search has; when it has some, the results before the page are read too
    (up to KNOWN_SCAN_LIMIT), so that pages follow each other without a gap where a hidden one was."""
    if known:
        return _known_search(client=client, query=query, offset=offset, count=count, known=known, hidden=hidden)
    found = _hidden_found(client=client, query=query, hidden=hidden) if hidden else 0
    if not found:
        return _plain_search(client=client, query=query, offset=offset, count=count)
    if count and offset + count + found <= KNOWN_SCAN_LIMIT:
        page = _plain_search(client=client, query=query, offset=0, count=offset + count + found)
        images = [image for image in page.images if image.id not in hidden]
        return SearchPage(images=images[offset : offset + count], total=page.total - found)
    page = _plain_search(client=client, query=query, offset=offset, count=count)  # deep: a page short of the hidden
    return SearchPage(images=[image for image in page.images if image.id not in hidden], total=page.total - found)


def _hidden_found(*, client: DataAPIClient, query: dict, hidden: set[str] | frozenset) -> int:
    """How many of the `hidden` own images and mosaics the search finds (one call, for the own providers only)."""
    providers = [name for name in OWN_PROVIDERS if query.get("dataProviders") is None or name in query["dataProviders"]]
    if not providers:
        return 0
    own = client.catalog_search(**{**query, "dataProviders": providers}, limit=API_PAGE, offset=0)
    return sum(image.id in hidden for image in own.images)


def _plain_search(*, client: DataAPIClient, query: dict, offset: int, count: int) -> SearchPage:
    images: list[SearchImage] = []
    total = 0
    while True:
        limit = min(API_PAGE, count - len(images))
        if limit <= 0:
            return SearchPage(images=images, total=client.catalog_search(**query, limit=1, offset=0).total)
        answer = client.catalog_search(**query, limit=limit, offset=offset + len(images))
        images.extend(answer.images)
        total = answer.total
        if len(answer.images) < limit or len(images) >= count or offset + len(images) >= total:
            return SearchPage(images=images, total=total)


def _known_search(*, client: DataAPIClient, query: dict, offset: int, count: int, known, hidden) -> SearchPage:
    kept: list[SearchImage] = []
    seen = 0
    while True:
        answer = client.catalog_search(**query, limit=API_PAGE, offset=seen)
        seen += len(answer.images)
        kept.extend(
            image
            for image in answer.images
            if image.id not in hidden and all(getattr(image, name) is not None for name in known)
        )
        if len(answer.images) < API_PAGE or seen >= answer.total or seen >= KNOWN_SCAN_LIMIT:
            break
    return SearchPage(images=kept[offset : offset + count], total=len(kept), looked_at=seen, api_total=answer.total)


def unknown_count(*, client: DataAPIClient, query: dict, sort_by: str, field_name: str, total: int) -> int:
    """How many of the `total` results of `query` have no `field_name` value. Those sort last in either order
    (DATA_API.md section 6), so a binary search over one-result pages sorted by `sort_by` finds where they start:
    at most about log2(total) + 1 calls, one when every result has a value."""
    ordered = {**query, "sortBy": sort_by, "sortOrder": "ASC"}

    def known_at(offset: int) -> bool:
        images = client.catalog_search(**ordered, limit=1, offset=offset).images
        return bool(images) and getattr(images[0], field_name) is not None

    if total == 0 or known_at(total - 1):
        return 0
    low, high = 0, total - 1  # the first unknown one is in [low, high]
    while low < high:
        middle = (low + high) // 2
        if known_at(middle):
            low = middle + 1
        else:
            high = middle
    return total - low


def searched_area_get(*, team: Team, key: str) -> SearchedArea | None:
    """The team's kept area of that key, or None."""
    return SearchedArea.objects.filter(team=team, key=key[:24]).first()


def _ground_metres(image: Image, latitude: float) -> float | None:
    """An image's pixel width on the ground, in metres: its CRS's unit is a degree or (assumed) a metre."""
    sizes = image.meta_data.pixel_size
    if not sizes:
        return None
    crs = (image.meta_data.crs or "").upper()
    if crs in GEOGRAPHIC_CRS:
        return abs(sizes[0]) * METRES_PER_DEGREE * math.cos(math.radians(latitude))
    if crs == "EPSG:3857":  # web mercator metres are stretched by 1/cos(latitude)
        return abs(sizes[0]) * math.cos(math.radians(latitude))
    return abs(sizes[0])


def _latitude(result: SearchImage) -> float:
    try:
        return shape(result.footprint).centroid.y
    except (AttributeError, ValueError, TypeError):
        return 0.0


def own_imagery(*, client: DataAPIClient, results: list[SearchImage]) -> dict[str, OwnItem]:
    """The name, date and pixel size of each own image and mosaic among `results`, by id.

    The search result has none of them: one call lists the mosaics, and each image (a mosaic: its first image) is
    read with one call, at most OWN_LOOKUPS per page; answers are cached briefly. A result the API no longer knows,
    or one past the bound, is left out (the page shows its id)."""
    own = [result for result in results if result.providerName in OWN_PROVIDERS]
    if not own:
        return {}
    account = account_key(client)
    found: dict[str, OwnItem] = {}
    calls = 0
    mosaics = None
    for result in own:
        key = f"catalog:own:{account}:{result.id}"
        item = cache.get(key)
        if item is None and calls < OWN_LOOKUPS:
            try:
                if OWN_PROVIDERS[result.providerName] == "IMAGE":
                    calls += 1
                    image = client.image_get(result.id)
                    item = OwnItem(image.filename, image.uploaded_at, _ground_metres(image, _latitude(result)),
                                   image.id)
                else:
                    if mosaics is None:
                        calls += 1
                        mosaics = {mosaic.id: mosaic for mosaic in client.mosaic_list()}
                    mosaic = mosaics.get(result.id)
                    if mosaic is not None:
                        calls += 1
                        images = client.mosaic_images(mosaic.id)
                        first = images[0] if images else None
                        item = OwnItem(mosaic.name, mosaic.created_at,
                                       first and _ground_metres(first, _latitude(result)), first and first.id)
            except api_errors.DataAPIError:
                item = None
            if item is not None:
                cache.set(key, item, OWN_CACHE_SECONDS)
        if item is not None:
            found[result.id] = item
    return found
