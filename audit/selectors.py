"""Reads of the audit log, always of one team."""

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .models import Entry


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def team_entries(
    *, team_id: int, action: str = "", actor_id: int | None = None, since: date | None = None, until: date | None = None
) -> QuerySet[Entry]:
    """The team's entries, newest first, of that action, by that actor, from the day `since` to the day `until`
    (both included)."""
    entries = Entry.objects.filter(team_id=team_id)
    if action:
        entries = entries.filter(action=action)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(at__gte=_start_of(since))
    if until is not None:
        entries = entries.filter(at__lt=_start_of(until + timedelta(days=1)))
    return entries


def team_actors(*, team_id: int) -> list[tuple[int, str]]:
    """(id, address) of everyone with an entry in the team's log, for the actor filter."""
    rows = Entry.objects.filter(team_id=team_id, actor__isnull=False).values_list("actor_id", "actor_email")
    return sorted(set(rows), key=lambda row: row[1].lower())
