"""Request and response shapes of the self-hosted Data API (DATA_API.md sections 1 to 5 and 7)."""

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

# Text the database can hold: PostgreSQL's text and jsonb take no NUL character, so one is a request error (422).
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, Field(pattern=NO_NUL)]
Name = Annotated[str, Field(min_length=1, max_length=255, pattern=NO_NUL)]


class MosaicIn(Schema):
    name: Name
    tags: list[Text] = []


class MosaicUpdate(Schema):
    name: Name
    tags: list[Text] | None = None


class MosaicCreated(Schema):
    id: str
    name: str
    tags: list[str]
    created_at: str


class RasterLayer(Schema):
    tileUrl: str
    tileJsonUrl: str


class MosaicOut(MosaicCreated):
    rasterLayer: RasterLayer
    footprint: str | None
    sizeInBytes: int
    image_count: int


class MetaData(Schema):
    crs: str
    count: int
    width: int
    height: int
    dtypes: list[str]
    nodata: float | None
    pixel_size: list[float]


class ImageOut(Schema):
    id: str
    mosaic_id: str
    image_url: str
    preview_url_s: str
    preview_url_l: str
    uploaded_at: str
    file_size: int
    footprint: str
    filename: str
    checksum: str
    meta_data: MetaData
    cog_link: str | None
    available_for_download: bool


class DownloadOut(Schema):
    download_url: str
    filename: str
    expires_in: int = Field(description="seconds for which download_url works")


class UploadOut(Schema):
    message: str
    mosaic_id: str
    image_id: str


class LinkIn(Schema):
    url: str = Field(min_length=1, max_length=2048, pattern=NO_NUL)


class LinkOut(Schema):
    message: str
    mosaic_id: str


class Message(Schema):
    message: str


class Memory(Schema):
    memoryLimit: int | None
    memoryUsed: int
    memoryFree: int | None
    maxUploadFileSize: int
    maxPixelCount: int
    maxTotalPixels: int


class TeamOut(Schema):
    teamId: str
    name: str
    role: str


class Price(Schema):
    zoom: int | str
    priceSqKm: float


class ProviderOut(Schema):
    id: str
    name: str
    displayName: str
    price: list[Price]
    previewUrl: str | None
    previewUrlMaxZoom: int | None


class UserStatus(Schema):
    email: str
    memoryLimit: int | None
    areaLimit: int
    searchAreaLimit: int
    aoiAreaLimit: int
    teams: list[TeamOut]
    searchDataProviders: list[ProviderOut]


class DetailOut(Schema):
    """An error that is none of the contract's own: an unknown route, a missing token, an unreadable body..."""

    detail: str


class ValidationProblem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationOut(Schema):
    """A request of the wrong shape: a missing field, a wrong type, an id that is no UUID."""

    detail: list[ValidationProblem]


class ErrorDetail(Schema):
    code: str
    parameters: dict[str, Any]


class RasterErrorOut(Schema):
    detail: ErrorDetail


def file_answer(media_type: str) -> dict:
    """The OpenAPI description of an answer that is a file of `media_type` (for `openapi_extra`)."""
    return {"content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}


JPEG_ANSWER = {"responses": {200: file_answer("image/jpeg")}}
