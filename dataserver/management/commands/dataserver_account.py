"""Accounts of the self-hosted Data API.

    dataserver_account create --email E [--memory-limit 10GB]   prints the Basic token on its last line
    dataserver_account list
    dataserver_account set-limit --email E [--memory-limit SIZE|unlimited] [--max-file-size SIZE]
                                 [--max-pixel-count N] [--read-only yes|no] [--downloads yes|no]
    dataserver_account rotate-token --email E                   prints the new Basic token on its last line
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from common.sizes import format_size, parse_size
from dataserver.models import Account
from dataserver.rasters.services import account_memory_used


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


UNLIMITED = "unlimited"


def _memory_limit(text: str) -> int | str:
    return UNLIMITED if text.lower() == UNLIMITED else _size(text)


class Command(BaseCommand):
    help = "Create and manage accounts of the self-hosted Data API."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create an account and print its Basic token")
        create.add_argument("--email", required=True)
        create.add_argument("--memory-limit", type=_memory_limit, help="storage quota, e.g. 10GB or unlimited")
        actions.add_parser("list", help="list the accounts with their limits and storage use")
        limit = actions.add_parser("set-limit", help="change an account's limits")
        limit.add_argument("--email", required=True)
        limit.add_argument("--memory-limit", type=_memory_limit)
        limit.add_argument("--max-file-size", type=_size)
        limit.add_argument("--max-pixel-count", type=int)
        limit.add_argument("--read-only", choices=["yes", "no"])
        limit.add_argument("--downloads", choices=["yes", "no"], help="whether its images' originals may be downloaded")
        rotate = actions.add_parser("rotate-token", help="replace an account's token and print the new one")
        rotate.add_argument("--email", required=True)

    def handle(self, *args, action, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _account(self, email: str) -> Account:
        account = Account.objects.filter(email__iexact=email).first()
        if account is None:
            raise CommandError(f"No account with the email {email}")
        return account

    def _create(self, email, memory_limit, **_):
        if Account.objects.filter(email__iexact=email).exists():
            raise CommandError(f"An account with the email {email} exists already (use rotate-token for a new token)")
        account = Account.with_defaults(email=email, memory_limit=memory_limit)
        token = account.new_token()
        account.save()
        self.stdout.write(f"Created account {account.email} ({account.id}), storage {format_size(account.memory_limit)}")
        self.stdout.write(token)

    def _list(self, **_):
        for account in Account.objects.all():
            used = account_memory_used(account=account)
            self.stdout.write(
                f"{account.email}\tused {format_size(used)} of {format_size(account.memory_limit)}"
                f"\tmax file {format_size(account.max_upload_file_size)}\tmax pixels {account.max_pixel_count}"
                + ("\tread-only" if account.read_only else "")
                + ("" if account.originals_downloadable else "\tno downloads")
            )

    def _set_limit(self, email, memory_limit, max_file_size, max_pixel_count, read_only, downloads, **_):
        account = self._account(email)
        if memory_limit is not None:
            account.memory_limit = None if memory_limit == UNLIMITED else memory_limit
        if max_file_size is not None:
            account.max_upload_file_size = max_file_size
        if max_pixel_count is not None:
            account.max_pixel_count = max_pixel_count
        if read_only is not None:
            account.read_only = read_only == "yes"
        if downloads is not None:
            account.originals_downloadable = downloads == "yes"
        account.save()
        self.stdout.write(f"{account.email}: storage {format_size(account.memory_limit)}")

    def _rotate_token(self, email, **_):
        with transaction.atomic():
            account = self._account(email)
            token = account.new_token()
            account.save(update_fields=["token_hash"])
        self.stdout.write(f"New token for {account.email}; the old one no longer works")
        self.stdout.write(token)
