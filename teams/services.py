"""Writes of the teams app: teams, memberships, invitations and the Data API credential."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from audit.models import Action
from audit.services import entry_record
from dataapi import errors as api_errors

from . import encryption
from .clients import client_with, credential_stamp_key
from .models import Credential, Invitation, Membership, Role, Team
from .selectors import storage_key


class NotAllowed(Exception):
    """A change the team's rules forbid; the message says which rule."""


def team_create(*, name: str, owner) -> Team:
    with transaction.atomic():
        team = Team.objects.create(name=name)
        Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


def team_delete(*, team: Team) -> None:
    team_id = team.pk
    team.delete()
    # A stamp no credential has: kept tile sources of the team are read again, and the team is found gone.
    transaction.on_commit(lambda: cache.set(credential_stamp_key(team_id), -1.0, timeout=None))


def team_storage_changed(*, team_id: int) -> None:
    """Forget the team's cached storage gauge (an image was added, became ready or went): the next page reads it."""
    credential = Credential.objects.filter(team_id=team_id).first()
    if credential is not None:
        cache.delete(storage_key(credential))


@sensitive_variables("token")
def credential_check(*, api_url: str, token: str) -> str:
    """The email of the account the token opens; raises DataAPIError when the API refuses it or cannot be reached.

    `GET /user/status` tells the email; an API without it is checked with `GET /rasters/memory`.
    """
    client = client_with(base_url=api_url, token=token)
    try:
        return client.user_status().email or ""
    except api_errors.NotFound:
        client.memory()
        return ""
    finally:
        client.close()


@sensitive_variables("token")
def credential_save(*, team: Team, api_url: str, token: str, by) -> Credential:
    """Check the token against the API, then store it encrypted (replacing the team's previous one); `by` is who."""
    email = credential_check(api_url=api_url, token=token)
    credential = Credential.objects.filter(team=team).first() or Credential(team=team)
    credential.api_url = api_url.rstrip("/")
    credential.email = email
    credential.checked_at = timezone.now()
    credential.set_token(token)
    credential.save()
    details = {"api_url": credential.api_url, "email": email}
    entry_record(
        team_id=team.pk,
        actor=by,
        action=Action.CREDENTIAL_CHANGE,
        object_type="credential",
        object_id=credential.pk,
        name=str(credential),
        details=details,
    )
    # Tiles of signed URLs are served with the new credential from now on, in every process.
    transaction.on_commit(
        lambda: cache.set(credential_stamp_key(team.pk), credential.updated_at.timestamp(), timeout=None)
    )
    return credential


def credential_rotate_all() -> int:
    """Re-encrypt every stored token with the newest key; returns how many were rewritten."""
    count = 0
    with transaction.atomic():
        for credential in Credential.objects.select_for_update().only("id", "token_encrypted"):
            Credential.objects.filter(pk=credential.pk).update(
                token_encrypted=encryption.reencrypt(credential.token_encrypted)
            )
            count += 1
    return count


