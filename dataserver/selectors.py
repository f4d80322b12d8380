"""Reads of the self-hosted Data API, always within one account."""

import uuid

from django.db.models import Count, Q, QuerySet, Sum

from . import errors
from .models import Account, Image, Mosaic


def mosaics_of(*, account: Account) -> QuerySet[Mosaic]:
    return Mosaic.objects.filter(account=account).annotate(
        image_count=Count("images"),
        size_in_bytes=Sum("images__file_size"),
        tiles_ready=Count("images", filter=Q(images__cog_ready=True)),
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
