"""The tile and preview proxy: the browser asks the dashboard, the dashboard asks the Data API with the team's client.

The upstream tile URL (it carries the mosaic's `uri`) and the token stay on the server. Tiles are relayed as they
arrive over the client's pooled keep-alive connections; `ETag`, `Cache-Control` and `304` pass through (made private:
the URLs are team-scoped); hot tiles are kept in the cache (Redis), under a key that changes whenever the mosaic does.
Tiles outside the mosaic's footprint, or of a mosaic with no ready image, are answered at once with a transparent PNG.
"""

import hashlib
import math
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse

from dataapi.client import DataAPIClient
from dataapi.schemas import Mosaic
from dataserver.tiles import EMPTY_TILE  # the same transparent 256 px PNG the Data API answers outside its data

from .selectors import footprint_bounds, mosaic_get

SOURCE_SECONDS = 60
CHUNK = 64 * 1024
MAX_CACHED_TILE = 512 * 1024
RELAYED_HEADERS = ("Content-Type", "Content-Length", "ETag", "Last-Modified")
DEFAULT_CACHE_CONTROL = "private, max-age=300"
EMPTY_ETAG = '"empty-' + hashlib.sha1(EMPTY_TILE).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class TileSource:
    """Where a mosaic's tiles come from: the upstream XYZ template (never sent to a browser), the footprint's bounds
    and a fingerprint of the mosaic's state (part of every cached tile's key)."""

    url: str
    bounds: tuple[float, float, float, float] | None
    fingerprint: str


def _source_key(team_id: int, mosaic_id: str) -> str:
    return f"mosaics:tile-source:{team_id}:{mosaic_id}"


def _generation_key(mosaic_id: str) -> str:
    return f"mosaics:tile-generation:{mosaic_id}"


def tile_source(*, client: DataAPIClient, team_id: int, mosaic_id: str) -> TileSource:
    """The mosaic's tile source as the team's account sees it (kept briefly); NotFound for another account's mosaic."""
    source = cache.get(_source_key(team_id, mosaic_id))
    if source is None:
        source = tile_source_remember(team_id=team_id, mosaic=mosaic_get(client=client, mosaic_id=mosaic_id))
    return source


def tile_source_remember(*, team_id: int, mosaic: Mosaic) -> TileSource:
    """Keep the tile source of a mosaic just read (the mosaic page does, so its first tiles need no lookup)."""
    generation = cache.get_or_set(_generation_key(mosaic.id), 0, timeout=None)
    state = f"{mosaic.rasterLayer.tileUrl}|{mosaic.image_count}|{mosaic.sizeInBytes}|{mosaic.footprint}|{generation}"
    source = TileSource(
        url=mosaic.rasterLayer.tileUrl,
        bounds=footprint_bounds(mosaic.footprint),
        fingerprint=hashlib.sha1(state.encode()).hexdigest(),
    )
    cache.set(_source_key(team_id, mosaic.id), source, SOURCE_SECONDS)
    return source


def tiles_changed(*, team_id: int, mosaic_id: str) -> None:
    """Forget the mosaic's tile source and every cached tile of it (after an image is added, removed or ready)."""
    cache.delete(_source_key(team_id, mosaic_id))
    key = _generation_key(mosaic_id)
    cache.add(key, 0, timeout=None)
    cache.incr(key)


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of an XYZ tile."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def _outside(bounds: tuple[float, float, float, float] | None, z: int, x: int, y: int) -> bool:
    if bounds is None:
        return True
    west, south, east, north = tile_bounds(z, x, y)
    return west > bounds[2] or east < bounds[0] or south > bounds[3] or north < bounds[1]


def _private(cache_control: str | None) -> str:
    if not cache_control:
        return DEFAULT_CACHE_CONTROL
    parts = [part.strip() for part in cache_control.split(",") if part.strip().lower() not in {"public", "private"}]
    return ", ".join(["private", *parts])


def _answer(body: bytes, *, etag: str, cache_control: str, if_none_match: str | None) -> HttpResponse:
    response = HttpResponseNotModified() if if_none_match == etag else HttpResponse(body, content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def empty_tile(*, if_none_match: str | None = None) -> HttpResponse:
    return _answer(EMPTY_TILE, etag=EMPTY_ETAG, cache_control=DEFAULT_CACHE_CONTROL, if_none_match=if_none_match)


def tile_response(
    *, client: DataAPIClient, source: TileSource, z: int, x: int, y: int, if_none_match: str | None
) -> HttpResponse:
    if not source.url or _outside(source.bounds, z, x, y):
        return empty_tile(if_none_match=if_none_match)
    key = f"mosaics:tile:{source.fingerprint}:{z}/{x}/{y}"
    hit = cache.get(key)
    if hit is not None:
        etag, cache_control, body = hit
        return _answer(body, etag=etag, cache_control=cache_control, if_none_match=if_none_match)
    url = source.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    return relay(client=client, url=url, if_none_match=if_none_match, cache_key=key)


def preview_response(*, client: DataAPIClient, image_id: str, size: str, if_none_match: str | None) -> HttpResponse:
    url = f"{client.base_url}/rasters/image/{image_id}/preview/{size}"
    return relay(client=client, url=url, if_none_match=if_none_match)


def relay(*, client: DataAPIClient, url: str, if_none_match: str | None, cache_key: str | None = None) -> HttpResponse:
    """GET `url` with the team's session and stream the answer on; a 200 small enough is kept under `cache_key`."""
    headers = {"If-None-Match": if_none_match} if if_none_match else {}
    try:
        upstream = client.session.get(url, headers=headers, stream=True, timeout=settings.MOSAICS_TILE_TIMEOUT)
    except requests.Timeout:
        return HttpResponse("The Data API did not answer in time", status=504, content_type="text/plain")
    except requests.RequestException:
        return HttpResponse("The Data API cannot be reached", status=502, content_type="text/plain")
    cache_control = _private(upstream.headers.get("Cache-Control"))
    if upstream.status_code == 304:
        upstream.close()
        response = HttpResponseNotModified()
        for name in ("ETag", "Last-Modified"):
            if name in upstream.headers:
                response[name] = upstream.headers[name]
        response["Cache-Control"] = cache_control
        return response
    if upstream.status_code != 200:
        upstream.close()
        status = 404 if upstream.status_code in (403, 404) else 502
        return HttpResponse("Not found" if status == 404 else "The Data API failed", status=status,
                            content_type="text/plain")
    response = StreamingHttpResponse(_stream(upstream, cache_key, cache_control))
    for name in RELAYED_HEADERS:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    response["Cache-Control"] = cache_control
    return response


def _stream(upstream: requests.Response, cache_key: str | None, cache_control: str):
    kept, size = [], 0
    try:
        for chunk in upstream.iter_content(CHUNK):
            size += len(chunk)
            if cache_key and size <= MAX_CACHED_TILE:
                kept.append(chunk)
            yield chunk
    finally:
        upstream.close()
    etag = upstream.headers.get("ETag")
    if cache_key and etag and size <= MAX_CACHED_TILE:
        cache.set(cache_key, (etag, cache_control, b"".join(kept)), settings.MOSAICS_TILE_CACHE_SECONDS)
