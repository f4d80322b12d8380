"""Catalog search (DATA_API.md section 6): the scenes of the providers plus the account's own imagery.

The database finds, sorts and pages the scenes whose footprint meets the AOI, with a spatial index (docs/DESIGN.md,
"Catalog spatial index"): on PostgreSQL PostGIS tests the footprints themselves; on SQLite an R*Tree finds the
scenes whose bounds meet the AOI, and shapely tests the footprints of those whose bounds alone do not settle it.
shapely measures how much of the AOI each scene of the page covers.
A metadata value that is null matches every filter, and sorts last in either order.
Every provider of this server is available to every account, so `hideUnavailable` hides nothing.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, IntegerField, Q, QuerySet, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Collate

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
# The fields of a scene that a search sorts by, in the order of Hit's, and those of them that are texts.
SORTED_FIELDS = ("acquired_at", "cloud_cover", "off_nadir", "resolution", "sat_id", "zoom")
TEXT_FIELDS = ("provider_name", "sat_id")
# An AOI of more parts than this is looked up in the spatial index as a whole rather than part by part.
MAX_PREFILTER_PARTS = 16
# PostgreSQL counts the scenes a search finds exactly up to this many; past it `total` is the planner's estimate, but
# never this few (DATA_API.md section 6): counting half a million footprints would cost more than the rest of a search.
EXACT_TOTAL = 50_000
# ... and does not even begin to count where the planner expects this many scenes near the AOI: walking 50,000 of
# them to learn that there are more was most of a country-wide search.
COUNT_ESTIMATE_LIMIT = 2 * EXACT_TOTAL
# SQLite tests in Python the footprints whose bounds leave it open whether they meet the AOI (GeoJSON read by
# shapely, about as long as a scene of the page costs in all): it counts exactly up to this many scenes near the AOI.
RTREE_EXACT_TOTAL = 5_000


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


def _aoi_parts(aoi) -> list:
    """The parts of the AOI that the index looks up one by one (the AOI as a whole if it has too many)."""
    parts = list(shapely.get_parts(aoi))
    return [aoi] if len(parts) > MAX_PREFILTER_PARTS else parts


def _bounds_filter(aoi) -> Q:
    """Rows whose lon/lat bounds meet those of a part of the AOI."""
    condition = Q()
    for west, south, east, north in (part.bounds for part in _aoi_parts(aoi)):
        condition |= Q(west__lte=east, east__gte=west, south__lte=north, north__gte=south)
    return condition


def _meets(aoi, geometries: np.ndarray) -> np.ndarray:
    shapely.prepare(aoi)
    return shapely.intersects(aoi, geometries)


def _percents(aoi, geometries: np.ndarray) -> np.ndarray:
    """The percent of the AOI each geometry covers."""
    if not len(geometries):
        return np.zeros(0)
    shapely.prepare(aoi)
    # Overlaying shapes is the slow part: skip it for footprints inside the AOI and for those covering it.
    inside = shapely.contains(aoi, geometries)
    covering = ~inside & shapely.covers(geometries, aoi)
    cut = ~(inside | covering)
    shared = np.full(len(geometries), aoi.area)
    shared[inside] = shapely.area(geometries[inside])
    shared[cut] = shapely.area(shapely.intersection(geometries[cut], aoi))
    return np.minimum(np.round(shared / aoi.area * 100, 2), 100.0)


# Bounds that show that a footprint meets a rectangle (west, south, east, north): within it along one axis and
# reaching into it along the other, since a footprint touches each side of its bounds. Counting these needs no
# geometry: only the other footprints near the AOI are tested.
SETTLED = (
    "(south >= %s AND north <= %s AND (west BETWEEN %s AND %s OR east BETWEEN %s AND %s))"
    " OR (west >= %s AND east <= %s AND (south BETWEEN %s AND %s OR north BETWEEN %s AND %s))"
)
# The R*Tree keeps bounds as 32-bit floats, rounded outwards by less than this (degrees).
RTREE_MARGIN = 1e-4
RTREE_MEETS = "west <= %s AND east >= %s AND south <= %s AND north >= %s"
# What a scene read newest first and looked up in the R*Tree costs, in scenes found by the R*Tree and sorted.
WALK_COST = 4


def _settled(part, margin: float) -> tuple[str, list]:
    """SETTLED for a part of the AOI, with bounds within `margin` of its sides left unsettled ("FALSE" for a part
    that is not a rectangle)."""
    if not part.equals(part.envelope):
        return "FALSE", []
    west, south, east, north = part.bounds
    xs, ys = [west + margin, east - margin], [south + margin, north - margin]
    return f"({SETTLED})", ys + xs + xs + xs + ys + ys


def _postgis_meets(query: SearchQuery, *, exact: bool = True) -> list:
    """PostGIS: footprints meeting the AOI (part by part, so that an AOI across the antimeridian stays two small
    lookups of the index), and covering enough of it; not `exact`: those whose bounds meet the AOI's."""
    sql, params = [], []
    for part in _aoi_parts(query.aoi):
        settled, settled_params = _settled(part, 0.0)
        meets = "ST_Intersects(geom, ST_GeomFromWKB(%s, 4326))"
        if exact:
            sql.append(f"(geom && ST_GeomFromWKB(%s, 4326) AND ({settled} OR {meets}))")
            params += [shapely.to_wkb(part), *settled_params, shapely.to_wkb(part)]
        else:
            sql.append("geom && ST_GeomFromWKB(%s, 4326)")
            params.append(shapely.to_wkb(part))
    conditions = [RawSQL(f"({' OR '.join(sql)})", params, output_field=BooleanField())]
    if exact and query.min_intersection is not None:
        covered = "LEAST(ROUND((ST_Area(ST_Intersection(geom, ST_GeomFromWKB(%s, 4326))) / %s * 100)::numeric, 2), 100)"
        params = [shapely.to_wkb(query.aoi), query.aoi.area, query.min_intersection]
        conditions.append(RawSQL(f"{covered} >= %s", params, output_field=BooleanField()))
    return conditions


