"""Invitations: a single-use link that expires, mailed to the invitee and shown once to the admin."""

import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from teams.models import Invitation, Membership, Role
from tests.teams.conftest import make_user, signed_in


def invite(cast, email="dora@example.com", role="member") -> str:
    answer = signed_in(cast.alice).post(
        reverse("teams:invitations"), {"email": email, "role": role}, headers={"HX-Request": "true"}
    )
    assert answer.status_code == 200, answer.content
    link = re.search(r'value="(http://testserver/invitations/[^"]+)"', answer.content.decode()).group(1)
    assert link in mail.outbox[-1].body and mail.outbox[-1].to == [email]
    return link.removeprefix("http://testserver")


def test_an_invitation_link_makes_its_opener_a_member_once(cast):
    path = invite(cast, role="viewer")
    dora = signed_in(make_user("dora"))
    assert "Join Acme" in dora.get(path).content.decode()
    assert dora.post(path).status_code == 302
    assert Membership.objects.get(user__username="dora").role == Role.VIEWER

    again = signed_in(make_user("erin")).post(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert not Membership.objects.filter(user__username="erin").exists()


def test_an_expired_invitation_fails(cast):
    path = invite(cast)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    dora = signed_in(make_user("dora"))
    assert "cannot be used" in dora.get(path).content.decode()
    answer = dora.post(path)
    assert answer.status_code == 410 and "expired" in answer.content.decode()
    assert not Membership.objects.filter(user__username="dora").exists()


def test_a_made_up_link_fails(cast):
    answer = signed_in(make_user("dora")).post(reverse("teams:invitation", args=["not-a-real-token"]))
    assert answer.status_code == 410 and not Membership.objects.filter(user__username="dora").exists()


def test_the_link_is_stored_only_as_a_hash(cast):
    path = invite(cast)
    token = path.rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == Invitation.hash(token) and token not in invitation.token_hash


def test_an_invitation_cannot_make_an_owner(cast):
    answer = signed_in(cast.alice).post(reverse("teams:invitations"), {"email": "dora@example.com", "role": "owner"})
    assert answer.status_code == 400 and not Invitation.objects.exists()


def test_a_revoked_invitation_no_longer_works(cast):
    path = invite(cast)
    signed_in(cast.alice).post(reverse("teams:invitation-revoke", args=[Invitation.objects.get().pk]))
    assert signed_in(make_user("dora")).post(path).status_code == 410


def test_opening_a_link_signed_out_asks_to_sign_in_first(cast, client):
    path = invite(cast)
    answer = client.get(path)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
