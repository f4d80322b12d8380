from django.db import models
from django.utils import timezone

from teams.models import Team


class SearchedArea(models.Model):
    """An area a team searched, kept so that a search's link names it by a short key instead of carrying it: a
    detailed area does not fit in a URL (servers refuse request lines of a few KB)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=24)
    geometry = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "key"], name="one_searched_area_per_key")]

    def __str__(self) -> str:
        return f"{self.key} of {self.team}"
