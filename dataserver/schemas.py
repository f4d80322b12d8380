"""Request and response shapes of the self-hosted Data API (DATA_API.md sections 1 to 5 and 7)."""

from typing import Any

from ninja import Schema
from pydantic import Field


class MosaicIn(Schema):
    name: str = Field(min_length=1, max_length=255)
    tags: list[str] = []


class MosaicUpdate(Schema):
    name: str = Field(min_length=1, max_length=255)
    tags: list[str] | None = None


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


class UploadOut(Schema):
    message: str
    mosaic_id: str
    image_id: str


class LinkIn(Schema):
    url: str = Field(min_length=1, max_length=2048)


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


class ProviderOut(Schema):
    name: str
    displayName: str


class UserStatus(Schema):
    email: str
    memoryLimit: int | None
    areaLimit: int
    searchAreaLimit: int
    aoiAreaLimit: int
    teams: list[TeamOut]
    searchDataProviders: list[ProviderOut]


class ErrorDetail(Schema):
    code: str
    parameters: dict[str, Any]


class RasterErrorOut(Schema):
    detail: ErrorDetail
