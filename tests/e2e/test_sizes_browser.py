"""In a real browser: a 20 GB limit reads "20 GB" in the storage gauge, in the drop zone's limits and refusal, and
in the dashboard's own refusal of the upload (decimal units everywhere, and the page says so)."""

import pytest
from playwright.sync_api import expect

from common.sizes import UNITS_NOTE
from teams.clients import client_for
from teams.models import Role, Team
from tests.conftest import make_account
from tests.e2e.test_frame_browser import sign_in
from tests.teams.conftest import connect, join, make_user
from tests.uploads.conftest import tus_client, tus_create

pytestmark = pytest.mark.e2e
LIMIT = 20_000_000_000


@pytest.fixture
def alice(live_api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    team = Team.objects.create(name="Acme")
    alice = make_user("alice")
    join(alice, team, Role.ADMIN)
    _, token = make_account("acme@example.com", memory_limit=LIMIT, max_upload_file_size=LIMIT)
    connect(team, api_url=live_api, token=token)
    return alice


def test_a_20_gb_limit_reads_20_gb_in_the_gauge_the_drop_zone_and_the_servers_refusal(page, alice, tmp_path):
    mosaic = client_for(team=alice.memberships.get().team).mosaic_create(name="Big", tags=[])
    too_big = tmp_path / "huge.tif"
    with open(too_big, "wb") as fh:  # sparse: 21 GB on paper, nothing on disk
        fh.truncate(21_000_000_000)

    refusal = tus_create(tus_client(alice), mosaic_id=mosaic.id, filename="huge.tif", size=21_000_000_000)
    assert refusal.status_code == 413
    assert refusal.content.decode() == "huge.tif is 21 GB; the largest allowed is 20 GB"

    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    gauge = page.locator("#storage-gauge")
    expect(gauge).to_contain_text("Storage: 0 B of 20 GB (0%)")
    assert UNITS_NOTE in gauge.get_attribute("title")
    dropzone = page.locator("#upload-dropzone")
    expect(dropzone).to_contain_text("Largest file: 20 GB, free storage: 20 GB")
    expect(dropzone).to_contain_text("decimal units")

    page.locator("#upload-files").set_input_files(str(too_big))
    expect(dropzone.locator("[data-upload-failed]")).to_contain_text("huge.tif is 21 GB; the largest allowed is 20 GB")
    assert page.console_errors == []
