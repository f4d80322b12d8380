"""Every refusal of an upload (DATA_API.md section 2, upload rules): the error body, and nothing left behind."""

import io
import time

import pytest
from affine import Affine
from django.test import Client
from PIL import Image as PILImage
from rasterio.transform import from_origin

from dataserver.models import Image
from tests.conftest import basic, make_account
from tests.dataserver.uploading import (
    memory_used,
    mosaic_create,
    raster_error,
    stored_files,
    upload,
    upload_ok,
)
from tests.rasters import COGEO, write_empty, write_raster


@pytest.fixture
def mosaic(api, tmp_path):
    """A mosaic whose first image is a 3-band 8-bit UTM raster of 10 m pixels."""
    mosaic = mosaic_create(api)
    upload_ok(api, mosaic["id"], write_raster(tmp_path / "first.tif"))
    return mosaic


def refused(api: Client, mosaic_id: str, path, status: int, code: str, *, filename: str | None = None) -> dict:
    """Upload a file the server must refuse; check nothing was kept; return the error's parameters."""
    files, rows, used = stored_files(), Image.objects.count(), memory_used(api)
    parameters = raster_error(upload(api, mosaic_id, path, filename=filename), status, code)
    assert stored_files() == files, "a refused upload leaves no file"
    assert Image.objects.count() == rows, "a refused upload leaves no image"
    assert memory_used(api) == used
    return parameters


def test_a_file_over_the_accounts_upload_size_is_too_big(db, tmp_path):
    _, token = make_account("small@example.com", max_upload_file_size=5000)
    api = Client(**basic(token))
    path = write_raster(tmp_path / "big.tif", width=100, height=100)
    parameters = refused(api, mosaic_create(api)["id"], path, 403, "FileTooBig")
    assert parameters == {"actual_file_size": path.stat().st_size, "max_file_size": 5000}


def test_an_upload_over_the_storage_quota_is_refused_with_what_is_left(db, tmp_path):
    first = write_raster(tmp_path / "first.tif")
    _, token = make_account("quota@example.com", memory_limit=first.stat().st_size + 100)
    api = Client(**basic(token))
    mosaic = mosaic_create(api)
    upload_ok(api, mosaic["id"], first)
    second = write_raster(tmp_path / "second.tif")
    parameters = refused(api, mosaic["id"], second, 403, "MemoryLimitExceeded")
    assert parameters == {"available_memory": 100, "memory_requested": second.stat().st_size}


def test_size_is_checked_before_the_quota_and_the_quota_before_the_content(db, tmp_path):
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"not a tiff" * 1000)
    _, token = make_account("order@example.com", max_upload_file_size=5000, memory_limit=100)
    api = Client(**basic(token))
    mosaic_id = mosaic_create(api)["id"]
    refused(api, mosaic_id, junk, 403, "FileTooBig")
    small_junk = tmp_path / "small.tif"
    small_junk.write_bytes(b"not a tiff" * 20)
    refused(api, mosaic_id, small_junk, 403, "MemoryLimitExceeded")


def _truncated_tiff(tmp_path):
    whole = write_raster(tmp_path / "whole.tif", width=300, height=300).read_bytes()
    path = tmp_path / "truncated.tif"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _png_named_tif(tmp_path):
    path = tmp_path / "picture.tif"
    PILImage.new("RGB", (32, 32), (10, 200, 10)).save(path, "PNG")
    return path


def _empty(tmp_path):
    path = tmp_path / "empty.tif"
    path.write_bytes(b"")
    return path


def _header_only(tmp_path):
    path = tmp_path / "header.tif"
    path.write_bytes(b"II*\x00" + b"\x00" * 60)
    return path


@pytest.mark.parametrize("make_file", [_truncated_tiff, _png_named_tif, _empty, _header_only])
def test_a_file_that_is_not_a_readable_geotiff_cannot_be_opened(api, mosaic, tmp_path, make_file):
    path = make_file(tmp_path)
    assert refused(api, mosaic["id"], path, 422, "FileOpenError") == {"filename": path.name}


