"""Reads of saved searches, always within one team: the list with new counts, one search with its areas and new
scenes, and the count of the navigation's badge."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from teams.models import Team

from .models import Follower, SavedArea, SavedSearch, SeenScene

NEW_SCENES_SHOWN = 200  # per area, on a search's page
LAYER_AREAS = 2000  # areas on the catalog map's layer of saved searches


def saved_searches_of(*, team: Team, user) -> QuerySet[SavedSearch]:
    """The team's saved searches with `new_count`, `area_count` and `followed` (by `user`)."""
    new = SeenScene.objects.filter(area__saved_search=OuterRef("pk"), is_new=True)
    return (
        SavedSearch.objects.filter(team=team)
        .annotate(
            area_count=Count("areas", distinct=True),
            followed=Exists(Follower.objects.filter(saved_search=OuterRef("pk"), user=user)),
        )
        .annotate(new_count=_count(new))
    )


def _count(queryset: QuerySet):
    counted = queryset.order_by().values("area__saved_search").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def saved_search_get(*, team: Team, pk: int) -> SavedSearch | None:
    """The team's saved search of that id, or None (another team's is None too)."""
    return SavedSearch.objects.filter(team=team, pk=pk).first()


@dataclass
class AreaScenes:
    area: SavedArea
    new: list[SeenScene]
    new_count: int
    seen_count: int


def saved_search_areas(*, search: SavedSearch) -> list[AreaScenes]:
    """Each area with its newest new scenes (up to NEW_SCENES_SHOWN) and its counts."""
    areas = search.areas.annotate(
        new_count=Count("scenes", filter=Q(scenes__is_new=True)), seen_count=Count("scenes")
    )
    return [
        AreaScenes(
            area=area,
            new=list(area.scenes.filter(is_new=True)[:NEW_SCENES_SHOWN]),
            new_count=area.new_count,
            seen_count=area.seen_count,
        )
        for area in areas
    ]


def follows(*, search: SavedSearch, user) -> bool:
    return Follower.objects.filter(saved_search=search, user=user).exists()


def new_scene_count(*, team: Team) -> int:
    """New scenes over all the team's saved searches (the navigation's badge)."""
    return SeenScene.objects.filter(area__saved_search__team=team, is_new=True).count()


def saved_areas_layer(*, team: Team) -> dict:
    """The team's saved areas as a GeoJSON FeatureCollection (the catalog map's layer), up to LAYER_AREAS."""
    areas = (
        SavedArea.objects.filter(saved_search__team=team)
        .select_related("saved_search")
        .annotate(new_count=Count("scenes", filter=Q(scenes__is_new=True)))
        .order_by("saved_search__name", "saved_search_id", "position", "pk")[:LAYER_AREAS]
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": area.geometry,
                "properties": {
                    "search": area.saved_search.name,
                    "searchId": area.saved_search_id,
                    "area": area.name,
                    "new": area.new_count,
                },
            }
            for area in areas
        ],
    }
