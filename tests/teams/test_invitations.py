"""Invitations: a single-use link that expires, mailed to the invitee and shown once to the admin."""

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
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


def test_opening_a_link_signed_out_offers_to_sign_in_or_to_create_an_account(cast, client):
    path = invite(cast)
    page = client.get(path).content.decode()
    assert "dora@example.com is invited as member" in page
    assert f'{reverse("login")}?next={path}' in page
    assert f'{reverse("signup")}?invitation=' in page
    accepted = client.post(path)
    assert accepted.status_code == 302 and accepted["Location"].startswith(reverse("login"))


def test_the_mail_says_that_the_link_also_creates_an_account(cast):
    invite(cast)
    assert "lets you create one with this address (dora@example.com)" in mail.outbox[-1].body


def signup_data(**fields) -> dict:
    return {"username": "dora", "email": "dora@example.com", "password1": "a long Passphrase 42", "password2":
            "a long Passphrase 42", **fields}


def test_an_invited_person_without_an_account_signs_up_and_joins_in_one_step(cast, client):
    token = invite(cast, role="viewer").rsplit("/", 1)[1]
    form = client.get(reverse("signup"), {"invitation": token}).content.decode()
    assert 'value="dora@example.com"' in form and "Create an account to join Acme" in form
    answer = client.post(reverse("signup"), signup_data(invitation=token))
    assert answer.status_code == 302 and answer["Location"] == reverse("teams:team")
    membership = Membership.objects.get(user__username="dora")
    assert (membership.team, membership.role) == (cast.acme, Role.VIEWER)
    assert "You joined Acme as viewer." in client.get(reverse("teams:team")).content.decode()
    assert Invitation.objects.get().used_by == membership.user


def test_the_sign_up_of_an_invitation_must_use_the_invited_address(cast, client):
    token = invite(cast).rsplit("/", 1)[1]
    answer = client.post(reverse("signup"), signup_data(invitation=token, email="mallory@example.com"))
    assert answer.status_code == 400
    assert "The invitation was sent to dora@example.com" in answer.content.decode()
    assert not Membership.objects.filter(user__username="dora").exists()
    assert not get_user_model().objects.filter(username="dora").exists()


def test_a_used_invitation_creates_no_account(cast, client):
    token = invite(cast).rsplit("/", 1)[1]
    signed_in(make_user("erin")).post(reverse("teams:invitation", args=[token]))
    answer = client.post(reverse("signup"), signup_data(invitation=token))
    assert answer.status_code == 410 and not get_user_model().objects.filter(username="dora").exists()


def test_without_an_invitation_sign_up_is_closed_unless_the_operator_opens_it(db, client, settings):
    closed = client.get(reverse("signup"))
    assert closed.status_code == 404 and "Sign-up is by invitation" in closed.content.decode()
    assert client.post(reverse("signup"), signup_data()).status_code == 404
    settings.ACCOUNTS_OPEN_SIGNUP = True
    assert "Create an account" in client.get(reverse("login")).content.decode()
    assert client.post(reverse("signup"), signup_data()).status_code == 302
    assert get_user_model().objects.get(username="dora").email == "dora@example.com"
