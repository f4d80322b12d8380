"""Search results as a GeoJSON FeatureCollection (the map's data and the GeoJSON export) and as CSV."""

import csv
import io

from shapely.geometry import shape

from dataapi.schemas import SearchImage

COLUMNS = [
    "id",
    "acquisitionDate",
    "providerName",
    "productType",
    "sensor",
    "satId",
    "pixelResolution",
    "cloudCover",
    "offNadirAngle",
    "aoiIntersectionPercent",
    "colorBandOrder",
    "previewType",
    "previewUrl",
    "zoom",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _properties(image: SearchImage) -> dict:
    properties = image.model_dump(mode="json", include=set(COLUMNS))
    return {column: properties.get(column) for column in COLUMNS}


def _round(coordinates: list, digits: int) -> list:
    """Nested lists of positions, each position's numbers rounded (a call a position, not a number: 1,000 results
    have about 10,000 of them)."""
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [round(number, digits) for number in coordinates]
    return [_round(item, digits) for item in coordinates]


def _rounded(geometry: dict | None, digits: int) -> dict | None:
    """The geometry with coordinates rounded (6 digits: about 10 cm), for a lighter page."""
    if geometry is None or "coordinates" not in geometry:
        return geometry
    return {**geometry, "coordinates": _round(geometry["coordinates"], digits)}


def results_geojson(images: list[SearchImage], *, digits: int | None = None) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": image.id,
                "geometry": image.footprint if digits is None else _rounded(image.footprint, digits),
                "properties": _properties(image),
            }
            for image in images
        ],
    }


def _cell(value) -> str | float:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value


def results_csv(images: list[SearchImage]) -> str:
    """One row per scene, its footprint as WKT in the last column."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "footprint"])
    for image in images:
        footprint = shape(image.footprint).wkt if image.footprint else ""
        writer.writerow([*map(_cell, _properties(image).values()), footprint])
    return out.getvalue()
