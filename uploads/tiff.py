"""The early check of an upload: as soon as the received bytes hold a TIFF's first directory, read it (GTiff driver
only) and compare it with the Data API's pixel limits and the mosaic's images, so that a file that cannot join the
mosaic stops at once."""

import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from common.image_fit import mosaic_mismatch
from dataapi.errors import DataAPIError
from dataapi.schemas import ImageMeta, Memory

# The directory and the GeoTIFF keys that follow it fit here in every file GDAL writes.
DIRECTORY_MARGIN = 256 * 1024


class NotAGeoTIFF(ValueError):
    pass


@dataclass(frozen=True)
class Header:
    crs: str | None
    count: int
    dtype: str
    pixel_size: tuple[float, float]
    width: int
    height: int


def bytes_needed(prefix: bytes) -> int:
    """How many bytes from the start hold the first directory; NotAGeoTIFF when the magic is not TIFF or BigTIFF."""
    if len(prefix) < 16:
        raise NotAGeoTIFF("too short to be a TIFF")
    order = {b"II": "<", b"MM": ">"}.get(prefix[:2])
    if order is None:
        raise NotAGeoTIFF("not a TIFF (no TIFF signature)")
    (version,) = struct.unpack(order + "H", prefix[2:4])
    if version == 42:
        (first,) = struct.unpack(order + "I", prefix[4:8])
    elif version == 43:
        (first,) = struct.unpack(order + "Q", prefix[8:16])
    else:
        raise NotAGeoTIFF("not a TIFF (no TIFF signature)")
    return first + DIRECTORY_MARGIN


def header_read(path: Path) -> Header:
    """The raster's properties as the GTiff driver reads them from the (possibly still partial) file."""
    import rasterio  # here, so that a dashboard process loads GDAL only once it checks an upload
    from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

    try:
        with warnings.catch_warnings(), rasterio.open(path, driver="GTiff") as src:
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            res = src.res
            return Header(
                crs=src.crs.to_string() if src.crs else None,
                count=src.count,
                dtype=src.dtypes[0],
                pixel_size=(float(res[0]), float(res[1])),
                width=src.width,
                height=src.height,
            )
    except RasterioIOError as exc:
        raise NotAGeoTIFF("not a readable GeoTIFF") from exc


def header_refusal(header: Header, memory: Memory, *, filename: str) -> str | None:
    """The reason the Data API would refuse `header` (no CRS, over its pixel limits per side or in all where the API
    says), in the words of its own refusal; None when it would take it."""
    bad = [] if header.crs else ["crs"]
    if memory.maxPixelCount and header.width > memory.maxPixelCount:
        bad.append("width")
    if memory.maxPixelCount and header.height > memory.maxPixelCount:
        bad.append("height")
    if memory.maxTotalPixels and header.width * header.height > memory.maxTotalPixels:
        bad.append("total_pixels")
    if not bad:
        return None
    parameters = {"filename": filename, "bad_parameters": bad, "width": header.width, "height": header.height}
    return DataAPIError(code="FileCheckFailed", parameters=parameters).message


def header_mismatch(header: Header, reference: ImageMeta, *, filename: str) -> str | None:
    """The reason `header` cannot join a mosaic whose first image is `reference`, in the Data API's words (the rule of
    common.image_fit); None when it fits."""
    meta = {"crs": header.crs, "count": header.count, "pixel_size": list(header.pixel_size)}
    mismatch = mosaic_mismatch(meta, reference.model_dump())
    if mismatch is None:
        return None
    name, got, expected = mismatch
    parameters = {"filename": filename, "param_name": name, "got_param": got, "expected_param": expected}
    return DataAPIError(code="FileValidationFailed", parameters=parameters).message
