"""The tus 1.0.0 endpoint, status code by status code (core, creation, termination, expiration, checksum)."""

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from teams.clients import client_for
from tests.rasters import COGEO, write_empty, write_raster
from uploads.models import State, UploadJob

from .conftest import TUS, sha1_header, tus_client, tus_create, tus_patch, tus_upload

pytestmark = pytest.mark.django_db(transaction=True)

DATA = COGEO.read_bytes()


@pytest.fixture
def alice(cast, accounts):
    return tus_client(cast.alice)


@pytest.fixture
def location(alice, mosaic_id):
    created = tus_create(alice, mosaic_id=mosaic_id, filename="cogeo.tif", size=len(DATA))
    assert created.status_code == 201, created.content
    return created["Location"]


def head(client, location):
    return client.head(location, headers=TUS)


def test_options_announces_the_version_and_the_extensions(alice, accounts):
    answer = alice.options(reverse("uploads:create"))
    assert answer.status_code == 204
    assert answer["Tus-Version"] == "1.0.0"
    assert set(answer["Tus-Extension"].split(",")) == {"creation", "termination", "expiration", "checksum"}
    assert "sha1" in answer["Tus-Checksum-Algorithm"].split(",")


def test_creation_answers_201_with_a_location_whose_offset_starts_at_zero(alice, location):
    answer = head(alice, location)
    assert answer.status_code == 200
    assert answer["Upload-Offset"] == "0" and answer["Upload-Length"] == str(len(DATA))
    assert answer["Cache-Control"] == "no-store" and answer["Upload-Expires"].endswith("GMT")


def test_each_patch_moves_the_offset_and_head_reports_it(alice, location):
    answer = tus_patch(alice, location, DATA[:1000], offset=0)
    assert answer.status_code == 204 and answer["Upload-Offset"] == "1000"
    assert head(alice, location)["Upload-Offset"] == "1000"


def test_a_patch_at_the_wrong_offset_is_409_and_changes_nothing(alice, location):
    tus_patch(alice, location, DATA[:1000], offset=0)
    answer = tus_patch(alice, location, DATA[500:1500], offset=500)
    assert answer.status_code == 409 and "byte 1000" in answer.content.decode()
    assert head(alice, location)["Upload-Offset"] == "1000"


def test_a_chunk_with_a_bad_checksum_is_460_and_not_stored(alice, location):
    answer = tus_patch(alice, location, DATA[:1000], offset=0, headers={"Upload-Checksum": sha1_header(b"other")})
    assert answer.status_code == 460
    assert head(alice, location)["Upload-Offset"] == "0"
    good = tus_patch(alice, location, DATA[:1000], offset=0, headers={"Upload-Checksum": sha1_header(DATA[:1000])})
    assert good.status_code == 204 and good["Upload-Offset"] == "1000"


def test_a_file_over_the_accounts_largest_upload_is_413(alice, accounts, mosaic_id):
    accounts.acme.max_upload_file_size = 10_000
    accounts.acme.save()
    answer = tus_create(alice, mosaic_id=mosaic_id, filename="big.tif", size=10_001)
    assert answer.status_code == 413 and "the largest allowed is" in answer.content.decode()
    assert not UploadJob.objects.exists()


def test_a_file_over_the_free_storage_counting_uploads_in_flight_is_413(alice, accounts, mosaic_id):
    accounts.acme.memory_limit = 500_000
    accounts.acme.save()
    assert tus_create(alice, mosaic_id=mosaic_id, filename="first.tif", size=300_000).status_code == 201
    answer = tus_create(alice, mosaic_id=mosaic_id, filename="second.tif", size=300_000)
    assert answer.status_code == 413 and "Not enough storage" in answer.content.decode()


def test_a_chunk_past_the_announced_length_is_413(alice, location):
    answer = tus_patch(alice, location, DATA + b"more", offset=0)
    assert answer.status_code == 413
    assert head(alice, location)["Upload-Offset"] == "0"


def test_another_teams_upload_id_is_404(cast, location):
    charlie = tus_client(cast.charlie)
    assert head(charlie, location).status_code == 404
    assert tus_patch(charlie, location, DATA[:10], offset=0).status_code == 404
    assert charlie.delete(location, headers=charlie.csrf_headers).status_code == 404
    assert UploadJob.objects.get().offset == 0


