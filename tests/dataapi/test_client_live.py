"""The Data API client against the real self-hosted server over HTTP: every method, and the errors it maps."""

import logging

import pytest
import requests

from dataapi import errors
from dataapi.client import DataAPIClient
from tests.conftest import make_account
from tests.dataserver.catalog_scenes import AOI, aoi_box, make_scene
from tests.rasters import write_raster


@pytest.fixture
def client_of(live_server):
    """Clients of live-server accounts by email (or of a given token); their connections close with the test."""
    clients = []

    def client_of(email: str | None = None, token: str | None = None) -> DataAPIClient:
        token = token or make_account(email)[1]
        clients.append(DataAPIClient(base_url=live_server.url + "/rest", token=token, max_retries=0))
        return clients[-1]

    yield client_of
    for client in clients:
        client.close()


@pytest.fixture
def alice(client_of):
    return client_of("alice@example.com")


@pytest.fixture
def charlie(client_of):
    return client_of("charlie@example.com")


def test_it_manages_mosaics_and_their_images_end_to_end(alice, tmp_path, settings):
    created = alice.mosaic_create(name="Fields", tags=["farm"])
    assert (created.name, created.tags, created.created_at.tzinfo is not None) == ("Fields", ["farm"], True)
    assert [m.id for m in alice.mosaic_list(tags=["farm"])] == [created.id]
    assert alice.mosaic_list(tags=["other"]) == []

    renamed = alice.mosaic_update(created.id, name="Fields 2024", tags=["farm", "2024"])
    assert (renamed.name, renamed.tags) == ("Fields 2024", ["farm", "2024"])

    uploaded = alice.mosaic_upload_image(created.id, file=write_raster(tmp_path / "north.tif"))
    assert uploaded.mosaic_id == created.id and uploaded.image_id
    mosaic = alice.mosaic_get(created.id)
    assert mosaic.image_count == 1 and mosaic.sizeInBytes > 0 and mosaic.footprint.startswith("MULTIPOLYGON")

    [image] = alice.mosaic_images(created.id)
    assert (image.filename, image.meta_data.count, image.meta_data.crs) == ("north.tif", 3, "EPSG:32637")
    assert alice.image_get(image.id).checksum == image.checksum
    assert alice.image_rename(image.id, name="renamed.tif").filename == "renamed.tif"
    assert alice.request("GET", alice.image_preview_url(image.id).removeprefix(alice.base_url)).content[:3] == b"\xff\xd8\xff"  # a JPEG

    settings.DATASERVER_IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    linked = write_raster(settings.DATASERVER_IMPORT_DIR / "south.tif", origin=(500_000.0, 6_199_000.0))
    assert alice.mosaic_link_image(created.id, url=f"file://{linked}").mosaic_id == created.id
    assert len(alice.mosaic_images(created.id)) == 2

    assert alice.image_delete(image.id).message == f"{image.id} deleted"
    assert alice.memory().memoryUsed == alice.mosaic_get(created.id).sizeInBytes
    assert alice.mosaic_delete(created.id).message == "Files deleted"
    assert alice.mosaic_list() == [] and alice.memory().memoryUsed == 0


def test_it_uploads_an_image_from_an_open_file(alice, tmp_path):
    created = alice.mosaic_create(name="Quick", tags=["a"])
    with open(write_raster(tmp_path / "first.tif"), "rb") as fh:
        uploaded = alice.mosaic_upload_image(created.id, file=fh, filename="first.tif")
    [image] = alice.mosaic_images(created.id)
    assert (uploaded.image_id, image.filename, alice.mosaic_get(created.id).image_count) == (image.id, "first.tif", 1)


def test_an_upload_is_the_whole_file_under_its_name_with_its_progress_told(alice, tmp_path):
    """Progress rises to the whole body (the file and its part's header); a name's accents arrive as they are, its
    quotes escaped as a browser escapes them (HTML's form encoding), so that no name can end the part's header."""
    path = write_raster(tmp_path / "first.tif")
    created, sent = alice.mosaic_create(name="Named", tags=[]), []
    with open(path, "rb") as fh:
        alice.mosaic_upload_image(created.id, file=fh, filename='Côte "nord".tif', progress=sent.append)
    [image] = alice.mosaic_images(created.id)
    assert (image.filename, image.file_size) == ("Côte %22nord%22.tif", path.stat().st_size)
    assert sent == sorted(sent) and sent[-1] > path.stat().st_size


def test_it_reads_the_account_storage_and_status(alice):
    memory = alice.memory()
    assert memory.memoryUsed == 0 and memory.memoryLimit > 0 and memory.percent_used == 0
    status = alice.user_status()
    assert status.email == "alice@example.com" and status.searchAreaLimit > 0


