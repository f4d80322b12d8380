"""Reads of the self-hosted Data API, always within one account."""

import uuid

from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from dataserver import errors
from dataserver.models import Account, Image, Mosaic
from dataserver.storage import image_files, store


def _per_mosaic(aggregate, **image_filters) -> Coalesce:
    """An aggregate of each mosaic's images as a subquery: a JOIN with GROUP BY would group by every column of the
    mosaic, its footprint (the union of all its images' outlines) included."""
    images = Image.objects.filter(mosaic=OuterRef("pk"), **image_filters).order_by().values("mosaic")
    return Coalesce(Subquery(images.annotate(value=aggregate).values("value"), output_field=BigIntegerField()), 0)


def mosaics_of(*, account: Account) -> QuerySet[Mosaic]:
    return Mosaic.objects.filter(account=account).annotate(
        image_count=_per_mosaic(Count("id")),
        size_in_bytes=_per_mosaic(Sum("file_size")),
        tiles_ready=_per_mosaic(Count("id"), cog_ready=True),
    )


def mosaic_list(*, account: Account, tags: list[str]) -> list[Mosaic]:
    wanted = set(tags)
    return [mosaic for mosaic in mosaics_of(account=account) if wanted.issubset(mosaic.tags)]


def mosaic_get(*, account: Account, mosaic_id: uuid.UUID) -> Mosaic:
    mosaic = mosaics_of(account=account).filter(id=mosaic_id).first()
    if mosaic is None:
        raise errors.ItemNotFound(uid=str(mosaic_id), instance_type="mosaic")
    return mosaic


def image_get(*, account: Account, image_id: uuid.UUID) -> Image:
    image = Image.objects.select_related("mosaic").filter(id=image_id, mosaic__account=account).first()
    if image is None:
        raise errors.ItemNotFound(uid=str(image_id), instance_type="image")
    return image


def image_is_linked(*, account: Account, source_url: str) -> bool:
    """Whether an image of the account was already copied from this link."""
    return Image.objects.filter(mosaic__account=account, source_url=source_url).exists()


def image_original(*, account: Account, image: Image) -> str:
    """The key of an image's original, for download: ImageNotDownloadable when the account's originals may not leave the
    server, ImageDataNotAvailable until its ingest has ended (its COG built or failed) or when the file is missing."""
    if not account.originals_downloadable:
        raise errors.ImageNotDownloadable(uid=str(image.id), instance_type="image")
    key = image_files(image).original
    if not (image.cog_ready or image.cog_error) or store().size(key) is None:
        raise errors.ImageDataNotAvailable(uid=str(image.id), instance_type="image")
    return key
