"""The cast: alice (admin of Acme), bob (viewer in Acme), charlie (owner of Cosmo, another team)."""

import threading
import time
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from teams.clients import clients_close
from teams.models import Credential, Membership, Role, Team
from tests.conftest import allow_api

BACKEND = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def private_cache_and_fast_hashing(settings):
    """Each test starts with an empty cache of its own (the storage gauge caches the API's answers)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "teams"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; hashing is not under test
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def live_api(live_server):
    """The self-hosted Data API's URL on the live server; kept connections to it are closed when the test ends."""
    before = set(threading.enumerate())
    yield allow_api(live_server.url + "/rest")
    clients_close()
    # Let the server finish this test's requests while they may still use the test's database: at most 5 s in all,
    # since a connection kept open by a client the test made itself (not one of teams.clients) holds its thread.
    deadline = time.monotonic() + 5
    for thread in set(threading.enumerate()) - before:
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


def make_user(name: str):
    return get_user_model().objects.create_user(username=name, email=f"{name}@example.com", password=PASSWORD)


def join(user, team: Team, role: Role) -> Membership:
    return Membership.objects.create(user=user, team=team, role=role)


def connect(team: Team, *, api_url: str, token: str) -> Credential:
    """Store a credential without checking it against the API (for APIs that are down or tokens that are wrong)."""
    credential = Credential(team=team, api_url=allow_api(api_url), email="", checked_at=timezone.now())
    credential.set_token(token)
    credential.save()
    return credential


def signed_in(user, **client_options) -> Client:
    client = Client(**client_options)
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def cast(db):
    alice, bob, charlie = make_user("alice"), make_user("bob"), make_user("charlie")
    acme, cosmo = Team.objects.create(name="Acme"), Team.objects.create(name="Cosmo")
    return SimpleNamespace(
        alice=alice,
        bob=bob,
        charlie=charlie,
        acme=acme,
        cosmo=cosmo,
        alice_in_acme=join(alice, acme, Role.ADMIN),
        bob_in_acme=join(bob, acme, Role.VIEWER),
        charlie_in_cosmo=join(charlie, cosmo, Role.OWNER),
    )
