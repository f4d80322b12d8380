"""In a real browser: an admin invites someone who has no account; in a fresh browser (no session), that person opens
the link, creates an account with the invited address, and lands in the team."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from teams.models import Membership, Role
from tests.e2e.test_frame_browser import alice, sign_in  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e


def test_an_invited_person_without_an_account_signs_up_from_the_link(page, alice, browser, live_server):  # noqa: F811
    sign_in(page, "alice")
    page.goto("/team/")
    page.locator("#invitations").get_by_role("button", name="Invite").click()
    dialog = page.locator("#invite-dialog")
    dialog.get_by_label("Email").fill("dora@example.com")
    dialog.get_by_label("Role").select_option("member")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invitations")).to_contain_text("dora@example.com")
    link = re.search(r"http://\S+/invitations/\S+", mail.outbox[-1].body).group(0)

    fresh = browser.new_context(viewport={"width": 1366, "height": 768})
    dora = fresh.new_page()
    dora.goto(link)
    expect(dora.get_by_role("heading", level=1)).to_have_text("Join Acme")
    dora.get_by_role("link", name="Create an account").click()
    expect(dora.get_by_label("E-mail address")).to_have_value("dora@example.com")
    dora.get_by_label("Username").fill("dora")
    dora.get_by_label("Password", exact=True).fill("a long Passphrase 42")
    dora.get_by_label("Password confirmation").fill("a long Passphrase 42")
    dora.get_by_role("button", name="Create the account and join").click()
    expect(dora.get_by_role("alert").filter(has_text="You joined Acme as member.")).to_be_visible()
    expect(dora.get_by_role("button", name="Sign out")).to_be_visible()
    assert Membership.objects.get(user__username="dora").role == Role.MEMBER
    fresh.close()
