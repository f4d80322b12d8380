"""The e-mail digest: at most one per follower and period, each with the scenes first seen since the last one."""

from datetime import timedelta

import pytest
from django.core import mail

from searches.digests import digests_send
from searches.models import Follower, SavedSearch
from searches.tasks import saved_search_run

from .conftest import new_scenes_import, saved_search_post


@pytest.fixture
def saved(alice, naip, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        saved_search_post(alice)
    return SavedSearch.objects.get()


def test_new_scenes_within_the_period_wait_for_the_next_digest(saved, tmp_path, settings):
    settings.SEARCHES_DIGEST_HOURS = 24
    first = new_scenes_import(tmp_path, 1, tag="first")
    saved_search_run(saved.pk)
    assert digests_send() == 1
    later = new_scenes_import(tmp_path, 2, tag="later")
    saved_search_run(saved.pk)
    assert digests_send() == 0 and len(mail.outbox) == 1  # the period has not passed
    Follower.objects.update(notified_at=Follower.objects.get().notified_at - timedelta(hours=24))
    assert digests_send() == 1
    assert first[0] in mail.outbox[0].body and later[0] not in mail.outbox[0].body
    assert all(scene_id in mail.outbox[1].body for scene_id in later) and first[0] not in mail.outbox[1].body
    assert mail.outbox[1].subject == "2 new scenes in Border"


def test_a_follower_who_left_the_team_gets_no_digest(cast, saved, tmp_path):
    new_scenes_import(tmp_path, 1, tag="first")
    saved_search_run(saved.pk)
    cast.alice_in_acme.delete()
    assert digests_send() == 0 and mail.outbox == []
