"""The images endpoints of the self-hosted Data API (DATA_API.md section 3): metadata, renames, deletes, previews."""

import hashlib
import io

import pytest
from PIL import Image as PILImage
from pyproj import Transformer
from rasterio.crs import CRS
from shapely import wkt
from shapely.geometry import Point, Polygon

from dataserver.models import Image
from dataserver.storage import store
from tests.dataserver.uploading import (
    NOT_AUTHENTICATED,
    memory_used,
    mosaic_create,
    raster_error,
    stored_files,
    upload,
    upload_ok,
    uri_bytes,
)
from tests.rasters import write_raster

IMAGE_KEYS = {
    "id",
    "mosaic_id",
    "image_url",
    "preview_url_s",
    "preview_url_l",
    "uploaded_at",
    "file_size",
    "footprint",
    "filename",
    "checksum",
    "meta_data",
    "cog_link",
    "available_for_download",
}
META_KEYS = {"crs", "count", "width", "height", "dtypes", "nodata", "pixel_size"}


@pytest.fixture
def mosaic(api):
    return mosaic_create(api)


@pytest.mark.parametrize(
    "crs,count,dtype,nodata,pixel_size",
    [
        ("EPSG:32637", 3, "uint8", None, 10.0),
        ("EPSG:3857", 1, "uint16", 0, 10.0),
        ("EPSG:4326", 4, "uint8", 255, 0.0001),
        ("EPSG:32637", 4, "uint16", 65535, 0.5),
    ],
)
def test_an_image_has_every_key_and_the_metadata_of_its_raster(
    api, mosaic, tmp_path, crs, count, dtype, nodata, pixel_size
):
    path = write_raster(tmp_path / "scene.tif", crs=crs, count=count, dtype=dtype, nodata=nodata, pixel_size=pixel_size)
    image = upload_ok(api, mosaic["id"], path)
    assert set(image) == IMAGE_KEYS and set(image["meta_data"]) == META_KEYS
    assert image["meta_data"] == {
        "crs": crs,
        "count": count,
        "width": 64,
        "height": 48,
        "dtypes": [dtype] * count,
        "nodata": nodata,
        "pixel_size": [pixel_size, pixel_size],
    }
    data = path.read_bytes()
    assert image["checksum"] == hashlib.sha1(data).hexdigest()
    assert image["file_size"] == len(data)
    assert image["filename"] == "scene.tif" and image["mosaic_id"] == mosaic["id"]
    assert image["uploaded_at"].endswith("Z")
    assert image["image_url"].startswith("s3://" if store().kind == "s3" else "file://")
    assert uri_bytes(image["image_url"]) == data
    assert image["preview_url_s"].startswith("http://testserver/rest/rasters/")
    assert image["preview_url_s"].endswith("/preview/s") and image["preview_url_l"].endswith("/preview/l")


def test_a_utm_images_footprint_is_its_outline_in_lon_lat(api, mosaic, tmp_path):
    path = write_raster(tmp_path / "utm.tif", width=200, height=100, pixel_size=30.0)
    image = upload_ok(api, mosaic["id"], path)
    footprint = wkt.loads(image["footprint"])
    assert image["footprint"].startswith("POLYGON") and footprint.is_valid
    to_lonlat = Transformer.from_crs("EPSG:32637", "EPSG:4326", always_xy=True)
    x0, y0 = 500_000.0, 6_200_000.0
    corners = [(x0, y0), (x0 + 6000, y0), (x0 + 6000, y0 - 3000), (x0, y0 - 3000)]
    for lon, lat in map_corners(to_lonlat, corners):
        assert footprint.exterior.distance(Point(lon, lat)) < 1e-6, (lon, lat)
    assert footprint.area == pytest.approx(Polygon(map_corners(to_lonlat, corners)).area, rel=1e-3)


