"""A real Chromium (the Debian package) driven by Playwright against pytest-django's live server."""

import os
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from common.tiles import EMPTY_TILE
from tests.teams.conftest import live_api  # noqa: F401  (the self-hosted API on the live server)

# Playwright's sync API runs an event loop in the test's thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, live_api):  # noqa: F811  (the fixture imported above)
    """A laptop-sized page; console errors (CSP violations among them) are collected in `page.console_errors`."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url)
    page = context.new_page()
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))  # the admin's pages ask for one
    # Base-map tiles come from the internet, which this machine does not reach: a blank tile stands in for them.
    base_map_host = urlsplit(settings.BASE_MAP_URL).netloc
    page.route(f"**://{base_map_host}/**", lambda route: route.fulfill(body=EMPTY_TILE, content_type="image/png"))
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()
