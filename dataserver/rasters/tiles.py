"""XYZ tiles and TileJSON from the COGs of the self-hosted Data API (rio-tiler)."""

import hashlib
from dataclasses import dataclass

import morecantile
import rasterio
from rio_tiler.errors import EmptyMosaicError, TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.mosaic import mosaic_reader

from common.tiles import EMPTY_TILE, TILE_SIZE
from dataserver.models import Image, Mosaic
from dataserver.storage import CogTarget, ImageFiles, store

# zlib level 2 encodes a tile about 3x faster than GDAL's default (6), for tiles some 6% larger.
PNG_OPTIONS = {"ZLEVEL": 2}
WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")


@dataclass(frozen=True)
class CogSource:
    path: str
    band_indexes: tuple[int, ...]
    display_range: tuple[tuple[float, float], ...] | None


def target_images(target: CogTarget) -> list[Image] | None:
    """The images with a ready COG that a URI names; None when the URI names no mosaic or no ready image."""
    images = list(Image.objects.filter(mosaic_id=target.mosaic_id, mosaic__account_id=target.account_id))
    if target.image_id is not None:
        images = [image for image in images if image.id == target.image_id and image.cog_ready]
        return images or None
    if not images and not Mosaic.objects.filter(id=target.mosaic_id, account_id=target.account_id).exists():
        return None
    return [image for image in images if image.cog_ready]


def cog_path(target: CogTarget, image: Image) -> str:
    return store().gdal_path(ImageFiles(target.account_id, target.mosaic_id, image.id).cog)


def cog_sources(target: CogTarget, images: list[Image], z: int, x: int, y: int) -> list[CogSource]:
    west, south, east, north = WEB_MERCATOR.bounds(morecantile.Tile(x, y, z))
    return [
        CogSource(
            cog_path(target, image),
            tuple(image.band_indexes),
            tuple(tuple(r) for r in image.display_range) if image.display_range else None,
        )
        for image in images
        if image.west <= east and image.east >= west and image.south <= north and image.north >= south
    ]


def tile_etag(sources: list[CogSource], z: int, x: int, y: int) -> str:
    digest = hashlib.sha1(f"{z}/{x}/{y}".encode())
    for source in sources:
        digest.update(source.path.encode())
    return f'"{digest.hexdigest()}"'


def _read(source: CogSource, x: int, y: int, z: int, **kwargs):
    with Reader(source.path) as cog:
        img = cog.tile(x, y, z, tilesize=TILE_SIZE, indexes=source.band_indexes, **kwargs)
    if source.display_range:
        img.rescale(in_range=source.display_range)
    return img


def tile_render(sources: list[CogSource], z: int, x: int, y: int) -> bytes:
    """A 256 px PNG: the images' pixels, transparent where there are none."""
    if not sources:
        return EMPTY_TILE
    # One GDAL environment around the whole tile halves the environment set-ups (each one searches for the GDAL and
    # PROJ data files) that opening, reading and encoding would otherwise do on their own; it holds the store's GDAL
    # options (for an object store: ranged reads with cached headers).
    with rasterio.Env(**store().gdal_options):
        try:
            img, _ = mosaic_reader(sources, _read, x, y, z, threads=0)
        except (EmptyMosaicError, TileOutsideBounds):
            return EMPTY_TILE
        return img.render(img_format="PNG", **PNG_OPTIONS)


def tilejson(target: CogTarget, images: list[Image], tile_url: str) -> dict:
    west = min(image.west for image in images)
    south = min(image.south for image in images)
    east = max(image.east for image in images)
    north = max(image.north for image in images)
    minzoom, maxzoom = 24, 0
    with rasterio.Env(**store().gdal_options):
        for image in images:
            with Reader(cog_path(target, image)) as cog:
                minzoom, maxzoom = min(minzoom, cog.minzoom), max(maxzoom, cog.maxzoom)
    return {
        "tilejson": "2.2.0",
        "name": "mosaic",
        "scheme": "xyz",
        "tiles": [tile_url],
        "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, minzoom],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
    }
