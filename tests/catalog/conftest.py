"""The catalog page's cast: alice (admin) and bob (viewer) in Acme, whose Data API account is the self-hosted one on
the live server, with the NAIP fixture scenes imported."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from shapely.geometry import box, mapping

from tests.conftest import make_account
from tests.teams.conftest import (  # noqa: F401
    cast,
    connect,
    live_api,
    private_cache_and_fast_hashing,
    signed_in,
)

NAIP = Path(__file__).resolve().parents[1] / "fixtures" / "stac" / "naip-250.json"
# Eleven NAIP scenes on the Montana / British Columbia border.
NAIP_AOI = json.loads(json.dumps(mapping(box(-116.1, 48.95, -115.6, 49.1))))


@pytest.fixture
def naip(db):
    call_command("dataserver_catalog", "import", str(NAIP), "--provider", "naip", stdout=open("/dev/null", "w"))


@pytest.fixture
def acme_account(cast, live_api):  # noqa: F811
    account, token = make_account("acme@example.com")
    connect(cast.acme, api_url=live_api, token=token)
    return account


@pytest.fixture
def alice(cast, acme_account):  # noqa: F811
    return signed_in(cast.alice)


@pytest.fixture
def bob(cast, acme_account):  # noqa: F811
    return signed_in(cast.bob)
