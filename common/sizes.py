"""Byte sizes as people write them ("10GB", "512 MiB", "1048576") and as the dashboard shows them (decimal units)."""

import re

_UNITS = {
    "": 1,
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")


def parse_size(text: str) -> int:
    """Return the number of bytes in `text`; raise ValueError naming the problem."""
    match = _SIZE.match(str(text))
    unit = match.group(2).upper() if match else None
    if not match or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size (examples: 500MB, 10GB, 2GiB, 1048576)")
    return int(float(match.group(1)) * _UNITS[unit])


UNITS_NOTE = "Sizes in decimal units: 1 kB = 1000 bytes, 1 GB = 1000³ bytes"

# Said once on each page that shows sizes (the frame's storage gauge, the mosaic pages).
UNITS_NOTE = "Sizes in decimal units: 1 kB = 1000 bytes, 1 GB = 1000³ bytes"


def format_size(size: int | None) -> str:
    """`size` bytes in decimal units with one decimal, dropped when it is 0 ("512 B", "1.5 kB", "20 GB"): the one
    format of the dashboard's pages, messages and scripts (static/js/sizes.js writes the same)."""
    if size is None:
        return "unlimited"
    if abs(size) < 1000:
        return f"{size} B"
    value = size / 1000
    for unit in ("kB", "MB", "GB"):
        if abs(round(value, 1)) < 1000:
            break
        value /= 1000
    else:
        unit = "TB"
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"
