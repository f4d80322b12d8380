"""Background work of the self-hosted Data API."""

import logging
import shutil
import time
from pathlib import Path

import morecantile
import rasterio
from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings
from rasterio.enums import MaskFlags
from rasterio.vrt import WarpedVRT
from rio_cogeo.cogeo import cog_translate
from rio_cogeo.profiles import cog_profiles
from rio_cogeo.utils import get_web_optimized_params

from dataserver.models import Image, tiles_changed
from dataserver.rasters.inspection import READ_ERRORS
from dataserver.storage import STORE_ERRORS, image_files, store

logger = logging.getLogger(__name__)
WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
# From the soft time limit (the build stops between two of GDAL's calls) to the hard one (its process is killed, in
# the middle of one, as when a call runs on): a tenth of the limit, and a second.
HARD_LIMIT_MARGIN = 0.1


def cog_build(source: str, target: str, scratch: Path) -> None:
    """Store under the key `target` a web-optimized COG (EPSG:3857, tiles aligned with the XYZ grid, overviews, an
    internal mask) of the stored original `source`.

    The grid-aligned extent is larger than the image: when the source has no nodata value, alpha band or mask of its
    own, the warp adds an alpha band so that the fill around the image is masked out. Everything the build writes
    goes into the local `scratch` folder, removed however it ends: from an object store, a copy of the original; then
    rio-cogeo's uncompressed temporary file and the COG beside it.
    """
    profile = cog_profiles.get("deflate")
    profile.update(blockxsize=256, blockysize=256, predictor=2)
    shutil.rmtree(scratch, ignore_errors=True)  # of a build that was killed
    scratch.mkdir(parents=True)
    partial = scratch / "cog.tif"
    imagery = store()
    config = {"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_TIFF_OVR_BLOCKSIZE": "256"}
    try:
        # The warp goes over the original's blocks several times, as GDAL's block cache holds less than a row of a
        # wide image's beside the output's: read in ranges from an object store, a 5 GB original was fetched 3.7
        # times over, and its build took three times as long as from a folder. A copy is fetched once, in sequence.
        original = imagery.local_file(source, scratch)
        with rasterio.Env(**config), rasterio.open(original) as src:
            add_alpha = src.mask_flag_enums[0] == [MaskFlags.all_valid]
            with WarpedVRT(src, add_alpha=add_alpha, **get_web_optimized_params(src, tms=WEB_MERCATOR)) as warped:
                cog_translate(warped, str(partial), profile, add_mask=True, in_memory=False, quiet=True, config=config)
        imagery.put_file(partial, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cog_build_failed(image_id: str, message: str) -> None:
    """The image gets no tiles, and says why; nothing of its build stays on disk."""
    image = Image.objects.select_related("mosaic").filter(id=image_id).first()
    if image is None:
        return
    shutil.rmtree(image_files(image).cog_scratch, ignore_errors=True)
    Image.objects.filter(id=image_id, cog_ready=False).update(cog_error=message[:1000])


def _stopped() -> str:
    return f"The COG build was stopped at its time limit of {settings.DATASERVER_COG_TIME_LIMIT:g} s"


class CogBuildTask(Task):
    """The COG build's time limits, from the settings of the worker that runs it."""

    @property
    def soft_time_limit(self) -> float:
        return settings.DATASERVER_COG_TIME_LIMIT

    @property
    def time_limit(self) -> float:
        return settings.DATASERVER_COG_TIME_LIMIT * (1 + HARD_LIMIT_MARGIN) + 1

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # At the hard limit the build's process is killed; Celery (5.7 on) then calls this in the worker's own.
        if isinstance(exc, TimeLimitExceeded):
            cog_build_failed(args[0], _stopped())


@shared_task(base=CogBuildTask, acks_late=True, name="dataserver.tasks.image_build_cog")
def image_build_cog(image_id: str) -> None:
    image = Image.objects.select_related("mosaic").filter(id=image_id).first()
    if image is None:
        return  # deleted before its turn came
    files = image_files(image)
    started = time.monotonic()
    try:
        # GDAL reading an object store reports some short reads without failing the read: a damaged original is
        # caught here, by its size.
        stored = store().size(files.original)
        if stored != image.file_size:
            raise OSError(f"The stored original has {stored or 0} bytes of its {image.file_size}")
        cog_build(files.original, files.cog, files.cog_scratch)
    except (SoftTimeLimitExceeded, *READ_ERRORS, *STORE_ERRORS) as exc:
        # A build stopped at its limit may end in another error: its unwinding, or the worker clearing its files at
        # the hard limit meanwhile, can leave rio-cogeo's temporary file gone before rio-cogeo removes it. Past the
        # limit, the limit is what stopped it.
        past_limit = time.monotonic() - started >= settings.DATASERVER_COG_TIME_LIMIT
        message = _stopped() if isinstance(exc, SoftTimeLimitExceeded) or past_limit else str(exc)
        logger.warning("COG build of image %s failed: %s", image_id, message)
        cog_build_failed(image_id, message)
        return
    if not Image.objects.filter(id=image_id).update(cog_ready=True, cog_error=""):
        files.delete()  # the image was deleted while its COG was being built
        return
    tiles_changed(image.mosaic_id)


@shared_task(name="dataserver.tasks.stale_uploads_abort")
def stale_uploads_abort() -> None:
    """Drop the partial files and multipart uploads of uploads that stopped long ago (a process killed mid-upload)."""
    dropped = store().abort_stale_uploads(older_than=settings.DATASERVER_STALE_UPLOAD_SECONDS)
    if dropped:
        logger.info("Dropped %d stale uploads from the imagery store", dropped)