@pytest.mark.parametrize("filename", ["scene.png", "scene.jpg", "scene", "scene.tif.zip"])
def test_only_tif_and_tiff_files_are_accepted(api, mosaic, tmp_path, filename):
    path = write_raster(tmp_path / "scene.tif")
    assert refused(api, mosaic["id"], path, 422, "FileOpenError", filename=filename) == {"filename": filename}


def test_a_tiff_extension_in_capitals_is_accepted(api, mosaic, tmp_path):
    response = upload(api, mosaic["id"], write_raster(tmp_path / "scene.tif"), filename="SCENE.TIFF")
    assert response.status_code == 200, response.content


def test_a_raster_without_a_crs_or_geotransform_fails_the_checks(api, tmp_path):
    path = write_raster(tmp_path / "plain.tif", crs=None)
    parameters = refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")
    assert parameters == {
        "filename": "plain.tif",
        "bad_parameters": ["crs", "transform"],
        "crs": None,
        "transform": None,
        "width": 64,
        "height": 48,
    }


def test_a_raster_with_a_crs_but_no_geotransform_fails_the_checks(api, tmp_path):
    path = write_raster(tmp_path / "nogeo.tif", transform=Affine.identity())
    parameters = refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")
    assert (parameters["bad_parameters"], parameters["crs"], parameters["transform"]) == (["transform"], "EPSG:32637", None)


def test_a_raster_with_a_transform_but_no_crs_fails_the_checks(api, tmp_path):
    path = write_raster(tmp_path / "nocrs.tif", crs=None, transform=from_origin(500_000, 6_200_000, 10, 10))
    parameters = refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")
    assert parameters["bad_parameters"] == ["crs"]
    assert parameters["transform"] == [10.0, 0.0, 500_000.0, 0.0, -10.0, 6_200_000.0]


def test_a_raster_wider_than_the_pixel_limit_fails_the_checks(db, tmp_path):
    _, token = make_account("pixels@example.com", max_pixel_count=50)
    api = Client(**basic(token))
    parameters = refused(api, mosaic_create(api)["id"], write_raster(tmp_path / "wide.tif"), 422, "FileCheckFailed")
    assert parameters["bad_parameters"] == ["width"]
    assert (parameters["crs"], parameters["width"], parameters["height"]) == ("EPSG:32637", 64, 48)
    tall = write_raster(tmp_path / "tall.tif", width=40, height=60)
    assert refused(api, mosaic_create(api)["id"], tall, 422, "FileCheckFailed")["bad_parameters"] == ["height"]


@pytest.mark.parametrize(
    "raster,param_name,got,expected",
    [
        ({"crs": "EPSG:3857"}, "crs", "EPSG:3857", "EPSG:32637"),
        ({"count": 1}, "count", 1, 3),
        ({"count": 4, "dtype": "uint16"}, "count", 4, 3),
        ({"pixel_size": 20.0}, "pixel_size", [20.0, 20.0], [10.0, 10.0]),
    ],
)
def test_an_image_unlike_the_mosaics_first_image_fails_validation(
    api, mosaic, tmp_path, raster, param_name, got, expected
):
    path = write_raster(tmp_path / "other.tif", **raster)
    assert refused(api, mosaic["id"], path, 422, "FileValidationFailed") == {
        "mosaic_id": mosaic["id"],
        "filename": "other.tif",
        "param_name": param_name,
        "got_param": got,
        "expected_param": expected,
    }


