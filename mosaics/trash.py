"""The team's trash: a mosaic or an image deleted in the dashboard is hidden from the team's pages and tiles at once
and deleted from the Data API only after TRASH_RETENTION_DAYS (by `mosaics.tasks.trash_purge_due`), or when an admin
empties the trash; restorable until then. What the trash holds is still stored upstream, so it still counts against
the account's storage. Deletes made outside the dashboard (curl, QGIS) never pass through it."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from audit.models import Action
from audit.services import entry_record
from dataapi import errors as api_errors
from dataapi.schemas import Image, Mosaic
from teams.clients import client_for_team_id

from .models import Kind, TrashItem
from .proxy import tiles_changed

ACTIONS = {  # what the log calls each change, by kind: (moved to the trash, restored, deleted for good)
    Kind.MOSAIC: (Action.MOSAIC_TRASH, Action.MOSAIC_RESTORE, Action.MOSAIC_DELETE),
    Kind.IMAGE: (Action.IMAGE_TRASH, Action.IMAGE_RESTORE, Action.IMAGE_DELETE),
}


# A purge that started this long ago and left its item behind died on the way (its worker was killed): the item may
# be claimed again. A run within this time finds it claimed and does nothing.
PURGE_STALE = timedelta(hours=1)


def _claimable() -> Q:
    return Q(purge_started_at__isnull=True) | Q(purge_started_at__lt=timezone.now() - PURGE_STALE)


def purge_at(item: TrashItem) -> datetime:
    """When the retention deletes the item from the Data API."""
    return item.deleted_at + timedelta(days=settings.TRASH_RETENTION_DAYS)


# --- Reads ---


def team_trash(*, team_id: int) -> QuerySet[TrashItem]:
    return TrashItem.objects.filter(team_id=team_id).select_related("deleted_by")


def trashed_ids(*, team_id: int, kind: Kind) -> set[str]:
    return set(TrashItem.objects.filter(team_id=team_id, kind=kind).values_list("upstream_id", flat=True))


def hidden_imagery(*, client, team_id: int) -> set[str]:
    """The ids of the team's own imagery that its pages leave out: the mosaics and images in its trash and the images
    of those mosaics (one call to the Data API per mosaic in the trash)."""
    items = list(TrashItem.objects.filter(team_id=team_id).values_list("kind", "upstream_id"))
    hidden = {upstream_id for _, upstream_id in items}
    for kind, upstream_id in items:
        if kind == Kind.MOSAIC:
            try:
                hidden |= {image.id for image in client.mosaic_images(upstream_id)}
            except api_errors.NotFound:  # deleted upstream meanwhile: it has no images left to hide
                pass
    return hidden


def is_trashed(*, team_id: int, kind: Kind, upstream_id: str) -> bool:
    return TrashItem.objects.filter(team_id=team_id, kind=kind, upstream_id=str(upstream_id)).exists()


def trash_size(*, team_id: int) -> int:
    """The bytes the trash holds (images of trashed mosaics counted with their mosaic)."""
    return TrashItem.objects.filter(team_id=team_id).aggregate(total=Sum("size"))["total"] or 0


# --- Writes ---


def _record(item: TrashItem, *, actor, which: int) -> None:
    entry_record(
        team_id=item.team_id,
        actor=actor,
        action=ACTIONS[Kind(item.kind)][which],
        object_type=item.kind,
        object_id=item.upstream_id,
        name=item.name,
        details={"mosaic_id": item.mosaic_id, "size": item.size},
    )


def _trash(*, team_id: int, actor, kind: Kind, upstream_id: str, mosaic_id: str, name: str, size: int) -> TrashItem:
    with transaction.atomic():
        item, created = TrashItem.objects.get_or_create(
            team_id=team_id,
            kind=kind,
            upstream_id=upstream_id,
            defaults={
                "mosaic_id": mosaic_id,
                "name": name,
                "size": size,
                "deleted_by": actor,
                "deleted_at": timezone.now(),
            },
        )
        if created:  # (a second click of Delete changes nothing)
            _record(item, actor=actor, which=0)
    tiles_changed(team_id=team_id, mosaic_id=mosaic_id)
    return item


def mosaic_trash(*, team_id: int, actor, mosaic: Mosaic) -> TrashItem:
    return _trash(
        team_id=team_id,
        actor=actor,
        kind=Kind.MOSAIC,
        upstream_id=mosaic.id,
        mosaic_id=mosaic.id,
        name=mosaic.name,
        size=mosaic.sizeInBytes,
    )


def image_trash(*, team_id: int, actor, image: Image) -> TrashItem:
    return _trash(
        team_id=team_id,
        actor=actor,
        kind=Kind.IMAGE,
        upstream_id=image.id,
        mosaic_id=image.mosaic_id,
        name=image.filename,
        size=image.file_size,
    )


def item_restore(*, team_id: int, item_id: int, actor) -> TrashItem | None:
    """Take the item out of the trash; None when it is no longer there (restored, or being deleted)."""
    with transaction.atomic():
        item = (
            TrashItem.objects.select_for_update()
            .filter(pk=item_id, team_id=team_id, purge_started_at__isnull=True)
            .first()
        )
        if item is None:
            return None
        item.delete()
        _record(item, actor=actor, which=1)
    tiles_changed(team_id=team_id, mosaic_id=item.mosaic_id)
    return item


def _delete_upstream(client, item: TrashItem) -> None:
    try:
        if item.kind == Kind.MOSAIC:
            client.mosaic_delete(item.upstream_id)
        else:
            client.image_delete(item.upstream_id)
    except api_errors.NotFound:
        pass  # already gone upstream (deleted outside the dashboard): nothing left to do


def item_purge(*, item_id: int, actor=None, due_only: bool = True) -> bool:
    """Delete the item from the Data API, once: the run that sets `purge_started_at` (a conditional UPDATE, which one
    run wins on any database) is the only one that calls the API; a redelivered or concurrent run finds it set, or
    the row gone. With `due_only`, only once its retention has passed. False when this run had nothing to do. A
    failed call leaves the item in the trash for the next run."""
    claim = TrashItem.objects.filter(_claimable(), pk=item_id)
    if due_only:
        claim = claim.filter(deleted_at__lte=timezone.now() - timedelta(days=settings.TRASH_RETENTION_DAYS))
    if not claim.update(purge_started_at=timezone.now()):
        return False
    item = TrashItem.objects.get(pk=item_id)
    try:
        _delete_upstream(client_for_team_id(item.team_id).client, item)
    except Exception:
        TrashItem.objects.filter(pk=item_id).update(purge_started_at=None)
        raise
    with transaction.atomic():
        item.delete()
        _record(item, actor=actor, which=2)
    tiles_changed(team_id=item.team_id, mosaic_id=item.mosaic_id)
    return True


def items_due() -> list[int]:
    cutoff = timezone.now() - timedelta(days=settings.TRASH_RETENTION_DAYS)
    return list(TrashItem.objects.filter(_claimable(), deleted_at__lte=cutoff).values_list("pk", flat=True))


def trash_empty(*, team_id: int, actor) -> tuple[int, list[str]]:
    """Delete everything in the team's trash from the Data API now: (how many went, what failed and why)."""
    done, failed = 0, []
    for item in team_trash(team_id=team_id).filter(_claimable()):
        try:
            done += item_purge(item_id=item.pk, actor=actor, due_only=False)
        except api_errors.DataAPIError as exc:
            failed.append(f"{item.name}: {exc.message}")
    return done, failed
