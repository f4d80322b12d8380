"""The tile and preview proxy: the browser asks the dashboard, the dashboard asks the Data API with the team's client.

The upstream tile URL (it carries the mosaic's `uri`) and the token stay on the server. Tiles are relayed as they
arrive over the client's pooled keep-alive connections; `ETag`, `Cache-Control` and `304` pass through (made private:
the URLs are team-scoped); hot tiles are kept in the cache (Redis), under a key that changes whenever the mosaic does.
Tiles outside the mosaic's footprint, or of a mosaic with no ready image, are answered at once with a transparent PNG.
Only images are relayed: a tile is served under the dashboard's origin, signed ones without a page policy.
A tile URL may ask for an `encoding` (the `format` the self-hosted Data API takes: `jpeg` or `webp` for tiles with
data everywhere, PNG otherwise); the mosaic page's map asks for JPEG, the fastest to make, QGIS gets PNG.
"""

import hashlib
from dataclasses import dataclass

import urllib3
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.functional import SimpleLazyObject

from common.tiles import (  # the Data API answers the same transparent tile outside its data
    EMPTY_TILE,
    tile_bounds,
)
from dataapi.client import DataAPIClient
from dataapi.schemas import Mosaic
from teams.clients import client_for_team_id, credential_stamp_key

from .selectors import footprint_bounds

SOURCE_SECONDS = 60
CHUNK = 64 * 1024
MAX_CACHED_TILE = 512 * 1024
RELAYED_HEADERS = ("Content-Type", "Content-Length", "ETag", "Last-Modified")
DEFAULT_CACHE_CONTROL = "private, max-age=300"
EMPTY_ETAG = '"empty-' + hashlib.sha1(EMPTY_TILE).hexdigest()[:16] + '"'
ENCODINGS = ("png", "jpeg", "webp")


@dataclass(frozen=True)
class TileSource:
    """Where a mosaic's tiles come from: the upstream XYZ template (never sent to a browser), the footprint's bounds
    and a fingerprint of the mosaic's state (part of every cached tile's key)."""

    url: str
    bounds: tuple[float, float, float, float] | None
    fingerprint: str
    stamp: float  # the version of the team's credential it was read with (teams.clients.credential_stamp_key)


def _source_key(team_id: int, mosaic_id: str) -> str:
    return f"mosaics:tile-source:{team_id}:{mosaic_id}"


def _generation_key(mosaic_id: str) -> str:
    return f"mosaics:tile-generation:{mosaic_id}"


def tile_source_remember(*, team_id: int, stamp: float, mosaic: Mosaic) -> TileSource:
    """Keep the tile source of a mosaic just read with the team's credential of version `stamp` (the mosaic page does,
    so its first tiles need no lookup)."""
    generation = cache.get_or_set(_generation_key(mosaic.id), 0, timeout=None)
    state = f"{mosaic.rasterLayer.tileUrl}|{mosaic.image_count}|{mosaic.sizeInBytes}|{mosaic.footprint}|{generation}"
    source = TileSource(
        url=mosaic.rasterLayer.tileUrl,
        bounds=footprint_bounds(mosaic.footprint),
        fingerprint=hashlib.sha1(state.encode()).hexdigest(),
        stamp=stamp,
    )
    cache.set(_source_key(team_id, mosaic.id), source, SOURCE_SECONDS)
    cache.add(credential_stamp_key(team_id), stamp, timeout=None)
    return source


def tiles_changed(*, team_id: int, mosaic_id: str) -> None:
    """Forget the mosaic's tile source and every cached tile of it (after an image is added, removed or ready)."""
    cache.delete(_source_key(team_id, mosaic_id))
    key = _generation_key(mosaic_id)
    cache.add(key, 0, timeout=None)
    cache.incr(key)


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


def _answer(
    body: bytes, *, etag: str, cache_control: str, if_none_match: str | None, content_type: str = "image/png"
) -> HttpResponse:
    response = HttpResponseNotModified() if if_none_match == etag else HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def empty_tile(*, if_none_match: str | None = None) -> HttpResponse:
    return _answer(EMPTY_TILE, etag=EMPTY_ETAG, cache_control=DEFAULT_CACHE_CONTROL, if_none_match=if_none_match)


