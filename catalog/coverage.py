"""Where the catalog has scenes, for the map's coverage layer: footprints when the map is close, counts in cells
otherwise. Only catalog search is asked (the API has no aggregate).

A cell is a web map tile, one zoom level finer than the map's; its count is the sum of its sub-tiles' at the
coarsest level whose tiles a search may cover (the account's search area limit). Those counts (one search of one
result each) are cached per account for COVERAGE_CACHE_SECONDS; a request makes at most CELL_LOOKUPS searches and
says how many cells are still pending, which the page asks for again (the first look at a wide view fills in over
a few requests)."""

import math

from django.core.cache import cache
from shapely.geometry import box, mapping

from common.aoi import geodesic_area
from dataapi import errors as api_errors
from dataapi.client import DataAPIClient

from .selectors import account_key

CELL_LOOKUPS = 48
COVERAGE_CACHE_SECONDS = 3600
FOOTPRINT_ZOOM = 9  # and closer: the footprints themselves
FOOTPRINT_LIMIT = 500
MAX_LEVEL = 14
MAX_CELLS = 400  # cells of one answer, at most (a view of a 1366x768 screen has about 60)
MERCATOR_LAT = 85.0511
EARTH_RADIUS = 6_371_008.8  # m, the mean radius


def tile_box(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The web map tile's west, south, east, north in degrees."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def query_level(area_limit: int | None) -> int:
    """The coarsest tile level whose every tile a search may cover (the tiles at the equator are the largest; a
    tenth is kept as margin for the API's own measure of the area)."""
    if area_limit is None:
        return 0
    for level in range(MAX_LEVEL + 1):
        west, south, east, north = tile_box(level, 0, 2**level // 2)
        area = EARTH_RADIUS**2 * math.radians(east - west) * abs(math.sin(math.radians(north)) - math.sin(math.radians(south)))
        if area <= 0.9 * area_limit:
            return level
    return MAX_LEVEL


def _tiles(bounds, z: int):
    """The tiles of level `z` that the lon/lat `bounds` meet."""
    west, south, east, north = bounds
    n = 2**z

    def column(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180) / 360 * n)))

    def row(lat: float) -> int:
        lat = max(-MERCATOR_LAT, min(MERCATOR_LAT, lat))
        return min(n - 1, max(0, int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)))

    return [(x, y) for y in range(row(north), row(south) + 1) for x in range(column(west), column(east) + 1)]


def _footprints(client: DataAPIClient, bounds) -> dict:
    answer = client.catalog_search(aoi=mapping(box(*bounds)), limit=FOOTPRINT_LIMIT)
    features = [
        {"type": "Feature", "id": image.id, "geometry": image.footprint, "properties": {}}
        for image in answer.images
        if image.footprint
    ]
    return {"footprints": {"type": "FeatureCollection", "features": features}, "total": answer.total}


def coverage(*, client: DataAPIClient, bounds, zoom: int, area_limit: int | None) -> dict:
    """The coverage of the map's view `bounds` (west, south, east, north) at `zoom`."""
    west, south, east, north = bounds
    bounds = (max(-180.0, west), max(-MERCATOR_LAT, south), min(180.0, east), min(MERCATOR_LAT, north))
    if bounds[0] >= bounds[2] or bounds[1] >= bounds[3]:
        return {"cells": [], "pending": 0}
    if zoom >= FOOTPRINT_ZOOM and (area_limit is None or geodesic_area(box(*bounds)) <= area_limit):
        return _footprints(client, bounds)
    shown = min(max(zoom + 1, 0), MAX_LEVEL)
    level = max(shown, query_level(area_limit))
    account = account_key(client)
    lookups = 0
    cells, pending = [], 0
    for x, y in _tiles(bounds, shown)[:MAX_CELLS]:
        count, known = 0, True
        scale = 2 ** (level - shown)
        for cx in range(x * scale, (x + 1) * scale):
            for cy in range(y * scale, (y + 1) * scale):
                key = f"catalog:coverage:{account}:{level}/{cx}/{cy}"
                found = cache.get(key)
                if found is None and lookups < CELL_LOOKUPS:
                    lookups += 1
                    try:
                        found = client.catalog_search(aoi=mapping(box(*tile_box(level, cx, cy))), limit=1).total
                    except api_errors.DataAPIError:
                        found = None
                    else:
                        cache.set(key, found, COVERAGE_CACHE_SECONDS)
                if found is None:
                    known = False
                else:
                    count += found
        if not known:
            pending += 1
        elif count:
            cells.append({"bbox": tile_box(shown, x, y), "count": count})
    return {"cells": cells, "pending": pending}
