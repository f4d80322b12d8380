"""XYZ tiles and TileJSON from the COGs of the self-hosted Data API (rio-tiler).

What a tile URI names (its images, their bounds, footprints and how they are drawn) is read from the database once
per version of the mosaic's tiles and kept in the process; the version lives in the cache and changes whenever an
image is added, made ready or deleted (models.tiles_changed), so one cache round trip per tile tells whether what is
kept still holds. The COGs' datasets stay open between tiles too, under the same version.
"""

import hashlib
import io
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import imagecodecs
import morecantile
import numpy as np
import rasterio
import shapely
from django.core.cache import cache
from PIL import Image as PILImage
from rio_tiler.errors import EmptyMosaicError, TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.mosaic import mosaic_reader

from common.tiles import EMPTY_TILE, TILE_SIZE
from dataserver.models import Image, Mosaic, tiles_version_key
from dataserver.storage import CogTarget, ImageFiles, store

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
# How a tile whose every pixel has data may be encoded (the `format` a client asks for): PNG is the contract's
# default, JPEG is the fastest to encode, WebP the smallest. A tile with transparent pixels is always a PNG, with an
# alpha band; one with data everywhere has none (a quarter less to filter and compress, 10% smaller).
# Pillow encodes JPEG and WebP several times faster than GDAL's drivers (JPEG 0.6 ms against 3.5, WebP 2.9 against
# 8.6; WebP's method 0 is the fastest). PNGs go through libpng (imagecodecs) at zlib level 1 with the Up filter on
# every row: Pillow tries each filter on each row, which took 4.8 ms for a 256 px aerial tile against 2.1 ms here, and
# made a file 13% larger.


def _png(bands: np.ndarray) -> bytes:
    return imagecodecs.png_encode(bands, level=1, filter=imagecodecs.PNG.FILTER.UP)


def _pillow(driver: str, **options) -> Callable[[np.ndarray], bytes]:
    def encode(bands: np.ndarray) -> bytes:
        picture = PILImage.fromarray(bands)
        if driver == "WEBP" and picture.mode == "L":
            picture = picture.convert("RGB")
        buffer = io.BytesIO()
        picture.save(buffer, driver, **options)
        return buffer.getvalue()

    return encode


ENCODINGS: dict[str, Callable[[np.ndarray], bytes]] = {
    "png": _png,
    "jpeg": _pillow("JPEG", quality=75),
    "webp": _pillow("WEBP", quality=75, method=0),
}
LAYERS_KEPT = 256  # tile URIs whose images a process keeps
READERS_KEPT = 64  # open COG datasets a process keeps between tiles
VERSION_SECONDS = 3600  # a version unused for this long is forgotten (the URIs of a hostile client make new ones)


@dataclass(frozen=True)
class CogSource:
    path: str
    band_indexes: tuple[int, ...]
    display_range: tuple[tuple[float, float], ...] | None
    bounds: tuple[float, float, float, float]  # west, south, east, north in degrees
    footprint: shapely.Geometry


@dataclass(frozen=True)
class Layer:
    """The ready images of a tile URI, as the database had them under `version` of the mosaic's tiles."""

    version: str
    sources: tuple[CogSource, ...]

    def sources_at(self, z: int, x: int, y: int) -> list[CogSource]:
        """The images whose footprint meets the tile: none, and the tile is empty without a pixel read."""
        west, south, east, north = WEB_MERCATOR.bounds(morecantile.Tile(x, y, z))
        tile = None
        found = []
        for source in self.sources:
            w, s, e, n = source.bounds
            if w > east or e < west or s > north or n < south:
                continue
            tile = tile if tile is not None else shapely.box(west, south, east, north)
            if shapely.intersects(source.footprint, tile):
                found.append(source)
        return found


def _target_images(target: CogTarget) -> list[Image] | None:
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


def _source(target: CogTarget, image: Image) -> CogSource:
    return CogSource(
        cog_path(target, image),
        tuple(image.band_indexes),
        tuple(tuple(r) for r in image.display_range) if image.display_range else None,
        (image.west, image.south, image.east, image.north),
        shapely.from_wkt(image.footprint),
    )


