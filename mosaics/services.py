"""Changes to mosaics and images through the team's Data API client.

Every change that alters what a mosaic's tiles show also forgets its cached tiles (`tiles_changed`).
"""

from dataapi.client import DataAPIClient
from dataapi.schemas import Image, MosaicCreated

from .proxy import tiles_changed


def mosaic_create(*, client: DataAPIClient, name: str, tags: list[str]) -> MosaicCreated:
    return client.mosaic_create(name=name, tags=tags)


def mosaic_update(*, client: DataAPIClient, mosaic_id: str, name: str, tags: list[str]) -> MosaicCreated:
    return client.mosaic_update(str(mosaic_id), name=name, tags=tags)


def mosaic_delete(*, client: DataAPIClient, team_id: int, mosaic_id: str) -> None:
    client.mosaic_delete(str(mosaic_id))
    tiles_changed(team_id=team_id, mosaic_id=str(mosaic_id))


def image_rename(*, client: DataAPIClient, image_id: str, name: str) -> Image:
    return client.image_rename(str(image_id), name=name)


def image_delete(*, client: DataAPIClient, team_id: int, image: Image) -> None:
    client.image_delete(image.id)
    tiles_changed(team_id=team_id, mosaic_id=image.mosaic_id)

