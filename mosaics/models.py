from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    MOSAIC = "mosaic", "Mosaic"
    IMAGE = "image", "Image"


class TrashItem(models.Model):
    """A mosaic or an image deleted in the dashboard: hidden from the team's pages at once, deleted from the Data API
    once TRASH_RETENTION_DAYS have passed (or when the trash is emptied), restorable until then. `purge_started_at`
    is set by the one run that deletes it upstream, so a redelivered task finds nothing left to do (see
    `trash.item_purge`)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="trash")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    upstream_id = models.CharField(max_length=64)
    mosaic_id = models.CharField(max_length=64)  # the mosaic itself, or the image's
    name = models.CharField(max_length=300)
    size = models.BigIntegerField(default=0)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    deleted_at = models.DateTimeField()
    purge_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-deleted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["team", "kind", "upstream_id"], name="trashed_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} in the trash of {self.team_id}"

    @property
    def purging(self) -> bool:
        return self.purge_started_at is not None
