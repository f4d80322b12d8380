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
import io
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import urllib3
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.functional import SimpleLazyObject
from PIL import Image as Picture

from common.tiles import (  # the Data API answers the same transparent tile outside its data
    EMPTY_TILE,
    tile_bounds,
)
from dataapi.client import DataAPIClient
from dataapi.schemas import Image, Mosaic
from teams.clients import client_for_team_id, credential_stamp_key

from .models import Kind, TrashItem
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
    # With images of the mosaic in the trash: the tile templates of each of the others, composed here (the Data API
    # would draw the trashed ones too). Empty: the mosaic's own tiles.
    layers: tuple[str, ...] = ()


def _source_key(team_id: int, mosaic_id: str) -> str:
    return f"mosaics:tile-source:{team_id}:{mosaic_id}"


def _generation_key(mosaic_id: str) -> str:
    return f"mosaics:tile-generation:{mosaic_id}"


def _image_tiles(mosaic_url: str, image: Image) -> str:
    """The tile template of one image of the mosaic: the mosaic's, naming the image's COG as `uri`."""
    parts = urlsplit(mosaic_url)
    query = [(name, image.cog_link if name == "uri" else value) for name, value in parse_qsl(parts.query)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="{}/:")))


def trashed_images_of(*, team_id: int, mosaic_id: str) -> set[str]:
    return set(
        TrashItem.objects.filter(team_id=team_id, kind=Kind.IMAGE, mosaic_id=mosaic_id).values_list(
            "upstream_id", flat=True
        )
    )


def tile_source_remember(
    *, team_id: int, stamp: float, mosaic: Mosaic, images: list[Image], trashed: set[str] = frozenset()
) -> TileSource:
    """Keep the tile source of a mosaic and its images just read with the team's credential of version `stamp` (the
    mosaic page does, so its first tiles need no lookup). The fingerprint holds which images have their COG, so an
    image that became ready (through any client) changes it. With images in the team's trash (`trashed` ids), the
    tiles are composed from the others' own."""
    generation = cache.get_or_set(_generation_key(mosaic.id), 0, timeout=None)
    shown = [image for image in images if image.cog_link and image.id not in trashed]
    url = mosaic.rasterLayer.tileUrl
    layers = ()
    if trashed and url:
        layers = tuple(_image_tiles(url, image) for image in shown)
        url = url if layers else ""
    ready = ",".join(sorted(image.id for image in shown))
    state = f"{url}|{mosaic.footprint}|{ready}|{generation}|{layers}"
    source = TileSource(
        url=url,
        bounds=footprint_bounds(mosaic.footprint),
        fingerprint=hashlib.sha1(state.encode()).hexdigest(),
        stamp=stamp,
        layers=layers,
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
        # Trashing forgets the source (tiles_changed), so a trashed mosaic always comes this way.
        if TrashItem.objects.filter(team_id=team_id, kind=Kind.MOSAIC, upstream_id=mosaic_id).exists():
            return HttpResponse("Not found", status=404, content_type="text/plain")
        mosaic, images = team.client.mosaic_get(str(mosaic_id)), team.client.mosaic_images(str(mosaic_id))
        trashed = trashed_images_of(team_id=team_id, mosaic_id=mosaic_id)
        source = tile_source_remember(team_id=team_id, stamp=team.stamp, mosaic=mosaic, images=images, trashed=trashed)
    if not source.url or _outside(source.bounds, z, x, y):
        return empty_tile(if_none_match=if_none_match)
    hit = found.get(tile_key)
    if hit is not None and hit[0] == source.fingerprint:
        _, etag, cache_control, content_type, body = hit
        return _answer(
            body, etag=etag, cache_control=cache_control, if_none_match=if_none_match, content_type=content_type
        )
    if source.layers:
        return _composed(team.client, source, z, x, y, if_none_match=if_none_match, tile_key=tile_key)
    url = source.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
    if encoding != "png":
        url += ("&" if "?" in url else "?") + f"format={encoding}"
    return relay(client=team.client, url=url, if_none_match=if_none_match, keep=(tile_key, source.fingerprint))


def _layer_tile(client: DataAPIClient, url: str) -> Picture.Image | None:
    """One image's tile, read whole (at most MAX_CACHED_TILE bytes); None when it has none there."""
    upstream = client.relay_get(url, headers={}, timeout=settings.MOSAICS_TILE_TIMEOUT)
    try:
        if upstream.status != 200 or not upstream.headers.get("Content-Type", "").startswith("image/"):
            upstream.drain_conn()
            return None
        data = upstream.read(MAX_CACHED_TILE + 1)
        if len(data) > MAX_CACHED_TILE:
            upstream.close()
            return None
    finally:
        upstream.release_conn()
    picture = Picture.open(io.BytesIO(data))
    picture.draft("RGBA", (256, 256))
    return picture.convert("RGBA")


def _composed(
    client: DataAPIClient, source: TileSource, z: int, x: int, y: int, *, if_none_match: str | None, tile_key: str
) -> HttpResponse:
    """The tile of the images not in the trash; where they overlap the first listed wins, as in the Data API's."""
    canvas = None
    for template in reversed(source.layers):
        layer = _layer_tile(client, template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)))
        if layer is not None:
            canvas = layer if canvas is None else Picture.alpha_composite(canvas, layer.resize(canvas.size))
    if canvas is None:
        return empty_tile(if_none_match=if_none_match)
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    body = out.getvalue()
    etag = '"composed-' + hashlib.sha1(body).hexdigest()[:16] + '"'
    if settings.MOSAICS_TILE_CACHE_SECONDS:
        cached = (source.fingerprint, etag, DEFAULT_CACHE_CONTROL, "image/png", body)
        cache.set(tile_key, cached, settings.MOSAICS_TILE_CACHE_SECONDS)
    return _answer(body, etag=etag, cache_control=DEFAULT_CACHE_CONTROL, if_none_match=if_none_match)


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
    length = upstream.headers.get("Content-Length", "")
    if length.isdigit() and int(length) <= MAX_CACHED_TILE:  # a tile: read whole, sent in one write
        body = client.relay_read(upstream, path=urlsplit(url).path)
        _keep(keep, upstream, cache_control, body)
        response = HttpResponse(body)
    else:
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
    if keep and size <= MAX_CACHED_TILE:
        _keep(keep, upstream, cache_control, b"".join(kept))


def _keep(keep: tuple[str, str] | None, upstream: urllib3.BaseHTTPResponse, cache_control: str, body: bytes) -> None:
    """Cache a tile (whole, at most MAX_CACHED_TILE bytes) under `keep`'s key, tagged with its fingerprint (when it
    has an ETag to be revalidated by)."""
    etag = upstream.headers.get("ETag")
    if keep and etag and settings.MOSAICS_TILE_CACHE_SECONDS:
        key, fingerprint = keep
        content_type = upstream.headers.get("Content-Type", "")
        cache.set(key, (fingerprint, etag, cache_control, content_type, body), settings.MOSAICS_TILE_CACHE_SECONDS)