def test_a_mosaic_of_another_account_is_404(cast, accounts):
    cosmo_mosaic = client_for(team=cast.cosmo).mosaic_create(name="Theirs").id
    answer = tus_create(tus_client(cast.alice), mosaic_id=cosmo_mosaic, filename="a.tif", size=100)
    assert answer.status_code == 404


def test_without_the_csrf_header_it_is_403(alice, location, mosaic_id):
    headers = {**TUS, "Upload-Offset": "0"}
    answer = alice.generic("PATCH", location, DATA[:10], content_type="application/offset+octet-stream", headers=headers)
    assert answer.status_code == 403
    assert alice.post(reverse("uploads:create"), headers={**TUS, "Upload-Length": "10"}).status_code == 403


def test_a_viewer_cannot_upload_and_a_member_can(cast, dave, accounts, mosaic_id):
    bob = tus_client(cast.bob)
    assert tus_create(bob, mosaic_id=mosaic_id, filename="a.tif", size=100).status_code == 403
    assert tus_create(tus_client(dave), mosaic_id=mosaic_id, filename="a.tif", size=100).status_code == 201


def test_another_protocol_version_is_412(alice, location):
    answer = alice.head(location, headers={"Tus-Resumable": "0.2.2"})
    assert answer.status_code == 412 and answer["Tus-Version"] == "1.0.0"


def test_a_patch_of_another_content_type_is_415(alice, location):
    headers = {**alice.csrf_headers, "Upload-Offset": "0"}
    answer = alice.generic("PATCH", location, DATA[:10], content_type="application/octet-stream", headers=headers)
    assert answer.status_code == 415


def test_termination_deletes_the_upload_and_its_bytes(alice, location, uploads_dir):
    tus_patch(alice, location, DATA[:1000], offset=0)
    assert alice.delete(location, headers=alice.csrf_headers).status_code == 204
    assert head(alice, location).status_code == 404
    assert list(uploads_dir.iterdir()) == []


def test_an_expired_upload_is_410(alice, location):
    UploadJob.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert head(alice, location).status_code == 410
    assert tus_patch(alice, location, DATA[:10], offset=0).status_code == 410


def test_a_file_that_is_not_a_geotiff_by_name_is_refused_before_any_byte(alice, mosaic_id):
    answer = tus_create(alice, mosaic_id=mosaic_id, filename="notes.txt", size=100)
    assert answer.status_code == 415 and "not a GeoTIFF" in answer.content.decode()


@pytest.mark.parametrize(
    ("value", "problem"),
    [(base64.b64encode("café".encode("latin-1")).decode(), "the value of filename is not UTF-8 text"),
     ("not*base64", "the value of filename is not valid base64")],
    ids=["latin-1", "not-base64"],
)
def test_metadata_that_cannot_be_read_says_which_key_and_why(alice, mosaic_id, value, problem):
    mosaic = base64.b64encode(mosaic_id.encode()).decode()
    answer = tus_create(
        alice, mosaic_id=mosaic_id, filename="x.tif", size=10,
        headers={"Upload-Metadata": f"filename {value},mosaic_id {mosaic}"},
    )
    assert answer.status_code == 400 and answer.content.decode() == f"Upload-Metadata: {problem}"
    assert not UploadJob.objects.exists()


def test_a_disguised_vrt_is_refused_at_its_first_chunk(alice, mosaic_id, uploads_dir):
    vrt = b'<VRTDataset rasterXSize="10" rasterYSize="10"><VRTRasterBand band="1"/></VRTDataset>' + b" " * 200
    created = tus_create(alice, mosaic_id=mosaic_id, filename="image.tif", size=len(vrt))
    answer = tus_patch(alice, created["Location"], vrt[:100], offset=0)
    assert answer.status_code == 422 and "not a TIFF" in answer.content.decode()
    job = UploadJob.objects.get()
    assert job.state == State.FAILED and "not a TIFF" in job.message
    assert list(uploads_dir.iterdir()) == []
    assert head(alice, created["Location"]).status_code == 410


