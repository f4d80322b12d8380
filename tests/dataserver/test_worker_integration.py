"""The self-hosted Data API over HTTP with a real Celery worker on Redis: an upload's tiles appear once the
worker has built its COG."""

import io
import time

import morecantile
import pytest
import requests
from PIL import Image as PILImage

from tests.conftest import make_account
from tests.rasters import COGEO
from tests.worker import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    raise AssertionError(f"still not done after {seconds} s")


def test_an_uploaded_images_tiles_appear_once_the_worker_has_built_its_cog(live_server):
    _, token = make_account("alice@example.com")
    api = requests.Session()
    api.headers["Authorization"] = f"Basic {token}"
    rest = live_server.url + "/rest"
    with celery_worker():
        mosaic_url = f"{rest}/rasters/mosaic/" + api.post(f"{rest}/rasters/mosaic", json={"name": "Aerial"}, timeout=10).json()["id"]
        with open(COGEO, "rb") as fh:
            uploaded = api.post(f"{mosaic_url}/image", files={"file": fh}, timeout=60)
        assert uploaded.status_code == 200, uploaded.text

        def ready_layer():
            layer = api.get(mosaic_url, timeout=10).json()["rasterLayer"]
            return layer if layer["tileUrl"] else None

        layer = wait_for(ready_layer)

    image = api.get(f"{rest}/rasters/image/{uploaded.json()['image_id']}", timeout=10).json()
    assert image["cog_link"].endswith(".tif")
    # The tile host needs no credentials: the uri is the capability.
    tilejson = requests.get(layer["tileJsonUrl"], timeout=10).json()
    west, south, east, north = tilejson["bounds"]
    tile = morecantile.tms.get("WebMercatorQuad").tile((west + east) / 2, (south + north) / 2, tilejson["maxzoom"])
    response = requests.get(layer["tileUrl"].format(z=tile.z, x=tile.x, y=tile.y), timeout=10)
    assert response.status_code == 200
    alpha = PILImage.open(io.BytesIO(response.content)).convert("RGBA").getchannel("A")
    assert alpha.getextrema()[1] == 255, "the tile over the image shows the image"
