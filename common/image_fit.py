"""Whether an image can join a mosaic (DATA_API.md section 2): a GeoTIFF by name, matching the mosaic's first image in
CRS, band count and pixel size. The self-hosted Data API refuses by this rule; the dashboard checks an upload's name
and header by it before the file is sent, so that the two never disagree."""

import math
from collections.abc import Mapping

IMAGE_EXTENSIONS = (".tif", ".tiff")  # the names a file to join a mosaic may have (compared in lower case)

PIXEL_SIZE_TOLERANCE = 1e-6  # relative: pixel sizes computed from the same grid differ in the last digits only

CHECKED = ("crs", "count", "pixel_size")  # in the order the contract reports the first mismatch


def mosaic_mismatch(meta: Mapping, expected: Mapping) -> tuple[str, object, object] | None:
    """The first property of `meta` that differs from `expected` (the first image's), as (name, got, expected);
    None when the image fits. Both hold `crs`, `count` and `pixel_size` as the Data API's image metadata does; a
    property `expected` leaves unknown (None or empty: an API that does not report it) is not compared."""
    for name in CHECKED:
        got, want = meta[name], expected.get(name)
        if want is None or want == []:
            continue
        if name == "pixel_size":
            same = len(got) == len(want) and all(
                math.isclose(a, b, rel_tol=PIXEL_SIZE_TOLERANCE) for a, b in zip(got, want, strict=True)
            )
        else:
            same = got == want
        if not same:
            return name, got, want
    return None
