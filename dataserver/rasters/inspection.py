"""What a GeoTIFF in the imagery store is: its checks, metadata, lon/lat footprint and JPEG previews.

Everything here reads headers (from an object store, the byte ranges that hold them), except the previews, which read
the raster once, decimated.
"""

import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyproj
import rasterio
from PIL import Image as PILImage
from rasterio._err import CPLE_BaseError
from rasterio.enums import ColorInterp, Resampling
from rasterio.errors import RasterioError
from rasterio.warp import transform as warp_transform
from rasterio.windows import Window
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from dataserver import errors
from dataserver.rasters import tiff_layout
from dataserver.storage import PREVIEW_SIZES, store

TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
MAX_EXTENT_DEGREES = 10.0
FOOTPRINT_TOLERANCE = 1e-7  # degrees, about a centimetre
POINTS_PER_EDGE = 32
WHITE = 255
# A compressed tile or strip is decoded whole: GDAL holds it in memory, and re-decodes a large strip from its start
# for every row it reads from it (a strip of hundreds of MB takes minutes to preview). 16 MiB holds a 1024 x 1024 tile of four
# 32-bit bands; writers make tiles of 256 or 512 pixels and strips of a few kilobytes.
MAX_COMPRESSED_BLOCK_BYTES = 16 * 2**20
# The previews' read goes in pieces of this many columns and rows of the file, watching its time limit.
PIECE_COLUMNS = 4096
PIECE_ROWS = 512

# PROJ's confidence that a CRS is an EPSG code: 70 is the same definition under another name, 60 the same on a datum
# known only by its ellipsoid (how GDAL reads "+ellps=WGS84" without "+datum"); 50 and below differ in something that
# matters (a UTM zone in US feet matches its metre zone at 50).
EPSG_MIN_CONFIDENCE = 60
WGS84 = 4326
# GDAL reports some failures (a broken strip, an impossible reprojection) as CPLE errors outside RasterioError.
READ_ERRORS = (RasterioError, CPLE_BaseError)


def is_tiff(key: str) -> bool:
    with store().open(key) as fh:
        return fh.read(4) in TIFF_MAGIC


@dataclass
class RasterInfo:
    meta_data: dict
    footprint: Polygon  # lon/lat
    band_indexes: list[int]  # the bands that make the picture (RGB or grey)
    display_range: list[list[float]] | None  # per band (min, max) stretched to 0-255; None for 8-bit data


def raster_open(key: str, *, filename: str):
    """Open a stored GeoTIFF, refusing anything else (PNG, VRT, JPEG... whatever its name says); within the store's
    GDAL environment (rasterio.Env(**store().gdal_options))."""
    if not is_tiff(key):
        raise errors.FileOpenError(filename=filename)
    try:
        src = rasterio.open(store().gdal_path(key))
    except READ_ERRORS:
        raise errors.FileOpenError(filename=filename) from None
    if src.driver not in {"GTiff", "COG"}:
        src.close()
        raise errors.FileOpenError(filename=filename)
    return src


def _check_failed(src, *, filename: str, bad: list[str]) -> errors.RasterError:
    return errors.FileCheckFailed(
        filename=filename,
        bad_parameters=bad,
        crs=crs_text(src.crs) if src.crs else None,
        transform=list(src.transform)[:6] if not src.transform.is_identity else None,
        width=src.width,
        height=src.height,
    )


def _layout_problems(key: str, *, filename: str) -> list[str]:
    """"blocks" when the file leaves tiles or strips out (a sparse file: its size says nothing of the work it makes,
    and most readers but GDAL cannot read it); "block_size" when a compressed tile or strip is over the bound."""
    try:
        with store().open(key) as fh:
            layout = tiff_layout.layout_of(fh)
    except (tiff_layout.LayoutError, OSError):
        raise errors.FileOpenError(filename=filename) from None
    problems = []
    if layout.missing_blocks:
        problems.append("blocks")
    if layout.compressed and layout.block_bytes > MAX_COMPRESSED_BLOCK_BYTES:
        problems.append("block_size")
    return problems


def _on_wgs84(code: str) -> bool:
    return pyproj.CRS.from_epsg(int(code)).geodetic_crs.to_epsg() == WGS84


def crs_text(crs) -> str:
    """`EPSG:<code>` when the CRS is one EPSG code, its WKT otherwise.

    rasterio's to_epsg() takes the first of equally good matches, so a UTM zone on the bare WGS 84 ellipsoid would
    come out as Jamaica's (EPSG:3450, JAD2001) rather than EPSG:326xx: PROJ's whole list of matches is read instead,
    and of equally good ones the one on the WGS 84 datum wins; a tie that remains stays WKT.
    """
    matches = pyproj.CRS.from_wkt(crs.to_wkt()).list_authority(auth_name="EPSG", min_confidence=EPSG_MIN_CONFIDENCE)
    best = max((match.confidence for match in matches), default=None)
    codes = [match.code for match in matches if match.confidence == best]
    if len(codes) > 1:
        codes = [code for code in codes if _on_wgs84(code)]
    return f"EPSG:{codes[0]}" if len(codes) == 1 else crs.to_wkt()


