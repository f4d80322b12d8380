"""Catalog search (DATA_API.md section 6): the scenes of the providers plus the account's own imagery.

The database narrows the scenes down by their lon/lat bounds (an indexed band of latitudes) and by the metadata
filters; shapely then keeps those whose true footprint meets the AOI and measures how much of the AOI they cover.
A metadata value that is null matches every filter, and sorts last in either order.
Every provider of this server is available to every account, so `hideUnavailable` hides nothing.
"""

import operator
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import Any

import numpy as np
import shapely
from django.db.models import Q

from dataserver.models import Account, Image, Mosaic, Scene
from dataserver.rasters.selectors import mosaics_of

MY_IMAGES = "my_imagery_images"
MY_MOSAICS = "my_imagery_mosaics"
MY_IMAGERY = {MY_IMAGES: "My imagery: images", MY_MOSAICS: "My imagery: mosaics"}
SORT_FIELDS = {
    "ACQUISITION_DATE": "acquired_at",
    "CLOUD_COVER": "cloud_cover",
    "OFF_NADIR_ANGLE": "off_nadir",
    "PIXEL_RESOLUTION": "resolution",
    "PROVIDER_NAME": "provider_name",
    "SAT_ID": "sat_id",
    "ZOOM": "zoom",
}
# The fields of a scene that a search sorts by, in the order of Hit's.
SORTED_SCENE_FIELDS = ("acquired_at", "cloud_cover", "off_nadir", "resolution", "sat_id", "zoom")
# An AOI of more parts than this is prefiltered by its overall bounds rather than part by part.
MAX_PREFILTER_PARTS = 16


@dataclass(frozen=True)
class SearchQuery:
    aoi: Any  # a lon/lat MultiPolygon within [-180, 180] (see aoi.py)
    date_from: datetime | None = None
    date_to: datetime | None = None
    min_resolution: float | None = None
    max_resolution: float | None = None
    max_cloud_cover: float | None = None
    min_off_nadir: float | None = None
    max_off_nadir: float | None = None
    min_intersection: float | None = None
    product_types: list[str] | None = None
    providers: list[str] | None = None
    sort_by: str = "ACQUISITION_DATE"
    descending: bool = True
    limit: int = 100
    offset: int = 0

    def wants(self, provider: str, product_type: str) -> bool:
        return (self.providers is None or provider in self.providers) and (
            self.product_types is None or product_type in self.product_types
        )


@dataclass
class Hit:
    """One search result: its id in the API, what sorts it, how much of the AOI it covers, and (once paged) its row."""

    id: str
    provider_name: str
    percent: float | None
    acquired_at: datetime | None = None
    cloud_cover: float | None = None
    off_nadir: float | None = None
    resolution: float | None = None
    sat_id: str | None = None
    zoom: int | None = None
    item: Scene | Image | Mosaic | None = None


@dataclass(frozen=True)
class ScenePage:
    hits: list[Hit]
    total: int


def _null_or(field: str, lookup: str, value) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__{lookup}": value})


def _metadata_filter(query: SearchQuery) -> Q:
    condition = Q()
    for field, lookup, value in (
        ("acquired_at", "gte", query.date_from),
        ("acquired_at", "lte", query.date_to),
        ("resolution", "gte", query.min_resolution),
        ("resolution", "lte", query.max_resolution),
        ("cloud_cover", "lte", query.max_cloud_cover),
        ("off_nadir", "gte", query.min_off_nadir),
        ("off_nadir", "lte", query.max_off_nadir),
    ):
        if value is not None:
            condition &= _null_or(field, lookup, value)
    return condition


def _aoi_boxes(aoi) -> list[tuple[float, float, float, float]]:
    parts = shapely.get_parts(aoi)
    if len(parts) > MAX_PREFILTER_PARTS:
        return [tuple(aoi.bounds)]
    return [tuple(part.bounds) for part in parts]


def _bounds_filter(aoi, *, tallest: float | None) -> Q:
    """Rows whose bounds meet the AOI's; with `tallest` (the largest north - south), an indexed latitude band."""
    parts = []
    for west, south, east, north in _aoi_boxes(aoi):
        part = Q(west__lte=east, east__gte=west, south__lte=north, north__gte=south)
        parts.append(part & Q(south__gte=south - tallest) if tallest is not None else part)
    return reduce(operator.or_, parts)


def _coverage(aoi, footprints: list) -> tuple[np.ndarray, np.ndarray]:
    """Which footprints meet the AOI, and the percent of the AOI each of those covers."""
    if not footprints:
        return np.zeros(0, dtype=bool), np.zeros(0)
    geometries = np.asarray(footprints)
    shapely.prepare(aoi)
    meets = shapely.intersects(aoi, geometries)
    found = geometries[meets]
    # Overlaying shapes is the slow part: skip it for footprints inside the AOI and for those covering it.
    inside = shapely.contains(aoi, found)
    covering = ~inside & shapely.covers(found, aoi)
    cut = ~(inside | covering)
    shared = np.full(len(found), aoi.area)
    shared[inside] = shapely.area(found[inside])
    shared[cut] = shapely.area(shapely.intersection(found[cut], aoi))
    return meets, np.minimum(np.round(shared / aoi.area * 100, 2), 100.0)


