"""How a TIFF stores the pixels of its full-resolution image: how large each tile or strip is once decoded, how
many of them the file leaves out, and whether the file holds the rest. Read from the file's first directory, because
GDAL tells none of it up front: it shows a large strip cut into rows, reads a strip that is not stored as empty, and
finds a truncated file only when it reads past the end (which a read of ranged GETs may not report).
"""

import io
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

IMAGE_WIDTH, IMAGE_LENGTH, BITS_PER_SAMPLE, COMPRESSION = 256, 257, 258, 259
STRIP_OFFSETS, SAMPLES_PER_PIXEL, ROWS_PER_STRIP, STRIP_BYTE_COUNTS, PLANAR_CONFIGURATION = 273, 277, 278, 279, 284
TILE_WIDTH, TILE_LENGTH, TILE_OFFSETS, TILE_BYTE_COUNTS = 322, 323, 324, 325
NO_COMPRESSION, SEPARATE_PLANES = 1, 2
# TIFF field types that hold unsigned integers: BYTE, SHORT, LONG, LONG8.
INTEGER_TYPES = {1: "B", 3: "H", 4: "I", 16: "Q"}
MAX_ENTRIES = 4096  # a directory has some twenty; this many is no TIFF
COUNTS_PER_READ = 1 << 20


class LayoutError(ValueError):
    """The first directory is not one a TIFF reader could use."""


@dataclass(frozen=True)
class Layout:
    compressed: bool
    block_bytes: int  # one tile or strip, decoded
    missing_blocks: int  # tiles or strips of the image that the file does not store (a "sparse" file)
    blocks_end: int  # where the last stored block ends: past the file's end, the file is truncated


@dataclass(frozen=True)
class _Entry:
    type: int
    count: int
    field: bytes  # the value itself when it fits, else its offset


class _Directory:
    def __init__(self, fh, order: str, big: bool) -> None:
        self.fh, self.order, self.big = fh, order, big
        self.entries: dict[int, _Entry] = {}

    def read(self, offset: int) -> "_Directory":
        count_format, entry_size, field_size = ("Q", 20, 8) if self.big else ("H", 12, 4)
        self.fh.seek(offset)
        head = self.fh.read(struct.calcsize(count_format))
        if len(head) < struct.calcsize(count_format):
            raise LayoutError("the first directory lies past the end of the file")
        (count,) = struct.unpack(self.order + count_format, head)
        if count > MAX_ENTRIES:
            raise LayoutError(f"the first directory has {count} entries")
        raw = self.fh.read(count * entry_size)
        if len(raw) < count * entry_size:
            raise LayoutError("the first directory is cut short")
        for start in range(0, len(raw), entry_size):
            tag, kind = struct.unpack_from(self.order + "HH", raw, start)
            (values,) = struct.unpack_from(self.order + ("Q" if self.big else "I"), raw, start + 4)
            field = raw[start + entry_size - field_size : start + entry_size]
            self.entries[tag] = _Entry(kind, values, field)
        return self

    def _dtype(self, entry: _Entry) -> np.dtype:
        if entry.type not in INTEGER_TYPES:
            raise LayoutError(f"a field of type {entry.type} where integers belong")
        return np.dtype(self.order + INTEGER_TYPES[entry.type])

    def _chunks(self, tag: int):
        """The values of `tag`, a million at a time (a large image has millions of tiles)."""
        entry = self.entries[tag]
        dtype = self._dtype(entry)
        if entry.count * dtype.itemsize <= len(entry.field):
            yield np.frombuffer(entry.field, dtype, entry.count)
            return
        (offset,) = struct.unpack(self.order + ("Q" if self.big else "I"), entry.field)
        for start in range(0, entry.count, COUNTS_PER_READ):
            size = min(COUNTS_PER_READ, entry.count - start) * dtype.itemsize
            self.fh.seek(offset + start * dtype.itemsize)  # each chunk where it lies: two fields are read in step
            data = self.fh.read(size)
            if len(data) < size:
                raise LayoutError(f"the values of field {tag} lie past the end of the file")
            yield np.frombuffer(data, dtype)

    def value(self, tag: int, default: int | None = None) -> int:
        if tag not in self.entries:
            if default is None:
                raise LayoutError(f"field {tag} is missing")
            return default
        first = next(self._chunks(tag))
        if not len(first):
            raise LayoutError(f"field {tag} has no value")
        return int(first[0])

    def stored_blocks(self, counts_tag: int, offsets_tag: int) -> tuple[int, int, int]:
        """The blocks of no bytes, the blocks counted, and where the last stored one ends (0 with no offsets), in one
        pass over both fields."""
        zeros = count = end = 0
        offsets = self._chunks(offsets_tag) if offsets_tag in self.entries else iter(())
        for counts in self._chunks(counts_tag):
            zeros += int(np.count_nonzero(counts == 0))
            count += len(counts)
            starts = next(offsets, None)
            if starts is not None and (both := min(len(starts), len(counts))):
                end = max(end, int((starts[:both].astype(np.uint64) + counts[:both].astype(np.uint64)).max()))
        return zeros, count, end


def layout_read(path: Path) -> Layout:
    """The layout of the first image of the TIFF or BigTIFF at `path`; LayoutError when its directory is broken."""
    with open(path, "rb") as fh:
        return layout_of(fh)


def layout_of(fh: BinaryIO) -> Layout:
    """The layout of the first image of the TIFF or BigTIFF open as `fh` (read in the few ranges that hold it)."""
    head = fh.read(16)
    order = {b"II": "<", b"MM": ">"}.get(head[:2])
    if order is None or len(head) < 16:
        raise LayoutError("no TIFF header")
    (version,) = struct.unpack(order + "H", head[2:4])
    if version not in (42, 43):
        raise LayoutError("no TIFF header")
    big = version == 43
    (first,) = struct.unpack_from(order + ("Q" if big else "I"), head, 8 if big else 4)
    layout = _layout(_Directory(fh, order, big).read(first))
    if layout.blocks_end > fh.seek(0, io.SEEK_END):
        raise LayoutError("blocks lie past the end of the file (a truncated file)")
    return layout


def _layout(directory: _Directory) -> Layout:
    width, height = directory.value(IMAGE_WIDTH), directory.value(IMAGE_LENGTH)
    samples = directory.value(SAMPLES_PER_PIXEL, 1)
    bits = directory.value(BITS_PER_SAMPLE, 1)
    planes = samples if directory.value(PLANAR_CONFIGURATION, 1) == SEPARATE_PLANES else 1
    if TILE_WIDTH in directory.entries:
        block_width, block_height = directory.value(TILE_WIDTH), directory.value(TILE_LENGTH)
        counts_tag, offsets_tag = TILE_BYTE_COUNTS, TILE_OFFSETS
    else:
        block_width, block_height = width, min(directory.value(ROWS_PER_STRIP, height) or height, height)
        counts_tag, offsets_tag = STRIP_BYTE_COUNTS, STRIP_OFFSETS
    if not (width and height and block_width and block_height):
        raise LayoutError("an image or block of no pixels")
    blocks = math.ceil(width / block_width) * math.ceil(height / block_height) * planes
    missing = end = 0
    if counts_tag in directory.entries:
        zeros, stored, end = directory.stored_blocks(counts_tag, offsets_tag)
        missing = zeros + max(0, blocks - stored)
    return Layout(
        compressed=directory.value(COMPRESSION, NO_COMPRESSION) != NO_COMPRESSION,
        block_bytes=block_width * block_height * (samples // planes) * bits // 8,
        missing_blocks=missing,
        blocks_end=end,
    )