def raster_check(src, key: str, *, filename: str, max_pixel_count: int, max_total_pixels: int) -> dict:
    """Return the contract's meta_data, or raise FileCheckFailed naming what is missing, too large or strange."""
    bad = []
    if src.crs is None:
        bad.append("crs")
    if src.transform.is_identity:
        bad.append("transform")
    if src.width > max_pixel_count:
        bad.append("width")
    if src.height > max_pixel_count:
        bad.append("height")
    if src.width * src.height > max_total_pixels:
        bad.append("total_pixels")
    bad += _layout_problems(key, filename=filename)
    if bad:
        raise _check_failed(src, filename=filename, bad=bad)
    return {
        "crs": crs_text(src.crs),
        "count": src.count,
        "width": src.width,
        "height": src.height,
        "dtypes": list(src.dtypes),
        "nodata": src.nodata if src.nodata is None or math.isfinite(src.nodata) else None,
        "pixel_size": [abs(src.transform.a), abs(src.transform.e)],
    }


def raster_footprint(src, *, filename: str) -> Polygon:
    """The image outline in lon/lat, edges densified so that a UTM image's curved outline stays right."""
    w, h, n = src.width, src.height, POINTS_PER_EDGE
    steps = np.linspace(0, 1, n, endpoint=False)
    cols = np.concatenate([steps * w, np.full(n, w), (1 - steps) * w, np.zeros(n)])
    rows = np.concatenate([np.zeros(n), steps * h, np.full(n, h), (1 - steps) * h])
    xs, ys = src.transform @ (cols, rows)
    try:
        lons, lats = warp_transform(src.crs, "EPSG:4326", list(xs), list(ys))
    except READ_ERRORS:
        raise errors.ImageOutOfBounds(filename=filename) from None
    lons, lats = np.asarray(lons), np.asarray(lats)
    if not (np.isfinite(lons).all() and np.isfinite(lats).all()):
        raise errors.ImageOutOfBounds(filename=filename)
    if lons.min() < -180 or lons.max() > 180 or lats.min() < -90 or lats.max() > 90:
        raise errors.ImageOutOfBounds(filename=filename)
    if _wraps(src.crs, xs, ys, lons, lats, tolerance=max(abs(src.transform.a), abs(src.transform.e))):
        raise errors.ImageOutOfBounds(filename=filename)
    if lons.max() - lons.min() > MAX_EXTENT_DEGREES or lats.max() - lats.min() > MAX_EXTENT_DEGREES:
        raise errors.ImageExtentTooBig(filename=filename)
    # Points that lie within a centimetre (1e-7°) of a straight edge add nothing: a Web Mercator or lon/lat image
    # keeps its corners, a large UTM image the points of its curved edges.
    return orient(Polygon(zip(lons.round(8), lats.round(8))).simplify(FOOTPRINT_TOLERANCE, preserve_topology=True))


def _wraps(crs, xs, ys, lons, lats, *, tolerance: float) -> bool:
    """True when the outline lies past the antimeridian of its projection: the way back lands elsewhere."""
    try:
        back_x, back_y = warp_transform("EPSG:4326", crs, list(lons), list(lats))
    except READ_ERRORS:
        return True
    return not (np.allclose(back_x, xs, atol=tolerance) and np.allclose(back_y, ys, atol=tolerance))


def picture_bands(src) -> list[int]:
    """RGB when there are three colour bands or more, else the first band as grey; alpha bands never."""
    colour = [i for i, ci in zip(src.indexes, src.colorinterp) if ci != ColorInterp.alpha]
    return colour[:3] if len(colour) >= 3 else colour[:1]


def raster_inspect(
    key: str, *, filename: str, max_pixel_count: int, max_total_pixels: int, matches: Callable[[dict], None]
) -> RasterInfo:
    """Check the stored raster in the contract's order: its own checks, then `matches` (which raises when the metadata
    do not fit the mosaic), then its footprint."""
    with rasterio.Env(**store().gdal_options), raster_open(key, filename=filename) as src:
        meta = raster_check(
            src, key, filename=filename, max_pixel_count=max_pixel_count, max_total_pixels=max_total_pixels
        )
        matches(meta)
        return RasterInfo(meta, raster_footprint(src, filename=filename), picture_bands(src), None)


