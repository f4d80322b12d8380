"""The audit log: each change made through the dashboard is recorded with who made it and the name of what changed
at the time; admins alone read it, filtered or as CSV; another team's entries never appear; old ones are pruned."""

import csv
import io
import re
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit import tasks
from audit.models import Action, Entry
from mosaics.models import TrashItem
from teams.models import Invitation, Membership, Role
from tests.conftest import make_account
from tests.mosaics.conftest import htmx
from tests.rasters import COGEO
from tests.teams.conftest import make_user, signed_in
from tests.uploads.conftest import tus_client, tus_upload


def log(team) -> list[tuple[str, str, str]]:
    """(action, actor's address, object's name) of the team's entries, oldest first."""
    entries = Entry.objects.filter(team=team).order_by("at", "id")
    return [(entry.action, entry.actor_email, entry.object_name) for entry in entries]


def test_each_change_to_mosaics_and_images_is_recorded_with_who_made_it(teams, settings, tmp_path):
    settings.UPLOADS_DIR = tmp_path / "uploads"
    alice = teams.alice_client
    answer = alice.post(reverse("mosaics:create"), {"name": "Fields", "tags": "2024"}, **htmx())
    mosaic_id = teams.acme_api.mosaic_list()[0].id
    alice.post(reverse("mosaics:edit", args=[mosaic_id]), {"name": "Meadows", "tags": "2024"}, **htmx())
    alice.post(reverse("mosaics:edit", args=[mosaic_id]), {"name": "Meadows", "tags": "2025, drone"}, **htmx())
    tus_upload(tus_client(teams.alice), mosaic_id=mosaic_id, path=COGEO)
    image_id = teams.acme_api.mosaic_images(mosaic_id)[0].id
    alice.post(reverse("mosaics:image-rename", args=[image_id]), {"name": "north.tif"}, **htmx())
    alice.post(reverse("mosaics:image-delete", args=[image_id]), {}, **htmx())
    alice.post(reverse("mosaics:trash-restore", args=[TrashItem.objects.get().pk]))
    alice.post(reverse("mosaics:image-delete", args=[image_id]), {"now": "on", "confirmation": "north.tif"})
    alice.post(reverse("mosaics:delete", args=[mosaic_id]), {}, **htmx())
    alice.post(reverse("mosaics:trash-restore", args=[TrashItem.objects.get().pk]))
    alice.post(reverse("mosaics:delete", args=[mosaic_id]), {"now": "on", "confirmation": "Meadows"})
    assert answer.status_code == 204

    by_alice = "alice@example.com"
    assert log(teams.acme) == [
        (Action.MOSAIC_CREATE, by_alice, "Fields"),
        (Action.MOSAIC_RENAME, by_alice, "Meadows"),
        (Action.MOSAIC_TAGS, by_alice, "Meadows"),
        (Action.IMAGE_UPLOAD, by_alice, "cogeo.tif"),
        (Action.IMAGE_RENAME, by_alice, "north.tif"),
        (Action.IMAGE_TRASH, by_alice, "north.tif"),
        (Action.IMAGE_RESTORE, by_alice, "north.tif"),
        (Action.IMAGE_DELETE, by_alice, "north.tif"),
        (Action.MOSAIC_TRASH, by_alice, "Meadows"),
        (Action.MOSAIC_RESTORE, by_alice, "Meadows"),
        (Action.MOSAIC_DELETE, by_alice, "Meadows"),
    ]
    rename = Entry.objects.get(action=Action.MOSAIC_RENAME)
    assert rename.details == {"from": "Fields", "to": "Meadows"} and rename.object_id == mosaic_id
    assert Entry.objects.get(action=Action.MOSAIC_TAGS).details == {"from": ["2024"], "to": ["2025", "drone"]}
    assert not Entry.objects.filter(team=teams.cosmo).exists()


