"""The Data API's contract runs once on each imagery backend: the local folder and an S3 object store (a real S3
protocol server on loopback, read by GDAL over HTTP as in production)."""

import pytest

from tests.conftest import s3_storage_use


@pytest.fixture(params=["folder", "s3"])
def storage_backend(request) -> str:
    return request.param


@pytest.fixture(autouse=True)
def imagery_storage(imagery_storage, storage_backend, settings, request):
    if storage_backend == "s3":
        s3_storage_use(settings, request.getfixturevalue("s3_endpoint"))
    return imagery_storage
