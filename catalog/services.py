"""Writes of the catalog page: the areas that searches name by key."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from teams.models import Team

from .models import SearchedArea

TOUCH_AFTER = timedelta(days=1)


def searched_area_key(geometry: dict) -> str:
    """The same area gives the same key (a digest of its canonical JSON)."""
    canonical = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def searched_area_keep(*, team: Team, geometry: dict) -> SearchedArea:
    """The team's kept area for `geometry`, kept now if it was not (and marked as used)."""
    key = searched_area_key(geometry)
    area = SearchedArea.objects.filter(team=team, key=key).first()
    if area is None:
        try:
            with transaction.atomic():
                return SearchedArea.objects.create(team=team, key=key, geometry=geometry)
        except IntegrityError:  # the same area kept by a search at the same moment
            area = SearchedArea.objects.get(team=team, key=key)
    searched_area_touch(area=area)
    return area


def searched_area_touch(*, area: SearchedArea) -> None:
    now = timezone.now()
    if now - area.used_at > TOUCH_AFTER:
        SearchedArea.objects.filter(pk=area.pk).update(used_at=now)


def searched_areas_forget() -> int:
    """Forget the areas no search used for CATALOG_AREA_RETENTION_DAYS (their links stop restoring the area)."""
    cutoff = timezone.now() - timedelta(days=settings.CATALOG_AREA_RETENTION_DAYS)
    deleted, _ = SearchedArea.objects.filter(used_at__lt=cutoff).delete()
    return deleted