def test_a_first_chunk_in_another_crs_than_the_mosaic_stops_the_upload_with_its_reason(
    cast, alice, mosaic_id, tmp_path
):
    client_for(team=cast.acme).mosaic_upload_image(mosaic_id, file=COGEO)
    other = write_raster(tmp_path / "wgs84.tif", crs="EPSG:4326", count=1, width=1000, height=1000)
    data = other.read_bytes()
    created = tus_create(alice, mosaic_id=mosaic_id, filename="wgs84.tif", size=len(data))
    answer = tus_patch(alice, created["Location"], data[: len(data) // 2], offset=0)
    assert answer.status_code == 422
    assert "This image is in EPSG:4326" in answer.content.decode()
    assert UploadJob.objects.get().state == State.FAILED


def test_a_first_chunk_without_a_crs_stops_the_upload_even_into_an_empty_mosaic(alice, mosaic_id, tmp_path):
    data = write_raster(tmp_path / "plain.tif", crs=None, width=1000, height=1000).read_bytes()
    created = tus_create(alice, mosaic_id=mosaic_id, filename="plain.tif", size=len(data))
    answer = tus_patch(alice, created["Location"], data[: 300 * 1024], offset=0)
    assert answer.status_code == 422
    assert answer.content.decode() == "plain.tif cannot be used: check its CRS (it has none)"
    assert UploadJob.objects.get().state == State.FAILED


def test_a_complete_upload_lands_in_the_mosaic_and_the_local_file_goes(cast, alice, mosaic_id, uploads_dir):
    tus_upload(alice, mosaic_id=mosaic_id, path=COGEO)
    job = UploadJob.objects.get()
    assert job.state == State.READY, job.message
    images = client_for(team=cast.acme).mosaic_images(mosaic_id)
    assert [image.id for image in images] == [job.image_id]
    assert images[0].checksum == job.checksum and job.bytes_sent == len(DATA)
    assert list(uploads_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("raster", "reason"),
    [
        ({"count": 1}, "This image has 1 bands; the mosaic's images have 3"),
        ({"pixel_size": 2.0}, "This image has pixels of 2 x 2; the mosaic's images have 0.597164 x 0.597164"),
    ],
)
def test_a_first_chunk_with_other_bands_or_pixels_stops_the_upload(
    cast, alice, mosaic_id, tmp_path, raster, reason
):
    client_for(team=cast.acme).mosaic_upload_image(mosaic_id, file=COGEO)
    options = {"crs": "EPSG:3857", "width": 1000, "height": 1000, "pixel_size": 0.5971640348434448, **raster}
    data = write_raster(tmp_path / "other.tif", **options).read_bytes()
    created = tus_create(alice, mosaic_id=mosaic_id, filename="other.tif", size=len(data))
    answer = tus_patch(alice, created["Location"], data[: 300 * 1024], offset=0)
    assert answer.status_code == 422 and answer.content.decode() == reason


def test_an_image_of_another_data_type_is_not_stopped_early_since_the_data_api_takes_it(
    cast, alice, mosaic_id, tmp_path
):
    """The early check and the Data API share one rule (common.image_fit): CRS, bands and pixel size, not data type."""
    client_for(team=cast.acme).mosaic_upload_image(mosaic_id, file=COGEO)
    options = {"crs": "EPSG:3857", "width": 1000, "height": 1000, "pixel_size": 0.5971640348434448, "dtype": "uint16"}
    tus_upload(alice, mosaic_id=mosaic_id, path=write_raster(tmp_path / "deep.tif", **options))
    job = UploadJob.objects.get()
    assert job.state == State.READY, job.message
    assert len(client_for(team=cast.acme).mosaic_images(mosaic_id)) == 2


def test_a_first_chunk_declaring_more_pixels_than_the_data_api_allows_stops_the_upload(alice, mosaic_id, tmp_path):
    sparse = write_empty(tmp_path / "sparse.tif", width=100_000, height=100_000, SPARSE_OK="TRUE", BLOCKYSIZE=100_000)
    data = sparse.read_bytes()
    created = tus_create(alice, mosaic_id=mosaic_id, filename="sparse.tif", size=len(data))
    answer = tus_patch(alice, created["Location"], data, offset=0)
    assert answer.status_code == 422
    assert answer.content.decode() == "sparse.tif cannot be used: check its pixel count (100000 x 100000)"
    assert UploadJob.objects.get().state == State.FAILED


def test_a_first_chunk_wider_and_taller_than_the_accounts_pixel_limit_stops_the_upload(
    alice, accounts, mosaic_id, tmp_path
):
    accounts.acme.max_pixel_count = 999
    accounts.acme.save()
    data = write_raster(tmp_path / "big.tif", width=1000, height=1000).read_bytes()
    created = tus_create(alice, mosaic_id=mosaic_id, filename="big.tif", size=len(data))
    answer = tus_patch(alice, created["Location"], data[: 300 * 1024], offset=0)
    assert answer.status_code == 422 and answer.content.decode() == "big.tif cannot be used: check its width, height"
