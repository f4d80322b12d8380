"""Request and response shapes of catalog search (DATA_API.md section 6)."""

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import BaseModel, Field

from dataserver.rasters.schemas import Text

SortBy = Literal[
    "ACQUISITION_DATE", "CLOUD_COVER", "OFF_NADIR_ANGLE", "PIXEL_RESOLUTION", "PROVIDER_NAME", "SAT_ID", "ZOOM"
]


class SearchIn(Schema):
    aoi: dict[str, Any]
    acquisitionDateFrom: datetime | None = None
    acquisitionDateTo: datetime | None = None
    minResolution: float | None = Field(default=None, ge=0)
    maxResolution: float | None = Field(default=None, ge=0)
    maxCloudCover: float | None = Field(default=None, ge=0, le=100)
    minOffNadirAngle: float | None = None
    maxOffNadirAngle: float | None = None
    minAoiIntersectionPercent: float | None = Field(default=None, ge=0, le=100)
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0)
    productTypes: list[Literal["IMAGE", "MOSAIC"]] | None = None
    dataProviders: list[Text] | None = None
    # Every provider is available to every account here, so this hides nothing; accepted as the clients send it.
    hideUnavailable: bool | None = None
    sortBy: SortBy = "ACQUISITION_DATE"
    sortOrder: Literal["ASC", "DESC"] = "DESC"


# The answers are plain pydantic models: ninja's Schema reads every value of a dict through a getter made for model
# instances, which took longer than the rest of a search for a page of 100.


class Preview(BaseModel):
    url: str
    geometry: dict[str, Any]


class SearchImage(BaseModel):
    id: str
    footprint: dict[str, Any]
    pixelResolution: float | None
    acquisitionDate: str | None
    productType: str
    sensor: str | None
    satId: str | None
    colorBandOrder: str | None
    cloudCover: float | None
    offNadirAngle: float | None
    providerName: str
    previewType: str | None
    previewUrl: str | None
    previews: list[Preview]
    zoom: int | None
    minAreaSqkm: float | None
    isNew: bool | None
    aoiIntersectionPercent: float | None


class SearchOut(BaseModel):
    images: list[SearchImage]
    total: int
    limit: int
    offset: int


class CatalogErrorOut(Schema):
    code: str
    message: str
    params: dict[str, Any]