# The CRS of rasterio's own UTM test rasters (tests/data of rasterio): RGB.byte.tif's is a clean EPSG one; RGB2.byte.tif,
# rgb1-4.tif and rgb-byte-tenth.tif carry this one, a UTM zone on a datum known only by its WGS 84 ellipsoid.
RASTERIO_RGB2_BYTE = (
    'PROJCS["UTM Zone 18, Northern Hemisphere",GEOGCS["Unknown datum based upon the WGS 84 ellipsoid",'
    'DATUM["Not_specified_based_on_WGS_84_spheroid",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",-75],'
    'PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],'
    'UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
)
UTM_18N = "+proj=utm +zone=18 +ellps=WGS84 +units=m +no_defs"


@pytest.mark.parametrize(
    "crs,expected",
    [
        (RASTERIO_RGB2_BYTE, "EPSG:32618"),
        (UTM_18N, "EPSG:32618"),  # how rasterio's RGB.byte.tif was written
        ("+proj=utm +zone=37 +south +ellps=WGS84", "EPSG:32737"),
        ("+proj=utm +zone=18 +datum=WGS84 +units=m", "EPSG:32618"),
        ("EPSG:26711", "EPSG:26711"),  # NAD27 / UTM 11N, rasterio's byte.tif
    ],
    ids=["rasterio-rgb2-byte", "ellipsoid-only", "south", "datum", "nad27"],
)
def test_a_crs_that_is_an_epsg_code_is_written_as_that_code(api, mosaic, tmp_path, crs, expected):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "utm.tif", crs=crs))
    assert image["meta_data"]["crs"] == expected


@pytest.mark.parametrize(
    "crs",
    [
        "+proj=tmerc +lat_0=0 +lon_0=-75 +k=0.9997 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m",  # nearly UTM 18N
        "+proj=utm +zone=18 +datum=WGS84 +units=us-ft",  # UTM 18N in feet: not EPSG:32618
        "+proj=utm +zone=18 +ellps=clrk66 +units=m",  # three datums on that ellipsoid fit as well: no one code
    ],
    ids=["lookalike", "feet", "ambiguous"],
)
def test_a_crs_that_is_no_one_epsg_code_is_written_as_its_wkt(api, mosaic, tmp_path, crs):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "custom.tif", crs=crs))
    text = image["meta_data"]["crs"]
    assert text.startswith("PROJCS[") and CRS.from_wkt(text) == CRS.from_user_input(crs)


def map_corners(transformer, corners):
    return [transformer.transform(x, y) for x, y in corners]


def test_a_lon_lat_images_footprint_is_its_bounds(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "ll.tif", crs="EPSG:4326"))
    bounds = wkt.loads(image["footprint"]).bounds
    assert bounds == pytest.approx((37.5, 55.8 - 48 * 0.0001, 37.5 + 64 * 0.0001, 55.8), abs=1e-8)


