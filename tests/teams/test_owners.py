"""A team always keeps an owner: changes to its members are made one at a time (the team's row is locked), each judged
on the members as they are then, so two owners demoting or removing each other at the same moment cannot both win."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from teams import services
from teams.models import Membership, Role
from tests.teams.conftest import join, make_user, signed_in


def at_once(*actions) -> list:
    """Run the actions in threads released together (each on its own database connection); their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            outcomes[index] = action()
        except Exception as exc:  # noqa: BLE001  (the outcome under test)
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def two_owners(transactional_db):
    from teams.models import Team

    team = Team.objects.create(name="Duo")
    ann, ben = make_user("ann"), make_user("ben")
    return team, join(ann, team, Role.OWNER), join(ben, team, Role.OWNER)


def fresh(*memberships: Membership) -> list[Membership]:
    """The memberships as a request reads them when it starts (each request has its own copies)."""
    return [Membership.objects.get(pk=membership.pk) for membership in memberships]


@pytest.mark.parametrize("trial", range(5))
def test_two_owners_demoting_each_other_at_once_leave_one_owner(two_owners, trial):
    team, ann, ben = two_owners
    (ben_1, ann_1), (ann_2, ben_2) = fresh(ben, ann), fresh(ann, ben)
    outcomes = at_once(
        lambda: services.membership_change_role(membership=ben_1, role=Role.ADMIN, by=ann_1),
        lambda: services.membership_change_role(membership=ann_2, role=Role.ADMIN, by=ben_2),
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, services.NotAllowed)]
    assert len(refused) == 1, outcomes
    assert "Only an owner" in str(refused[0])
    assert Membership.objects.filter(team=team, role=Role.OWNER).count() == 1


@pytest.mark.parametrize("trial", range(3))
def test_two_owners_removing_each_other_at_once_leave_one_owner(two_owners, trial):
    team, ann, ben = two_owners
    (ben_1, ann_1), (ann_2, ben_2) = fresh(ben, ann), fresh(ann, ben)
    outcomes = at_once(
        lambda: services.membership_remove(membership=ben_1, by=ann_1),
        lambda: services.membership_remove(membership=ann_2, by=ben_2),
    )
    assert sum(isinstance(outcome, services.NotAllowed) for outcome in outcomes) == 1, outcomes
    assert Membership.objects.filter(team=team, role=Role.OWNER).count() == 1


def test_the_members_page_says_why_the_second_demotion_was_refused(two_owners):
    team, ann, ben = two_owners
    services.membership_change_role(membership=ann, role=Role.ADMIN, by=ben)
    page = signed_in(ann.user).post(reverse("teams:member-role", args=[ben.pk]), {"role": "admin"}, follow=True)
    assert "Only an owner can change another owner" in page.content.decode()
    assert Membership.objects.get(pk=ben.pk).role == Role.OWNER
