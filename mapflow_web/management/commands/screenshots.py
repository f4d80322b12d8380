"""Screenshots of the catalog and mosaic pages at 1366x768 for review (docs/screenshots/), taken in Chromium from the
demo site that `make run` serves: `python manage.py screenshots [--url http://127.0.0.1:8000]`.

The demo user signs in; a mosaic "Demo mosaic" with one generated image is made in the demo team the first time.
Base-map tiles (from the internet) are left blank, so the pictures are the same offline.
"""

import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import rasterio
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rasterio.transform import from_origin

from common.tiles import EMPTY_TILE
from teams.clients import client_for
from teams.models import Team

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1366, "height": 768}
MOSAIC_NAME = "Demo mosaic"
READY_SECONDS = 120


def _demo_image(path: Path) -> Path:
    """A 1200 x 900 RGB GeoTIFF in EPSG:3857 (some fields near Moscow at 0.6 m pixels) with a pattern to look at."""
    rows, cols = np.mgrid[0:900, 0:1200]
    bands = [
        120 + 60 * np.sin(cols / 37.0) * np.cos(rows / 53.0),
        140 + 50 * np.cos((cols + rows) / 71.0),
        90 + 40 * np.sin(rows / 29.0),
    ]
    data = np.clip(np.stack(bands), 0, 255).astype("uint8")
    profile = {"driver": "GTiff", "width": 1200, "height": 900, "count": 3, "dtype": "uint8", "crs": "EPSG:3857",
               "transform": from_origin(4_190_000, 7_510_000, 0.6, 0.6)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)
    return path


class Command(BaseCommand):
    help = "Write docs/screenshots/catalog.png and mosaic.png at 1366x768 from the demo site."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where `make run` serves the site")
        parser.add_argument("--out", default=str(settings.BASE_DIR / "docs" / "screenshots"))

    def handle(self, *args, url, out, **options):
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise CommandError("Playwright is needed: pip install -e '.[dev]'") from exc
        password_file = settings.VAR_DIR / "demo-password"
        team = Team.objects.filter(name="Demo", memberships__user__username="demo").first()
        if team is None or not password_file.exists():
            raise CommandError("No demo data: run `make demo` (or `make run`) first")
        mosaic_id = self._demo_mosaic(team)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        base_map_host = urlsplit(settings.BASE_MAP_URL).netloc
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_context(viewport=VIEWPORT, base_url=url).new_page()
            page.route(f"**://{base_map_host}/**", lambda route: route.fulfill(body=EMPTY_TILE, content_type="image/png"))
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill("demo")
            page.get_by_label("Password").fill(password_file.read_text().strip())
            page.keyboard.press("Enter")
            page.get_by_role("button", name="Sign out").wait_for()
            for name, path in [("catalog", "/catalog/"), ("mosaic", f"/mosaics/{mosaic_id}/")]:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1000)  # the map's last tiles fade in
                page.screenshot(path=str(folder / f"{name}.png"))
                self.stdout.write(f"Wrote {folder / f'{name}.png'}")
            browser.close()

    def _demo_mosaic(self, team: Team) -> str:
        """The demo team's "Demo mosaic", made with one image and waited for until its tiles are ready."""
        client = client_for(team=team)
        mosaic = next((m for m in client.mosaic_list() if m.name == MOSAIC_NAME), None)
        if mosaic is None:
            mosaic = client.mosaic_create(name=MOSAIC_NAME, tags=["demo"])
            with tempfile.TemporaryDirectory() as folder:
                client.mosaic_upload_image(mosaic.id, file=_demo_image(Path(folder) / "fields.tif"))
        deadline = time.monotonic() + READY_SECONDS
        while not all(image.cog_link for image in client.mosaic_images(mosaic.id)):
            if time.monotonic() > deadline:
                raise CommandError("The demo mosaic's tiles are not ready: is the Celery worker running?")
            time.sleep(1)
        return mosaic.id