def _rtree_lookups(aoi, *, doubtful: bool = False) -> list[tuple[str, list]]:
    """Per part of the AOI, the R*Tree's condition for bounds meeting it; `doubtful`: but those that settle it."""
    lookups = []
    for part in _aoi_parts(aoi):
        west, south, east, north = part.bounds
        sql, params = RTREE_MEETS, [east, west, north, south]
        if doubtful:
            settled, settled_params = _settled(part, RTREE_MARGIN)
            sql, params = f"{sql} AND NOT {settled}", params + settled_params
        lookups.append((sql, params))
    return lookups


def _rtree_ids(lookups: list[tuple[str, list]], union: str = "UNION ALL") -> tuple[str, list]:
    sql = f" {union} ".join(f"SELECT id FROM dataserver_scene_rtree WHERE {where}" for where, _ in lookups)
    return sql, [value for _, params in lookups for value in params]


def _kept(query: SearchQuery, footprints: list[str]) -> np.ndarray:
    """Which of the footprints (GeoJSON) meet the AOI and cover enough of it."""
    geometries = shapely.from_geojson(footprints)
    kept = _meets(query.aoi, geometries)
    if query.min_intersection is not None:
        kept[kept] = _percents(query.aoi, geometries[kept]) >= query.min_intersection
    return kept


