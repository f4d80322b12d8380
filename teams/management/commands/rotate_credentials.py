"""Re-encrypt every team's Data API token with the newest key of CREDENTIAL_KEYS.

Rotation: prepend a new key to CREDENTIAL_KEYS (keep the old ones), restart, run this command, then drop the old keys.
"""

from django.core.management.base import BaseCommand

from teams.services import credential_rotate_all


class Command(BaseCommand):
    help = "Re-encrypt the stored Data API tokens with the newest key of CREDENTIAL_KEYS."

    def handle(self, *args, **options):
        count = credential_rotate_all()
        self.stdout.write(f"Re-encrypted {count} credential(s) with the newest key.")
