"""The OpenAPI document of the self-hosted Data API, and schemathesis over it with every one of its checks.

Requests that fit the document (positive) must be accepted, those that do not (negative) refused with a 4xx, and every
answer must be one the document lists, in its shape and content type; the checks also send each request without the
token and with a method the path does not have. What the document cannot say is put right in positive requests: the
ids of alice's own mosaic and image, an area whose rings close, a link the server may read.
"""

import base64

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import (
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES as POSITIVE_STATUSES,
)

from dataserver.models import Account, hash_api_token
from tests.conftest import basic
from tests.dataserver.catalog_scenes import AOI
from tests.dataserver.uploading import mosaic_create, upload_ok
from tests.rasters import write_raster

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL, API_TOKEN = "alice@example.com", "schemathesis-token"
CONFIG = SchemathesisConfig.from_dict(
    {
        # The contract ignores query parameters, headers and body fields it does not know (clients send their own,
        # the QGIS plugin its x-plugin-version header), so adding one makes no request invalid.
        "generation": {"allow-extra-parameters": False},
        "auth": {"openapi": {"BasicToken": {"username": EMAIL, "password": API_TOKEN}}},
        "operations": [
            {
                # Any bytes fit the document's `file`, and one that is not a GeoTIFF is refused as the contract says:
                # FileOpenError (422). (Sending GeoTIFFs here instead does not work: schemathesis takes any request
                # whose body holds a file for an invalid one once it checks it again, contains_binary in
                # Case._validate_component, and would expect a good upload refused.) Uploads of GeoTIFFs are the
                # other tests' subject.
                "include-method": "POST",
                "include-path-regex": r"^/rest/rasters/mosaic/(image|mosaic|\{mosaic_id\}/image)$",
                "checks": {"positive_data_acceptance": {"expected-statuses": [*POSITIVE_STATUSES, 422]}},
            }
        ],
    }
)
# The document the server serves at /rest/rasters/openapi.json, read once at collection time (the schemathesis
# fixture loader does not work with this pytest); the requests go to the live server.
schema = schemathesis.openapi.from_dict(
    Client(HTTP_HOST="localhost").get("/rest/rasters/openapi.json").json(), config=CONFIG
)


@pytest.fixture
def alice(live_server, tmp_path, settings):
    """The ids of a mosaic and an image of alice's, and what positive requests get in place of generated values."""
    account = Account.with_defaults(email=EMAIL)
    account.token_hash = hash_api_token(API_TOKEN)
    account.save()
    api = Client(**basic(base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()))
    mosaic_id = mosaic_create(api)["id"]
    image_id = upload_ok(api, mosaic_id, write_raster(tmp_path / "a.tif"))["id"]
    settings.DATASERVER_IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    linkable = write_raster(settings.DATASERVER_IMPORT_DIR / "b.tif", origin=(500_000.0, 6_199_000.0))
    return {
        "ids": {"mosaic_id": mosaic_id, "image_id": image_id},
        "url": linkable.as_uri(),
    }


def made_right(case, alice) -> None:
    """A positive request, with what the document cannot describe made so (in new containers: generated cases may
    share theirs)."""
    if case.path_parameters:
        case.path_parameters = {name: alice["ids"].get(name, value) for name, value in case.path_parameters.items()}
    if isinstance(case.body, dict):
        fixed = {"aoi": AOI, "url": alice["url"]}
        case.body = {name: fixed.get(name, value) for name, value in case.body.items()}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_check_of_schemathesis_passes(case, live_server, alice):
    if case.meta.generation.mode.is_positive:
        made_right(case, alice)
    case.call_and_validate(base_url=live_server.url, timeout=30)


def test_the_openapi_document_lists_every_endpoint(live_server):
    document = requests.get(f"{live_server.url}/rest/rasters/openapi.json", timeout=10).json()
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("GET", "/rest/rasters/mosaic"),
        ("POST", "/rest/rasters/mosaic"),
        ("GET", "/rest/rasters/mosaic/{mosaic_id}"),
        ("PUT", "/rest/rasters/mosaic/{mosaic_id}"),
        ("DELETE", "/rest/rasters/mosaic/{mosaic_id}"),
        ("POST", "/rest/rasters/mosaic/image"),
        ("POST", "/rest/rasters/mosaic/mosaic"),
        ("POST", "/rest/rasters/mosaic/{mosaic_id}/image"),
        ("GET", "/rest/rasters/mosaic/{mosaic_id}/image"),
        ("POST", "/rest/rasters/mosaic/{mosaic_id}/link-image"),
        ("GET", "/rest/rasters/image/{image_id}"),
        ("PUT", "/rest/rasters/image/{image_id}"),
        ("DELETE", "/rest/rasters/image/{image_id}"),
        ("GET", "/rest/rasters/image/{image_id}/preview/{size}"),
        ("GET", "/rest/rasters/{image_id}/preview/{size}"),
        ("GET", "/rest/rasters/image/{image_id}/download"),
        ("GET", "/rest/rasters/download/{token}"),
        ("GET", "/rest/rasters/memory"),
        ("POST", "/rest/catalog/meta"),
        ("GET", "/rest/catalog/meta/{image_id}"),
        ("GET", "/rest/catalog/preview/{token}"),
        ("GET", "/rest/user/status"),
    }
    upload = document["paths"]["/rest/rasters/mosaic/{mosaic_id}/image"]["post"]["requestBody"]["content"]
    assert "file" in upload["multipart/form-data"]["schema"]["properties"]


def test_every_operation_lists_the_statuses_it_can_answer(live_server):
    document = requests.get(f"{live_server.url}/rest/rasters/openapi.json", timeout=10).json()
    statuses = {
        (method.upper(), path): set(operation["responses"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert statuses[("GET", "/rest/rasters/image/{image_id}/download")] == {"200", "400", "401", "403", "404", "409", "422"}
    assert statuses[("GET", "/rest/rasters/download/{token}")] == {"200", "206", "302", "400", "403", "404", "409", "416"}
    assert statuses[("POST", "/rest/rasters/mosaic/{mosaic_id}/image")] == {"200", "400", "401", "403", "404", "413", "422"}
    assert statuses[("POST", "/rest/catalog/meta")] == {"200", "400", "401", "413"}
    assert all({"200", "400"} <= listed for listed in statuses.values())
