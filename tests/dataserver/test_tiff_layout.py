"""The layout read from a TIFF's first directory, for the ways GDAL writes one: byte orders, BigTIFF, tiles or
strips, bands interleaved or in planes, blocks stored or left out."""

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from dataserver.rasters.tiff_layout import LayoutError, layout_read
from tests.rasters import COGEO, write_empty

ORDERS = [{}, {"ENDIANNESS": "BIG"}, {"BIGTIFF": "YES"}, {"BIGTIFF": "YES", "ENDIANNESS": "BIG"}]


@pytest.mark.parametrize("order", ORDERS, ids=["tiff", "tiff-big-endian", "bigtiff", "bigtiff-big-endian"])
def test_it_counts_the_blocks_a_sparse_file_leaves_out_in_every_byte_order(tmp_path, order):
    path = write_empty(tmp_path / "sparse.tif", width=1000, height=1000, SPARSE_OK="TRUE", TILED="YES", **order)
    layout = layout_read(path)
    assert (layout.missing_blocks, layout.block_bytes, layout.compressed) == (16, 256 * 256, False)
    whole = write_empty(tmp_path / "whole.tif", width=1000, height=1000, TILED="YES", **order)
    assert layout_read(whole).missing_blocks == 0


def test_a_tile_of_interleaved_bands_holds_all_of_them():
    layout = layout_read(COGEO)  # 512 x 512 JPEG tiles of three bands
    assert (layout.block_bytes, layout.compressed, layout.missing_blocks) == (512 * 512 * 3, True, 0)


def test_a_strip_of_bands_in_planes_holds_one_band(tmp_path):
    path = tmp_path / "planes.tif"
    profile = {"driver": "GTiff", "width": 300, "height": 200, "count": 3, "dtype": "uint16", "crs": "EPSG:32637",
               "transform": from_origin(500_000, 6_200_000, 1, 1), "interleave": "band", "compress": "deflate",
               "blockysize": 10}  # fmt: skip
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(np.ones((3, 200, 300), "uint16"))
    assert layout_read(path).block_bytes == 300 * 10 * 2


def test_a_directory_past_the_end_of_the_file_is_broken(tmp_path):
    path = tmp_path / "cut.tif"
    path.write_bytes(b"II*\x00" + (10**6).to_bytes(4, "little") + b"\x00" * 8)
    with pytest.raises(LayoutError):
        layout_read(path)


@pytest.mark.parametrize("order", ORDERS, ids=["tiff", "tiff-big-endian", "bigtiff", "bigtiff-big-endian"])
def test_a_file_cut_short_of_its_blocks_is_broken(tmp_path, order):
    whole = write_empty(tmp_path / "whole.tif", width=1000, height=1000, TILED="YES", **order)
    assert layout_read(whole).missing_blocks == 0
    data = whole.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[:-1])  # the last block one byte short
    with pytest.raises(LayoutError, match="truncated"):
        layout_read(cut)