def _rtree_search(query: SearchQuery, rows: QuerySet, *, filtered: bool, start: int, stop: int) -> tuple[list, int]:
    """SQLite: the scenes at [start, stop) of those whose bounds meet the AOI's (the R*Tree), but those whose
    footprint, tested here where the bounds do not settle it, misses the AOI or covers too little of it; and how many
    those are. Past RTREE_EXACT_TOTAL scenes whose bounds meet the AOI's, the total counts those (DATA_API.md
    section 6) and only the footprints read for the page are tested."""
    lookups = _rtree_lookups(query.aoi)
    with connection.cursor() as cursor:
        sql, params = _rtree_ids(lookups, union="UNION")
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT %s)", [*params, RTREE_EXACT_TOTAL + 1])
        bounds = cursor.fetchone()[0]
        if bounds > RTREE_EXACT_TOTAL and not filtered:
            cursor.execute(f"SELECT count(*) FROM ({sql})", params)
            bounds = cursor.fetchone()[0]
        cursor.execute("SELECT max(rowid) FROM dataserver_scene")
        scenes = cursor.fetchone()[0] or 0
    sql, params = _rtree_ids(lookups)
    near = RawSQL(f"dataserver_scene.rowid IN ({sql})", params, output_field=BooleanField())
    exact = bounds <= RTREE_EXACT_TOTAL
    if exact:
        sql, params = _rtree_ids(_rtree_lookups(query.aoi, doubtful=query.min_intersection is None))
        doubtful = rows.filter(RawSQL(f"dataserver_scene.rowid IN ({sql})", params, output_field=BooleanField()))
        rowid = RawSQL("dataserver_scene.rowid", [], output_field=IntegerField())
        found = list(doubtful.order_by().annotate(row=rowid).values_list("row", "footprint"))
        kept = _kept(query, [footprint for _, footprint in found])
        missing = [row for (row, _), keep in zip(found, kept) if not keep]
        rows = rows.filter(RawSQL(
            "dataserver_scene.rowid NOT IN (SELECT value FROM json_each(%s))", [json.dumps(missing)],
            output_field=BooleanField(),
        ))  # fmt: skip
        total = rows.filter(near).count() if filtered else bounds - len(missing)
    else:
        total = rows.filter(near).count() if filtered else bounds
    if query.sort_by == "ACQUISITION_DATE" and query.descending and total * total > WALK_COST * stop * scenes:
        # Many scenes are found: reading them newest first, each looked up in the R*Tree, reaches the page (after
        # about stop * scenes / total of them) sooner than sorting them all.
        meets = " OR ".join(f"({where})" for where, _ in lookups)
        near = RawSQL(
            f"EXISTS (SELECT 1 FROM dataserver_scene_rtree WHERE id = dataserver_scene.rowid AND ({meets}))",
            [value for _, params in lookups for value in params], output_field=BooleanField(),
        )  # fmt: skip
    ordered = rows.filter(near).order_by(*_scene_order(query))
    if exact:
        return (list(ordered[start:stop]) if start < min(stop, total) else []), total
    page, read = [], 0
    while len(page) < stop:  # the footprints of the page, read `stop` at a time, but those that miss
        batch = list(ordered[read : read + stop])
        page += [scene for scene, keep in zip(batch, _kept(query, [scene.footprint for scene in batch])) if keep]
        read += len(batch)
        if len(batch) < stop:
            break
    return page[start:stop], total


def _scene_order(query: SearchQuery) -> list:
    """The order of _ordered, in SQL: texts in code point order, ties by id, unknown values last by id."""
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    field = SORT_FIELDS[query.sort_by]
    value = Collate(F(field), collation) if field in TEXT_FIELDS else F(field)
    scene_id = Collate(F("scene_id"), collation)
    if not query.descending:
        return [value.asc(nulls_last=True), scene_id.asc()]
    unknown_by_id = Case(When(**{f"{field}__isnull": True}, then=scene_id))
    return [value.desc(nulls_last=True), unknown_by_id.asc(), scene_id.desc()]


def _postgis_page(query: SearchQuery, attributes: Q, start: int, stop: int) -> tuple[list[Scene], int]:
    """PostgreSQL: the scenes at [start, stop) and how many are found. One walk of the spatial index takes at most
    EXACT_TOTAL + 1 of them, with only what sorts them, counts and sorts those; past EXACT_TOTAL the page is read in
    the search's order (newest first along the date index) and the count is the planner's estimate of the scenes
    whose bounds meet the AOI's. Where that estimate is past COUNT_ESTIMATE_LIMIT, there is no walk."""
    rows = Scene.objects.filter(attributes, *_postgis_meets(query))
    found = rows.order_by().values("id", "scene_id", SORT_FIELDS[query.sort_by])[: EXACT_TOTAL + 1]
    try:
        sql, params = found.query.sql_with_params()
    except EmptyResultSet:  # a filter that nothing passes, such as no provider at all
        return [], 0
    near = Scene.objects.filter(attributes, *_postgis_meets(query, exact=False))
    estimate = round(json.loads(near.explain(format="json"))[0]["Plan"]["Plan Rows"])
    if estimate > COUNT_ESTIMATE_LIMIT:
        return list(rows.order_by(*_scene_order(query))[start:stop]), estimate
    compiler = found.query.get_compiler(connection=connection)
    order = [compiler.compile(term.resolve_expression(found.query)) for term in _scene_order(query)]
    with transaction.atomic(), connection.cursor() as cursor:
        # A bitmap of every match would be built whole before the limit stops the walk.
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            f"SELECT id, count(*) OVER () FROM ({sql}) dataserver_scene"
            f" ORDER BY {', '.join(term for term, _ in order)} LIMIT %s OFFSET %s",
            [*params, *(value for _, values in order for value in values), stop - start, start],
        )
        page = cursor.fetchall()
        total = page[0][1] if page else found.count()
    if total > EXACT_TOTAL:
        return list(rows.order_by(*_scene_order(query))[start:stop]), max(EXACT_TOTAL + 1, estimate)
    scenes = Scene.objects.in_bulk([scene_id for scene_id, _ in page])
    return [scenes[scene_id] for scene_id, _ in page], total


