"""The objects of DATA_API.md as pydantic models, read as the hosted API sends them.

Every model accepts fields it does not know (the hosted API may add some), does without the optional ones, takes ids
as strings whatever they look like (scene ids are the providers' own, not UUIDs) and reads times with `Z`, with an
offset, or with none (read as UTC). The metadata of a search result is read leniently: a number may come as text, a
value that is not one reads as unknown, and `previews` may come as objects, as JSON text of them, or not at all; one
odd result does not cost the whole page.
"""

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _number_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _whole_number_or_none(value: Any) -> int | None:
    number = _number_or_none(value)
    return int(number) if number is not None and number.is_integer() else None


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _previews(value: Any) -> list:
    """The `previews` of a search result: a list of objects, or of their JSON text, or JSON text of the list."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    entries = []
    for entry in value:
        if isinstance(entry, str):
            try:
                entry = json.loads(entry)
            except ValueError:
                continue
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            entries.append(entry)
    return entries


UTCTime = Annotated[datetime, AfterValidator(_as_utc)]
Number = Annotated[float | None, BeforeValidator(_number_or_none)]
WholeNumber = Annotated[int | None, BeforeValidator(_whole_number_or_none)]
Id = Annotated[str, BeforeValidator(_text_or_none)]


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
    # Absent from the older API, where every image could be downloaded.
    available_for_download: bool = True


class ImageDownload(APIObject):
    """A link to an image's original that needs no credentials, for `expires_in` seconds."""

    download_url: str
    filename: str = ""
    expires_in: int | None = None


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


class Preview(APIObject):
    """A picture of a search result, laid over `geometry` (GeoJSON)."""

    url: str
    geometry: dict[str, Any] | None = None


class SearchImage(APIObject):
    id: Id
    footprint: dict[str, Any] | None = None
    pixelResolution: Number = None
    acquisitionDate: UTCTime | None = None
    productType: str | None = None
    sensor: str | None = None
    satId: str | None = None
    colorBandOrder: str | None = None
    cloudCover: Number = None
    offNadirAngle: Number = None
    providerName: str | None = None
    previewType: str | None = None
    previewUrl: str | None = None
    previews: Annotated[list[Preview], BeforeValidator(_previews)] = Field(default_factory=list)
    zoom: WholeNumber = None
    minAreaSqkm: Number = None
    isNew: bool | None = None
    aoiIntersectionPercent: Number = None


class SearchResult(APIObject):
    images: list[SearchImage] = Field(default_factory=list)
    total: int = 0
    limit: int = 0
    offset: int = 0


class TeamOfUser(APIObject):
    teamId: str | int | None = None
    name: str | None = None
    role: str | None = None


class Price(APIObject):
    zoom: str | int | None = None
    priceSqKm: Number = None


class DataProvider(APIObject):
    id: Id | None = None
    name: str
    displayName: str | None = None
    price: list[Price] = Field(default_factory=list)
    previewUrl: str | None = None
    previewUrlMaxZoom: WholeNumber = None


class UserStatus(APIObject):
    email: str | None = None
    memoryLimit: int | None = None
    areaLimit: int | None = None
    searchAreaLimit: int | None = None
    aoiAreaLimit: int | None = None
    teams: list[TeamOfUser] = Field(default_factory=list)
    searchDataProviders: list[DataProvider] = Field(default_factory=list)
