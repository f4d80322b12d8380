"""Catalog search results as the contract's search image objects.

A search client sends no credentials to preview hosts, so the preview of an account's image is given as a signed
link (signed_links.previews) that expires after DATASERVER_PREVIEW_URL_TTL seconds.
"""

import json

import shapely

from dataserver.catalog.scenes import Hit
from dataserver.models import Mosaic, Scene
from dataserver.rasters import signed_links
from dataserver.rasters.serializers import iso, tile_links
from dataserver.storage import mosaic_cog_uri

# Quicklooks are single pictures of a scene; tile templates (xyz, tms) are not.
QUICKLOOK_TYPES = ("png", "jpg")
# What this server's results never have: a provider's minimum order area, and the "new since the last look" flag
# of a template's results.
NOT_APPLICABLE = {"minAreaSqkm": None, "isNew": None}


def _previews(preview_type: str | None, preview_url: str | None, footprint: dict) -> list[dict]:
    """The picture previews of a result: its quicklook, laid over its footprint, if it has one."""
    return [{"url": preview_url, "geometry": footprint}] if preview_type in QUICKLOOK_TYPES and preview_url else []


def _blank(item, provider: str, percent: float | None) -> dict:
    """A search image of the account's own imagery: metadata it does not have is null."""
    return {
        "id": str(item.id),
        "footprint": json.loads(shapely.to_geojson(shapely.from_wkt(item.footprint))),
        "pixelResolution": None,
        "acquisitionDate": None,
        "sensor": None,
        "satId": None,
        "colorBandOrder": None,
        "cloudCover": None,
        "offNadirAngle": None,
        "providerName": provider,
        "zoom": None,
        **NOT_APPLICABLE,
        "aoiIntersectionPercent": percent,
    }


def _scene(scene: Scene, percent: float | None) -> dict:
    footprint = json.loads(scene.footprint)
    return {
        "id": scene.scene_id,
        "footprint": footprint,
        "pixelResolution": scene.resolution,
        "acquisitionDate": iso(scene.acquired_at) if scene.acquired_at else None,
        "productType": scene.product_type,
        "sensor": scene.sensor,
        "satId": scene.sat_id,
        "colorBandOrder": scene.color_band_order,
        "cloudCover": scene.cloud_cover,
        "offNadirAngle": scene.off_nadir,
        "providerName": scene.provider_name,
        "previewType": scene.preview_type,
        "previewUrl": scene.preview_url,
        "previews": _previews(scene.preview_type, scene.preview_url, footprint),
        "zoom": scene.zoom,
        **NOT_APPLICABLE,
        "aoiIntersectionPercent": percent,
    }


def search_image_json(request, hit: Hit) -> dict:
    item = hit.item
    if isinstance(item, Scene):
        return _scene(item, hit.percent)
    if isinstance(item, Mosaic):
        # Tiles exist once one of its images has a COG (mosaics_of counts them).
        tiles = tile_links(request, mosaic_cog_uri(item))["tileUrl"] if item.tiles_ready else None
        preview = {"previewType": "xyz", "previewUrl": tiles, "previews": []}
        return {**_blank(item, hit.provider_name, hit.percent), "productType": "MOSAIC", **preview}
    found = _blank(item, hit.provider_name, hit.percent)
    link = signed_links.previews.link(request, item.id)
    preview = {"previewType": "png", "previewUrl": link, "previews": _previews("png", link, found["footprint"])}
    return {**found, "productType": "IMAGE", **preview}
