"""Changes to mosaics and images through the team's Data API client.

Every change that alters what a mosaic's tiles show also forgets its cached tiles (`tiles_changed`) and the team's
cached storage gauge.
"""

from dataapi.client import DataAPIClient
from dataapi.schemas import Image
from teams.services import team_storage_changed

from .proxy import tiles_changed


def mosaic_delete(*, client: DataAPIClient, team_id: int, mosaic_id: str) -> None:
    client.mosaic_delete(str(mosaic_id))
    tiles_changed(team_id=team_id, mosaic_id=str(mosaic_id))
    team_storage_changed(team_id=team_id)


def image_delete(*, client: DataAPIClient, team_id: int, image: Image) -> None:
    client.image_delete(image.id)
    tiles_changed(team_id=team_id, mosaic_id=image.mosaic_id)
    team_storage_changed(team_id=team_id)