@pytest.mark.parametrize(
    "raster,footprint_error,param_name",
    [
        ({"crs": "EPSG:4326", "origin": (185.0, 10.0), "pixel_size": 0.01}, "ImageOutOfBounds", "crs"),
        ({"pixel_size": 20_000.0}, "ImageExtentTooBig", "pixel_size"),
    ],
    ids=["out-of-bounds", "too-big"],
)
def test_an_image_unlike_the_first_one_fails_validation_before_its_footprint_is_checked(
    api, mosaic, tmp_path, raster, footprint_error, param_name
):
    path = write_raster(tmp_path / "unlike.tif", **raster)
    # On its own, the footprint is what is wrong with it...
    assert refused(api, mosaic_create(api, name="Empty")["id"], path, 422, footprint_error) == {"filename": "unlike.tif"}
    # ...but in a mosaic whose first image it does not match, that mismatch is named first.
    assert refused(api, mosaic["id"], path, 422, "FileValidationFailed")["param_name"] == param_name


def test_an_image_like_the_first_one_joins_the_mosaic(api, mosaic, tmp_path):
    path = write_raster(tmp_path / "next.tif", dtype="uint16", nodata=0, origin=(500_640.0, 6_200_000.0))
    assert upload(api, mosaic["id"], path).status_code == 200
    assert api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["image_count"] == 2


@pytest.mark.parametrize("origin", [(185.0, 10.0), (10.0, 95.0), (-181.0, 0.0)])
def test_an_image_outside_valid_lon_lat_is_out_of_bounds(api, tmp_path, origin):
    path = write_raster(tmp_path / "away.tif", crs="EPSG:4326", origin=origin, pixel_size=0.01)
    assert refused(api, mosaic_create(api)["id"], path, 422, "ImageOutOfBounds") == {"filename": "away.tif"}


@pytest.mark.parametrize(
    "crs,origin",
    [("EPSG:3857", (30_000_000.0, 0.0)), ("EPSG:3857", (-25_000_000.0, 1_000_000.0)), ("EPSG:32637", (-1e9, 0.0))],
)
def test_a_projected_image_past_the_edge_of_the_world_is_out_of_bounds(api, tmp_path, crs, origin):
    path = write_raster(tmp_path / "far.tif", crs=crs, origin=origin, pixel_size=1000.0)
    assert refused(api, mosaic_create(api)["id"], path, 422, "ImageOutOfBounds") == {"filename": "far.tif"}


@pytest.mark.parametrize("size", [(120, 10), (10, 120)])
def test_an_image_over_10_degrees_wide_or_tall_is_too_big(api, tmp_path, size):
    width, height = size
    path = write_raster(
        tmp_path / "huge.tif", crs="EPSG:4326", origin=(30.0, 60.0), pixel_size=0.1, width=width, height=height
    )
    assert refused(api, mosaic_create(api)["id"], path, 422, "ImageExtentTooBig") == {"filename": "huge.tif"}


def test_an_upload_without_a_file_part_is_a_request_error(api, mosaic):
    files = stored_files()
    response = api.post(f"/rest/rasters/mosaic/{mosaic['id']}/image", {"image": io.BytesIO(b"x")})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}]}
    assert stored_files() == files


def test_an_account_over_a_lowered_quota_has_negative_free_memory_and_cannot_upload(api, account, mosaic, tmp_path):
    alice = account[0]
    used = memory_used(api)
    alice.memory_limit = used - 10
    alice.save()
    assert api.get("/rest/rasters/memory").json()["memoryFree"] == -10
    path = write_raster(tmp_path / "more.tif", width=8, height=8)
    parameters = refused(api, mosaic["id"], path, 403, "MemoryLimitExceeded")
    assert parameters == {"available_memory": -10, "memory_requested": path.stat().st_size}


def test_an_upload_cut_off_mid_file_leaves_no_partial_file(api, mosaic):
    boundary = "cut-here"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cogeo.tif\"\r\n"
        "Content-Type: image/tiff\r\n\r\n"
    ).encode()
    truncated = head + COGEO.read_bytes()[:100_000]  # no closing boundary: the client went away
    files_before, used_before = stored_files(), memory_used(api)

    response = api.generic(
        "POST",
        f"/rest/rasters/mosaic/{mosaic['id']}/image",
        truncated,
        content_type=f"multipart/form-data; boundary={boundary}",
    )

    assert response.status_code == 422, response.content
    assert stored_files() == files_before
    assert memory_used(api) == used_before


