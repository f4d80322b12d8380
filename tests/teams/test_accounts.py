"""Signing in and out, passwords, and throttling of failed sign-ins by client address."""

import re

from django.core import mail
from django.urls import reverse

from tests.teams.conftest import PASSWORD, signed_in


def sign_in(client, username, password=PASSWORD, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_alice_signs_in_and_lands_on_a_page_of_her_team(cast, client):
    answer = sign_in(client, "alice")
    assert answer.status_code == 302
    page = client.get(answer["Location"], follow=True).content.decode()
    assert "Acme" in page and "Sign out" in page


def test_a_wrong_password_is_refused_with_a_message(cast, client):
    answer = sign_in(client, "alice", "wrong")
    assert answer.status_code == 200 and "Please enter a correct username and password" in answer.content.decode()


def test_signing_out_takes_a_post_and_ends_the_session(cast):
    alice = signed_in(cast.alice)
    assert alice.post(reverse("logout")).status_code == 302
    assert alice.get(reverse("teams:team")).status_code == 302


def test_repeated_failures_lock_out_the_address_but_not_others(cast, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong")
    locked = sign_in(client, "alice")
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.content.decode()
    assert sign_in(client, "alice", address="198.51.100.2").status_code == 302


def test_behind_a_proxy_the_forwarded_client_address_is_the_one_throttled(cast, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "alice", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    other = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert other.status_code == 302


def test_alice_changes_her_password(cast):
    alice = signed_in(cast.alice)
    answer = alice.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"},
    )
    assert answer["Location"] == reverse("password_change_done")
    cast.alice.refresh_from_db()
    assert cast.alice.check_password("a brand new secret 42")


def test_a_password_reset_link_is_mailed_and_sets_a_new_password(cast, client):
    client.post(reverse("password_reset"), {"email": "bob@example.com"})
    link = re.search(r"http://testserver(/accounts/password/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "reset secret 123!", "new_password2": "reset secret 123!"}
    )
    assert done["Location"] == reverse("password_reset_complete")
    cast.bob.refresh_from_db()
    assert cast.bob.check_password("reset secret 123!")