def test_credential_member_and_invitation_changes_are_recorded_with_who_made_it(teams, live_api):
    alice = teams.alice_client
    _, token = make_account("acme-two@example.com")
    alice.post(reverse("teams:credential"), {"api_url": live_api, "token": token})
    alice.post(reverse("teams:member-role", args=[teams.bob_in_acme.pk]), {"role": "member"})
    alice.post(reverse("teams:invitations"), {"email": "dora@example.com", "role": "viewer"})
    path = re.search(r"http://testserver(/invitations/\S+)", mail.outbox[-1].body).group(1)
    alice.post(reverse("teams:invitations"), {"email": "erin@example.com", "role": "member"})
    alice.post(reverse("teams:invitation-revoke", args=[Invitation.objects.get(email="erin@example.com").pk]))
    dora = make_user("dora")
    signed_in(dora).post(path)
    alice.post(reverse("teams:member-remove", args=[Membership.objects.get(user=dora).pk]))

    assert log(teams.acme) == [
        (Action.CREDENTIAL_CHANGE, "alice@example.com", f"acme-two@example.com …{token[-4:]}"),
        (Action.MEMBER_ROLE, "alice@example.com", "bob@example.com"),
        (Action.INVITATION_CREATE, "alice@example.com", "dora@example.com"),
        (Action.INVITATION_CREATE, "alice@example.com", "erin@example.com"),
        (Action.INVITATION_REVOKE, "alice@example.com", "erin@example.com"),
        (Action.MEMBER_JOIN, "dora@example.com", "dora@example.com"),
        (Action.MEMBER_REMOVE, "alice@example.com", "dora@example.com"),
    ]
    assert Entry.objects.get(action=Action.MEMBER_ROLE).details == {"from": "viewer", "to": "member"}
    assert token not in str(list(Entry.objects.values()))  # the token itself never


def test_the_log_is_for_admins_only(teams):
    teams.alice_client.post(reverse("mosaics:create"), {"name": "Fields", "tags": ""})
    assert teams.bob_client.get(reverse("teams:audit")).status_code == 403
    assert teams.bob_client.get(reverse("teams:audit-csv")).status_code == 403
    Membership.objects.filter(pk=teams.bob_in_acme.pk).update(role=Role.MEMBER)
    assert teams.bob_client.get(reverse("teams:audit")).status_code == 403
    page = teams.alice_client.get(reverse("teams:audit")).content.decode()
    assert "Mosaic created" in page and "Fields" in page


def test_another_teams_entries_never_appear_and_the_filters_narrow_the_log(teams):
    teams.alice_client.post(reverse("mosaics:create"), {"name": "Fields", "tags": ""})
    teams.charlie_client.post(reverse("mosaics:create"), {"name": "Cosmic secret", "tags": ""})
    charlie_id = teams.charlie.pk
    for query in ({}, {"actor": charlie_id}, {"action": "mosaic.create"}):
        page = teams.alice_client.get(reverse("teams:audit"), query).content.decode()
        exported = teams.alice_client.get(reverse("teams:audit-csv"), query)
        text = b"".join(exported.streaming_content).decode()
        assert "Cosmic secret" not in page and "Cosmic secret" not in text and "charlie" not in page
    assert "Fields" in teams.alice_client.get(reverse("teams:audit"), {"action": "mosaic.create"}).content.decode()
    assert "Fields" not in teams.alice_client.get(reverse("teams:audit"), {"action": "mosaic.rename"}).content.decode()
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert "No entry matches" in teams.alice_client.get(reverse("teams:audit"), {"since": tomorrow}).content.decode()
    today = timezone.now().date().isoformat()
    assert "Fields" in teams.alice_client.get(reverse("teams:audit"), {"until": today}).content.decode()


def test_the_csv_export_has_every_entry_and_no_formula(teams):
    teams.alice_client.post(reverse("mosaics:create"), {"name": '=HYPERLINK("http://x")', "tags": ""})
    exported = teams.alice_client.get(reverse("teams:audit-csv"))
    assert exported["Content-Type"].startswith("text/csv") and "attachment" in exported["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert rows[0][:3] == ["when (UTC)", "by", "action"]
    assert rows[1][1:3] == ["alice@example.com", "mosaic.create"] and rows[1][5] == '\'=HYPERLINK("http://x")'


def test_entries_older_than_the_retention_are_pruned(teams, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    teams.alice_client.post(reverse("mosaics:create"), {"name": "Old", "tags": ""})
    teams.alice_client.post(reverse("mosaics:create"), {"name": "New", "tags": ""})
    Entry.objects.filter(object_name="Old").update(at=timezone.now() - timedelta(days=31))
    assert tasks.audit_entries_prune() == 1
    assert [entry.object_name for entry in Entry.objects.all()] == ["New"]
