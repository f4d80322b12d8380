"""The mosaic pages against the self-hosted Data API on the live server: Acme (alice admin, bob viewer) and Cosmo
(charlie), each team connected to an account of its own. The cache is the real Redis, under a prefix per test."""

import json
import re
import uuid
from types import SimpleNamespace

import pytest

from teams.clients import client_for
from tests.conftest import make_account
from tests.rasters import COGEO
from tests.teams.conftest import cast, connect, live_api, signed_in  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def redis_cache_of_its_own(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "mapflow_web.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
            "KEY_PREFIX": f"test-mosaics-{uuid.uuid4().hex[:12]}",
            "TIMEOUT": 120,
        }
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def teams(cast, live_api):  # noqa: F811
    """The cast with both teams connected to the live Data API, and each team's client."""
    for team in (cast.acme, cast.cosmo):
        _, token = make_account(f"{team.name.lower()}@example.com")
        connect(team, api_url=live_api, token=token)
    cast.acme_api, cast.cosmo_api = client_for(team=cast.acme), client_for(team=cast.cosmo)
    cast.alice_client, cast.bob_client, cast.charlie_client = (
        signed_in(cast.alice),
        signed_in(cast.bob),
        signed_in(cast.charlie),
    )
    return cast


def htmx(target: str | None = None, current_url: str = "http://testserver/mosaics/") -> dict:
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": current_url}
    if target:
        headers["HTTP_HX_TARGET"] = target
    return headers


def island(html: str, name: str):
    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S).group(1))


@pytest.fixture
def mosaic_with_image(teams):
    """Acme's mosaic "Fields" with cogeo.tif uploaded (its COG built during the upload)."""
    mosaic = teams.acme_api.mosaic_create(name="Fields", tags=["2024", "drone"])
    uploaded = teams.acme_api.mosaic_upload_image(mosaic.id, file=COGEO)
    return SimpleNamespace(mosaic_id=mosaic.id, image_id=uploaded.image_id)
