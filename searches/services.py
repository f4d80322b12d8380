"""Writes of saved searches: create, change, pause, follow; a run against the Data API that records each area's
scenes; the dispatch of due runs and the e-mail digests. They receive the team's client, they never build it."""

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import Action
from audit.services import entry_record
from catalog.aoi_files import NamedArea
from catalog.selectors import scene_search, search_options
from dataapi.client import DataAPIClient
from dataapi.schemas import SearchImage
from mosaics.trash import hidden_imagery
from teams.models import Team

from .filters import search_form
from .models import Follower, SavedArea, SavedSearch, SeenScene

logger = logging.getLogger("searches")
UNSUBSCRIBE_SALT = "searches.unsubscribe"
ERROR_LENGTH = SavedSearch._meta.get_field("last_error").max_length


class SearchRefused(Exception):
    """The catalog refuses the saved filters or an area now (a lower area limit, say); the message says why."""


def _period() -> timedelta:
    return timedelta(minutes=settings.SEARCHES_PERIOD_MINUTES)


def _queue_run(search: SavedSearch) -> None:
    from .tasks import saved_search_run

    transaction.on_commit(lambda: saved_search_run.delay(search.pk))


@transaction.atomic
def saved_search_create(
    *, team: Team, user, name: str, filters: dict, areas: list[NamedArea], active_until=None, follow: bool
) -> SavedSearch:
    """The search and its areas; its first run (which records what the areas have, flagging nothing) is queued now,
    the next at a random point of the coming period: searches created together (an import) still run spread out."""
    search = SavedSearch.objects.create(
        team=team, created_by=user, name=name, filters=filters, active_until=active_until,
        next_run_at=timezone.now() + _period() * random.random(),
    )  # fmt: skip
    _areas_set(search, areas)
    if follow:
        saved_search_follow(search=search, user=user)
    _queue_run(search)
    _record(search, user, Action.SEARCH_CREATE, areas=len(areas))
    return search


def _record(search: SavedSearch, user, action: Action, **details) -> None:
    entry_record(
        team_id=search.team_id, actor=user, action=action, object_type="saved search", object_id=str(search.pk),
        name=search.name, details=details,
    )  # fmt: skip


def _areas_set(search: SavedSearch, areas: list[NamedArea]) -> None:
    search.areas.all().delete()
    SavedArea.objects.bulk_create(
        SavedArea(saved_search=search, name=area.name, geometry=area.geometry, position=position)
        for position, area in enumerate(areas)
    )


@transaction.atomic
def saved_search_update(
    *, search: SavedSearch, user, name: str, filters: dict, active_until, areas: list[NamedArea] | None
) -> SavedSearch:
    """New filters or areas are recorded afresh by the next run (queued now): what they find then is not new."""
    filters_changed = filters != search.filters
    changed = filters_changed or areas is not None
    search.name, search.active_until = name, active_until
    if filters_changed:
        search.filters = filters
        search.areas.update(recorded=False)
    search.save(update_fields=["name", "filters", "active_until"])
    if areas is not None:
        _areas_set(search, areas)
    if changed and search.runs:
        _queue_run(search)
    _record(search, user, Action.SEARCH_CHANGE, filters=filters_changed, areas=areas is not None)
    return search


def saved_search_pause(*, search: SavedSearch, user, paused: bool) -> None:
    """Pause, or resume (the next dispatch runs it)."""
    search.paused = paused
    fields = ["paused"]
    if not paused:
        search.next_run_at = timezone.now()
        fields.append("next_run_at")
    search.save(update_fields=fields)
    _record(search, user, Action.SEARCH_PAUSE if paused else Action.SEARCH_RESUME)


def saved_search_delete(*, search: SavedSearch, user) -> None:
    _record(search, user, Action.SEARCH_DELETE)
    search.delete()


def saved_search_follow(*, search: SavedSearch, user) -> Follower:
    follower, _ = Follower.objects.get_or_create(saved_search=search, user=user)
    return follower


def saved_search_unfollow(*, search: SavedSearch, user) -> None:
    Follower.objects.filter(saved_search=search, user=user).delete()


def scenes_mark_seen(*, search: SavedSearch, scene_pk: int | None = None) -> int:
    """Mark one of the search's new scenes seen (by its row's id), or all of them; how many were new."""
    scenes = SeenScene.objects.filter(area__saved_search=search, is_new=True)
    if scene_pk is not None:
        scenes = scenes.filter(pk=scene_pk)
    return scenes.update(is_new=False)


# --- Runs ---


