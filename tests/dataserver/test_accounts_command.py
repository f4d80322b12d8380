"""`manage.py dataserver_account`: create accounts, list them, change their limits, rotate their tokens."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dataserver.models import Account
from tests.conftest import basic, decode_token, make_account


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("dataserver_account", *args, stdout=out)
    return out.getvalue().splitlines()


def memory(token: str):
    return Client(**basic(token)).get("/rest/rasters/memory")


def test_create_prints_a_token_that_authenticates_on_its_last_line(db):
    lines = run("create", "--email", "dora@example.com", "--memory-limit", "10GB")
    token = lines[-1]
    assert token.strip() == token and " " not in token
    assert decode_token(token)[0] == "dora@example.com"
    response = memory(token)
    assert response.status_code == 200
    assert response.json()["memoryLimit"] == 10 * 10**9


def test_create_without_a_limit_uses_the_default_quota(db, settings):
    token = run("create", "--email", "eve@example.com")[-1]
    assert memory(token).json()["memoryLimit"] == settings.DATASERVER_DEFAULT_MEMORY_LIMIT


def test_create_refuses_an_email_that_has_an_account(db):
    run("create", "--email", "dora@example.com")
    with pytest.raises(CommandError, match="exists already"):
        run("create", "--email", "DORA@example.com")
    assert Account.objects.count() == 1


@pytest.mark.parametrize("size", ["lots", "10XB", "-5GB", "1.5.2GB", ""])
def test_a_bad_size_is_a_clear_error(db, size):
    with pytest.raises(CommandError, match="is not a size"):
        run("create", "--email", "dora@example.com", f"--memory-limit={size}")
    assert not Account.objects.exists()


def test_list_shows_every_account_with_its_use_and_limits(db, tmp_path):
    make_account("alice@example.com", memory_limit=2 * 10**9)
    make_account("bob@example.com", memory_limit=None, read_only=True, originals_downloadable=False)
    lines = run("list")
    assert len(lines) == 2
    assert lines[0].startswith("alice@example.com") and "of 2 GB" in lines[0] and "no downloads" not in lines[0]
    assert lines[1].startswith("bob@example.com") and "unlimited" in lines[1] and "read-only" in lines[1]
    assert "no downloads" in lines[1]


def test_set_limit_changes_what_the_api_reports(db):
    _, token = make_account("alice@example.com")
    run(
        "set-limit",
        "--email",
        "alice@example.com",
        "--memory-limit",
        "1GiB",
        "--max-file-size",
        "500MB",
        "--max-pixel-count",
        "20000",
    )
    reported = memory(token).json()
    assert (reported["memoryLimit"], reported["maxUploadFileSize"], reported["maxPixelCount"]) == (
        2**30,
        500 * 10**6,
        20000,
    )
    run("set-limit", "--email", "alice@example.com", "--memory-limit", "unlimited", "--read-only", "yes")
    assert memory(token).json()["memoryLimit"] is None
    assert Account.objects.get(email="alice@example.com").read_only
    run("set-limit", "--email", "alice@example.com", "--downloads", "no")
    assert not Account.objects.get(email="alice@example.com").originals_downloadable


def test_set_limit_of_an_unknown_email_is_an_error(db):
    with pytest.raises(CommandError, match="No account"):
        run("set-limit", "--email", "nobody@example.com", "--memory-limit", "1GB")


def test_set_limit_refuses_a_bad_size_and_changes_nothing(db):
    make_account("alice@example.com", memory_limit=10**9)
    with pytest.raises(CommandError, match="is not a size"):
        run("set-limit", "--email", "alice@example.com", "--memory-limit", "big")
    assert Account.objects.get(email="alice@example.com").memory_limit == 10**9


def test_rotate_token_replaces_the_old_token(db):
    _, old = make_account("alice@example.com")
    new = run("rotate-token", "--email", "alice@example.com")[-1]
    assert new != old
    assert memory(new).status_code == 200
    assert memory(old).status_code == 401
