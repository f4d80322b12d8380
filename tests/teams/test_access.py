"""Who may see and change what: charlie never reaches Acme, bob (viewer) only reads, alice (admin) administers."""

import pytest
from django.urls import reverse

from teams.models import Invitation, Membership, Role, Team
from tests.teams.conftest import join, signed_in


@pytest.fixture
def invitation(cast):
    invitation = Invitation(team=cast.acme, email="dora@example.com", role=Role.MEMBER, invited_by=cast.alice)
    invitation.new_token()
    invitation.save()
    return invitation


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    answer = client.get(reverse("teams:team"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_charlie_sees_only_his_own_team(cast):
    page = signed_in(cast.charlie).get(reverse("teams:team")).content.decode()
    assert "Cosmo" in page and "Acme" not in page and "alice@example.com" not in page


def test_charlie_cannot_switch_into_alices_team_by_its_id(cast):
    charlie = signed_in(cast.charlie)
    answer = charlie.post(reverse("teams:switch"), {"team_id": cast.acme.pk})
    assert answer.status_code == 404
    page = charlie.get(reverse("teams:team")).content.decode()
    assert "Acme" not in page and "bob@example.com" not in page


@pytest.mark.parametrize("name", ["teams:member-role", "teams:member-remove"])
def test_charlie_cannot_touch_alices_members_by_copied_ids(cast, name):
    answer = signed_in(cast.charlie).post(reverse(name, args=[cast.bob_in_acme.pk]), {"role": Role.OWNER})
    assert answer.status_code == 404
    assert Membership.objects.get(pk=cast.bob_in_acme.pk).role == Role.VIEWER


def test_charlie_cannot_revoke_alices_invitation(cast, invitation):
    answer = signed_in(cast.charlie).post(reverse("teams:invitation-revoke", args=[invitation.pk]))
    assert answer.status_code == 404 and Invitation.objects.filter(pk=invitation.pk).exists()


def test_charlie_deleting_his_team_leaves_alices_alone(cast):
    signed_in(cast.charlie).post(reverse("teams:delete"))
    assert list(Team.objects.values_list("name", flat=True)) == ["Acme"]


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("teams:credential", [], {"api_url": "http://127.0.0.1:9/rest", "token": "x"}),
        ("teams:invitations", [], {"email": "eve@example.com", "role": "member"}),
        ("teams:member-role", ["alice"], {"role": "viewer"}),
        ("teams:member-remove", ["alice"], {}),
        ("teams:delete", [], {}),
    ],
)
def test_bob_the_viewer_cannot_write(cast, name, args, data):
    args = [cast.alice_in_acme.pk if arg == "alice" else arg for arg in args]
    answer = signed_in(cast.bob).post(reverse(name, args=args), data)
    assert answer.status_code == 403
    assert Membership.objects.get(pk=cast.alice_in_acme.pk).role == Role.ADMIN
    assert not Invitation.objects.exists() and Team.objects.filter(pk=cast.acme.pk).exists()


def test_bob_sees_the_team_without_any_admin_form(cast):
    page = signed_in(cast.bob).get(reverse("teams:team")).content.decode()
    assert "alice@example.com" in page
    assert reverse("teams:credential") not in page and reverse("teams:invitations") not in page


def test_a_member_cannot_manage_members_either(cast):
    cast.bob_in_acme.role = Role.MEMBER
    cast.bob_in_acme.save()
    answer = signed_in(cast.bob).post(reverse("teams:member-remove", args=[cast.alice_in_acme.pk]))
    assert answer.status_code == 403


def test_only_an_owner_deletes_a_team(cast):
    assert signed_in(cast.alice).post(reverse("teams:delete")).status_code == 403
    assert Team.objects.filter(pk=cast.acme.pk).exists()
    assert signed_in(cast.charlie).post(reverse("teams:delete")).status_code == 302
    assert not Team.objects.filter(pk=cast.cosmo.pk).exists()


def test_alice_changes_bobs_role_with_htmx_and_gets_the_members_table_back(cast):
    alice = signed_in(cast.alice)
    answer = alice.post(
        reverse("teams:member-role", args=[cast.bob_in_acme.pk]), {"role": "member"}, headers={"HX-Request": "true"}
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith('<section id="members"')
    assert "bob is now member." in html and 'hx-swap-oob="true"' in html
    assert Membership.objects.get(pk=cast.bob_in_acme.pk).role == Role.MEMBER


def test_an_admin_cannot_make_an_owner_nor_change_one(cast):
    owner = join(cast.charlie, cast.acme, Role.OWNER)
    alice = signed_in(cast.alice)
    alice.post(reverse("teams:member-role", args=[cast.bob_in_acme.pk]), {"role": "owner"})
    alice.post(reverse("teams:member-remove", args=[owner.pk]))
    assert Membership.objects.get(pk=cast.bob_in_acme.pk).role == Role.VIEWER
    assert Membership.objects.filter(pk=owner.pk).exists()
    page = alice.get(reverse("teams:team")).content.decode()
    assert "Only an owner can" in page


def test_a_user_in_two_teams_switches_between_them(cast):
    join(cast.alice, cast.cosmo, Role.VIEWER)
    alice = signed_in(cast.alice)
    assert '<h1 class="h4 mb-0 me-auto">Acme' in alice.get(reverse("teams:team")).content.decode()
    answer = alice.post(reverse("teams:switch"), {"team_id": cast.cosmo.pk, "next": reverse("teams:team")})
    assert answer["Location"] == reverse("teams:team")
    page = alice.get(reverse("teams:team")).content.decode()
    assert '<h1 class="h4 mb-0 me-auto">Cosmo' in page and "charlie@example.com" in page


def test_switching_refuses_to_redirect_to_another_site(cast):
    answer = signed_in(cast.alice).post(
        reverse("teams:switch"), {"team_id": cast.acme.pk, "next": "https://evil.test/"}
    )
    assert answer["Location"] == reverse("home")


def test_a_new_team_makes_its_creator_the_owner(cast):
    signed_in(cast.bob).post(reverse("teams:create"), {"name": "Bob's own"})
    team = Team.objects.get(name="Bob's own")
    assert team.memberships.get().user == cast.bob and team.memberships.get().role == Role.OWNER


@pytest.mark.parametrize("target", ["foo", "teams:team", "javascript:alert(1)", "//evil.test/", ""])
def test_switching_with_a_next_that_is_no_path_goes_home(cast, target):
    answer = signed_in(cast.alice).post(reverse("teams:switch"), {"team_id": cast.acme.pk, "next": target})
    assert answer.status_code == 302 and answer["Location"] == reverse("home")
