"""Reads of the teams app, every one scoped to a user or a team."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from dataapi import errors as api_errors
from dataapi.schemas import Memory

from .clients import client_for
from .models import Invitation, Membership, Team


def memberships_of(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name", "team_id")


def membership_for(*, user, team_id: int | None) -> Membership | None:
    """The user's membership of that team, else their first one (None when they belong to no team)."""
    memberships = memberships_of(user=user).select_related("team__credential")
    return (team_id is not None and memberships.filter(team_id=team_id).first()) or memberships.first()


def team_members(*, team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__email", "user__username")


def team_pending_invitations(*, team: Team) -> QuerySet[Invitation]:
    return team.invitations.filter(used_at__isnull=True, expires_at__gt=timezone.now())


def invitation_by_token(*, token: str) -> Invitation | None:
    """The usable invitation of that link, else None."""
    invitation = Invitation.objects.select_related("team").filter(token_hash=Invitation.hash(token)).first()
    return invitation if invitation is not None and invitation.is_usable else None


@dataclass
class Storage:
    """The storage gauge: the account's memory, or the error that kept us from reading it."""

    memory: Memory | None = None
    error: api_errors.DataAPIError | None = None

    @property
    def problem(self) -> str | None:
        """What the frame tells: "not_configured", "rejected" (the token), "unavailable" (down, slow, failing)."""
        if self.error is None:
            return None
        if isinstance(self.error, api_errors.NotConfigured):
            return "not_configured"
        if isinstance(self.error, (api_errors.AuthenticationFailed, api_errors.PermissionDenied)):
            return "rejected"
        return "unavailable"


def storage_key(credential) -> str:
    return f"teams:storage:{credential.pk}:{credential.updated_at.timestamp()}"


def team_storage(*, team: Team) -> Storage:
    """`GET /rasters/memory` of the team's account, cached briefly (failures for a shorter time), and forgotten as
    soon as the team's images change (`teams.services.team_storage_changed`)."""
    credential = getattr(team, "credential", None)
    if credential is None:
        return Storage(error=api_errors.NotConfigured())
    key = storage_key(credential)
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        client = client_for(team=team).with_options(timeout=settings.STORAGE_GAUGE_TIMEOUT, max_retries=0)
        storage = Storage(memory=client.memory())
        seconds = settings.STORAGE_GAUGE_CACHE_SECONDS
    except api_errors.DataAPIError as exc:
        storage = Storage(error=exc)
        seconds = settings.STORAGE_GAUGE_ERROR_CACHE_SECONDS
    cache.set(key, storage, seconds)
    return storage
