"""Reads of mosaics and images through the team's Data API client, shaped for the pages and the map."""

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import shapely
import shapely.wkt
from shapely.errors import ShapelyError
from shapely.geometry import shape

from dataapi.client import DataAPIClient
from dataapi.errors import MalformedResponse, NotFound
from dataapi.schemas import Image, ImageDownload, Mosaic

SORT_KEYS = {
    "created": lambda m: (m.created_at is None, m.created_at),
    "name": lambda m: m.name.lower(),
    "size": lambda m: m.sizeInBytes,
    "images": lambda m: m.image_count,
}


@dataclass
class MosaicList:
    mosaics: list[Mosaic]
    tags: list[str]
    total: int


@dataclass
class MosaicDetail:
    mosaic: Mosaic | None  # None when only the images were read (the polled table)
    images: list[Image]

    @property
    def processing(self) -> bool:
        return any(image.cog_link is None for image in self.images)


def geometry_of(wkt: str | None):
    """A shapely geometry of a WKT footprint; None when there is none or it cannot be read."""
    if not wkt:
        return None
    try:
        geometry = shapely.wkt.loads(wkt)
    except (ShapelyError, ValueError, TypeError):
        return None
    return None if geometry.is_empty else geometry


def footprint_bounds(wkt: str | None) -> tuple[float, float, float, float] | None:
    geometry = geometry_of(wkt)
    return tuple(geometry.bounds) if geometry is not None else None


def mosaic_list(
    *, client: DataAPIClient, hidden: set[str] = frozenset(), name: str = "", tag: str = "", sort: str = "-created"
) -> MosaicList:
    """The team's mosaics whose name contains `name` and that carry `tag`, sorted; with every tag in use. The
    `hidden` ones (in the trash) are left out."""
    mosaics = [mosaic for mosaic in client.mosaic_list() if mosaic.id not in hidden]
    tags = sorted({t for mosaic in mosaics for t in mosaic.tags}, key=str.lower)
    total = len(mosaics)
    if name:
        mosaics = [mosaic for mosaic in mosaics if name.lower() in mosaic.name.lower()]
    if tag:
        mosaics = [mosaic for mosaic in mosaics if tag in mosaic.tags]
    descending = sort.startswith("-")
    mosaics.sort(key=SORT_KEYS[sort.lstrip("-")], reverse=descending)
    return MosaicList(mosaics=mosaics, tags=tags, total=total)


def mosaic_images(*, client: DataAPIClient, mosaic_id: str, hidden: set[str] = frozenset()) -> list[Image]:
    """The mosaic's images but the `hidden` ones (in the trash)."""
    return [image for image in client.mosaic_images(str(mosaic_id)) if image.id not in hidden]


def mosaic_detail(*, client: DataAPIClient, mosaic_id: str, hidden: set[str] = frozenset()) -> MosaicDetail:
    """The mosaic and its images but the `hidden` ones: two calls to the Data API, made at once (the page waits for
    the slower one only; the client's pooled connections are shared between threads)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        images = pool.submit(mosaic_images, client=client, mosaic_id=mosaic_id, hidden=hidden)
        mosaic = client.mosaic_get(str(mosaic_id))
        return MosaicDetail(mosaic=mosaic, images=images.result())


def image_download_link(*, client: DataAPIClient, image_id: str) -> ImageDownload:
    """The Data API's link to the image's original: it needs no credentials and expires. It goes to a browser, so only
    a web address will do (never a javascript: or file: one)."""
    link = client.image_download(str(image_id))
    if urlsplit(link.download_url).scheme not in ("http", "https"):
        raise MalformedResponse("The Data API gave a download link that is not a web address")
    return link


def image_features(images: list[Image]) -> list[dict]:
    """The images' footprints as GeoJSON features (id and file name), for the map. Read and written all at once
    (shapely's array functions): one by one, 200 footprints took a tenth of the mosaic page's time."""
    geometries = shapely.from_wkt([image.footprint or "POLYGON EMPTY" for image in images], on_invalid="ignore")
    shown = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    return [
        {"type": "Feature", "id": image.id, "properties": {"name": image.filename}, "geometry": json.loads(text)}
        for image, text, keep in zip(images, shapely.to_geojson(geometries), shown, strict=True)
        if keep
    ]


def upload_reference(images: list[Image]) -> dict | None:
    """What a new image must share with the mosaic's first image, by the rule of common.image_fit (the Data API's),
    for the drop zone's check of a file's header; None for an empty mosaic."""
    if not images:
        return None
    meta = images[0].meta_data
    return {
        "crs": meta.crs,
        "count": meta.count,
        "pixelSize": meta.pixel_size or None,
    }


PREVIEW_KINDS = {"png", "jpg", "xyz", "tms"}


def scene_layer(*, client: DataAPIClient, scene_id: str) -> dict | None:
    """A catalog scene as a map layer: its name, its footprint's bounds and its preview (a picture over the footprint,
    or XYZ/TMS tiles), which the browser loads from the provider; None for a scene the catalog does not have. A
    preview that is not a web address, or of a kind a map cannot show, is left out."""
    try:
        scene = client.catalog_image(scene_id)
    except NotFound:
        return None
    try:
        bounds = tuple(shape(scene.footprint).bounds) if scene.footprint else None
    except (ShapelyError, ValueError, TypeError, AttributeError, KeyError):
        bounds = None
    url = scene.previewUrl or ""
    shown = scene.previewType in PREVIEW_KINDS and urlsplit(url).scheme in ("http", "https") and bounds is not None
    date = f" {scene.acquisitionDate:%Y-%m-%d}" if scene.acquisitionDate else ""
    return {
        "kind": "scene",
        "id": scene.id,
        "name": f"{scene.providerName or 'Scene'} {scene.id}{date}",
        "bounds": bounds,
        "preview": {"type": scene.previewType, "url": url, "zoom": scene.zoom} if shown else None,
    }
