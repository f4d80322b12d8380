"""The OpenAPI document of the self-hosted Data API, and no request shaped by it makes the server fail."""

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import basic, make_account
from tests.dataserver.uploading import mosaic_create, upload_ok
from tests.rasters import write_raster

pytestmark = pytest.mark.django_db(transaction=True)


# The document the server serves at /rest/rasters/openapi.json, read once at collection time (the schemathesis
# fixture loader does not work with this pytest); the requests go to the live server.
schema = schemathesis.openapi.from_dict(Client(HTTP_HOST="localhost").get("/rest/rasters/openapi.json").json())


@pytest.fixture
def alice(live_server, tmp_path):
    """Alice's header and the ids of a mosaic and an image of hers, which the generated requests aim at."""
    _, token = make_account("alice@example.com")
    api = Client(**basic(token))
    mosaic_id = mosaic_create(api)["id"]
    image_id = upload_ok(api, mosaic_id, write_raster(tmp_path / "a.tif"))["id"]
    return {"Authorization": f"Basic {token}"}, {"mosaic_id": mosaic_id, "image_id": image_id}


@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case, live_server, alice):
    header, ids = alice
    if case.path_parameters:
        case.path_parameters.update({name: ids[name] for name in case.path_parameters if name in ids})
    case.call_and_validate(base_url=live_server.url, headers=header, checks=[not_a_server_error], timeout=30)


def test_the_openapi_document_lists_every_rasters_endpoint(live_server):
    document = requests.get(f"{live_server.url}/rest/rasters/openapi.json", timeout=10).json()
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert {
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
        ("GET", "/rest/rasters/memory"),
        ("GET", "/rest/user/status"),
    } <= operations
    upload = document["paths"]["/rest/rasters/mosaic/{mosaic_id}/image"]["post"]["requestBody"]["content"]
    assert "file" in upload["multipart/form-data"]["schema"]["properties"]