def _scene_page(query: SearchQuery, start: int, stop: int) -> tuple[list[Hit], int]:
    """The scenes at [start, stop) of the search's order, and how many the search finds."""
    attributes = _metadata_filter(query)
    if query.providers is not None:
        attributes &= Q(provider_name__in=query.providers)
    if query.product_types is not None:
        attributes &= Q(product_type__in=query.product_types)
    if connection.vendor == "postgresql":
        scenes, total = _postgis_page(query, attributes, start, stop)
    else:
        rows = Scene.objects.filter(attributes)
        scenes, total = _rtree_search(query, rows, filtered=bool(attributes), start=start, stop=stop)
    percents = _percents(query.aoi, shapely.from_geojson([scene.footprint for scene in scenes]))
    hits = [
        Hit(scene.scene_id, scene.provider_name, float(percent), *(getattr(scene, name) for name in SORTED_FIELDS),
            item=scene)
        for scene, percent in zip(scenes, percents)
    ]  # fmt: skip
    return hits, total


def _own_hits(account: Account, query: SearchQuery) -> list[Hit]:
    found: list[tuple[Image | Mosaic, str]] = []
    if query.wants(MY_IMAGES, "IMAGE"):
        images = Image.objects.select_related("mosaic").filter(_bounds_filter(query.aoi), mosaic__account=account)
        found += [(image, MY_IMAGES) for image in images]
    if query.wants(MY_MOSAICS, "MOSAIC"):
        found += [(mosaic, MY_MOSAICS) for mosaic in mosaics_of(account=account).exclude(footprint=None)]
    geometries = shapely.from_wkt([item.footprint for item, _ in found])
    meets = _meets(query.aoi, geometries)
    kept = [entry for entry, hit in zip(found, meets) if hit]
    hits = [
        Hit(str(item.id), provider, float(percent), item=item)
        for (item, provider), percent in zip(kept, _percents(query.aoi, geometries[meets]))
    ]
    if query.min_intersection is not None:
        hits = [hit for hit in hits if hit.percent >= query.min_intersection]
    return hits


def _ordered(hits: list[Hit], query: SearchQuery) -> list[Hit]:
    field = SORT_FIELDS[query.sort_by]
    present = [hit for hit in hits if getattr(hit, field) is not None]
    missing = [hit for hit in hits if getattr(hit, field) is None]
    present.sort(key=lambda hit: (getattr(hit, field), hit.id), reverse=query.descending)
    missing.sort(key=lambda hit: hit.id)
    return present + missing


def scene_search(*, account: Account, query: SearchQuery) -> ScenePage:
    """The page of the scenes and own imagery meeting the AOI. The own imagery is few items, so the database pages the
    scenes from as many places before the page as there are own items: the page is then among those, merged."""
    own = _own_hits(account, query)
    start = max(0, query.offset - len(own))
    scenes, total = _scene_page(query, start, query.offset + query.limit)
    merged = _ordered(scenes + own, query)
    # From the first scene fetched on, the merged list holds every hit in order, from place `start` + its index.
    skip = query.offset - start
    return ScenePage(hits=merged[skip : skip + query.limit], total=total + len(own))


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
