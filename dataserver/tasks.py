"""Background work of the self-hosted Data API."""

import logging
import os

import morecantile
import rasterio
from celery import shared_task
from rasterio.enums import MaskFlags
from rasterio.vrt import WarpedVRT
from rio_cogeo.cogeo import cog_translate
from rio_cogeo.profiles import cog_profiles
from rio_cogeo.utils import get_web_optimized_params

from .models import Image
from .rasters import READ_ERRORS
from .storage import image_files

logger = logging.getLogger(__name__)
WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")


def cog_build(source, target) -> None:
    """Write a web-optimized COG (EPSG:3857, tiles aligned with the XYZ grid, overviews, an internal mask).

    The grid-aligned extent is larger than the image: when the source has no nodata value, alpha band or mask of its
    own, the warp adds an alpha band so that the fill around the image is masked out.
    """
    profile = cog_profiles.get("deflate")
    profile.update(blockxsize=256, blockysize=256, predictor=2)
    partial = target.with_name(target.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    config = {"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_TIFF_OVR_BLOCKSIZE": "256"}
    try:
        with rasterio.Env(**config), rasterio.open(source) as src:
            add_alpha = src.mask_flag_enums[0] == [MaskFlags.all_valid]
            with WarpedVRT(src, add_alpha=add_alpha, **get_web_optimized_params(src, tms=WEB_MERCATOR)) as warped:
                cog_translate(warped, str(partial), profile, add_mask=True, in_memory=False, quiet=True, config=config)
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
    except (*READ_ERRORS, OSError) as exc:
        logger.warning("COG build failed for image %s: %s", image_id, exc)
        Image.objects.filter(id=image_id).update(cog_error=str(exc)[:1000])
        return
    if not Image.objects.filter(id=image_id).update(cog_ready=True, cog_error=""):
        files.delete()  # the image was deleted while its COG was being built
