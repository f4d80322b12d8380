"""`UploadJob`: one file (or one link) on its way into a mosaic of the team's Data API account."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from teams.models import Team


class State(models.TextChoices):
    UPLOADING = "uploading", "Uploading to us"
    CHECKING = "checking", "Checking"
    SENDING = "sending", "Sending to Mapflow"
    PROCESSING = "processing", "Processing tiles"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


FINISHED = (State.READY, State.FAILED)


class UploadJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="upload_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    mosaic_id = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    source_url = models.CharField(max_length=2000, blank=True)  # a "link by URL" job: no bytes come through us
    size = models.BigIntegerField(null=True)
    offset = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=40, blank=True)  # SHA-1 hex of the whole file, as the Data API reports it
    header_checked = models.BooleanField(default=False)
    writing_until = models.DateTimeField(null=True)  # a PATCH holds the file until then (renewed while it writes)
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADING)
    message = models.TextField(blank=True)
    bytes_sent = models.BigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    image_id = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["team", "mosaic_id", "state"]), models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def path(self) -> Path:
        return Path(settings.UPLOADS_DIR) / f"{self.id}.part"

    @property
    def is_link(self) -> bool:
        return bool(self.source_url)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    @property
    def percent(self) -> int:
        """How far the current step is: bytes received while uploading, bytes sent while sending."""
        if not self.size:
            return 100 if self.is_finished else 0
        done = self.offset if self.state == State.UPLOADING else self.bytes_sent
        return min(100, int(100 * done / self.size))