# --- Files whose work is out of proportion to their size (DATA_API.md section 2, Decision) ---


def test_a_few_hundred_bytes_declaring_100000_by_100000_pixels_in_one_sparse_strip_are_refused_at_once(api, tmp_path):
    path = write_empty(tmp_path / "sparse.tif", width=100_000, height=100_000, SPARSE_OK="TRUE", BLOCKYSIZE=100_000)
    assert path.stat().st_size < 1000
    started = time.monotonic()
    parameters = refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")
    assert time.monotonic() - started < 1.0
    assert parameters["bad_parameters"] == ["total_pixels", "blocks"]
    assert (parameters["width"], parameters["height"]) == (100_000, 100_000)


def test_a_sparse_file_within_the_pixel_limits_is_refused_for_its_missing_blocks(api, tmp_path):
    path = write_empty(tmp_path / "holes.tif", width=40_000, height=40_000, SPARSE_OK="TRUE", TILED="YES")
    parameters = refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")
    assert parameters["bad_parameters"] == ["blocks"]


def test_width_times_height_over_the_total_limit_fails_the_checks(api, tmp_path, settings):
    settings.DATASERVER_MAX_TOTAL_PIXELS = 64 * 48 - 1
    parameters = refused(api, mosaic_create(api)["id"], write_raster(tmp_path / "a.tif"), 422, "FileCheckFailed")
    assert parameters["bad_parameters"] == ["total_pixels"]
    settings.DATASERVER_MAX_TOTAL_PIXELS = 64 * 48
    assert upload(api, mosaic_create(api)["id"], tmp_path / "a.tif").status_code == 200


def test_a_compressed_strip_of_more_than_16_mib_is_refused(api, tmp_path):
    path = write_empty(tmp_path / "strip.tif", width=5000, height=5000, COMPRESS="DEFLATE", BLOCKYSIZE=5000)
    assert path.stat().st_size < 100_000  # 25 MB of zeros in one strip
    assert refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")["bad_parameters"] == ["block_size"]


@pytest.mark.parametrize(
    "creation",
    [
        {"COMPRESS": "DEFLATE", "TILED": "YES"},
        {"COMPRESS": "ZSTD", "TILED": "YES", "BLOCKXSIZE": 1024, "BLOCKYSIZE": 1024},  # 25 000 times smaller
        {"COMPRESS": "DEFLATE"},  # strips
        {"BLOCKYSIZE": 6000},  # one uncompressed strip of 36 MB
    ],
    ids=["deflate-tiles", "zstd-1024-tiles", "deflate-strips", "one-raw-strip"],
)
def test_an_image_of_nodata_only_however_well_it_compresses_is_accepted(api, tmp_path, creation):
    path = write_empty(tmp_path / "nodata.tif", width=6000, height=6000, nodata=0, **creation)
    response = upload(api, mosaic_create(api)["id"], path)
    assert response.status_code == 200, response.content


def test_jpeg_imagery_ten_times_smaller_than_its_pixels_is_accepted(api):
    assert upload(api, mosaic_create(api)["id"], COGEO).status_code == 200


def test_a_preview_read_past_its_time_limit_fails_the_checks_and_keeps_nothing(api, tmp_path, settings):
    settings.DATASERVER_PREVIEW_TIME_LIMIT = 0  # stops after the first of the read's pieces
    path = write_raster(tmp_path / "slow.tif", width=2000, height=2000)
    parameters = refused(api, mosaic_create(api)["id"], path, 422, "FileCheckFailed")
    assert parameters["bad_parameters"] == ["read_time"]
