"""The team's Data API credential: checked before it is saved, encrypted at rest, never shown or logged again."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.urls import reverse

from dataapi.client import DataAPIClient
from teams.models import Credential
from tests.conftest import allow_api, make_account
from tests.dataapi.test_client_transport import MEMORY, ScriptedTransport
from tests.teams.conftest import connect, signed_in


@pytest.fixture
def live_token(live_api):
    _, token = make_account("acme-account@example.com")
    return token


def save(client, live_api, token):
    return client.post(reverse("teams:credential"), {"api_url": live_api, "token": token})


def everything_shown(answer) -> str:
    return answer.content.decode() + repr(sorted(answer.headers.items()))


def test_alice_connects_a_token_that_the_api_accepts(cast, live_api, live_token):
    alice = signed_in(cast.alice)
    answer = save(alice, live_api, live_token)
    assert answer.status_code == 302
    credential = Credential.objects.get(team=cast.acme)
    assert (credential.email, credential.last_four, credential.token) == (
        "acme-account@example.com",
        live_token[-4:],
        live_token,
    )
    assert live_token not in credential.token_encrypted
    page = alice.get(reverse("teams:team")).content.decode()
    assert "acme-account@example.com" in page and f"…{live_token[-4:]}" in page


def test_a_token_the_api_rejects_is_not_saved_and_the_form_says_why(cast, live_api, db):
    answer = save(signed_in(cast.alice), live_api, "bm9ib2R5Om5vdGhpbmc=")
    assert answer.status_code == 400
    assert "The token was not saved: The Data API rejected the team&#x27;s token." in answer.content.decode()
    assert not Credential.objects.exists()


def test_an_unreachable_api_is_not_saved_either(cast, db):
    answer = signed_in(cast.alice).post(
        reverse("teams:credential"), {"api_url": allow_api("http://127.0.0.1:9/rest"), "token": "dG9rZW46dG9rZW4="}
    )
    assert answer.status_code == 400 and "cannot be reached" in answer.content.decode()
    assert not Credential.objects.exists()


def test_an_api_without_user_status_is_checked_with_its_storage(cast, monkeypatch):
    transport = ScriptedTransport((404, {}, b'{"detail": "Not Found"}'), (200, {}, MEMORY))

    def client_with(*, base_url, token):
        client = DataAPIClient(base_url=base_url, token=token)
        client.session.mount("https://", transport)
        return client

    monkeypatch.setattr("teams.services.client_with", client_with)
    answer = signed_in(cast.alice).post(
        reverse("teams:credential"), {"api_url": "https://api.mapflow.ai/rest", "token": "ZTp0b2tlbjEyMzQ="}
    )
    assert answer.status_code == 302
    assert [r.path_url for r in transport.requests] == ["/rest/user/status", "/rest/rasters/memory"]
    assert Credential.objects.get().last_four == "MzQ="


def test_the_token_never_appears_in_a_response_header_log_or_the_admin(cast, live_api, live_token, caplog):
    cast.alice.is_staff = cast.alice.is_superuser = True
    cast.alice.save()
    alice = signed_in(cast.alice)
    with caplog.at_level(logging.DEBUG):
        answers = [
            save(alice, live_api, live_token),
            alice.post(
                reverse("teams:credential"), {"api_url": live_api, "token": live_token}, headers={"HX-Request": "true"}
            ),
        ]
        credential = Credential.objects.get()
        for path in [
            reverse("teams:team"),
            reverse("admin:teams_credential_changelist"),
            reverse("admin:teams_credential_change", args=[credential.pk]),
            reverse("admin:teams_team_change", args=[cast.acme.pk]),
        ]:
            answers.append(alice.get(path))
    assert all(answer.status_code in (200, 302) for answer in answers)
    assert f"…{live_token[-4:]}" in answers[3].content.decode()
    for answer in answers:
        assert live_token not in everything_shown(answer)
    logged = [record.getMessage() for record in caplog.records]
    assert any("/user/status 200" in line for line in logged)
    assert not [line for line in logged if live_token in line]


def test_rotate_credentials_re_encrypts_with_the_newest_key(cast, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CREDENTIAL_KEYS = [old]
    connect(cast.acme, api_url="https://api.mapflow.ai/rest", token="YWxpY2U6c2VjcmV0")
    settings.CREDENTIAL_KEYS = [new, old]
    call_command("rotate_credentials")
    settings.CREDENTIAL_KEYS = [new]
    assert Credential.objects.get().token == "YWxpY2U6c2VjcmV0"