def saved_search_run(*, client: DataAPIClient, search: SavedSearch) -> int:
    """Search the catalog over each area with the saved filters (paged through all results, up to
    SEARCHES_MAX_SCENES_PER_AREA, the newest first) and record the scenes found; those of an area already recorded
    are new. A repeated or overlapping run records nothing twice. The number of new scenes."""
    options = search_options(client=client)
    hidden = hidden_imagery(client=client, team_id=search.team_id)  # the team's trash is not news
    new = 0
    for area in search.areas.all():
        form = search_form(filters=search.filters, geometry=area.geometry, options=options)
        if not form.is_valid():
            errors = "; ".join(error for errors in form.errors.values() for error in errors)
            raise SearchRefused(f"{area.name}: {errors}")
        page = scene_search(
            client=client, query=form.api_query(), offset=0, count=settings.SEARCHES_MAX_SCENES_PER_AREA, hidden=hidden
        )
        new += _scenes_record(area, page.images)
    SavedSearch.objects.filter(pk=search.pk).update(checked_at=timezone.now(), failures=0, last_error="")
    return new


def _scenes_record(area: SavedArea, images: list[SearchImage]) -> int:
    found = {str(image.id): image for image in images}
    known = set()
    ids = list(found)
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        known |= set(SeenScene.objects.filter(area=area, scene_id__in=batch).values_list("scene_id", flat=True))
    now = timezone.now()
    fresh = [
        SeenScene(
            area=area, scene_id=scene_id[:300], provider=(image.providerName or "")[:100],
            acquired_at=image.acquisitionDate, first_seen=now, is_new=area.recorded,
        )
        for scene_id, image in found.items()
        if scene_id not in known
    ]  # fmt: skip
    with transaction.atomic():
        # A run that overlaps this one may have recorded some meanwhile: the constraint keeps its rows.
        SeenScene.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
        if not area.recorded:
            SavedArea.objects.filter(pk=area.pk).update(recorded=True)
    return len(fresh) if area.recorded else 0


def saved_search_failed(*, search: SavedSearch, message: str) -> None:
    """Count a failed run; the search shows as failing, with `message`, until a run succeeds."""
    SavedSearch.objects.filter(pk=search.pk).update(failures=F("failures") + 1, last_error=message[:ERROR_LENGTH])
    logger.warning("saved search %s failed: %s", search.pk, message)


def saved_searches_due(*, now: datetime | None = None) -> list[tuple[int, float]]:
    """Claim the searches due to run (moving each one period on) and say when to run each: (id, seconds from now).
    At most SEARCHES_TEAM_RUNS_PER_DISPATCH of one team, spaced over the dispatch interval."""
    now = now or timezone.now()
    cap, interval = settings.SEARCHES_TEAM_RUNS_PER_DISPATCH, settings.SEARCHES_DISPATCH_SECONDS
    due = (
        SavedSearch.objects.filter(paused=False, next_run_at__lte=now)
        .filter(Q(active_until__isnull=True) | Q(active_until__gte=timezone.localdate(now)))
        .order_by("next_run_at", "pk")
        .values_list("pk", "team_id", "next_run_at")
    )
    per_team: dict[int, int] = {}
    claimed = []
    for pk, team_id, next_run_at in due.iterator():
        taken = per_team.get(team_id, 0)
        if taken >= cap:
            continue
        # The claim holds only if no other dispatcher moved it meanwhile.
        if SavedSearch.objects.filter(pk=pk, next_run_at=next_run_at).update(next_run_at=now + _period()):
            per_team[team_id] = taken + 1
            claimed.append((pk, taken * interval / cap))
    return claimed


# --- E-mail digests ---


@dataclass
class Digest:
    follower: Follower
    scenes: list[SeenScene]


def digests_take(*, now: datetime | None = None) -> list[Digest]:
    """The digests due: for each follower still in the search's team, not e-mailed for SEARCHES_DIGEST_HOURS, the
    new scenes first seen since the last one. Each is claimed (a concurrent or repeated call does not take it
    again) before it is sent: a digest lost with a dying worker is not sent twice."""
    now = now or timezone.now()
    since = now - timedelta(hours=settings.SEARCHES_DIGEST_HOURS)
    followers = (
        Follower.objects.filter(Q(notified_at__isnull=True) | Q(notified_at__lte=since))
        .filter(user__memberships__team=F("saved_search__team"))
        .exclude(user__email="")
        .select_related("saved_search__team", "user")
    )
    digests = []
    for follower in followers:
        scenes = list(
            SeenScene.objects.filter(
                area__saved_search=follower.saved_search, is_new=True,
                first_seen__gt=follower.digest_from, first_seen__lte=now,
            ).select_related("area")[:500]
        )  # fmt: skip
        if not scenes:
            continue
        claim = Follower.objects.filter(pk=follower.pk, notified_at=follower.notified_at)
        if claim.update(notified_at=now, digest_from=now):
            digests.append(Digest(follower=follower, scenes=scenes))
    return digests


def unsubscribe_token(follower: Follower) -> str:
    return signing.dumps(follower.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe(*, token: str) -> SavedSearch | None:
    """Stop the digests of the follower the token names; the search, or None for a token that names none."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    follower = Follower.objects.select_related("saved_search").filter(pk=pk).first()
    if follower is None:
        return None
    follower.delete()
    return follower.saved_search
