"""A page of search results as the page shows them: in the table, the scene panel and the pick-list alike.

Percentages and angles show one decimal (0.58 → "0.6"), pixel sizes up to two; an unknown value shows "–"."""

from dataclasses import dataclass

from django.urls import reverse

from dataapi.schemas import SearchImage

from .selectors import OwnItem

UNKNOWN = "–"
QUICKLOOK_TYPES = ("png", "jpg")


def one_decimal(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.1f}"


def pixel_size(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ResultRow:
    id: str
    name: str  # the provider's scene id, or the file or mosaic name of own imagery
    date: str
    provider: str
    resolution: str
    cloud: str
    nadir: str
    coverage: str
    thumbnail: str | None  # a picture of the scene small enough for a row: a quicklook, or the dashboard's preview


def _row(image: SearchImage, own: OwnItem | None, provider_names: dict[str, str]) -> ResultRow:
    date = own.date if own else image.acquisitionDate
    resolution = own.pixel_size if own else image.pixelResolution
    if own is not None:
        thumbnail = own.preview_image and reverse("mosaics:image-preview", args=[own.preview_image, "s"])
    else:
        thumbnail = image.previewUrl if image.previewType in QUICKLOOK_TYPES else None
    provider = image.providerName or ""
    return ResultRow(
        id=image.id,
        name=own.name if own else image.id,
        date=date.strftime("%Y-%m-%d") if date else UNKNOWN,
        provider=provider_names.get(provider, provider) or UNKNOWN,
        resolution=pixel_size(resolution),
        cloud=one_decimal(image.cloudCover),
        nadir=one_decimal(image.offNadirAngle),
        coverage=one_decimal(image.aoiIntersectionPercent),
        thumbnail=thumbnail or None,
    )


def result_rows(images: list[SearchImage], *, own: dict[str, OwnItem], providers: list[tuple[str, str]]):
    names = dict(providers)
    return [_row(image, own.get(image.id), names) for image in images]


def with_rows(collection: dict, rows: list[ResultRow], own: dict[str, OwnItem]) -> dict:
    """The map's FeatureCollection with each feature's row as `shown`; an own image's preview is the dashboard's
    (through its proxy), not the API's link. (An own mosaic's stays its tiles.)"""
    for feature, row in zip(collection["features"], rows, strict=True):
        feature["properties"]["shown"] = dict(vars(row))  # its fields are text: no deep copy (asdict) needed
        item = own.get(row.id)
        if item is not None and feature["properties"]["productType"] == "IMAGE":
            preview = item.preview_image and reverse("mosaics:image-preview", args=[item.preview_image, "l"])
            feature["properties"] |= {"previewType": "png" if preview else None, "previewUrl": preview}
    return collection
