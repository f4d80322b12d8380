"""The client reads what the hosted API sends: the response bodies that the QGIS plugin's own tests and specs use as
samples of it (recorded in samples/, each with its source), served over HTTP to the real client."""

import json
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote

import pytest

from dataapi.client import DataAPIClient
from tests.http import served

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


class Answer:
    """A Data API answering every request with one body, and noting the paths asked for."""

    def __init__(self, body) -> None:
        self.body = json.dumps(body).encode()
        self.paths: list[str] = []

    def handler(self):
        answer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                answer.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture
def client_answering():
    """A client of a server answering `name`'s sample body, and that server's record of paths."""
    with ExitStack() as stack:

        def client_answering(name: str) -> tuple[DataAPIClient, Answer]:
            answer = Answer(sample(name)["body"])
            port = stack.enter_context(served(answer.handler())).server_port
            client = DataAPIClient(base_url=f"http://127.0.0.1:{port}/rest", token="dG9rZW4=", max_retries=0)
            stack.callback(client.close)
            return client, answer

        yield client_answering


CALLS = {
    "POST /catalog/meta": lambda client: client.catalog_search(aoi={"type": "Polygon", "coordinates": []}),
    "GET /catalog/meta/{id}": lambda client: client.catalog_image("img-1"),
    "GET /rasters/image/{id}": lambda client: client.image_get("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
    "GET /rasters/image/{id}/download": lambda client: client.image_download("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
    "GET /rasters/memory": lambda client: client.memory(),
    "GET /user/status": lambda client: client.user_status(),
}


@pytest.mark.parametrize("name", sorted(path.stem for path in SAMPLES.glob("*.json")))
def test_every_sample_is_read_by_the_client_method_of_its_request(client_answering, name):
    recorded = sample(name)
    assert recorded["source"].startswith("Geoalert/mapflow-qgis ") and recorded["request"] in CALLS
    client, _ = client_answering(name)
    assert CALLS[recorded["request"]](client) is not None


def test_search_results_of_own_imagery_with_a_null_date_and_no_limit_or_offset(client_answering):
    client, _ = client_answering("catalog_search_null_and_dated")
    result = client.catalog_search(aoi={})
    assert result.total == 2 and [image.acquisitionDate for image in result.images][0] is None
    assert result.images[1].acquisitionDate.isoformat() == "2026-01-02T03:04:05+00:00"
    assert (result.images[0].previews, result.images[0].productType) == ([], "Image")


def test_a_result_missing_optional_metadata_and_carrying_unknown_fields(client_answering):
    client, _ = client_answering("catalog_image_partial_metadata")
    image = client.catalog_image("img-1")
    assert (image.pixelResolution, image.cloudCover, image.acquisitionDate, image.providerName) == (0.5, None, None, None)
    assert image.model_extra == {"sunAzimuth": 150.0}


def test_providers_own_scene_ids_a_zoom_as_text_and_the_new_flag(client_answering):
    client, _ = client_answering("catalog_search_provider_ids_and_new")
    new, seen = client.catalog_search(aoi={}).images
    assert (new.id, new.zoom, new.isNew, new.providerName) == ("4805123", 18, True, "orbview")
    assert (seen.id, seen.isNew, seen.minAreaSqkm) == ("img-seen", False, None)


def test_a_scene_id_is_sent_whole_in_the_path_whatever_it_holds(client_answering):
    client, answer = client_answering("catalog_image_partial_metadata")
    client.catalog_image("tile 32/U:PU?2024#1")
    assert unquote(answer.paths[-1]) == "/rest/catalog/meta/tile 32/U:PU?2024#1"
    assert answer.paths[-1] == "/rest/catalog/meta/tile%2032%2FU%3APU%3F2024%231"


def test_own_imagery_results_without_a_date_key(client_answering):
    client, _ = client_answering("catalog_search_my_imagery_previews")
    image, mosaic = client.catalog_search(aoi={}).images
    assert (image.providerName, image.previewType, image.acquisitionDate) == ("my_imagery_images", "png", None)
    assert (mosaic.previewType, mosaic.previews) == ("xyz", [])
    assert "{z}/{x}/{y}" in mosaic.previewUrl


def test_a_cloud_cover_sent_as_text_and_other_product_types(client_answering):
    client, _ = client_answering("catalog_search_text_cloud_cover")
    optical, mosaic = client.catalog_search(aoi={}).images
    assert (optical.cloudCover, optical.productType) == (10.0, "OPTICAL")
    assert (mosaic.cloudCover, mosaic.productType, mosaic.providerName) == (90.0, "Mosaic", "OrbView_SVN1")


def test_previews_as_objects_as_their_json_text_or_absent(client_answering):
    client, _ = client_answering("catalog_search_previews_in_every_form")
    objects, texts, text, none = client.catalog_search(aoi={}).images
    expected = [("https://quicklooks.example.com/a.png", "Polygon")]
    for image in (objects, texts, text):
        assert [(preview.url, preview.geometry["type"]) for preview in image.previews] == expected, image.id
    assert none.previews == []


def test_an_image_says_whether_it_may_be_downloaded_and_may_by_default(client_answering):
    client, _ = client_answering("image_without_available_for_download")
    image = client.image_get("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    assert image.available_for_download is True
    assert (image.meta_data.crs, image.uploaded_at.utcoffset().total_seconds(), image.cog_link) == ("EPSG:4326", 0, None)
    client, _ = client_answering("image_not_available_for_download")
    assert client.image_get("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee").available_for_download is False


def test_the_download_link_of_the_spec(client_answering):
    client, answer = client_answering("image_download")
    link = client.image_download("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    assert (link.download_url, link.filename, link.expires_in) == ("https://...", "image.tif", 3600)
    assert answer.paths == ["/rest/rasters/image/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/download"]


def test_search_providers_with_and_without_ids_and_prices(client_answering):
    client, _ = client_answering("user_status_search_providers")
    status = client.user_status()
    full, bare, other = status.searchDataProviders
    assert (full.id, full.name, full.displayName, full.previewUrlMaxZoom) == (
        "b5d4b3b8-6c2e-4a8e-9f0e-0d1c2b3a4f5e", "arcgis_world_imagery", "ArcGIS", 17,
    )  # fmt: skip
    assert [(price.zoom, price.priceSqKm) for price in full.price] == [("18", 0.0)]
    assert (bare.id, bare.price, bare.previewUrl) == (None, [], None)
    assert other.model_extra == {"minAreaSqkm": 7.5}
    assert status.searchAreaLimit == 500_000_000_000 and status.email is None
