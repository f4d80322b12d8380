"""Saved searches: a team's named areas and catalog filters, run periodically; the scenes each area has seen, and who
is alerted of new ones."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from teams.models import Team


class SavedSearch(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    # The catalog search form's filter fields, each a list of strings as in a query string (see filters.py).
    filters = models.JSONField(default=dict, blank=True)
    active_until = models.DateField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # When the beat dispatcher next queues a run; a run that is queued moves it one period on.
    next_run_at = models.DateTimeField(default=timezone.now)
    # The end of the last complete run (None: never run).
    checked_at = models.DateTimeField(null=True, blank=True)
    # Runs that failed in a row, and why the last one did (shown on the pages while the search is failing).
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["paused", "next_run_at"], name="saved_search_due")]

    def __str__(self) -> str:
        return self.name

    @property
    def expired(self) -> bool:
        return self.active_until is not None and self.active_until < timezone.localdate()

    @property
    def runs(self) -> bool:
        return not self.paused and not self.expired

    @property
    def failing(self) -> bool:
        return self.failures > 0


class SavedArea(models.Model):
    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=100)
    geometry = models.JSONField()  # a GeoJSON Polygon or MultiPolygon in lon/lat
    position = models.PositiveIntegerField(default=0)
    # Whether a run has recorded what the area already had: until then a run records scenes without flagging them.
    recorded = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SeenScene(models.Model):
    """A scene an area's search has found: recorded once (the unique constraint makes a repeated run record nothing
    twice); `is_new` until a member marks it seen. Scenes found by an area's first run are not new."""

    area = models.ForeignKey(SavedArea, on_delete=models.CASCADE, related_name="scenes")
    scene_id = models.CharField(max_length=300)
    provider = models.CharField(max_length=100, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    is_new = models.BooleanField(default=False)

    class Meta:
        ordering = ["-acquired_at", "scene_id"]
        constraints = [models.UniqueConstraint(fields=["area", "scene_id"], name="one_seen_scene_per_area")]
        indexes = [models.Index(fields=["area", "is_new"], name="seen_scene_new")]

    def __str__(self) -> str:
        return self.scene_id


class Follower(models.Model):
    """A member who gets the e-mail digest of a saved search's new scenes (at most one per SEARCHES_DIGEST_HOURS)."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The next digest holds the new scenes first seen after `digest_from`; it goes once `notified_at` (the last
    # digest) is a period old.
    digest_from = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "user"], name="one_follower_per_search")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.saved_search}"