def test_it_renames_an_image(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    response = api.put(f"/rest/rasters/image/{image['id']}?name=Field%20north.tif")
    assert response.status_code == 200
    assert response.json() == {**image, "filename": "Field north.tif"}
    assert api.get(f"/rest/rasters/image/{image['id']}").json()["filename"] == "Field north.tif"


def test_a_name_too_long_for_an_image_is_shortened_keeping_its_extension(api, mosaic, tmp_path):
    long_name = "north-field-" * 30 + ".tiff"
    response = upload(api, mosaic["id"], write_raster(tmp_path / "a.tif"), filename=long_name)
    assert response.status_code == 200, response.content
    filename = api.get(f"/rest/rasters/image/{response.json()['image_id']}").json()["filename"]
    assert len(filename) == 255 and filename.endswith(".tiff") and long_name.startswith(filename[:200])


@pytest.mark.parametrize("query", ["", "?name=", "?name=" + "x" * 256])
def test_a_rename_needs_a_name_of_1_to_255_characters(api, mosaic, tmp_path, query):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    response = api.put(f"/rest/rasters/image/{image['id']}{query}")
    assert response.status_code == 422
    assert {"loc", "msg", "type"} <= set(response.json()["detail"][0])
    assert api.get(f"/rest/rasters/image/{image['id']}").json()["filename"] == "a.tif"


def test_deleting_an_image_removes_its_files_and_frees_exactly_its_size(
    api, mosaic, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        kept = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
        gone = upload_ok(api, mosaic["id"], write_raster(tmp_path / "b.tif", origin=(500_640.0, 6_200_000.0)))
    gone = api.get(f"/rest/rasters/image/{gone['id']}").json()
    assert gone["cog_link"] is not None
    owned = [path for path in stored_files() if gone["id"] in path.name]
    assert len(owned) == 4, owned  # original, COG and two previews
    used = memory_used(api)

    response = api.delete(f"/rest/rasters/image/{gone['id']}")

    assert response.status_code == 200 and response.json() == {"message": f"{gone['id']} deleted"}
    assert not any(path.exists() for path in owned)
    assert memory_used(api) == used - gone["file_size"]
    raster_error(api.get(f"/rest/rasters/image/{gone['id']}"), 404, "ItemNotFound")
    left = api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()
    assert left["image_count"] == 1
    assert wkt.loads(left["footprint"]).equals(wkt.loads(kept["footprint"]))


def test_deleting_the_last_image_empties_the_mosaic_footprint(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    api.delete(f"/rest/rasters/image/{image['id']}")
    assert api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["footprint"] is None
    assert stored_files() == set()


def _jpeg(response) -> PILImage.Image:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/jpeg"
    picture = PILImage.open(io.BytesIO(b"".join(response.streaming_content)))
    assert picture.format == "JPEG"
    return picture


@pytest.mark.parametrize("prefix", ["/rest/rasters/image", "/rest/rasters"])
def test_previews_fit_their_box_and_keep_the_aspect(api, mosaic, tmp_path, prefix):
    path = write_raster(tmp_path / "wide.tif", count=1, width=2048, height=1024, colour=(90,))
    image = upload_ok(api, mosaic["id"], path)
    assert _jpeg(api.get(f"{prefix}/{image['id']}/preview/s")).size == (256, 128)
    assert _jpeg(api.get(f"{prefix}/{image['id']}/preview/l")).size == (1024, 512)


def test_a_preview_shows_the_images_colours(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "red.tif", colour=(220, 30, 30)))
    picture = _jpeg(api.get(f"/rest/rasters/image/{image['id']}/preview/s")).convert("RGB")
    assert picture.size == (64, 48)
    red, green, blue = picture.getpixel((32, 24))
    assert red > 200 and green < 50 and blue < 50


def test_a_16_bit_preview_is_stretched_to_be_visible(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "u16.tif", count=1, dtype="uint16"))
    low, high = _jpeg(api.get(f"/rest/rasters/image/{image['id']}/preview/s")).convert("L").getextrema()
    assert high - low > 150


def test_the_preview_url_of_an_image_serves_its_preview(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    assert _jpeg(api.get(image["preview_url_l"].removeprefix("http://testserver"))).size == (64, 48)


def test_a_preview_size_other_than_s_or_l_is_not_found(api, mosaic, tmp_path):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    for prefix in ("/rest/rasters/image", "/rest/rasters"):
        response = api.get(f"{prefix}/{image['id']}/preview/m")
        assert raster_error(response, 404, "PreviewNotFound") == {"image_id": image["id"]}


def test_previews_need_a_token(api, mosaic, tmp_path, client):
    image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    response = client.get(f"/rest/rasters/image/{image['id']}/preview/s")
    assert response.status_code == 401 and response.json() == NOT_AUTHENTICATED


def test_it_hides_other_accounts_images(api, other_api, tmp_path):
    image = upload_ok(other_api, mosaic_create(other_api)["id"], write_raster(tmp_path / "a.tif"))
    calls = [
        api.get(f"/rest/rasters/image/{image['id']}"),
        api.put(f"/rest/rasters/image/{image['id']}?name=mine.tif"),
        api.delete(f"/rest/rasters/image/{image['id']}"),
        api.get(f"/rest/rasters/image/{image['id']}/preview/s"),
        api.get(f"/rest/rasters/{image['id']}/preview/l"),
        api.get(f"/rest/rasters/image/{image['id']}/preview/m"),
    ]
    for response in calls:
        assert raster_error(response, 404, "ItemNotFound") == {"uid": image["id"], "instance_type": "image"}
    assert Image.objects.get(id=image["id"]).filename == "a.tif"
    assert other_api.get(f"/rest/rasters/image/{image['id']}").status_code == 200
