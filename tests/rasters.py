"""GeoTIFFs written by the tests, so that each test says what raster it needs."""

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

FIXTURES = Path(__file__).parent / "fixtures"
COGEO = FIXTURES / "cogeo.tif"
SHADE = FIXTURES / "shade.tif"

# Origins (upper-left corner) and pixel sizes that put a small raster somewhere sensible in each CRS.
PLACES = {
    "EPSG:32637": (500_000.0, 6_200_000.0, 10.0),  # UTM 37N, near Moscow
    "EPSG:3857": (4_150_000.0, 7_500_000.0, 10.0),
    "EPSG:4326": (37.5, 55.8, 0.0001),
}


def write_raster(
    path: Path,
    *,
    crs: str | None = "EPSG:32637",
    count: int = 3,
    dtype: str = "uint8",
    width: int = 64,
    height: int = 48,
    nodata: float | None = None,
    origin: tuple[float, float] | None = None,
    pixel_size: float | None = None,
    colour: tuple[int, ...] | None = None,
    transform=None,
) -> Path:
    """Write a GeoTIFF filled with `colour` (one value per band; a gradient when None)."""
    x0, y0, default_size = PLACES.get(crs or "EPSG:32637", PLACES["EPSG:32637"])
    if origin:
        x0, y0 = origin
    size = pixel_size or default_size
    if transform is None and crs is not None:
        transform = from_origin(x0, y0, size, size)
    if colour is None:
        ramp = np.linspace(10, 200 if dtype == "uint8" else 4000, width * height).reshape(height, width)
        data = np.stack([ramp] * count).astype(dtype)
    else:
        data = np.stack([np.full((height, width), value) for value in colour]).astype(dtype)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": count, "dtype": dtype}
    if crs is not None:
        profile["crs"] = crs
    if transform is not None:
        profile["transform"] = transform
    if nodata is not None:
        profile["nodata"] = nodata
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return path


def write_empty(path: Path, *, width: int, height: int, pixel_size: float = 0.5, **creation) -> Path:
    """A UTM GeoTIFF of `width` x `height` pixels in one band, of which no block is written: with SPARSE_OK=TRUE that
    is a file of a few hundred bytes, without it one whose every block is zeros."""
    x0, y0, _ = PLACES["EPSG:32637"]
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "uint8", "crs": "EPSG:32637"}
    with rasterio.open(path, "w", transform=from_origin(x0, y0, pixel_size, pixel_size), **profile, **creation):
        pass
    return path
