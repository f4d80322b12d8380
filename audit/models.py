"""The team's audit log: who changed what through the dashboard, and when. Entries are only ever added (and pruned
after AUDIT_RETENTION_DAYS); nothing in the product edits or deletes one."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    MOSAIC_CREATE = "mosaic.create", "Mosaic created"
    MOSAIC_RENAME = "mosaic.rename", "Mosaic renamed"
    MOSAIC_TAGS = "mosaic.tags", "Mosaic tags changed"
    MOSAIC_TRASH = "mosaic.trash", "Mosaic moved to the trash"
    MOSAIC_RESTORE = "mosaic.restore", "Mosaic restored"
    MOSAIC_DELETE = "mosaic.delete", "Mosaic deleted for good"
    IMAGE_UPLOAD = "image.upload", "Image uploaded"
    IMAGE_LINK = "image.link", "Image linked"
    IMAGE_RENAME = "image.rename", "Image renamed"
    IMAGE_TRASH = "image.trash", "Image moved to the trash"
    IMAGE_RESTORE = "image.restore", "Image restored"
    IMAGE_DELETE = "image.delete", "Image deleted for good"
    CREDENTIAL_CHANGE = "credential.change", "Data API credential changed"
    MEMBER_JOIN = "member.join", "Member joined"
    MEMBER_ROLE = "member.role", "Member's role changed"
    MEMBER_REMOVE = "member.remove", "Member removed"
    INVITATION_CREATE = "invitation.create", "Invitation sent"
    INVITATION_REVOKE = "invitation.revoke", "Invitation revoked"
    SEARCH_CREATE = "search.create", "Saved search created"
    SEARCH_CHANGE = "search.change", "Saved search changed"
    SEARCH_PAUSE = "search.pause", "Saved search paused"
    SEARCH_RESUME = "search.resume", "Saved search resumed"
    SEARCH_DELETE = "search.delete", "Saved search deleted"


class Entry(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="audit_entries")
    # Who did it (None: the dashboard itself, e.g. the trash's retention); their address is kept as it was then.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_email = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=20)
    object_id = models.CharField(max_length=64, blank=True)
    object_name = models.CharField(max_length=300, blank=True)  # the name at the time
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["team", "-at"], name="audit_team_at")]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'dashboard'} {self.action} {self.object_name}"
