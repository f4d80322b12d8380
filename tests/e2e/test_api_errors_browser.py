"""In a real browser: when the Data API goes away under an open page, the dialog that needed it and the parts that
refresh say so in the server's words, instead of staying on "Loading…" or a bare HTTP status."""

import socket

import pytest
from playwright.sync_api import expect

from teams.clients import client_for
from tests.conftest import allow_api
from tests.e2e.test_frame_browser import sign_in
from tests.e2e.test_mosaics_browser import acme  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dialog_opened_after_the_api_went_away_shows_why(page, acme, settings):  # noqa: F811
    mosaic = client_for(team=acme).mosaic_create(name="Fields", tags=[])
    sign_in(page, "alice")
    page.goto(f"/mosaics/{mosaic.id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fields")

    settings.DATA_API_MAX_RETRIES = 0
    credential = acme.credential
    credential.api_url = allow_api(f"http://127.0.0.1:{closed_port()}/rest")
    credential.save()

    page.get_by_role("button", name="Rename or tag").click()
    dialog = page.locator("#mosaic-dialog")
    expect(dialog.get_by_role("alert")).to_have_text("The Data API cannot be reached.")
    expect(dialog).not_to_contain_text("Loading")
