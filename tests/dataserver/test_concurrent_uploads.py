"""Uploads racing each other into one account: the checks that compare with what is stored hold under the lock."""

import threading
import uuid

import pytest
from django.db import connection

from dataserver import errors
from dataserver.models import Image, Mosaic
from dataserver.rasters import inspection as rasters
from dataserver.rasters import services
from dataserver.storage import ImageFiles, store
from tests.conftest import make_account
from tests.rasters import write_raster

pytestmark = pytest.mark.django_db(transaction=True)


def incoming(path, mosaic) -> services.IncomingFile:
    """The file arrived in the imagery store as the original of a new image of the mosaic."""
    files = ImageFiles(mosaic.account_id, mosaic.id, uuid.uuid4())
    store().put(files.original, path.read_bytes())
    return services.IncomingFile(files=files, filename=path.name, size=path.stat().st_size, checksum="0" * 40)


def test_two_first_images_of_different_crs_racing_into_an_empty_mosaic_cannot_both_land(tmp_path, monkeypatch):
    account, _ = make_account("alice@example.com")
    mosaic = Mosaic.objects.create(account=account, name="Race")
    files = [write_raster(tmp_path / "utm.tif", crs="EPSG:32637"), write_raster(tmp_path / "merc.tif", crs="EPSG:3857")]
    both_checked = threading.Barrier(2, timeout=30)
    previews_write = rasters.previews_write

    def previews_after_both_checked(*args, **kwargs):
        both_checked.wait()  # both uploads passed the early check against an empty mosaic
        return previews_write(*args, **kwargs)

    monkeypatch.setattr(rasters, "previews_write", previews_after_both_checked)
    outcomes = []

    def upload(path):
        try:
            services.image_ingest(account=account, mosaic=mosaic, incoming=incoming(path, mosaic), max_pixel_count=10_000)
            outcomes.append("stored")
        except errors.FileValidationFailed as exc:
            outcomes.append(exc.parameters["param_name"])
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["crs", "stored"]
    assert Image.objects.filter(mosaic=mosaic).count() == 1
