"""What every page's frame shows: navigation, the team switcher and the storage gauge, computed only if rendered."""

from functools import cached_property

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from mosaics import trash
from searches import selectors as searches_selectors
from teams import selectors

# (label, url name): pages of apps that are not installed are left out.
NAVIGATION = [
    ("Catalog", "catalog:search"),
    ("Saved searches", "searches:list"),
    ("Mosaics", "mosaics:list"),
    ("Team", "teams:team"),
]


def navigation() -> list[tuple[str, str]]:
    links = []
    for label, name in NAVIGATION:
        try:
            links.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return links


class Frame:
    def __init__(self, request):
        self.request = request

    @cached_property
    def navigation(self) -> list[tuple[str, str]]:
        return navigation()

    @property
    def open_signup(self) -> bool:
        return settings.ACCOUNTS_OPEN_SIGNUP

    @cached_property
    def memberships(self):
        return list(selectors.memberships_of(user=self.request.user))

    @cached_property
    def storage(self) -> selectors.Storage | None:
        team = getattr(self.request, "team", None)
        return selectors.team_storage(team=team) if team is not None else None

    @cached_property
    def trash_size(self) -> int:
        """The bytes in the team's trash: still stored, so part of the gauge's use."""
        team = getattr(self.request, "team", None)
        return trash.trash_size(team_id=team.pk) if team is not None else 0


    @cached_property
    def new_scenes(self) -> int:
        """The count of the navigation's badge: new scenes of the team's saved searches."""
        team = getattr(self.request, "team", None)
        return searches_selectors.new_scene_count(team=team) if team is not None else 0

    @cached_property
    def new_scenes_href(self) -> str | None:
        return dict((label, href) for label, href in self.navigation).get("Saved searches")


def frame(request) -> dict:
    return {"frame": Frame(request)}

