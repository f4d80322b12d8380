"""The mosaics endpoints of the self-hosted Data API (DATA_API.md sections 1, 2, 4 and 7)."""

import base64
import uuid

import pytest
from django.test import Client

from dataserver.models import Image, Mosaic
from tests.conftest import basic, make_account
from tests.dataserver.uploading import (
    NOT_AUTHENTICATED,
    memory_used,
    mosaic_create,
    named_file,
    raster_error,
    stored_files,
    upload,
    upload_ok,
)
from tests.rasters import write_raster

MOSAIC_KEYS = {"id", "name", "tags", "created_at", "rasterLayer", "footprint", "sizeInBytes", "image_count"}
CREATED_KEYS = {"id", "name", "tags", "created_at"}
SOME_ID = "6ee95ae6-f26e-41bd-8cb1-39bea545119f"

ENDPOINTS = [
    ("get", "/rest/rasters/mosaic"),
    ("post", "/rest/rasters/mosaic"),
    ("get", f"/rest/rasters/mosaic/{SOME_ID}"),
    ("put", f"/rest/rasters/mosaic/{SOME_ID}"),
    ("delete", f"/rest/rasters/mosaic/{SOME_ID}"),
    ("post", "/rest/rasters/mosaic/image?name=x"),
    ("post", "/rest/rasters/mosaic/mosaic?name=x"),
    ("post", f"/rest/rasters/mosaic/{SOME_ID}/image"),
    ("get", f"/rest/rasters/mosaic/{SOME_ID}/image"),
    ("get", f"/rest/rasters/image/{SOME_ID}"),
    ("put", f"/rest/rasters/image/{SOME_ID}?name=x"),
    ("delete", f"/rest/rasters/image/{SOME_ID}"),
    ("get", f"/rest/rasters/image/{SOME_ID}/preview/s"),
    ("get", f"/rest/rasters/{SOME_ID}/preview/l"),
    ("get", f"/rest/rasters/image/{SOME_ID}/download"),
    ("get", "/rest/rasters/memory"),
    ("get", "/rest/user/status"),
    ("post", "/rest/catalog/meta"),
    ("get", "/rest/catalog/meta/LC08_L2SP_197023_20220324_02_T1"),
]
# Catalog search and the account status answer in their own family's shape.
NOT_AUTHENTICATED_OUTSIDE_RASTERS = {"code": "UNAUTHORIZED", "message": "Not authenticated", "params": {}}


@pytest.fixture
def tif(tmp_path):
    return write_raster(tmp_path / "scene.tif")


@pytest.mark.parametrize("method,path", ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [{}, basic("bm9ib2R5QGV4YW1wbGUuY29tOndyb25n"), basic("!!not base64!!"), {"HTTP_AUTHORIZATION": "Bearer x"}],
)
def test_it_refuses_every_endpoint_without_a_valid_token(account, method, path, headers):
    response = getattr(Client(**headers), method)(path)
    assert response.status_code == 401
    rasters = path.startswith("/rest/rasters/")
    assert response.json() == (NOT_AUTHENTICATED if rasters else NOT_AUTHENTICATED_OUTSIDE_RASTERS)
    assert response["WWW-Authenticate"] == "Basic"


def test_a_real_users_wrong_password_is_refused(account):
    alice, _ = account
    token = base64.b64encode(f"{alice.email}:nope".encode()).decode()
    response = Client(**basic(token)).get("/rest/rasters/memory")
    assert response.status_code == 401 and response.json() == NOT_AUTHENTICATED


def test_it_creates_a_mosaic_with_no_tags_by_default(api):
    created = mosaic_create(api, "Moscow 2024")
    assert set(created) == CREATED_KEYS
    assert created["name"] == "Moscow 2024" and created["tags"] == []
    assert uuid.UUID(created["id"]) and created["created_at"].endswith("Z")


def test_an_empty_mosaic_has_every_key_with_empty_values(api):
    created = mosaic_create(api, "Empty", ["a"])
    mosaic = api.get(f"/rest/rasters/mosaic/{created['id']}").json()
    assert set(mosaic) == MOSAIC_KEYS
    assert mosaic == {
        **created,
        "rasterLayer": {"tileUrl": "", "tileJsonUrl": ""},
        "footprint": None,
        "sizeInBytes": 0,
        "image_count": 0,
    }


def test_it_lists_the_mosaics_having_every_given_tag(api, other_api):
    both = mosaic_create(api, "both", ["red", "blue"])
    red = mosaic_create(api, "red", ["red"])
    mosaic_create(api, "none")
    mosaic_create(other_api, "charlie's", ["red", "blue"])

    def names(query: str) -> set[str]:
        response = api.get("/rest/rasters/mosaic" + query)
        assert response.status_code == 200
        assert all(set(mosaic) == MOSAIC_KEYS for mosaic in response.json())
        return {mosaic["name"] for mosaic in response.json()}

    assert names("") == {"both", "red", "none"}
    assert names("?tags=red") == {both["name"], red["name"]}
    assert names("?tags=red&tags=blue") == {"both"}
    assert names("?tags=green") == set()


