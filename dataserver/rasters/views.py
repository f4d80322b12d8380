"""Tiles of the self-hosted Data API: /api/v0/cogs/tiles/{z}/{x}/{y}.png?uri=... and tiles.json?uri=...

No credentials: the unguessable `uri` is the capability, resolved only through the database.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET

from common.tiles import tile_in_grid
from dataserver.rasters import serializers, tiles
from dataserver.storage import parse_cog_uri


def _not_found(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=404)


def _target_images(request):
    uri = request.GET.get("uri", "")
    target = parse_cog_uri(uri)
    images = tiles.target_images(target) if target else None
    return uri, target, images


@require_GET
def tile(request, z: int, x: int, y: int):
    if not tile_in_grid(z, x, y):
        return _not_found(f"Tile {z}/{x}/{y} does not exist")
    uri, target, images = _target_images(request)
    if images is None:
        return _not_found("No COG at this uri")
    sources = tiles.cog_sources(target, images, z, x, y)
    etag = tiles.tile_etag(sources, z, x, y)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={settings.DATASERVER_TILE_CACHE_SECONDS}"}
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(tiles.tile_render(sources, z, x, y), content_type="image/png")
    for name, value in headers.items():
        response[name] = value
    return response


@require_GET
def tilejson(request):
    uri, target, images = _target_images(request)
    if not images:
        return _not_found("No COG at this uri")
    links = serializers.tile_links(request, uri)
    return JsonResponse(tiles.tilejson(target, images, links["tileUrl"]))
