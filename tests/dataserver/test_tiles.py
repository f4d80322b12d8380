"""XYZ tiles and TileJSON of the self-hosted Data API (DATA_API.md section 5), from COGs built in the background."""

import io
from urllib.parse import quote

import morecantile
import numpy as np
import pytest
import rasterio
from PIL import Image as PILImage
from rasterio.windows import Window

from dataserver.models import Image
from dataserver.storage import store
from tests.dataserver.uploading import (
    mosaic_create,
    stored_files,
    upload_ok,
    uri_bytes,
    uri_key,
)
from tests.rasters import COGEO, write_raster

WEB_MERCATOR = morecantile.tms.get("WebMercatorQuad")
RED, BLUE = (220, 20, 20), (20, 20, 220)
# Two lon/lat images side by side, 0.064 degrees wide each.
LEFT, RIGHT = (37.5, 55.8), (37.564, 55.8)
PIXEL = 0.001


def local(url: str) -> str:
    return url.removeprefix("http://testserver")


def tile_url(layer: dict, lon: float, lat: float, zoom: int) -> str:
    tile = WEB_MERCATOR.tile(lon, lat, zoom)
    return local(layer["tileUrl"]).format(z=tile.z, x=tile.x, y=tile.y)


def rgba(response) -> PILImage.Image:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/png"
    picture = PILImage.open(io.BytesIO(response.content)).convert("RGBA")
    assert picture.size == (256, 256)
    return picture


def shows(picture: PILImage.Image, colour: tuple[int, int, int]) -> bool:
    """Some opaque pixel has this colour, give or take compression."""
    return any(
        alpha == 255 and all(abs(a - b) <= 12 for a, b in zip((r, g, b), colour))
        for r, g, b, alpha in picture.getdata()
    )


@pytest.fixture
def ready_mosaic(api, tmp_path, django_capture_on_commit_callbacks):
    """A mosaic of a red image with a blue one east of it, COGs built."""
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks(execute=True):
        for name, origin, colour in (("red", LEFT, RED), ("blue", RIGHT, BLUE)):
            path = write_raster(
                tmp_path / f"{name}.tif", crs="EPSG:4326", origin=origin, pixel_size=PIXEL, colour=colour
            )
            upload_ok(api, mosaic["id"], path)
    return api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()


def test_tile_links_and_cog_link_stay_empty_until_the_cog_is_built(api, tmp_path, django_capture_on_commit_callbacks):
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks() as pending:
        image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif"))
    assert image["cog_link"] is None
    assert api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"] == {"tileUrl": "", "tileJsonUrl": ""}

    for callback in pending:
        callback()

    image = api.get(f"/rest/rasters/image/{image['id']}").json()
    assert image["cog_link"].startswith(store().uri("")) and image["cog_link"].endswith(".tif")
    layer = api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"]
    assert layer["tileUrl"].startswith("http://testserver/api/v0/cogs/tiles/{z}/{x}/{y}.png?uri=")
    assert layer["tileJsonUrl"].startswith("http://testserver/api/v0/cogs/tiles.json?uri=")


def test_a_failed_cog_build_leaves_no_tiles_and_no_partial_file(api, tmp_path, settings, django_capture_on_commit_callbacks):
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks() as pending:
        image = upload_ok(api, mosaic["id"], write_raster(tmp_path / "a.tif", width=300, height=300))
    original = image["image_url"]
    store().put(uri_key(original), uri_bytes(original)[:2000])  # the store lost the file's data since the upload

    for callback in pending:
        callback()

    assert api.get(f"/rest/rasters/image/{image['id']}").json()["cog_link"] is None
    assert api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"] == {"tileUrl": "", "tileJsonUrl": ""}
    assert Image.objects.get(id=image["id"]).cog_error
    assert not [path for path in stored_files() if "cog" in path.parts]
    assert not list(settings.DATASERVER_SCRATCH_DIR.glob("*")), "nothing of the build is left in the scratch folder"


def test_a_tile_over_an_image_shows_its_colour(client, ready_mosaic):
    picture = rgba(client.get(tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14)))
    assert shows(picture, RED) and not shows(picture, BLUE)


def test_a_tile_across_two_images_of_a_mosaic_shows_both(client, ready_mosaic):
    picture = rgba(client.get(tile_url(ready_mosaic["rasterLayer"], 37.564, 55.775, 11)))
    assert shows(picture, RED) and shows(picture, BLUE)


def test_a_tile_outside_the_images_is_fully_transparent(client, ready_mosaic):
    picture = rgba(client.get(tile_url(ready_mosaic["rasterLayer"], 10.0, 10.0, 14)))
    assert picture.getchannel("A").getextrema() == (0, 0)


