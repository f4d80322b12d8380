"""The uploads cast: alice (admin), bob (viewer) and dave (member) in Acme, charlie in Cosmo; each team's Data API
account is the self-hosted one on the live server. Helpers speak tus to the dashboard."""

import base64
import hashlib
import secrets
from types import SimpleNamespace

import pytest
from django.urls import reverse

from teams.clients import client_for
from teams.models import Role
from tests.conftest import make_account
from tests.teams.conftest import (  # noqa: F401
    cast,
    connect,
    join,
    live_api,
    make_user,
    private_cache_and_fast_hashing,
    signed_in,
)

TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture(autouse=True)
def uploads_dir(settings, tmp_path):
    settings.UPLOADS_DIR = tmp_path / "uploads"
    return settings.UPLOADS_DIR


@pytest.fixture
def accounts(cast, live_api):  # noqa: F811
    acme, acme_token = make_account("acme@example.com")
    cosmo, cosmo_token = make_account("cosmo@example.com")
    connect(cast.acme, api_url=live_api, token=acme_token)
    connect(cast.cosmo, api_url=live_api, token=cosmo_token)
    return SimpleNamespace(acme=acme, cosmo=cosmo)


@pytest.fixture
def dave(cast):  # noqa: F811
    dave = make_user("dave")
    join(dave, cast.acme, Role.MEMBER)
    return dave


@pytest.fixture
def mosaic_id(cast, accounts) -> str:  # noqa: F811
    return client_for(team=cast.acme).mosaic_create(name="Aerial").id


def tus_client(user):
    """A signed-in test client that enforces CSRF, with a CSRF cookie and the header that goes with it."""
    client = signed_in(user, enforce_csrf_checks=True)
    token = secrets.token_hex(16)
    client.cookies["csrftoken"] = token
    client.csrf_headers = {"X-CSRFToken": token, **TUS}
    return client


def metadata(**fields) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in fields.items())


def tus_create(client, *, mosaic_id: str, filename: str, size: int, headers: dict | None = None):
    return client.post(
        reverse("uploads:create"),
        headers={
            **client.csrf_headers,
            "Upload-Length": str(size),
            "Upload-Metadata": metadata(filename=filename, mosaic_id=mosaic_id),
            **(headers or {}),
        },
    )


def tus_patch(client, location: str, chunk: bytes, *, offset: int, headers: dict | None = None):
    return client.generic(
        "PATCH",
        location,
        chunk,
        content_type="application/offset+octet-stream",
        headers={**client.csrf_headers, "Upload-Offset": str(offset), **(headers or {})},
    )


def sha1_header(chunk: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(chunk).digest()).decode()


def tus_upload(client, *, mosaic_id: str, path, chunk_size: int = 64 * 1024) -> str:
    """Send the whole file in chunks; the upload's location."""
    data = path.read_bytes()
    created = tus_create(client, mosaic_id=mosaic_id, filename=path.name, size=len(data))
    assert created.status_code == 201, created.content
    location = created["Location"]
    for offset in range(0, len(data), chunk_size):
        answer = tus_patch(client, location, data[offset : offset + chunk_size], offset=offset)
        assert answer.status_code == 204, answer.content
    return location
