"""Scenes of the self-hosted catalog search.

    dataserver_catalog import FILE_OR_URL --provider NAME [--collections C ...] [--bbox W S E N]
                                          [--datetime RANGE] [--max-items N]
    dataserver_catalog list
    dataserver_catalog delete --provider NAME
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Max, Min

from dataserver.catalog.stac import (
    SearchParams,
    scenes_delete,
    scenes_import,
    stac_items,
)
from dataserver.models import Scene


class Command(BaseCommand):
    help = "Import STAC items as catalog scenes, list the providers, delete a provider's scenes."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("import", help="import a STAC ItemCollection, static catalog or API search")
        load.add_argument("source", help="a file path or an http(s) URL")
        load.add_argument("--provider", required=True, help="the provider name the scenes are searched under")
        load.add_argument("--collections", nargs="+", help="STAC API search: collection ids")
        load.add_argument("--bbox", nargs=4, type=float, metavar=("W", "S", "E", "N"), help="STAC API search: bbox")
        load.add_argument("--datetime", help="STAC API search: e.g. 2023-01-01/2023-12-31")
        load.add_argument("--max-items", type=int, help="import at most this many items")
        actions.add_parser("list", help="list the providers with their scene counts")
        delete = actions.add_parser("delete", help="delete every scene of a provider")
        delete.add_argument("--provider", required=True)

    def handle(self, *args, action, **options):
        getattr(self, "_" + action)(**options)

    def _import(self, source, provider, collections, bbox, datetime, max_items, **_):
        params = SearchParams(collections=collections, bbox=bbox, datetime=datetime, max_items=max_items)
        try:
            result = scenes_import(items=stac_items(source, params), provider=provider)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot import {source}: {exc}") from None
        for reason in result.skipped:
            self.stderr.write(f"Skipped {reason}")
        self.stdout.write(f"Imported {result.imported} scenes of {provider} ({len(result.skipped)} skipped)")

    def _list(self, **_):
        providers = Scene.objects.values("provider_name").annotate(
            count=Count("id"), first=Min("acquired_at"), last=Max("acquired_at")
        )
        for row in providers.order_by("provider_name"):
            span = f"{row['first']:%Y-%m-%d} to {row['last']:%Y-%m-%d}" if row["first"] else "no dates"
            self.stdout.write(f"{row['provider_name']}\t{row['count']} scenes\t{span}")

    def _delete(self, provider, **_):
        deleted = scenes_delete(provider=provider)
        self.stdout.write(f"Deleted {deleted} scenes of {provider}")
