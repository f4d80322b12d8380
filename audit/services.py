"""Writes of the audit log: an entry per change, and the pruning of old ones."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Action, Entry


def entry_record(
    *,
    team_id: int,
    actor,
    action: Action,
    object_type: str,
    object_id: str = "",
    name: str = "",
    details: dict | None = None,
) -> Entry:
    """Record that `actor` (a user, or None for the dashboard itself) did `action` to an object of the team's,
    named `name` at the time."""
    return Entry.objects.create(
        team_id=team_id,
        actor=actor,
        actor_email=(actor.email or actor.username) if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or "")[:64],
        object_name=(name or "")[:300],
        details=details or {},
    )


def entries_prune() -> int:
    """Delete the entries older than AUDIT_RETENTION_DAYS; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = Entry.objects.filter(at__lt=cutoff).delete()
    return deleted
