"""Changes to accounts' mosaics and images. Each either completes or leaves nothing behind."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from shapely import wkt
from shapely.geometry import MultiPolygon
from shapely.ops import unary_union

from common.image_fit import IMAGE_EXTENSIONS, mosaic_mismatch
from dataserver import errors
from dataserver.models import Account, Image, Mosaic
from dataserver.rasters import inspection
from dataserver.storage import ImageFiles, image_files, mosaic_delete_files

MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class IncomingFile:
    """A file that has fully arrived in the imagery store as the original of `files`, with its SHA-1."""

    files: ImageFiles
    filename: str
    size: int
    checksum: str
    source_url: str = ""


def account_memory_used(*, account: Account) -> int:
    return Image.objects.filter(mosaic__account=account).aggregate(total=Sum("file_size"))["total"] or 0


def require_writable(account: Account, uid: uuid.UUID, instance_type: str) -> None:
    if account.read_only:
        raise errors.AccessDenied(uid=str(uid), instance_type=instance_type)


def mosaic_create(*, account: Account, name: str, tags: list[str]) -> Mosaic:
    require_writable(account, account.id, "mosaic")
    return Mosaic.objects.create(account=account, name=name, tags=tags)


def mosaic_update(*, account: Account, mosaic: Mosaic, name: str, tags: list[str] | None) -> Mosaic:
    require_writable(account, mosaic.id, "mosaic")
    mosaic.name = name
    if tags is not None:
        mosaic.tags = tags
    mosaic.save(update_fields=["name", "tags"])
    return mosaic


def mosaic_delete(*, account: Account, mosaic: Mosaic) -> None:
    require_writable(account, mosaic.id, "mosaic")
    account_id, mosaic_id = mosaic.account_id, mosaic.id  # delete() forgets the id
    mosaic.delete()
    mosaic_delete_files(account_id, mosaic_id)


def mosaic_refresh_footprint(*, mosaic: Mosaic) -> None:
    shapes = [wkt.loads(text) for text in mosaic.images.values_list("footprint", flat=True)]
    if not shapes:
        mosaic.footprint = None
    else:
        union = unary_union(shapes).simplify(inspection.FOOTPRINT_TOLERANCE, preserve_topology=True)
        parts = list(union.geoms) if hasattr(union, "geoms") else [union]
        mosaic.footprint = MultiPolygon([part for part in parts if part.geom_type == "Polygon"]).wkt
    mosaic.save(update_fields=["footprint"])


def _check_size_and_quota(account: Account, size: int) -> None:
    if size > account.max_upload_file_size:
        raise errors.FileTooBig(actual_file_size=size, max_file_size=account.max_upload_file_size)
    if account.memory_limit is not None:
        available = account.memory_limit - account_memory_used(account=account)
        if size > available:
            raise errors.MemoryLimitExceeded(available_memory=available, memory_requested=size)


def _check_matches_mosaic(mosaic: Mosaic, meta: dict, filename: str) -> None:
    first = mosaic.images.order_by("uploaded_at", "id").first()
    if first is None:
        return
    mismatch = mosaic_mismatch(meta, first.meta_data)
    if mismatch:
        name, got, want = mismatch
        raise errors.FileValidationFailed(
            mosaic_id=str(mosaic.id), filename=filename, param_name=name, got_param=got, expected_param=want
        )


def image_ingest(*, account: Account, mosaic: Mosaic, incoming: IncomingFile, max_pixel_count: int) -> Image:
    """Check a file in the contract's order and make it an image of the mosaic.

    The incoming file is the image's original already; on any failure it and every file written here are removed
    and no row is left.
    """
    files = incoming.files
    try:
        return _ingest(account=account, mosaic=mosaic, incoming=incoming, max_pixel_count=max_pixel_count)
    except BaseException:
        files.delete()
        raise


def _ingest(*, account: Account, mosaic: Mosaic, incoming: IncomingFile, max_pixel_count: int) -> Image:
    files = incoming.files
    require_writable(account, mosaic.id, "mosaic")
    _check_size_and_quota(account, incoming.size)
    if not incoming.filename.lower().endswith(IMAGE_EXTENSIONS):
        raise errors.FileOpenError(filename=incoming.filename)
    info = inspection.raster_inspect(
        files.original,
        filename=incoming.filename,
        max_pixel_count=max_pixel_count,
        max_total_pixels=settings.DATASERVER_MAX_TOTAL_PIXELS,
        matches=lambda meta: _check_matches_mosaic(mosaic, meta, incoming.filename),
    )

    filename = _fitting_filename(incoming.filename)
    image_id = files.image_id
    inspection.previews_write(
        files.original,
        info,
        {size: files.preview(size) for size in ("s", "l")},
        filename=incoming.filename,
        time_limit=settings.DATASERVER_PREVIEW_TIME_LIMIT,
    )
    with transaction.atomic():
        # One upload at a time per account past this point, so two uploads cannot both fit the last free bytes,
        # nor both become the first image of an empty mosaic with different CRSs.
        Account.objects.select_for_update().filter(id=account.id).first()
        _check_size_and_quota(account, incoming.size)
        _check_matches_mosaic(mosaic, info.meta_data, incoming.filename)
        west, south, east, north = info.footprint.bounds
        image = Image.objects.create(
            id=image_id,
            mosaic=mosaic,
            filename=filename,
            file_size=incoming.size,
            checksum=incoming.checksum,
            meta_data=info.meta_data,
            footprint=info.footprint.wkt,
            west=west,
            south=south,
            east=east,
            north=north,
            band_indexes=info.band_indexes,
            display_range=info.display_range,
            source_url=incoming.source_url,
        )
        mosaic_refresh_footprint(mosaic=mosaic)
        transaction.on_commit(lambda: queue_cog_build(image_id))
    return image


def _fitting_filename(filename: str) -> str:
    """The name shortened to the 255 characters an image name may have, its extension kept."""
    if len(filename) <= MAX_NAME_LENGTH:
        return filename
    stem, dot, extension = filename.rpartition(".")
    return stem[: MAX_NAME_LENGTH - len(dot + extension)] + dot + extension


def queue_cog_build(image_id: uuid.UUID) -> None:
    from dataserver.tasks import image_build_cog

    image_build_cog.delay(str(image_id))


def image_rename(*, account: Account, image: Image, name: str) -> Image:
    require_writable(account, image.id, "image")
    image.filename = name
    image.save(update_fields=["filename"])
    return image


def image_delete(*, account: Account, image: Image) -> None:
    require_writable(account, image.id, "image")
    files = image_files(image)
    mosaic = image.mosaic
    with transaction.atomic():
        image.delete()
        mosaic_refresh_footprint(mosaic=mosaic)
    files.delete()
