"""Set up the laptop demo: a self-hosted Data API account whose token `make run` prints.

The token is kept in var/demo-token (tokens are stored hashed, so it cannot be read back from the database).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from dataserver.models import Account


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
        self.stdout.write(f"Dashboard:      {url}/")
        self.stdout.write(f"Data API:       {url}/rest  (OpenAPI: {url}/rest/rasters/openapi.json)")
        self.stdout.write(f"Demo account:   {email}")
        self.stdout.write(f"Demo token:     {token}")
        self.stdout.write(f"Try:            curl -H 'Authorization: Basic {token}' {url}/rest/rasters/memory")
