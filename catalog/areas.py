"""How detailed an area a catalog search sends.

An area with more than CATALOG_AOI_SIMPLIFY_ABOVE vertices (a city boundary from OpenStreetMap has thousands) is
simplified, never by more than CATALOG_AOI_TOLERANCE_METRES, with the smallest tolerance that brings it under that
count; the user is told. One still over CATALOG_AOI_MAX_VERTICES at the largest tolerance is refused.
"""

from dataclasses import dataclass

import shapely
from django.conf import settings
from shapely.geometry import MultiPolygon, Polygon

METRES_PER_DEGREE = 111_320  # of latitude; a degree of longitude is never longer, so the bound holds in metres
STEPS = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


class TooDetailed(ValueError):
    """The area has too many vertices even when simplified as far as allowed; the message says so."""


@dataclass(frozen=True)
class SearchArea:
    geometry: MultiPolygon
    vertices: int
    simplified_from: int | None = None  # the vertex count before, when it was simplified
    tolerance_metres: float | None = None

    @property
    def note(self) -> str | None:
        if self.simplified_from is None:
            return None
        return (
            f"Simplified for the search from {self.simplified_from:,} to {self.vertices:,} vertices "
            f"(no point moved more than {self.tolerance_metres:g} m)."
        )


def _polygonal(geometry) -> MultiPolygon:
    parts = [part for part in shapely.get_parts(geometry) if isinstance(part, Polygon) and not part.is_empty]
    return MultiPolygon(parts)


def area_for_search(geometry: MultiPolygon) -> SearchArea:
    """The area a search sends: `geometry` itself, or simplified as the module says; TooDetailed otherwise."""
    vertices = shapely.get_num_coordinates(geometry)
    target, limit = settings.CATALOG_AOI_SIMPLIFY_ABOVE, settings.CATALOG_AOI_MAX_VERTICES
    if vertices <= target:
        return SearchArea(geometry=geometry, vertices=vertices)
    largest = settings.CATALOG_AOI_TOLERANCE_METRES
    steps = [step for step in STEPS if step < largest] + [largest]
    best = None
    for metres in steps:
        simpler = _polygonal(shapely.simplify(geometry, metres / METRES_PER_DEGREE, preserve_topology=True))
        if simpler.is_empty or not simpler.is_valid or simpler.area <= 0:
            continue
        best = SearchArea(
            geometry=simpler,
            vertices=shapely.get_num_coordinates(simpler),
            simplified_from=vertices,
            tolerance_metres=metres,
        )
        if best.vertices <= target:
            return best
    if best is not None and best.vertices <= limit:
        return best
    if vertices <= limit:
        return SearchArea(geometry=geometry, vertices=vertices)
    remaining = best.vertices if best is not None else vertices
    raise TooDetailed(
        f"The area has {vertices:,} vertices ({remaining:,} when simplified by {largest:g} m); a search takes at "
        f"most {limit:,}. Simplify it in your GIS first"
    )
