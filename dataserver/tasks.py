"""Background work of the self-hosted Data API."""

import logging
import os

import morecantile
from celery import shared_task
from rasterio.errors import RasterioError
from rio_cogeo.cogeo import cog_translate
from rio_cogeo.profiles import cog_profiles

from .models import Image
from .storage import image_files

logger = logging.getLogger(__name__)


def cog_build(source, target) -> None:
    """Write a web-optimized COG (EPSG:3857, tiles aligned with the XYZ grid, overviews, an internal mask)."""
    profile = cog_profiles.get("deflate")
    profile.update(blockxsize=256, blockysize=256, predictor=2)
    partial = target.with_name(target.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    try:
        cog_translate(
            str(source),
            str(partial),
            profile,
            tms=morecantile.tms.get("WebMercatorQuad"),
            add_mask=True,
            in_memory=False,
            quiet=True,
            config={"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_TIFF_OVR_BLOCKSIZE": "256"},
        )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@shared_task(acks_late=True)
def image_build_cog(image_id: str) -> None:
    image = Image.objects.select_related("mosaic").filter(id=image_id).first()
    if image is None:
        return  # deleted before its turn came
    files = image_files(image)
    try:
        cog_build(files.original, files.cog)
    except (RasterioError, OSError) as exc:
        logger.warning("COG build failed for image %s: %s", image_id, exc)
        Image.objects.filter(id=image_id).update(cog_error=str(exc)[:1000])
        return
    if not Image.objects.filter(id=image_id).update(cog_ready=True, cog_error=""):
        files.delete()  # the image was deleted while its COG was being built
