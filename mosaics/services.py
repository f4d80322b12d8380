"""Changes to mosaics and images through the team's Data API client, each recorded in the team's audit log with
who made it (deletes that go through the trash are in `trash.py`).

Every change that alters what a mosaic's tiles show also forgets its cached tiles (`tiles_changed`) and the team's
cached storage gauge.
"""

from audit.models import Action
from audit.services import entry_record
from dataapi.client import DataAPIClient
from dataapi.schemas import Image, Mosaic, MosaicCreated
from teams.services import team_storage_changed

from .proxy import tiles_changed


def mosaic_create(*, client: DataAPIClient, team_id: int, actor, name: str, tags: list[str]) -> MosaicCreated:
    created = client.mosaic_create(name=name, tags=tags)
    entry_record(
        team_id=team_id,
        actor=actor,
        action=Action.MOSAIC_CREATE,
        object_type="mosaic",
        object_id=created.id,
        name=created.name,
        details={"tags": tags},
    )
    return created


def mosaic_update(*, client: DataAPIClient, team_id: int, actor, mosaic_id: str, name: str, tags: list[str]) -> None:
    """Rename or retag the mosaic; the log tells each of the two that changed, from what to what."""
    before = client.mosaic_get(str(mosaic_id))
    client.mosaic_update(str(mosaic_id), name=name, tags=tags)
    record = {"team_id": team_id, "actor": actor, "object_type": "mosaic", "object_id": before.id, "name": name}
    if before.name != name:
        entry_record(action=Action.MOSAIC_RENAME, details={"from": before.name, "to": name}, **record)
    if before.tags != tags:
        entry_record(action=Action.MOSAIC_TAGS, details={"from": before.tags, "to": tags}, **record)


def mosaic_delete(*, client: DataAPIClient, team_id: int, actor, mosaic: Mosaic) -> None:
    """Delete for good at once, bypassing the trash (when the storage must be freed now)."""
    client.mosaic_delete(mosaic.id)
    entry_record(
        team_id=team_id,
        actor=actor,
        action=Action.MOSAIC_DELETE,
        object_type="mosaic",
        object_id=mosaic.id,
        name=mosaic.name,
        details={"size": mosaic.sizeInBytes, "immediate": True},
    )
    tiles_changed(team_id=team_id, mosaic_id=mosaic.id)
    team_storage_changed(team_id=team_id)


def image_rename(*, client: DataAPIClient, team_id: int, actor, image: Image, name: str) -> None:
    client.image_rename(image.id, name=name)
    entry_record(
        team_id=team_id,
        actor=actor,
        action=Action.IMAGE_RENAME,
        object_type="image",
        object_id=image.id,
        name=name,
        details={"from": image.filename, "to": name, "mosaic_id": image.mosaic_id},
    )


def image_delete(*, client: DataAPIClient, team_id: int, actor, image: Image) -> None:
    """Delete for good at once, bypassing the trash."""
    client.image_delete(image.id)
    entry_record(
        team_id=team_id,
        actor=actor,
        action=Action.IMAGE_DELETE,
        object_type="image",
        object_id=image.id,
        name=image.filename,
        details={"mosaic_id": image.mosaic_id, "size": image.file_size, "immediate": True},
    )
    tiles_changed(team_id=team_id, mosaic_id=image.mosaic_id)
    team_storage_changed(team_id=team_id)