def invitation_create(
    *, team: Team, email: str, role: str, invited_by, link_for: Callable[[str], str]
) -> tuple[Invitation, str]:
    """Create a single-use invitation, mail its link and return (invitation, link). The link is shown only now."""
    if role == Role.OWNER:
        raise NotAllowed("An invitation cannot make an owner")
    invitation = Invitation(team=team, email=email, role=role, invited_by=invited_by)
    token = invitation.new_token()
    invitation.save()
    entry_record(
        team_id=team.pk,
        actor=invited_by,
        action=Action.INVITATION_CREATE,
        object_type="invitation",
        object_id=invitation.pk,
        name=email,
        details={"role": role},
    )
    link = link_for(token)
    days = settings.TEAM_INVITATION_DAYS
    send_mail(
        subject=f"Join {team.name} on Mapflow",
        message=(
            f"{invited_by} invites you to the team {team.name}.\n\n"
            f"Open this link within {days} days: {link}\n\n"
            f"If you have no account on this site yet, the link lets you create one with this address ({email}).\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return invitation, link


def invitation_accept(*, token: str, user) -> Membership:
    """Use the invitation once: the user joins its team with its role (keeping a higher role they already have)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("team")
            .filter(token_hash=Invitation.hash(token))
            .first()
        )
        if invitation is None or invitation.used_at is not None:
            raise NotAllowed("This invitation link is not valid or has already been used")
        if not invitation.is_usable:
            raise NotAllowed("This invitation link has expired; ask the team's admin for a new one")
        membership, created = Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role}
        )
        if not created and Role(membership.role).rank < Role(invitation.role).rank:
            membership.role = invitation.role
            membership.save(update_fields=["role"])
        invitation.used_at = timezone.now()
        invitation.used_by = user
        invitation.save(update_fields=["used_at", "used_by"])
        entry_record(
            team_id=invitation.team_id,
            actor=user,
            action=Action.MEMBER_JOIN,
            object_type="membership",
            object_id=membership.pk,
            name=user.email or user.username,
            details={"role": membership.role, "invitation": invitation.email},
        )
    return membership


def user_sign_up(*, form, invitation_token: str | None):
    """Create the account of a valid sign-up form and, with an invitation, make it a member of the invitation's team,
    all or nothing (an invitation used up meanwhile leaves no account behind). Returns (user, membership or None)."""
    with transaction.atomic():
        user = form.save()
        membership = invitation_accept(token=invitation_token, user=user) if invitation_token else None
    return user, membership


def invitation_revoke(*, invitation: Invitation, by) -> None:
    entry_record(
        team_id=invitation.team_id,
        actor=by,
        action=Action.INVITATION_REVOKE,
        object_type="invitation",
        object_id=invitation.pk,
        name=invitation.email,
        details={"role": invitation.role},
    )
    invitation.delete()


def _locked(membership: Membership, by: Membership) -> tuple[Membership, Membership]:
    """Lock the team's row, then read both memberships afresh: changes to one team's members happen one at a time,
    each judged on the members as they are (two owners demoting each other at once: the second finds itself no
    longer an owner). NotAllowed when either has left the team meanwhile."""
    Team.objects.select_for_update().filter(pk=membership.team_id).first()
    fresh = {m.pk: m for m in Membership.objects.filter(pk__in=[membership.pk, by.pk], team_id=membership.team_id)}
    if membership.pk not in fresh or by.pk not in fresh:
        raise NotAllowed("This member is no longer in the team")
    return fresh[membership.pk], fresh[by.pk]


def _check_may_change(*, membership: Membership, by: Membership) -> None:
    """Nobody changes themselves, and only an owner changes an owner: so whoever changes an owner is another owner,
    and a team that has an owner keeps one (provided the two are read under the team's lock, see _locked)."""
    if membership.pk == by.pk:
        raise NotAllowed("You cannot change your own membership here")
    if not by.can_administer:
        raise NotAllowed("Only an admin or owner can change members")
    if membership.role == Role.OWNER and by.role != Role.OWNER:
        raise NotAllowed("Only an owner can change another owner")


def _member_record(membership: Membership, by: Membership, action: Action, details: dict) -> None:
    user = membership.user
    entry_record(
        team_id=membership.team_id,
        actor=by.user,
        action=action,
        object_type="membership",
        object_id=membership.pk,
        name=user.email or user.username,
        details=details,
    )


def membership_change_role(*, membership: Membership, role: str, by: Membership) -> Membership:
    with transaction.atomic():
        membership, by = _locked(membership, by)
        _check_may_change(membership=membership, by=by)
        if role == Role.OWNER and by.role != Role.OWNER:
            raise NotAllowed("Only an owner can make someone an owner")
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        _member_record(membership, by, Action.MEMBER_ROLE, {"from": before, "to": role})
    return membership


def membership_remove(*, membership: Membership, by: Membership) -> None:
    with transaction.atomic():
        membership, by = _locked(membership, by)
        _check_may_change(membership=membership, by=by)
        _member_record(membership, by, Action.MEMBER_REMOVE, {"role": membership.role})
        membership.delete()
