import time

import pytest
from django.test import Client
from shapely import wkt
from shapely.geometry import mapping

from tests.dataserver.catalog_scenes import search
from tests.rasters import COGEO


@pytest.fixture
def uploaded(api, django_capture_on_commit_callbacks):
    """Alice's mosaic with the aerial fixture in it: (mosaic id, image id, footprint as GeoJSON)."""
    mosaic = api.post("/rest/rasters/mosaic", {"name": "Aerial"}, content_type="application/json").json()
    with django_capture_on_commit_callbacks(execute=True), open(COGEO, "rb") as fh:
        answer = api.post(f"/rest/rasters/mosaic/{mosaic['id']}/image", {"file": fh})
    assert answer.status_code == 200, answer.content
    image = api.get(f"/rest/rasters/image/{answer.json()['image_id']}").json()
    return mosaic["id"], image["id"], mapping(wkt.loads(image["footprint"]))


def test_the_accounts_images_and_mosaics_are_found_with_null_metadata(api, uploaded):
    mosaic_id, image_id, footprint = uploaded
    images = {image["providerName"]: image for image in search(api, footprint).json()["images"]}
    assert set(images) == {"my_imagery_images", "my_imagery_mosaics"}
    image, mosaic = images["my_imagery_images"], images["my_imagery_mosaics"]
    assert (image["id"], image["productType"], image["previewType"]) == (image_id, "IMAGE", "png")
    assert (mosaic["id"], mosaic["productType"], mosaic["previewType"]) == (mosaic_id, "MOSAIC", "xyz")
    assert "{z}/{x}/{y}" in mosaic["previewUrl"]
    assert image["previews"] == [{"url": image["previewUrl"], "geometry": image["footprint"]}]
    assert mosaic["previews"] == []  # tiles, no quicklook
    assert image["aoiIntersectionPercent"] == 100
    assert image["cloudCover"] is None and image["acquisitionDate"] is None and image["pixelResolution"] is None


def test_null_metadata_of_own_imagery_matches_every_filter(api, uploaded):
    _, _, footprint = uploaded
    answer = search(api, footprint, maxCloudCover=1, acquisitionDateFrom="2030-01-01T00:00:00Z", maxResolution=0.01)
    assert answer.json()["total"] == 2


def test_providers_and_product_types_pick_among_own_imagery(api, uploaded):
    mosaic_id, image_id, footprint = uploaded
    assert [i["id"] for i in search(api, footprint, dataProviders=["my_imagery_mosaics"]).json()["images"]] == [
        mosaic_id
    ]
    assert [i["id"] for i in search(api, footprint, productTypes=["IMAGE"]).json()["images"]] == [image_id]


def test_the_image_preview_link_needs_no_credentials(api, uploaded):
    _, _, footprint = uploaded
    [image] = search(api, footprint, dataProviders=["my_imagery_images"]).json()["images"]
    answer = Client().get(image["previewUrl"])
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content)[:3] == b"\xff\xd8\xff"


def test_a_preview_link_stops_working_when_it_expires(api, uploaded, monkeypatch):
    _, _, footprint = uploaded
    [image] = search(api, footprint, dataProviders=["my_imagery_images"]).json()["images"]
    later = time.time() + 3601
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert Client().get(image["previewUrl"]).status_code == 404


def test_a_tampered_preview_link_is_refused(api, uploaded):
    _, _, footprint = uploaded
    [image] = search(api, footprint, dataProviders=["my_imagery_images"]).json()["images"]
    assert Client().get(image["previewUrl"][:-2] + "xx").status_code == 404


def test_other_accounts_do_not_find_or_open_alices_imagery(api, other_api, uploaded):
    mosaic_id, image_id, footprint = uploaded
    assert search(other_api, footprint).json()["total"] == 0
    assert other_api.get(f"/rest/catalog/meta/{image_id}").status_code == 404
    assert api.get(f"/rest/catalog/meta/{image_id}").json()["providerName"] == "my_imagery_images"
    assert api.get(f"/rest/catalog/meta/{mosaic_id}").json()["providerName"] == "my_imagery_mosaics"