def test_tiles_are_cacheable_and_revalidate_with_their_etag(client, ready_mosaic):
    url = tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14)
    first = client.get(url)
    assert "max-age" in first["Cache-Control"] and first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_tilejson_describes_the_mosaic(client, ready_mosaic):
    response = client.get(local(ready_mosaic["rasterLayer"]["tileJsonUrl"]))
    assert response.status_code == 200
    tilejson = response.json()
    assert {"tiles", "bounds", "center", "minzoom", "maxzoom"} <= set(tilejson)
    assert tilejson["tiles"] == [ready_mosaic["rasterLayer"]["tileUrl"]]
    west, south, east, north = tilejson["bounds"]
    assert (west, south, east, north) == pytest.approx((37.5, 55.8 - 48 * PIXEL, 37.628, 55.8), abs=1e-6)
    assert tilejson["center"][:2] == pytest.approx([(west + east) / 2, (south + north) / 2])
    assert 0 <= tilejson["minzoom"] <= tilejson["maxzoom"] <= 24


def test_an_image_cog_link_serves_tiles_of_that_image_alone(client, api, ready_mosaic):
    red = Image.objects.get(mosaic_id=ready_mosaic["id"], filename="red.tif")
    cog = api.get(f"/rest/rasters/image/{red.id}").json()["cog_link"]
    tile = WEB_MERCATOR.tile(37.564, 55.775, 11)
    picture = rgba(client.get(f"/api/v0/cogs/tiles/{tile.z}/{tile.x}/{tile.y}.png?uri={quote(cog, safe='')}"))
    assert shows(picture, RED) and not shows(picture, BLUE)


def test_a_real_aerial_photo_is_served_as_tiles(api, client, django_capture_on_commit_callbacks):
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks(execute=True):
        image = upload_ok(api, mosaic["id"], COGEO)
    assert api.get(f"/rest/rasters/image/{image['id']}").json()["cog_link"] is not None
    layer = api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"]
    tilejson = client.get(local(layer["tileJsonUrl"])).json()
    lon, lat, _ = tilejson["center"]
    response = client.get(tile_url(layer, lon, lat, tilejson["maxzoom"]))
    picture = rgba(response)
    assert picture.getchannel("A").getextrema() == (255, 255), "the middle of the photo is all image"
    assert PILImage.open(io.BytesIO(response.content)).mode == "RGB", "an opaque tile carries no alpha band"
    assert len(set(picture.convert("RGB").getdata())) > 100, "a photo, not a flat colour"


def test_16_bit_images_render_visibly(api, client, tmp_path, django_capture_on_commit_callbacks):
    mosaic = mosaic_create(api)
    path = write_raster(tmp_path / "u16.tif", crs="EPSG:4326", count=1, dtype="uint16", origin=LEFT, pixel_size=PIXEL)
    with django_capture_on_commit_callbacks(execute=True):
        upload_ok(api, mosaic["id"], path)
    layer = api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"]
    picture = rgba(client.get(tile_url(layer, 37.53, 55.775, 11)))
    opaque = [r for r, g, b, alpha in picture.getdata() if alpha == 255]
    assert opaque and max(opaque) - min(opaque) > 100, "the stretch spreads the values over the grey scale"


def test_nodata_pixels_are_transparent(api, client, tmp_path, django_capture_on_commit_callbacks):
    path = write_raster(tmp_path / "half.tif", crs="EPSG:4326", origin=LEFT, pixel_size=PIXEL, colour=RED, nodata=0)
    with rasterio.open(path, "r+") as raster:
        raster.write(np.zeros((3, 48, 32), dtype="uint8"), window=Window(32, 0, 32, 48))  # the east half
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks(execute=True):
        upload_ok(api, mosaic["id"], path)
    layer = api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"]
    west = rgba(client.get(tile_url(layer, 37.51, 55.775, 14)))
    east = rgba(client.get(tile_url(layer, 37.56, 55.775, 14)))
    assert shows(west, RED)
    assert not shows(east, RED) and not shows(east, (0, 0, 0))


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "garbage",
        "file:///etc/passwd",
        "s3://bucket/key.tif",
        "{root}/00000000-0000-0000-0000-000000000000/00000000-0000-0000-0000-000000000000/cog/",
        "{root}/not-a-uuid/x/cog/",
    ],
)
def test_a_uri_naming_nothing_is_not_found(client, ready_mosaic, uri):
    uri = uri.format(root=store().uri("").rstrip("/"))
    for path in ("/api/v0/cogs/tiles/14/9898/5128.png", "/api/v0/cogs/tiles.json"):
        response = client.get(path, {"uri": uri} if uri else {})
        assert response.status_code == 404, (path, uri)


def test_a_deleted_mosaics_tiles_are_gone(api, client, ready_mosaic):
    api.delete(f"/rest/rasters/mosaic/{ready_mosaic['id']}")
    assert client.get(tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14)).status_code == 404
    assert client.get(local(ready_mosaic["rasterLayer"]["tileJsonUrl"])).status_code == 404


