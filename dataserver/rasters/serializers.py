"""Rows of the self-hosted Data API as the contract's JSON objects."""

import functools
import uuid
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse

from dataserver.models import Account, Image, Mosaic
from dataserver.storage import image_files, mosaic_cog_uri, store

TILES_PATH = "/api/v0/cogs"


def public_base(request) -> str:
    """The scheme and host written into tile and preview links."""
    return settings.DATASERVER_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def tile_links(request, uri: str) -> dict:
    prefix = public_base(request) + TILES_PATH
    query = "?uri=" + quote(uri, safe=":/")
    return {"tileUrl": prefix + "/tiles/{z}/{x}/{y}.png" + query, "tileJsonUrl": prefix + "/tiles.json" + query}


def mosaic_created_json(mosaic: Mosaic) -> dict:
    return {"id": str(mosaic.id), "name": mosaic.name, "tags": mosaic.tags, "created_at": iso(mosaic.created_at)}


def mosaic_json(request, mosaic: Mosaic) -> dict:
    """Needs the annotations of selectors.mosaics_of (image_count, size_in_bytes, tiles_ready)."""
    ready = mosaic.tiles_ready > 0
    return {
        **mosaic_created_json(mosaic),
        "rasterLayer": tile_links(request, mosaic_cog_uri(mosaic)) if ready else {"tileUrl": "", "tileJsonUrl": ""},
        "footprint": mosaic.footprint,
        "sizeInBytes": mosaic.size_in_bytes or 0,
        "image_count": mosaic.image_count,
    }


@functools.cache
def _preview_path() -> str:
    """The preview path with `{id}` and `{size}` to fill in: reverse() once, not twice per image of a list."""
    placeholder = uuid.UUID(int=0)
    path = reverse("dataserver:image_preview", kwargs={"image_id": placeholder, "size": "s"})
    return path.replace(str(placeholder), "{id}")[: -len("s")] + "{size}"


def image_json(request, image: Image) -> dict:
    """An image of the caller's account (`request.auth`)."""
    files = image_files(image)
    preview = public_base(request) + _preview_path()
    return {
        "id": str(image.id),
        "mosaic_id": str(image.mosaic_id),
        "image_url": store().uri(files.original),
        "preview_url_s": preview.format(id=image.id, size="s"),
        "preview_url_l": preview.format(id=image.id, size="l"),
        "uploaded_at": iso(image.uploaded_at),
        "file_size": image.file_size,
        "footprint": image.footprint,
        "filename": image.filename,
        "checksum": image.checksum,
        "meta_data": image.meta_data,
        "cog_link": store().uri(files.cog) if image.cog_ready else None,
        "available_for_download": request.auth.originals_downloadable,
    }


def memory_json(account: Account, used: int) -> dict:
    limit = account.memory_limit
    return {
        "memoryLimit": limit,
        "memoryUsed": used,
        "memoryFree": None if limit is None else limit - used,
        "maxUploadFileSize": account.max_upload_file_size,
        "maxPixelCount": account.max_pixel_count,
        "maxTotalPixels": settings.DATASERVER_MAX_TOTAL_PIXELS,
    }
