"""Tiles of the self-hosted Data API: /api/v0/cogs/tiles/{z}/{x}/{y}.png?uri=... and tiles.json?uri=...

No credentials: the unguessable `uri` is the capability, resolved only through the database.
A tile is a PNG unless the client asks for `format=jpeg` or `format=webp`: then a tile with data everywhere comes in
that format (its Content-Type says which), one with transparent pixels still as a PNG.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.views.decorators.http import require_GET

from common.tiles import tile_in_grid
from dataserver.rasters import serializers, tiles
from dataserver.storage import parse_cog_uri


def _not_found(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=404)


def _layer(request):
    uri = request.GET.get("uri", "")
    target = parse_cog_uri(uri)
    return uri, tiles.layer(target) if target else None


@require_GET
def tile(request, z: int, x: int, y: int):
    if not tile_in_grid(z, x, y):
        return _not_found(f"Tile {z}/{x}/{y} does not exist")
    encoding = request.GET.get("format", "png")
    if encoding not in tiles.ENCODINGS:
        return JsonResponse({"detail": f"format must be one of {', '.join(tiles.ENCODINGS)}"}, status=400)
    _, layer = _layer(request)
    if layer is None:
        return _not_found("No COG at this uri")
    sources = layer.sources_at(z, x, y)
    etag = tiles.tile_etag(sources, z, x, y, encoding)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        body, media_type = tiles.tile_render(layer, sources, z, x, y, encoding)
        response = HttpResponse(body, content_type=media_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.DATASERVER_TILE_CACHE_SECONDS}"
    return response


@require_GET
def tilejson(request):
    uri, layer = _layer(request)
    if layer is None or not layer.sources:
        return _not_found("No COG at this uri")
    links = serializers.tile_links(request, uri)
    return JsonResponse(tiles.tilejson(layer, links["tileUrl"]))