def _stretch(data: np.ma.MaskedArray, display_range: list[list[float]] | None) -> np.ndarray:
    """Bands × rows × cols → rows × cols × bands of uint8; masked pixels white."""
    if display_range is None:
        out = np.asarray(data.filled(0), dtype=np.uint8)
    else:
        out = np.empty(data.shape, dtype=np.uint8)
        for band, (low, high) in enumerate(display_range):
            scaled = (data[band].astype("float64").filled(low) - low) * (255.0 / max(high - low, 1e-9))
            out[band] = np.clip(scaled, 0, 255).astype(np.uint8)
    mask = np.ma.getmaskarray(data).any(axis=0)
    out[:, mask] = WHITE
    return np.moveaxis(out, 0, -1)


def display_range_of(data: np.ma.MaskedArray, dtype: str) -> list[list[float]] | None:
    """2nd-98th percentile of each band, or None where the data is 8-bit already."""
    if dtype == "uint8":
        return None
    ranges = []
    for band in data:
        values = band.compressed()
        if values.size == 0:
            ranges.append([0.0, 1.0])
            continue
        low, high = np.percentile(values, [2, 98])
        ranges.append([float(low), float(high) if high > low else float(low) + 1.0])
    return ranges


def _decimated_read(src, indexes: list[int], rows: int, columns: int, *, deadline: float) -> np.ma.MaskedArray | None:
    """The bands shrunk to rows x columns, read piece by piece (the same pixels as one read: the windows are
    fractional); None when the deadline passes before the last piece. Without overviews every pixel is read.

    The pieces go down columns PIECE_COLUMNS pixels of the file wide, each PIECE_ROWS rows high (or one row of its
    blocks when they are higher): the blocks a piece shares with the next one below are still in GDAL's block cache
    when that one reads them, however wide the image, and from an object store a piece's blocks come in one request
    for each run of them (`S3ReadOnce.get_byte_ranges`). Each block is then fetched about once (1.03-1.15 times the
    original); pieces across the whole width fetched a 40,000-pixel-wide original 2.5 times.
    """
    step_y, step_x = src.height / rows, src.width / columns
    piece_rows = max(1, int(max(src.block_shapes[0][0], PIECE_ROWS) / step_y))
    piece_columns = max(1, int(PIECE_COLUMNS / step_x))
    data = np.empty((len(indexes), rows, columns), dtype=src.dtypes[indexes[0] - 1])
    mask = np.empty(data.shape, dtype=bool)
    for left in range(0, columns, piece_columns):
        width = min(piece_columns, columns - left)
        for top in range(0, rows, piece_rows):
            if (left or top) and time.monotonic() > deadline:
                return None
            height = min(piece_rows, rows - top)
            window = Window(left * step_x, top * step_y, width * step_x, height * step_y)
            piece = src.read(indexes, window=window, out_shape=(len(indexes), height, width),
                             resampling=Resampling.bilinear, masked=True)
            data[:, top : top + height, left : left + width] = piece.data
            mask[:, top : top + height, left : left + width] = np.ma.getmaskarray(piece)
    return np.ma.MaskedArray(data, mask)


def previews_write(
    key: str, info: RasterInfo, targets: dict[str, str], *, filename: str, time_limit: float
) -> None:
    """Store the JPEG previews (`s` fits 256 px, `l` 1024 px, aspect kept, at the keys `targets`) from one decimated
    read of the stored raster `key`.

    Also fills `info.display_range`, which the tiles use to show 16-bit data as the previews do. A read that takes
    longer than `time_limit` seconds fails the checks ("read_time"): overviews in the file make it quick.
    """
    largest = max(PREVIEW_SIZES.values())
    deadline = time.monotonic() + time_limit
    try:
        path, opener = store().read_once(key)
        with rasterio.open(path, opener=opener) as src:
            scale = min(1.0, largest / max(src.width, src.height))
            rows, columns = max(1, round(src.height * scale)), max(1, round(src.width * scale))
            data = _decimated_read(src, info.band_indexes, rows, columns, deadline=deadline)
            if data is None:
                raise _check_failed(src, filename=filename, bad=["read_time"])
    except READ_ERRORS:
        raise errors.FileOpenError(filename=filename) from None
    info.display_range = display_range_of(data, info.meta_data["dtypes"][info.band_indexes[0] - 1])
    pixels = _stretch(data, info.display_range)
    picture = PILImage.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)
    for size, bound in sorted(PREVIEW_SIZES.items(), key=lambda item: -item[1]):
        picture.thumbnail((bound, bound), PILImage.Resampling.LANCZOS)
        jpeg = io.BytesIO()
        picture.save(jpeg, "JPEG", quality=85)
        store().put(targets[size], jpeg.getvalue())