def test_a_tile_address_off_the_grid_is_not_found(client, ready_mosaic):
    url = local(ready_mosaic["rasterLayer"]["tileUrl"]).format(z=2, x=4, y=0)
    assert client.get(url).status_code == 404


@pytest.fixture
def photo_layer(api, client, django_capture_on_commit_callbacks):
    """The tile layer of a mosaic of the real aerial photo, and the URL of a tile in its middle (all image)."""
    mosaic = mosaic_create(api)
    with django_capture_on_commit_callbacks(execute=True):
        upload_ok(api, mosaic["id"], COGEO)
    layer = api.get(f"/rest/rasters/mosaic/{mosaic['id']}").json()["rasterLayer"]
    lon, lat, _ = client.get(local(layer["tileJsonUrl"])).json()["center"]
    return layer, tile_url(layer, lon, lat, 18)


@pytest.mark.parametrize(("encoding", "media_type", "pillow_format"), [("jpeg", "image/jpeg", "JPEG"),
                                                                       ("webp", "image/webp", "WEBP")])
def test_a_tile_all_image_comes_in_the_format_asked_for_and_smaller(client, photo_layer, encoding, media_type,
                                                                    pillow_format):
    _, url = photo_layer
    png = client.get(url)
    asked = client.get(url + "&format=" + encoding)
    assert asked.status_code == 200 and asked["Content-Type"] == media_type
    picture = PILImage.open(io.BytesIO(asked.content))
    assert picture.format == pillow_format and picture.size == (256, 256)
    assert len(asked.content) < len(png.content) / 3
    assert asked["ETag"] != png["ETag"], "a cache must not take one format's tile for the other's"


def test_the_png_template_still_serves_png(client, photo_layer):
    _, url = photo_layer
    assert rgba(client.get(url)).getchannel("A").getextrema() == (255, 255)
    assert rgba(client.get(url + "&format=png")).getchannel("A").getextrema() == (255, 255)


def test_a_tile_with_transparent_pixels_stays_png_whatever_the_format(client, ready_mosaic):
    url = tile_url(ready_mosaic["rasterLayer"], 37.564, 55.775, 11)  # both images, and around them nothing
    for encoding in ("jpeg", "webp"):
        picture = rgba(client.get(url + "&format=" + encoding))
        assert picture.getchannel("A").getextrema() == (0, 255)
        assert shows(picture, RED) and shows(picture, BLUE)


def test_an_unknown_format_is_refused_by_name(client, ready_mosaic):
    response = client.get(tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14) + "&format=gif")
    assert response.status_code == 400
    assert response.json() == {"detail": "format must be one of png, jpeg, webp"}


def test_tiles_read_nothing_from_the_database_while_the_mosaic_stays_the_same(
    client, ready_mosaic, django_assert_num_queries
):
    client.get(tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14))
    with django_assert_num_queries(0):
        picture = rgba(client.get(tile_url(ready_mosaic["rasterLayer"], 37.59, 55.775, 14)))
    assert shows(picture, BLUE)


def test_a_deleted_image_leaves_its_tiles_at_once(api, client, ready_mosaic):
    url = tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14)
    before = client.get(url)
    assert shows(rgba(before), RED)
    red = Image.objects.get(mosaic_id=ready_mosaic["id"], filename="red.tif")
    assert api.delete(f"/rest/rasters/image/{red.id}").status_code == 200

    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert rgba(after).getchannel("A").getextrema() == (0, 0)
    assert shows(rgba(client.get(tile_url(ready_mosaic["rasterLayer"], 37.59, 55.775, 14))), BLUE)


def test_an_image_shows_in_the_tiles_once_its_cog_is_ready(api, client, ready_mosaic, tmp_path,
                                                           django_capture_on_commit_callbacks):
    """An image replacing the red one: its tiles show nothing while its COG is built, then its colour."""
    url = tile_url(ready_mosaic["rasterLayer"], 37.53, 55.775, 14)
    assert shows(rgba(client.get(url)), RED)
    red = Image.objects.get(mosaic_id=ready_mosaic["id"], filename="red.tif")
    api.delete(f"/rest/rasters/image/{red.id}")
    green = write_raster(tmp_path / "green.tif", crs="EPSG:4326", origin=LEFT, pixel_size=PIXEL, colour=(20, 200, 20))
    with django_capture_on_commit_callbacks() as pending:
        upload_ok(api, ready_mosaic["id"], green)
    assert rgba(client.get(url)).getchannel("A").getextrema() == (0, 0)

    for callback in pending:
        callback()

    picture = rgba(client.get(url))
    assert shows(picture, (20, 200, 20)) and not shows(picture, RED)