def test_it_searches_the_catalog_and_reads_one_scene(alice):
    make_scene("S2A_1", preview_type="jpg", preview_url="https://quicklooks.example.com/S2A_1.jpg")
    result = alice.catalog_search(aoi=AOI, maxCloudCover=50, sortBy="SAT_ID", hideUnavailable=True)
    assert result.total == 1 and result.images[0].cloudCover == 10.0
    assert result.images[0].acquisitionDate.year == 2024
    assert [preview.url for preview in result.images[0].previews] == ["https://quicklooks.example.com/S2A_1.jpg"]
    assert alice.catalog_image(result.images[0].id).id == "S2A_1"


def test_it_reads_a_scene_whose_provider_id_holds_a_slash(alice):
    make_scene("tiles/32UPU/2024")
    assert alice.catalog_image("tiles/32UPU/2024").id == "tiles/32UPU/2024"


def test_it_gets_a_download_link_that_serves_the_original_without_credentials(alice, tmp_path):
    mosaic = alice.mosaic_create(name="Originals")
    path = write_raster(tmp_path / "north.tif")
    uploaded = alice.mosaic_upload_image(mosaic.id, file=path)
    assert alice.image_get(uploaded.image_id).available_for_download is True
    link = alice.image_download(uploaded.image_id)
    assert link.filename == "north.tif" and link.expires_in > 0
    answer = requests.get(link.download_url, timeout=10)
    assert answer.status_code == 200 and answer.content == path.read_bytes()


def test_a_wrong_token_is_an_authentication_failure(client_of):
    client = client_of(token="bm9ib2R5Om5vdGhpbmc=")
    with pytest.raises(errors.AuthenticationFailed) as caught:
        client.memory()
    assert caught.value.status == 401 and "token" in caught.value.message


def test_another_accounts_mosaic_is_not_found_with_its_code_and_parameters(alice, charlie):
    mosaic = alice.mosaic_create(name="Private")
    with pytest.raises(errors.NotFound) as caught:
        charlie.mosaic_get(mosaic.id)
    assert (caught.value.status, caught.value.code) == (404, "ItemNotFound")
    assert caught.value.parameters["uid"] == mosaic.id
    assert caught.value.message == "This mosaic does not exist (or belongs to another account)"


def test_an_image_that_does_not_match_its_mosaic_says_why_in_words(alice, tmp_path):
    mosaic = alice.mosaic_create(name="RGB")
    alice.mosaic_upload_image(mosaic.id, file=write_raster(tmp_path / "rgb.tif", count=3))
    with pytest.raises(errors.InvalidRequest) as caught:
        alice.mosaic_upload_image(mosaic.id, file=write_raster(tmp_path / "rgbn.tif", count=4))
    assert (caught.value.status, caught.value.code) == (422, "FileValidationFailed")
    assert caught.value.message == "This image has 4 bands; the mosaic's images have 3"


def test_a_file_that_is_not_a_geotiff_is_named_in_the_error(alice, tmp_path):
    mosaic = alice.mosaic_create(name="Broken")
    bad = tmp_path / "notes.tif"
    bad.write_bytes(b"not a tiff at all")
    with pytest.raises(errors.InvalidRequest) as caught:
        alice.mosaic_upload_image(mosaic.id, file=bad)
    assert caught.value.code == "FileOpenError" and caught.value.message == "notes.tif is not a readable GeoTIFF"


def test_a_request_of_the_wrong_shape_names_the_field(alice):
    with pytest.raises(errors.InvalidRequest) as caught:
        alice.request("POST", "/rasters/mosaic", json={"tags": []})
    assert caught.value.status == 422 and "name" in caught.value.message


def test_a_too_large_search_area_carries_the_catalog_error_code(alice):
    with pytest.raises(errors.InvalidRequest) as caught:
        alice.catalog_search(aoi=aoi_box(-60, -40, 60, 40))
    assert (caught.value.status, caught.value.code) == (400, "TOO_LARGE_AOI")
    assert caught.value.parameters["aoiAreaLimit"] > 0 and caught.value.message


def test_logs_carry_method_path_status_and_duration_but_never_the_token(client_of, caplog):
    _, token = make_account("dora@example.com")
    client = client_of(token=token)
    with caplog.at_level(logging.DEBUG):
        client.memory()
        with pytest.raises(errors.NotFound):
            client.mosaic_get("6f1c4f5e-2a5b-4d8e-9a53-0c7a1f0e9b11")
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith("GET /rasters/memory 200 ") and line.endswith("ms") for line in lines)
    assert any(line.startswith("GET /rasters/mosaic/6f1c4f5e-2a5b-4d8e-9a53-0c7a1f0e9b11 404") for line in lines)
    assert not [line for line in lines if token in line]
