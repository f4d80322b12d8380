"""The XYZ tile grid (256 px, y from the top) as both the Data API and the dashboard's tile proxy see it."""

import io
import math

from PIL import Image

TILE_SIZE = 256
MAX_ZOOM = 30  # the deepest tile either server answers for (3.7 cm pixels at the equator)


def tile_in_grid(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def _transparent_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (TILE_SIZE, TILE_SIZE), (0, 0, 0, 0)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# The answer for a tile outside any data: a transparent 256 px PNG.
EMPTY_TILE = _transparent_png()


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of an XYZ tile."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)