def test_it_renames_a_mosaic_and_replaces_its_tags(api):
    created = mosaic_create(api, "old", ["a", "b"])
    response = api.put(
        f"/rest/rasters/mosaic/{created['id']}", {"name": "new", "tags": ["c"]}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {**created, "name": "new", "tags": ["c"]}
    assert api.get(f"/rest/rasters/mosaic/{created['id']}").json()["tags"] == ["c"]


def test_a_mosaic_shows_the_size_count_and_footprint_of_its_images(api, tmp_path):
    created = mosaic_create(api)
    first = upload_ok(api, created["id"], write_raster(tmp_path / "a.tif"))
    second = upload_ok(api, created["id"], write_raster(tmp_path / "b.tif", origin=(500_640.0, 6_200_000.0)))
    mosaic = api.get(f"/rest/rasters/mosaic/{created['id']}").json()
    assert mosaic["image_count"] == 2
    assert mosaic["sizeInBytes"] == first["file_size"] + second["file_size"]
    assert mosaic["footprint"].startswith("MULTIPOLYGON")
    listed = api.get(f"/rest/rasters/mosaic/{created['id']}/image")
    assert listed.status_code == 200
    assert listed.json() == [first, second]


@pytest.mark.parametrize("path", ["/rest/rasters/mosaic/image", "/rest/rasters/mosaic/mosaic"])
def test_it_creates_a_mosaic_and_uploads_a_file_in_one_call(api, tif, path):
    response = api.post(f"{path}?name=Field&tags=a&tags=b", {"file": named_file(tif)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"message", "mosaic_id", "image_id"}
    assert body["message"] == "Files successfully uploaded"
    mosaic = api.get(f"/rest/rasters/mosaic/{body['mosaic_id']}").json()
    assert (mosaic["name"], mosaic["tags"], mosaic["image_count"]) == ("Field", ["a", "b"], 1)
    assert api.get(f"/rest/rasters/image/{body['image_id']}").json()["mosaic_id"] == body["mosaic_id"]


@pytest.mark.parametrize(
    "limits,code",
    [({"max_upload_file_size": 1000}, "FileTooBig"), ({"memory_limit": 1000}, "MemoryLimitExceeded")],
)
def test_create_and_upload_removes_the_new_mosaic_when_the_file_does_not_fit(db, tif, limits, code):
    account, token = make_account("small@example.com", **limits)
    api = Client(**basic(token))
    response = api.post("/rest/rasters/mosaic/mosaic?name=Field", {"file": named_file(tif)})
    raster_error(response, 403, code)
    assert not Mosaic.objects.filter(account=account).exists()
    assert stored_files() == set()


def test_create_and_upload_without_a_file_is_a_request_error_and_creates_nothing(api, account):
    response = api.post("/rest/rasters/mosaic/image?name=Field", {"other": "x"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert not Mosaic.objects.filter(account=account[0]).exists()


@pytest.mark.parametrize("query", ["", "?name=", "?name=" + "x" * 256])
def test_create_and_upload_needs_a_name_of_1_to_255_characters(api, tif, query):
    response = api.post("/rest/rasters/mosaic/image" + query, {"file": named_file(tif)})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)
    assert not Mosaic.objects.exists() and stored_files() == set()


def test_deleting_a_mosaic_removes_every_file_and_frees_its_memory(api, tmp_path):
    kept = mosaic_create(api, "kept")
    kept_image = upload_ok(api, kept["id"], write_raster(tmp_path / "k.tif"))
    gone = mosaic_create(api, "gone")
    sizes = [upload_ok(api, gone["id"], write_raster(tmp_path / f"{n}.tif"))["file_size"] for n in "ab"]
    files_before = stored_files()
    used_before = memory_used(api)

    response = api.delete(f"/rest/rasters/mosaic/{gone['id']}")

    assert response.status_code == 200 and response.json() == {"message": "Files deleted"}
    assert memory_used(api) == used_before - sum(sizes)
    assert not [path for path in stored_files() if gone["id"] in str(path)]
    assert {path for path in files_before if gone["id"] not in str(path)} == stored_files()
    assert not Image.objects.filter(mosaic_id=gone["id"]).exists()
    raster_error(api.get(f"/rest/rasters/mosaic/{gone['id']}"), 404, "ItemNotFound")
    assert api.get(f"/rest/rasters/image/{kept_image['id']}").status_code == 200


def test_it_hides_other_accounts_mosaics(api, other_api, tif):
    theirs = mosaic_create(other_api, "charlie's")
    calls = [
        api.get(f"/rest/rasters/mosaic/{theirs['id']}"),
        api.put(f"/rest/rasters/mosaic/{theirs['id']}", {"name": "mine"}, content_type="application/json"),
        api.delete(f"/rest/rasters/mosaic/{theirs['id']}"),
        api.get(f"/rest/rasters/mosaic/{theirs['id']}/image"),
        upload(api, theirs["id"], tif),
    ]
    for response in calls:
        assert raster_error(response, 404, "ItemNotFound") == {"uid": theirs["id"], "instance_type": "mosaic"}
    assert other_api.get(f"/rest/rasters/mosaic/{theirs['id']}").json()["name"] == "charlie's"
    assert api.get("/rest/rasters/mosaic").json() == []
    assert stored_files() == set()


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/rest/rasters/mosaic/not-a-uuid"),
        ("put", "/rest/rasters/mosaic/123"),
        ("delete", "/rest/rasters/mosaic/zzz"),
        ("get", "/rest/rasters/mosaic/zzz/image"),
        ("post", "/rest/rasters/mosaic/zzz/image"),
        ("get", "/rest/rasters/image/zzz"),
        ("delete", "/rest/rasters/image/zzz"),
        ("get", "/rest/rasters/image/zzz/preview/s"),
    ],
)
def test_a_bad_uuid_is_a_request_error(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    assert {"loc", "msg", "type"} <= set(detail[0])
    assert "path" in detail[0]["loc"]


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": 5}, {"name": "ok", "tags": "not-a-list"}, {"name": "x" * 256}],
)
def test_a_bad_mosaic_body_is_a_request_error(api, body):
    response = api.post("/rest/rasters/mosaic", body, content_type="application/json")
    assert response.status_code == 422
    assert {"loc", "msg", "type"} <= set(response.json()["detail"][0])
    assert not Mosaic.objects.exists()


def test_a_read_only_account_may_read_but_not_write(api, account, tif):
    alice, token = account
    mosaic = mosaic_create(api, "Aerial")
    image = upload_ok(api, mosaic["id"], tif)
    alice.read_only = True
    alice.save()
    files = stored_files()

    assert api.get(f"/rest/rasters/mosaic/{mosaic['id']}").status_code == 200
    assert api.get(f"/rest/rasters/image/{image['id']}").status_code == 200
    denied = {
        ("mosaic", mosaic["id"]): [
            api.put(f"/rest/rasters/mosaic/{mosaic['id']}", {"name": "x"}, content_type="application/json"),
            api.delete(f"/rest/rasters/mosaic/{mosaic['id']}"),
            upload(api, mosaic["id"], tif),
        ],
        ("image", image["id"]): [
            api.put(f"/rest/rasters/image/{image['id']}?name=x"),
            api.delete(f"/rest/rasters/image/{image['id']}"),
        ],
    }
    for (instance_type, uid), responses in denied.items():
        for response in responses:
            assert raster_error(response, 403, "AccessDenied") == {"uid": uid, "instance_type": instance_type}
    created = api.post("/rest/rasters/mosaic", {"name": "new"}, content_type="application/json")
    assert raster_error(created, 403, "AccessDenied")["instance_type"] == "mosaic"
    raster_error(api.post("/rest/rasters/mosaic/image?name=n", {"file": named_file(tif)}), 403, "AccessDenied")
    assert Mosaic.objects.count() == 1 and Image.objects.count() == 1
    assert stored_files() == files


def test_memory_reports_the_quota_and_the_sum_of_the_image_sizes(db, tmp_path, settings):
    settings.DATASERVER_MAX_TOTAL_PIXELS = 16_000_000
    _, token = make_account("quota@example.com", memory_limit=10**6, max_upload_file_size=5000, max_pixel_count=4000)
    api = Client(**basic(token))
    empty = api.get("/rest/rasters/memory").json()
    assert empty == {
        "memoryLimit": 10**6,
        "memoryUsed": 0,
        "memoryFree": 10**6,
        "maxUploadFileSize": 5000,
        "maxPixelCount": 4000,
        "maxTotalPixels": 16_000_000,
    }
    image = upload_ok(api, mosaic_create(api)["id"], write_raster(tmp_path / "a.tif", width=16, height=16))
    used = api.get("/rest/rasters/memory").json()
    assert used["memoryUsed"] == image["file_size"] == (tmp_path / "a.tif").stat().st_size
    assert used["memoryFree"] == 10**6 - image["file_size"]


def test_memory_of_an_unlimited_account_has_no_limit_and_no_free_figure(db):
    _, token = make_account("unlimited@example.com", memory_limit=None)
    memory = Client(**basic(token)).get("/rest/rasters/memory").json()
    assert (memory["memoryLimit"], memory["memoryFree"], memory["memoryUsed"]) == (None, None, 0)


def test_user_status_has_every_key(api, account):
    response = api.get("/rest/user/status")
    assert response.status_code == 200
    status = response.json()
    assert set(status) == {
        "email",
        "memoryLimit",
        "areaLimit",
        "searchAreaLimit",
        "aoiAreaLimit",
        "teams",
        "searchDataProviders",
    }
    alice = account[0]
    assert status["email"] == alice.email and status["memoryLimit"] == alice.memory_limit
    assert status["searchAreaLimit"] == alice.search_area_limit
    assert isinstance(status["teams"], list) and isinstance(status["searchDataProviders"], list)
