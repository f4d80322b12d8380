"""Every answer under /rest/ is JSON in the shape of its endpoint family (DATA_API.md section 1): the rasters family's
{"detail": ...}, catalog search's and the account status' {"code", "message", "params"}; answers no endpoint gives
(unknown routes, wrong methods, bodies that cannot be read, a failing server) included."""

import base64
import io

import pytest
from django.test import Client

from tests.dataserver.catalog_scenes import AOI
from tests.dataserver.uploading import mosaic_create

MOSAIC = "6a1a5cd8-9d39-4f86-8b2e-8d7df24cb5a1"


def catalog_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "params"} and body["code"] == code, body
    assert body["message"]
    return body


def rasters_detail(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str), body
    return body["detail"]


@pytest.mark.parametrize("path", ["/rest/rasters/nothing", "/rest/rasters/mosaic/x/y/z", "/rest/rasters/mosaic/"])
def test_an_unknown_rasters_route_is_a_json_404(api, path):
    assert rasters_detail(api.get(path), 404) == "Not Found"


@pytest.mark.parametrize("path", ["/rest/catalog/nothing", "/rest/user", "/rest/", "/rest/processings"])
def test_an_unknown_route_elsewhere_is_a_404_in_the_catalog_shape(api, path):
    catalog_error(api.get(path), 404, "NOT_FOUND")


def test_a_method_a_route_does_not_have_is_a_json_405_with_the_allowed_ones(api):
    answer = api.patch("/rest/rasters/mosaic")
    assert rasters_detail(answer, 405) == "Method Not Allowed"
    assert set(answer["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    answer = api.delete("/rest/user/status")
    catalog_error(answer, 405, "METHOD_NOT_ALLOWED")
    assert answer["Allow"] == "GET"


def test_a_json_body_that_is_not_json_is_a_400(api):
    garbled = api.post("/rest/rasters/mosaic", "{not json", content_type="application/json")
    assert rasters_detail(garbled, 400) == "Cannot parse request body"
    catalog_error(api.post("/rest/catalog/meta", "{not json", content_type="application/json"), 400, "BAD_REQUEST")


def test_a_json_body_too_large_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = {"name": "x" * 200, "tags": ["t" * 100] * 10}
    assert "larger than 1000 bytes" in rasters_detail(
        api.post("/rest/rasters/mosaic", big, content_type="application/json"), 413
    )
    big_aoi = {"aoi": {"type": "Polygon", "coordinates": [[[10.0, 10.0]] * 200]}}
    catalog_error(api.post("/rest/catalog/meta", big_aoi, content_type="application/json"), 413, "REQUEST_ENTITY_TOO_LARGE")


def test_a_multipart_body_that_cannot_be_parsed_is_a_400(api):
    mosaic_id = mosaic_create(api)["id"]
    broken = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.tif\"\r\n\r\nII*\x00"  # no end
    answer = api.post(f"/rest/rasters/mosaic/{mosaic_id}/image", broken, content_type="multipart/form-data")
    assert rasters_detail(answer, 400) == "There was an error parsing the body"


def test_a_multipart_body_of_too_many_parts_is_a_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    mosaic_id = mosaic_create(api)["id"]
    files = {f"extra{n}": io.BytesIO(b"x") for n in range(3)}
    answer = api.post(f"/rest/rasters/mosaic/{mosaic_id}/image", files)
    assert rasters_detail(answer, 400) == "There was an error parsing the body"


def test_a_query_string_of_too_many_fields_is_a_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    query = "&".join(f"tags=t{n}" for n in range(10))
    assert rasters_detail(api.get(f"/rest/rasters/mosaic?{query}"), 400) == "Bad Request"


def test_a_catalog_request_of_the_wrong_shape_is_a_400_naming_each_problem(api):
    answer = api.post(
        "/rest/catalog/meta", {"aoi": AOI, "limit": "many", "sortOrder": "UP"}, content_type="application/json"
    )
    body = catalog_error(answer, 400, "BAD_REQUEST")
    assert "limit: Input should be a valid integer" in body["message"]
    assert "sortOrder: Input should be 'ASC' or 'DESC'" in body["message"]
    assert {tuple(error["loc"][-1:]) for error in body["params"]["errors"]} == {("limit",), ("sortOrder",)}


def test_a_rasters_request_of_the_wrong_shape_stays_a_422_listing_the_problems(api):
    answer = api.get("/rest/rasters/mosaic/not-a-uuid")
    assert answer.status_code == 422
    [problem] = answer.json()["detail"]
    assert problem["loc"] == ["path", "mosaic_id"] and problem["type"] == "uuid_parsing"


def test_a_failing_server_answers_json_too(api, monkeypatch):
    def fail(**_):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("dataserver.rasters.selectors.mosaic_list", fail)
    monkeypatch.setattr("dataserver.catalog.api.scene_search", fail)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=api.defaults["HTTP_AUTHORIZATION"])
    assert rasters_detail(client.get("/rest/rasters/mosaic"), 500) == "Internal Server Error"
    answer = client.post("/rest/catalog/meta", {"aoi": AOI}, content_type="application/json")
    body = catalog_error(answer, 500, "INTERNAL_SERVER_ERROR")
    assert "disk on fire" not in body["message"]


def test_the_dashboards_own_404_pages_stay_pages(client):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404 and not answer["Content-Type"].startswith("application/json")


def test_text_with_a_nul_character_which_no_database_column_holds_is_refused_as_a_request_error(api):
    assert api.post("/rest/rasters/mosaic", {"name": "a\x00b"}, content_type="application/json").status_code == 422
    answer = api.post("/rest/rasters/mosaic", {"name": "ok", "tags": ["\x00"]}, content_type="application/json")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-2:] == ["tags", 0]
    assert api.get("/rest/rasters/mosaic?tags=%00").status_code == 422
    search = api.post("/rest/catalog/meta", {"aoi": AOI, "dataProviders": ["\x00"]}, content_type="application/json")
    catalog_error(search, 400, "BAD_REQUEST")
    catalog_error(api.get("/rest/catalog/meta/a%00b"), 404, "NOT_FOUND")
    nul_user = base64.b64encode(b"alice\x00@example.com:token").decode()
    assert Client(HTTP_AUTHORIZATION=f"Basic {nul_user}").get("/rest/rasters/memory").status_code == 401
