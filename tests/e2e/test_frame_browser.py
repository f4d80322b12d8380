"""In a real browser: sign in, see the storage gauge, switch team, change a role through htmx."""

import re

import pytest
from playwright.sync_api import expect

from teams.models import Role, Team
from tests.conftest import make_account
from tests.teams.conftest import PASSWORD, connect, join, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def alice(live_api, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    alice, bob = make_user("alice"), make_user("bob")
    acme, cosmo = Team.objects.create(name="Acme"), Team.objects.create(name="Cosmo")
    join(alice, acme, Role.ADMIN)
    join(bob, acme, Role.VIEWER)
    join(alice, cosmo, Role.VIEWER)
    for team, limit in [(acme, 2_000_000), (cosmo, 4_000_000_000)]:
        _, token = make_account(f"{team.name.lower()}@example.com", memory_limit=limit)
        connect(team, api_url=live_api, token=token)
    return alice


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_alice_signs_in_sees_the_gauge_and_switches_team(page, alice):
    sign_in(page, "alice")

    page.get_by_role("link", name="Team").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme")
    gauge = page.locator("#storage-gauge")
    expect(gauge).to_contain_text(re.compile(r"Storage: 0 B of 2 MB \(0%\)"))
    expect(gauge.get_by_role("progressbar", name="Storage used")).to_be_visible()

    page.get_by_label("Team", exact=True).select_option(label="Cosmo (viewer)")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cosmo")
    expect(gauge).to_contain_text(re.compile(r"of 4 GB"))
    assert page.console_errors == []


def test_alice_changes_bobs_role_without_reloading_the_page(page, alice):
    sign_in(page, "alice")
    page.goto("/team/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Role of bob").select_option("member")
    page.locator("#members").get_by_role("button", name="Save").click()
    expect(page.locator("#alerts")).to_contain_text("bob is now member.")
    assert page.evaluate("window.notReloaded") is True
    assert page.console_errors == []


def test_a_rejected_token_is_explained_in_the_form_by_keyboard_alone(page, alice):
    sign_in(page, "alice")
    page.goto("/team/")
    page.get_by_label("Token").focus()
    page.keyboard.type("bm9ib2R5Om5vdGhpbmc=")
    page.keyboard.press("Enter")
    expect(page.locator("#credential")).to_contain_text("The token was not saved: The Data API rejected the team's token.")
    assert page.console_errors == [] or all("400" in error for error in page.console_errors)


def test_the_admin_works_under_the_content_security_policy(page, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    sign_in(page, "alice")
    page.goto("/admin/teams/team/")
    page.get_by_role("link", name="Acme").click()
    expect(page.get_by_role("heading", name="Change team")).to_be_visible()
    page.get_by_text("Add another Membership").click()
    expect(page.locator("#memberships-2")).to_be_visible()
    page.goto("/admin/teams/credential/")
    expect(page.locator("#result_list")).to_contain_text("…")
    assert page.console_errors == []
