"""What the Data API tests do over and over: make mosaics, upload rasters, look at the imagery folder."""

import io
from pathlib import Path

from django.test import Client

from dataserver.storage import store

NOT_AUTHENTICATED = {"detail": "Not authenticated"}


def mosaic_create(api: Client, name: str = "Aerial", tags: list[str] | None = None) -> dict:
    body = {"name": name} if tags is None else {"name": name, "tags": tags}
    response = api.post("/rest/rasters/mosaic", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def upload(api: Client, mosaic_id: str, path: Path, *, filename: str | None = None):
    """POST the file as the multipart `file` part, under `filename` if given."""
    return api.post(f"/rest/rasters/mosaic/{mosaic_id}/image", {"file": named_file(path, filename)})


def named_file(path: Path, filename: str | None = None) -> io.BytesIO:
    """The bytes of `path` as a file the test client sends under `filename` (default: its own name)."""
    data = io.BytesIO(path.read_bytes())
    data.name = filename or path.name
    return data


def upload_ok(api: Client, mosaic_id: str, path: Path) -> dict:
    """Upload and return the new image object."""
    response = upload(api, mosaic_id, path)
    assert response.status_code == 200, response.content
    return api.get(f"/rest/rasters/image/{response.json()['image_id']}").json()


def stored_files() -> set[Path]:
    """Every object of the imagery store (an in-flight upload's included), as a path of its key."""
    imagery = store()
    keys = {stored.key for stored in imagery.objects()}
    if imagery.kind == "folder":
        keys |= {path.relative_to(imagery.root).as_posix() for path in imagery.root.rglob("*.part")}
    else:
        uploads = imagery.client.list_multipart_uploads(Bucket=imagery.bucket).get("Uploads", [])
        keys |= {upload["Key"][len(imagery.prefix) :] + ".part" for upload in uploads}
    return {Path(key) for key in keys}


def uri_key(uri: str) -> str:
    """The key of the object a `file://` or `s3://` URI of the imagery store names."""
    root = store().uri("")
    assert uri.startswith(root), uri
    return uri[len(root) :]


def uri_bytes(uri: str) -> bytes:
    return store().read(uri_key(uri))


def memory_used(api: Client) -> int:
    return api.get("/rest/rasters/memory").json()["memoryUsed"]


def raster_error(response, status: int, code: str) -> dict:
    """Assert the rasters error shape and return its parameters."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail"} and set(body["detail"]) == {"code", "parameters"}, body
    assert body["detail"]["code"] == code, body
    return body["detail"]["parameters"]
