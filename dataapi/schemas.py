"""The objects of DATA_API.md as pydantic models.

Every model accepts fields it does not know (the hosted API may add some) and reads times with `Z`, with an offset, or
with none (read as UTC).
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UTCTime = Annotated[datetime, AfterValidator(_as_utc)]


class APIObject(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class RasterLayer(APIObject):
    tileUrl: str = ""
    tileJsonUrl: str = ""


class MosaicCreated(APIObject):
    id: str
    name: str
    tags: list[str] = Field(default_factory=list)
    created_at: UTCTime | None = None


class Mosaic(MosaicCreated):
    rasterLayer: RasterLayer = Field(default_factory=RasterLayer)
    footprint: str | None = None
    sizeInBytes: int = 0
    image_count: int = 0


class ImageMeta(APIObject):
    crs: str | None = None
    count: int | None = None
    width: int | None = None
    height: int | None = None
    dtypes: list[str] = Field(default_factory=list)
    nodata: float | None = None
    pixel_size: list[float] = Field(default_factory=list)


class Image(APIObject):
    id: str
    mosaic_id: str
    image_url: str | None = None
    preview_url_s: str | None = None
    preview_url_l: str | None = None
    uploaded_at: UTCTime | None = None
    file_size: int = 0
    footprint: str | None = None
    filename: str = ""
    checksum: str | None = None
    meta_data: ImageMeta = Field(default_factory=ImageMeta)
    cog_link: str | None = None


class Message(APIObject):
    message: str = ""


class UploadResult(Message):
    mosaic_id: str
    image_id: str | None = None


class Memory(APIObject):
    memoryLimit: int | None = None
    memoryUsed: int = 0
    memoryFree: int | None = None
    maxUploadFileSize: int | None = None
    maxPixelCount: int | None = None
    maxTotalPixels: int | None = None  # the self-hosted API's; the hosted one does not say

    @property
    def percent_used(self) -> float | None:
        if not self.memoryLimit:
            return None
        return min(100.0, max(0.0, 100.0 * self.memoryUsed / self.memoryLimit))


class SearchImage(APIObject):
    id: str
    footprint: dict[str, Any] | None = None
    pixelResolution: float | None = None
    acquisitionDate: UTCTime | None = None
    productType: str | None = None
    sensor: str | None = None
    satId: str | None = None
    colorBandOrder: str | None = None
    cloudCover: float | None = None
    offNadirAngle: float | None = None
    providerName: str | None = None
    previewType: str | None = None
    previewUrl: str | None = None
    zoom: int | None = None
    aoiIntersectionPercent: float | None = None


class SearchResult(APIObject):
    images: list[SearchImage] = Field(default_factory=list)
    total: int = 0
    limit: int = 0
    offset: int = 0


class TeamOfUser(APIObject):
    teamId: str | int | None = None
    name: str | None = None
    role: str | None = None


class DataProvider(APIObject):
    name: str
    displayName: str | None = None


class UserStatus(APIObject):
    email: str | None = None
    memoryLimit: int | None = None
    areaLimit: int | None = None
    searchAreaLimit: int | None = None
    aoiAreaLimit: int | None = None
    teams: list[TeamOfUser] = Field(default_factory=list)
    searchDataProviders: list[DataProvider] = Field(default_factory=list)
