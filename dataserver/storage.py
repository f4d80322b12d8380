"""Where the imagery of the self-hosted Data API lives, and the URIs that name it.

Layout under DATASERVER_STORAGE_DIR, one folder per mosaic so that deleting a mosaic is one rmtree:

    <account id>/<mosaic id>/originals/<image id>.tif
    <account id>/<mosaic id>/previews/<image id>_s.jpg, <image id>_l.jpg
    <account id>/<mosaic id>/cog/<image id>.tif       (built in cog/<image id>.building/, then moved there)

The storage URI of a file is `file://` + its absolute path. The URI of a mosaic's COG folder is the capability of
its tiles: it holds two random UUIDs, and the tile endpoint only ever resolves it through the database.
"""

import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PREVIEW_SIZES = {"s": 256, "l": 1024}


def root() -> Path:
    return Path(settings.DATASERVER_STORAGE_DIR)


def root_uri() -> str:
    return root().as_uri()


def mosaic_dir(account_id: uuid.UUID, mosaic_id: uuid.UUID) -> Path:
    return root() / str(account_id) / str(mosaic_id)


@dataclass(frozen=True)
class ImageFiles:
    """The files one image owns."""

    account_id: uuid.UUID
    mosaic_id: uuid.UUID
    image_id: uuid.UUID

    @property
    def folder(self) -> Path:
        return mosaic_dir(self.account_id, self.mosaic_id)

    @property
    def original(self) -> Path:
        return self.folder / "originals" / f"{self.image_id}.tif"

    @property
    def cog(self) -> Path:
        return self.folder / "cog" / f"{self.image_id}.tif"

    @property
    def cog_scratch(self) -> Path:
        """The folder where the COG is built (with rio-cogeo's temporary file); it is gone once the build ends."""
        return self.folder / "cog" / f"{self.image_id}.building"

    def preview(self, size: str) -> Path:
        return self.folder / "previews" / f"{self.image_id}_{size}.jpg"

    def all(self) -> list[Path]:
        return [self.original, self.cog, *(self.preview(size) for size in PREVIEW_SIZES)]

    def delete(self) -> None:
        for path in self.all():
            path.unlink(missing_ok=True)
        shutil.rmtree(self.cog_scratch, ignore_errors=True)


def image_files(image) -> ImageFiles:
    return ImageFiles(image.mosaic.account_id, image.mosaic_id, image.id)


def mosaic_delete_files(account_id: uuid.UUID, mosaic_id: uuid.UUID) -> None:
    shutil.rmtree(mosaic_dir(account_id, mosaic_id), ignore_errors=True)


def mosaic_cog_uri(mosaic) -> str:
    return (mosaic_dir(mosaic.account_id, mosaic.id) / "cog").as_uri() + "/"


def incoming_dir() -> Path:
    """Scratch space for files still arriving; on the same disk, so accepting one is a rename."""
    path = root() / "incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class CogTarget:
    """What a tile URI names: every COG of a mosaic (image_id None) or one image's COG."""

    account_id: uuid.UUID
    mosaic_id: uuid.UUID
    image_id: uuid.UUID | None


def parse_cog_uri(uri: str) -> CogTarget | None:
    """Read a COG URI written by this server; None for anything else."""
    prefix = root_uri() + "/"
    if not uri.startswith(prefix):
        return None
    parts = uri[len(prefix) :].split("/")
    try:
        if len(parts) == 4 and parts[2] == "cog" and parts[3] == "":
            return CogTarget(uuid.UUID(parts[0]), uuid.UUID(parts[1]), None)
        if len(parts) == 4 and parts[2] == "cog" and parts[3].endswith(".tif"):
            return CogTarget(uuid.UUID(parts[0]), uuid.UUID(parts[1]), uuid.UUID(parts[3][: -len(".tif")]))
    except ValueError:
        return None
    return None
