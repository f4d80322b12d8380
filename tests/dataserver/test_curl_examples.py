"""The curl examples of the Mapflow Data API documentation, run as written against the self-hosted server."""

import json
import shlex
import subprocess
from pathlib import Path

import pytest
from PIL import Image as PILImage

from tests.conftest import make_account
from tests.rasters import write_raster

pytestmark = pytest.mark.django_db(transaction=True)

CREATE = """curl --location --request POST 'https://api.mapflow.ai/rest/rasters/mosaic' \\
--header 'Content-Type: application/json' \\
--header 'Authorization: Basic <YOUR TOKEN>' \\
--data-raw '{
"name": "mosaic-name",
"tags": [
"tag-1",
"tag-2"
]
}'"""
CREATE_AND_UPLOAD = """curl --location -g --request POST 'https://api.mapflow.ai/rest/rasters/mosaic/mosaic?name={name}&tags={tag1}&tags={tag2}' \\
--header 'Content-Type: multipart/form-data' \\
--header 'Authorization: Basic <YOUR TOKEN>' \\
--form 'file=@"/path/to/file"'"""
UPDATE = """curl --location --request PUT 'https://api.mapflow.ai/rest/rasters/mosaic/{mosaic_id}' \\
--header 'Content-Type: application/json' \\
--header 'Authorization: Basic <YOUR TOKEN>' \\
--data-raw '{
"name": "new-mosaic-name",
"tags": [
"new-tag-1",
"new-tag-2"
]
}'"""
# The documentation names the upload and the plain reads without a curl line; these are the same calls spelled alike.
UPLOAD = """curl --location --request POST 'https://api.mapflow.ai/rest/rasters/mosaic/{mosaic_id}/image' \\
--header 'Authorization: Basic <YOUR TOKEN>' \\
--form 'file=@"/path/to/file"'"""
LINKED_URL = "s3://users-data/user@email.com_045b8085-0ab8-42dc-8c65-c366cbaab5e0/8b6e9f1e-8ee6-4c15-9b39-c3bd6431f3f6/cog/area-5911389.tif"
LINK = """curl --location -g --request POST 'https://api.mapflow.ai/rest/rasters/mosaic/{mosaic_id}/link-image' \\
--header 'Content-Type: application/json' \\
--header 'Authorization: Basic <YOUR TOKEN>' \\
--data-raw '{
"url": "s3://users-data/user@email.com_045b8085-0ab8-42dc-8c65-c366cbaab5e0/8b6e9f1e-8ee6-4c15-9b39-c3bd6431f3f6/cog/area-5911389.tif"
}'"""
PREVIEW = """curl --location --request GET 'https://api.mapflow.ai/rest/rasters/image/{image_id}/preview/s' \\
--header 'Content-Type: image/jpg' \\
--header 'Authorization: Basic <YOUR TOKEN>'"""
READ = """curl --location --request {method} 'https://api.mapflow.ai/rest/{path}' \\
--header 'Authorization: Basic <YOUR TOKEN>'"""


class Curl:
    """Runs documentation examples with the host, the token and the placeholders swapped in."""

    def __init__(self, base_url: str, token: str, out: Path) -> None:
        self.base_url, self.token, self.out = base_url, token, out

    def __call__(self, example: str, *, file: Path | None = None, **values: str) -> tuple[int, bytes]:
        command = example.replace("https://api.mapflow.ai", self.base_url).replace("<YOUR TOKEN>", self.token)
        command = command.replace("/path/to/file", str(file))
        for name, value in values.items():
            command = command.replace("{" + name + "}", value)
        args = shlex.split(command.replace("\\\n", " "))
        args += ["--silent", "--show-error", "--max-time", "60", "--output", str(self.out)]
        args += ["--write-out", "%{http_code}"]
        done = subprocess.run(args, capture_output=True, text=True, timeout=90, check=True)
        return int(done.stdout), self.out.read_bytes()

    def json(self, example: str, expected_status: int = 200, **values) -> dict | list:
        status, body = self(example, **values)
        assert status == expected_status, body
        return json.loads(body)


@pytest.fixture
def curl(live_server, tmp_path):
    _, token = make_account("alice@example.com")
    return Curl(live_server.url, token, tmp_path / "response")


def test_the_documented_examples_work_as_written(curl, tmp_path):
    tif = write_raster(tmp_path / "scene.tif")

    created = curl.json(CREATE)
    assert (created["name"], created["tags"]) == ("mosaic-name", ["tag-1", "tag-2"])
    mosaic_id = created["id"]

    updated = curl.json(UPDATE, mosaic_id=mosaic_id)
    assert updated == {**created, "name": "new-mosaic-name", "tags": ["new-tag-1", "new-tag-2"]}

    uploaded = curl.json(UPLOAD, mosaic_id=mosaic_id, file=tif)
    assert uploaded["message"] == "Files successfully uploaded" and uploaded["mosaic_id"] == mosaic_id
    image_id = uploaded["image_id"]

    both = curl.json(CREATE_AND_UPLOAD, name="field", tag1="a", tag2="b", file=tif)
    assert both["message"] == "Files successfully uploaded"

    # No object store is configured here, so the documented s3:// link names a bucket the server may not read.
    linked = curl.json(LINK, 422, mosaic_id=mosaic_id)
    assert linked == {"detail": {"code": "InvalidLink", "parameters": {"url": LINKED_URL}}}

    mosaic = curl.json(READ, method="GET", path=f"rasters/mosaic/{mosaic_id}")
    assert (mosaic["name"], mosaic["image_count"]) == ("new-mosaic-name", 1)
    image = curl.json(READ, method="GET", path=f"rasters/image/{image_id}")
    assert (image["filename"], image["file_size"]) == ("scene.tif", tif.stat().st_size)

    legacy_preview = {"method": "GET", "path": f"rasters/{image_id}/preview/s"}
    for example, values in ((PREVIEW, {"image_id": image_id}), (READ, legacy_preview)):
        status, body = curl(example, **values)
        assert status == 200
        assert PILImage.open(curl.out).format == "JPEG" and body[:2] == b"\xff\xd8"

    memory = curl.json(READ, method="GET", path="rasters/memory")
    assert memory["memoryUsed"] == 2 * tif.stat().st_size

    assert curl.json(READ, method="DELETE", path=f"rasters/image/{image_id}") == {"message": f"{image_id} deleted"}
    assert curl.json(READ, method="DELETE", path=f"rasters/mosaic/{mosaic_id}") == {"message": "Files deleted"}
    assert curl.json(READ, method="GET", path="rasters/memory")["memoryUsed"] == tif.stat().st_size
    missing = curl.json(READ, 404, method="GET", path=f"rasters/mosaic/{mosaic_id}")
    assert missing["detail"] == {"code": "ItemNotFound", "parameters": {"uid": mosaic_id, "instance_type": "mosaic"}}