class _Readers:
    """COG readers kept open between tiles, by version and path; each is used by one thread at a time, and past
    `size` idle ones the least recently used is closed."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: OrderedDict[tuple[str, str], list[Reader]] = OrderedDict()
        self._count = 0
        self._lock = threading.Lock()

    @contextmanager
    def open(self, version: str, path: str):
        key = (version, path)
        with self._lock:
            idle = self._idle.get(key)
            reader = idle.pop() if idle else None
            if reader is not None:
                self._count -= 1
                if not idle:
                    del self._idle[key]
        if reader is None:
            reader = Reader(path)
        try:
            yield reader
        except BaseException:
            reader.close()
            raise
        self._keep(key, reader)

    def _keep(self, key: tuple[str, str], reader: Reader) -> None:
        closing = []
        with self._lock:
            self._idle.setdefault(key, []).append(reader)
            self._idle.move_to_end(key)
            self._count += 1
            while self._count > self.size:
                oldest_key, oldest = next(iter(self._idle.items()))
                closing.append(oldest.pop(0))
                self._count -= 1
                if not oldest:
                    del self._idle[oldest_key]
        for old in closing:
            old.close()

    def forget(self, version: str) -> None:
        """Close the readers of an outdated version (a deleted image's file is then freed at once)."""
        with self._lock:
            closing = [reader for key in list(self._idle) if key[0] == version for reader in self._idle.pop(key)]
            self._count -= len(closing)
        for reader in closing:
            reader.close()


_readers = _Readers(READERS_KEPT)


_layers: OrderedDict[CogTarget, Layer] = OrderedDict()
_layers_lock = threading.Lock()


def layer(target: CogTarget) -> Layer | None:
    """What a tile URI names (None: nothing), from the process's memory while the mosaic's tiles keep their version.
    The version is read before the database, so a change committed in between makes a new one."""
    version = cache.get_or_set(tiles_version_key(target.mosaic_id), secrets.token_hex(8), VERSION_SECONDS)
    with _layers_lock:
        kept = _layers.get(target)
        if kept is not None and kept.version == version:
            _layers.move_to_end(target)
            return kept
    images = _target_images(target)
    fresh = None if images is None else Layer(version, tuple(_source(target, image) for image in images))
    with _layers_lock:
        if fresh is None:
            _layers.pop(target, None)
        else:
            _layers[target] = fresh
            _layers.move_to_end(target)
            while len(_layers) > LAYERS_KEPT:
                _layers.popitem(last=False)
    if kept is not None:
        _readers.forget(kept.version)
    return fresh


def tile_etag(sources: list[CogSource], z: int, x: int, y: int, encoding: str) -> str:
    digest = hashlib.sha1(f"{z}/{x}/{y}/{encoding}".encode())
    for source in sources:
        digest.update(source.path.encode())
    return f'"{digest.hexdigest()}"'


def tile_render(layer: Layer, sources: list[CogSource], z: int, x: int, y: int, encoding: str) -> tuple[bytes, str]:
    """A 256 px tile and its media type: the images' pixels in `encoding` when there are pixels everywhere, else a
    PNG transparent where there are none."""
    if not sources:
        return EMPTY_TILE, "image/png"

    def read(source: CogSource, x: int, y: int, z: int, **kwargs):
        with _readers.open(layer.version, source.path) as cog:
            img = cog.tile(x, y, z, tilesize=TILE_SIZE, indexes=source.band_indexes, **kwargs)
        if source.display_range:
            img.rescale(in_range=source.display_range)
        return img

    # One GDAL environment around the whole tile halves the environment set-ups (each one searches for the GDAL and
    # PROJ data files) that opening, reading and encoding would otherwise do on their own; it holds the store's GDAL
    # options (for an object store: ranged reads with cached headers).
    with rasterio.Env(**store().gdal_options):
        try:
            img, _ = mosaic_reader(sources, read, x, y, z, threads=0)
        except (EmptyMosaicError, TileOutsideBounds):
            return EMPTY_TILE, "image/png"
    if img.data.dtype != "uint8" or img.count not in (1, 3):
        return img.render(img_format="PNG", ZLEVEL=2), "image/png"  # rio-tiler makes a picture of anything else
    bands = np.moveaxis(img.data, 0, -1)
    mask = img.mask
    if not mask.all():
        encoding, bands = "png", np.concatenate([bands, mask[..., np.newaxis]], axis=-1)
    bands = np.ascontiguousarray(bands.squeeze(-1) if bands.shape[-1] == 1 else bands)
    return ENCODINGS[encoding](bands), f"image/{encoding}"


def tilejson(layer: Layer, tile_url: str) -> dict:
    west = min(source.bounds[0] for source in layer.sources)
    south = min(source.bounds[1] for source in layer.sources)
    east = max(source.bounds[2] for source in layer.sources)
    north = max(source.bounds[3] for source in layer.sources)
    minzoom, maxzoom = 24, 0
    with rasterio.Env(**store().gdal_options):
        for source in layer.sources:
            with _readers.open(layer.version, source.path) as cog:
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
