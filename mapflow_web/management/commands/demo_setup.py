"""Set up the laptop demo: a self-hosted Data API account whose token `make run` prints, and a dashboard team
connected to it. The one place where the two products meet (the dashboard's apps never import the server's).

The token is kept in var/demo-token (tokens are stored hashed, so it cannot be read back from the database).
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

import dataserver
from dataserver.catalog.stac import scenes_import, stac_items
from dataserver.models import Account
from teams.models import Credential, Membership, Role, Team

# Scenes for the demo's catalog search: STAC items shipped with the app, imported again (updated) on every run.
DEMO_STAC = {"naip": "naip-250.json", "sentinel-2-l2a": "sentinel2-l2a-33.json"}
DEMO_STAC_DIR = Path(dataserver.__file__).resolve().parent / "demo_stac"


def _secret_file(path: Path, make) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Create the demo Data API account (once) and print how to use it."

    def add_arguments(self, parser):
        parser.add_argument("--email", default="demo@example.com")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the site will be served")

    def handle(self, *args, email, url, **options):
        token_file = settings.VAR_DIR / "demo-token"
        account = Account.objects.filter(email=email).first()
        if account is None or not token_file.exists():
            account = account or Account.with_defaults(email=email)
            token = account.new_token()
            account.save()
            token_file.parent.mkdir(parents=True, exist_ok=True)
            token_file.write_text(token)
            token_file.chmod(0o600)
        token = token_file.read_text().strip()
        for provider, filename in DEMO_STAC.items():
            result = scenes_import(items=stac_items(str(DEMO_STAC_DIR / filename)), provider=provider)
            self.stdout.write(f"Catalog:        {result.imported} scenes of {provider}")
        login, password = self._dashboard_user(email=email, token=token)
        self.stdout.write(f"Dashboard:      {url}/  (sign in as {login} / {password}, team Demo)")
        self.stdout.write(f"Data API:       {url}/rest  (OpenAPI: {url}/rest/rasters/openapi.json)")
        self.stdout.write(f"Demo account:   {email}")
        self.stdout.write(f"Demo token:     {token}")
        self.stdout.write(f"Try:            curl -H 'Authorization: Basic {token}' {url}/rest/rasters/memory")

    def _dashboard_user(self, *, email: str, token: str) -> tuple[str, str]:
        """The demo user, owner of the team "Demo" whose credential is the demo account on DATA_API_URL."""
        password = _secret_file(settings.VAR_DIR / "demo-password", lambda: secrets.token_urlsafe(12))
        user, _ = get_user_model().objects.get_or_create(username="demo", defaults={"email": email})
        user.set_password(password)
        user.save()
        team = Team.objects.filter(memberships__user=user, name="Demo").first() or Team.objects.create(name="Demo")
        Membership.objects.get_or_create(team=team, user=user, defaults={"role": Role.OWNER})
        credential = Credential.objects.filter(team=team).first() or Credential(team=team)
        credential.api_url, credential.email, credential.checked_at = settings.DATA_API_URL, email, timezone.now()
        credential.set_token(token)
        credential.save()
        return user.username, password