def _scene_hits(query: SearchQuery) -> list[Hit]:
    tallest = Scene.objects.order_by("-height").values_list("height", flat=True).first()
    if tallest is None:
        return []
    rows = Scene.objects.filter(_bounds_filter(query.aoi, tallest=tallest), _metadata_filter(query))
    if query.providers is not None:
        rows = rows.filter(provider_name__in=query.providers)
    if query.product_types is not None:
        rows = rows.filter(product_type__in=query.product_types)
    fields = ("scene_id", "footprint", "provider_name", *SORTED_SCENE_FIELDS)
    values = list(rows.order_by().values_list(*fields))
    meets, percents = _coverage(query.aoi, list(shapely.from_geojson([row[1] for row in values])))
    kept = [row for row, hit in zip(values, meets) if hit]
    return [Hit(row[0], row[2], float(percent), *row[3:]) for row, percent in zip(kept, percents)]


def _own_hits(account: Account, query: SearchQuery) -> list[Hit]:
    found: list[tuple[Image | Mosaic, str]] = []
    if query.wants(MY_IMAGES, "IMAGE"):
        images = Image.objects.select_related("mosaic").filter(
            _bounds_filter(query.aoi, tallest=None), mosaic__account=account
        )
        found += [(image, MY_IMAGES) for image in images]
    if query.wants(MY_MOSAICS, "MOSAIC"):
        found += [(mosaic, MY_MOSAICS) for mosaic in mosaics_of(account=account).exclude(footprint=None)]
    meets, percents = _coverage(query.aoi, list(shapely.from_wkt([item.footprint for item, _ in found])))
    kept = [entry for entry, hit in zip(found, meets) if hit]
    return [
        Hit(str(item.id), provider, float(percent), item=item) for (item, provider), percent in zip(kept, percents)
    ]


def _ordered(hits: list[Hit], query: SearchQuery) -> list[Hit]:
    field = SORT_FIELDS[query.sort_by]
    present = [hit for hit in hits if getattr(hit, field) is not None]
    missing = [hit for hit in hits if getattr(hit, field) is None]
    present.sort(key=lambda hit: (getattr(hit, field), hit.id), reverse=query.descending)
    missing.sort(key=lambda hit: hit.id)
    return present + missing


def scene_search(*, account: Account, query: SearchQuery) -> ScenePage:
    hits = _scene_hits(query) + _own_hits(account, query)
    if query.min_intersection is not None:
        hits = [hit for hit in hits if hit.percent >= query.min_intersection]
    page = _ordered(hits, query)[query.offset : query.offset + query.limit]
    scenes = Scene.objects.in_bulk([hit.id for hit in page if hit.item is None], field_name="scene_id")
    for hit in page:
        hit.item = hit.item or scenes[hit.id]
    return ScenePage(hits=page, total=len(hits))


def scene_get(*, account: Account, scene_id: str) -> Hit | None:
    """A scene (by its provider's id), or an image or mosaic of the account (by its UUID); None if there is none
    the account may see."""
    if "\x00" in scene_id:  # no id has one, and PostgreSQL takes none in a query
        return None
    scene = Scene.objects.filter(scene_id=scene_id).first()
    if scene is not None:
        return Hit(scene.scene_id, scene.provider_name, None, item=scene)
    try:
        own_id = uuid.UUID(scene_id)
    except ValueError:
        return None
    image = Image.objects.select_related("mosaic").filter(id=own_id, mosaic__account=account).first()
    if image is not None:
        return Hit(scene_id, MY_IMAGES, None, item=image)
    mosaic = mosaics_of(account=account).filter(id=own_id).exclude(footprint=None).first()
    return Hit(scene_id, MY_MOSAICS, None, item=mosaic) if mosaic is not None else None


def _provider(name: str, display_name: str) -> dict:
    """A provider as /user/status lists it: its id is its name; this server sells nothing (no price) and knows no
    basemap preview of a provider's imagery."""
    return {"id": name, "name": name, "displayName": display_name, "price": [], "previewUrl": None,
            "previewUrlMaxZoom": None}  # fmt: skip


def search_providers() -> list[dict]:
    """The providers a search can name: those with scenes, then the account's own imagery."""
    names = Scene.objects.order_by("provider_name").values_list("provider_name", flat=True).distinct()
    return [_provider(name, name) for name in names] + [_provider(name, shown) for name, shown in MY_IMAGERY.items()]