def tile_response(
    *, team_id: int, mosaic_id: str, z: int, x: int, y: int, encoding: str, if_none_match: str | None
) -> HttpResponse:
    """A tile of the mosaic as the team's account sees it, in `encoding` where it has data everywhere (one of
    ENCODINGS); NotFound for another account's mosaic. The tile source,
    the cached tile and the version of the team's credential come in one cache round trip; a cached tile counts
    only if it was made under the source's current fingerprint, and a source only if it was read with the team's
    current credential (so a changed credential takes effect at once, in every process)."""
    source_key, tile_key = _source_key(team_id, mosaic_id), f"mosaics:tile:{mosaic_id}:{z}/{x}/{y}.{encoding}"
    stamp_key = credential_stamp_key(team_id)
    found = cache.get_many([source_key, tile_key, stamp_key])
    source, stamp = found.get(source_key), found.get(stamp_key)
    team = SimpleLazyObject(lambda: client_for_team_id(team_id, stamp=stamp))
    if source is None or (stamp is not None and source.stamp != stamp):
        mosaic = team.client.mosaic_get(str(mosaic_id))
        source = tile_source_remember(team_id=team_id, stamp=team.stamp, mosaic=mosaic)
    if not source.url or _outside(source.bounds, z, x, y):
        return empty_tile(if_none_match=if_none_match)
    hit = found.get(tile_key)
    if hit is not None and hit[0] == source.fingerprint:
        _, etag, cache_control, content_type, body = hit
        return _answer(
            body, etag=etag, cache_control=cache_control, if_none_match=if_none_match, content_type=content_type
        )
    url = source.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    if encoding != "png":
        url += ("&" if "?" in url else "?") + f"format={encoding}"
    return relay(client=team.client, url=url, if_none_match=if_none_match, keep=(tile_key, source.fingerprint))


def preview_response(*, client: DataAPIClient, image_id: str, size: str, if_none_match: str | None) -> HttpResponse:
    url = client.image_preview_url(image_id, size)
    return relay(client=client, url=url, if_none_match=if_none_match)


def relay(
    *, client: DataAPIClient, url: str, if_none_match: str | None, keep: tuple[str, str] | None = None
) -> HttpResponse:
    """GET `url` with the team's client and stream the answer on; with `keep` (a cache key and a fingerprint), a 200
    small enough is kept under that key, tagged with that fingerprint. DataAPIError when no answer comes."""
    headers = {"If-None-Match": if_none_match} if if_none_match else {}
    upstream = client.relay_get(url, headers=headers, timeout=settings.MOSAICS_TILE_TIMEOUT)
    cache_control = _private(upstream.headers.get("Cache-Control"))
    if upstream.status == 304:
        upstream.release_conn()
        response = HttpResponseNotModified()
        for name in ("ETag", "Last-Modified"):
            if name in upstream.headers:
                response[name] = upstream.headers[name]
        response["Cache-Control"] = cache_control
        return response
    if upstream.status != 200 or not upstream.headers.get("Content-Type", "").startswith("image/"):
        upstream.drain_conn()
        upstream.release_conn()
        if upstream.status in (403, 404):
            return HttpResponse("Not found", status=404, content_type="text/plain")
        # Only images pass: answered under the dashboard's origin, anything else could be a page of someone else's.
        message = "The Data API failed" if upstream.status != 200 else "The Data API answered with something not an image"
        return HttpResponse(message, status=502, content_type="text/plain")
    response = StreamingHttpResponse(_stream(upstream, keep, cache_control))
    for name in RELAYED_HEADERS:
        if name in upstream.headers:
            response[name] = upstream.headers[name]
    response["Cache-Control"] = cache_control
    return response


def _stream(upstream: urllib3.BaseHTTPResponse, keep: tuple[str, str] | None, cache_control: str):
    keep = keep if settings.MOSAICS_TILE_CACHE_SECONDS else None
    kept, size, whole = [], 0, False
    try:
        for chunk in upstream.stream(CHUNK):
            size += len(chunk)
            if keep and size <= MAX_CACHED_TILE:
                kept.append(chunk)
            yield chunk
        whole = True
    finally:
        if not whole:
            upstream.close()  # the browser went away mid-tile: this connection cannot be reused
        upstream.release_conn()
    etag = upstream.headers.get("ETag")
    if keep and etag and size <= MAX_CACHED_TILE:
        key, fingerprint = keep
        content_type = upstream.headers.get("Content-Type", "")
        kept_tile = (fingerprint, etag, cache_control, content_type, b"".join(kept))
        cache.set(key, kept_tile, settings.MOSAICS_TILE_CACHE_SECONDS)
