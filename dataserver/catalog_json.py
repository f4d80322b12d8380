"""Catalog search results as the contract's search image objects, and the signed links to own-image previews.

A search client sends no credentials to preview hosts, so the preview of an account's image is served under a
signed link that names the image and expires after DATASERVER_PREVIEW_URL_TTL seconds.
"""

import json
import uuid

import shapely
from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Image, Mosaic, Scene
from .scenes import Hit
from .serializers import iso, public_base, tile_links
from .storage import mosaic_cog_uri

PREVIEW_SALT = "dataserver.catalog-preview"


def preview_link(request, image: Image) -> str:
    token = signing.TimestampSigner(salt=PREVIEW_SALT).sign(str(image.id))
    return public_base(request) + reverse("dataserver:catalog_preview", kwargs={"token": token})


def preview_image_id(token: str) -> uuid.UUID | None:
    """The image a preview link names; None when the link is forged, mangled or expired."""
    try:
        value = signing.TimestampSigner(salt=PREVIEW_SALT).unsign(token, max_age=settings.DATASERVER_PREVIEW_URL_TTL)
        return uuid.UUID(value)
    except (signing.BadSignature, ValueError):
        return None


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
        "aoiIntersectionPercent": percent,
    }


def _scene(scene: Scene, percent: float | None) -> dict:
    return {
        "id": str(scene.id),
        "footprint": json.loads(scene.footprint),
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
        "zoom": scene.zoom,
        "aoiIntersectionPercent": percent,
    }


def search_image_json(request, hit: Hit) -> dict:
    item = hit.item
    if isinstance(item, Scene):
        return _scene(item, hit.percent)
    if isinstance(item, Mosaic):
        # Tiles exist once one of its images has a COG (mosaics_of counts them).
        tiles = tile_links(request, mosaic_cog_uri(item))["tileUrl"] if item.tiles_ready else None
        preview = {"previewType": "xyz", "previewUrl": tiles}
        return {**_blank(item, hit.provider_name, hit.percent), "productType": "MOSAIC", **preview}
    preview = {"previewType": "png", "previewUrl": preview_link(request, item)}
    return {**_blank(item, hit.provider_name, hit.percent), "productType": "IMAGE", **preview}
