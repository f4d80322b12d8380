"""Areas of interest and footprints as lon/lat geometries: validation, antimeridian splitting, geodesic area.

A geometry that crosses the antimeridian may say so with longitudes beyond ±180 or with a ring that jumps from
about +180 to about -180; either way it is cut at ±180 and its parts moved into [-180, 180].
"""

import math
from typing import Any

import shapely
import shapely.affinity
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.validation import make_valid

GEOD = Geod(ellps="WGS84")
WORLD_SHIFTS = ((-540.0, -180.0, 360.0), (-180.0, 180.0, 0.0), (180.0, 540.0, -360.0))


class InvalidGeometry(ValueError):
    """A geometry that is not a usable Polygon or MultiPolygon; the message names the problem."""


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) < 2:
        raise InvalidGeometry(f"{where}: a position must be a [longitude, latitude] pair")
    lon, lat = value[0], value[1]
    if not all(isinstance(number, (int, float)) and not isinstance(number, bool) for number in (lon, lat)):
        raise InvalidGeometry(f"{where}: longitude and latitude must be numbers")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InvalidGeometry(f"{where}: longitude and latitude must be finite")
    if not -90 <= lat <= 90:
        raise InvalidGeometry(f"{where}: latitude {lat} is outside [-90, 90]")
    if not -360 <= lon <= 360:
        raise InvalidGeometry(f"{where}: longitude {lon} is outside [-360, 360]")
    return float(lon), float(lat)


def _ring(value: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(value, (list, tuple)):
        raise InvalidGeometry(f"{where}: a ring must be a list of positions")
    positions = [_position(item, f"{where}, position {index}") for index, item in enumerate(value)]
    if len(positions) < 4:
        raise InvalidGeometry(f"{where}: a ring needs at least 4 positions, it has {len(positions)}")
    if positions[0] != positions[-1]:
        raise InvalidGeometry(f"{where}: the ring is not closed (its first and last positions differ)")
    return _unwrapped(positions)


def _unwrapped(positions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring that jumps across the antimeridian continuous, with longitudes beyond ±180 past the jump."""
    result = [positions[0]]
    shift = 0.0
    for (previous_lon, _), (lon, lat) in zip(positions, positions[1:]):
        step = lon - previous_lon
        if step > 180:
            shift -= 360
        elif step < -180:
            shift += 360
        result.append((lon + shift, lat))
    return result


def _polygon(value: Any, where: str) -> Polygon:
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidGeometry(f"{where}: a polygon must be a non-empty list of rings")
    rings = [_ring(ring, f"{where}, ring {index}") for index, ring in enumerate(value)]
    return Polygon(rings[0], rings[1:])


def _split_at_antimeridian(geometry) -> MultiPolygon:
    west, _, east, _ = geometry.bounds
    if -180 <= west and east <= 180:
        return _polygonal(geometry)
    parts = []
    for west, east, shift in WORLD_SHIFTS:
        piece = geometry.intersection(box(west, -90, east, 90))
        if not piece.is_empty:
            parts.append(shapely.affinity.translate(piece, xoff=shift))
    return _polygonal(shapely.union_all(parts))


def _polygonal(geometry) -> MultiPolygon:
    polygons = []
    for part in shapely.get_parts(geometry):
        polygons.extend(part.geoms if isinstance(part, MultiPolygon) else [part] if isinstance(part, Polygon) else [])
    return MultiPolygon([polygon for polygon in polygons if polygon.area > 0])


def _positions(coordinates: Any, depth: int, limit: int) -> int:
    """How many positions nested `depth` lists deep (2 for a Polygon's rings); stops counting past `limit`."""
    if depth == 0 or not isinstance(coordinates, (list, tuple)):
        return len(coordinates) if isinstance(coordinates, (list, tuple)) else 0
    count = 0
    for item in coordinates:
        count += _positions(item, depth - 1, limit - count)
        if count > limit:
            break
    return count


def geometry_from_geojson(value: Any, *, name: str = "AOI", max_vertices: int | None = None) -> MultiPolygon:
    """A valid lon/lat MultiPolygon within [-180, 180] from a GeoJSON Polygon or MultiPolygon, or InvalidGeometry
    (also when it has more than `max_vertices` positions, counted before anything is built).

    A self-intersecting ring is repaired (make_valid keeps its polygonal area).
    """
    if not isinstance(value, dict):
        raise InvalidGeometry(f"{name} must be a GeoJSON object")
    kind, coordinates = value.get("type"), value.get("coordinates")
    if max_vertices is not None and kind in ("Polygon", "MultiPolygon"):
        count = _positions(coordinates, 1 if kind == "Polygon" else 2, max_vertices)
        if count > max_vertices:
            raise InvalidGeometry(f"{name} has more than {max_vertices:,} vertices; simplify it to at most that")
    if kind == "Polygon":
        polygons = [_polygon(coordinates, name)]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, (list, tuple)) or not coordinates:
            raise InvalidGeometry(f"{name}: a MultiPolygon must be a non-empty list of polygons")
        polygons = [_polygon(polygon, f"{name}, polygon {index}") for index, polygon in enumerate(coordinates)]
    else:
        raise InvalidGeometry(f"{name} must be a GeoJSON Polygon or MultiPolygon, not {kind!r}")
    geometry = MultiPolygon(polygons) if len(polygons) > 1 else polygons[0]
    if not geometry.is_valid:
        geometry = make_valid(geometry)
    geometry = _split_at_antimeridian(geometry)
    if geometry.is_empty:
        raise InvalidGeometry(f"{name} has no area (its rings are degenerate or cancel out)")
    return geometry


def geodesic_area(geometry) -> float:
    """Area on the WGS84 ellipsoid, in m²."""
    area, _ = GEOD.geometry_area_perimeter(geometry)
    return abs(area)
