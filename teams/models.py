import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import encryption


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    ADMIN = "admin", "Admin"
    OWNER = "owner", "Owner"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Team(models.Model):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def has_role(self, minimum: Role) -> bool:
        return Role(self.role).rank >= minimum.rank

    @property
    def can_write(self) -> bool:
        """Members and above manage mosaics and uploads."""
        return self.has_role(Role.MEMBER)

    @property
    def can_administer(self) -> bool:
        """Admins and owners manage members, invitations and the credential."""
        return self.has_role(Role.ADMIN)


class Credential(models.Model):
    """The team's Data API account: its URL and its token, encrypted at rest."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="credential")
    api_url = models.URLField("Data API URL", max_length=300)
    token_encrypted = models.TextField(editable=False)
    email = models.CharField(max_length=254, blank=True)
    last_four = models.CharField(max_length=4)
    checked_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.email or 'token'} …{self.last_four}"

    @property
    def token(self) -> str:
        return encryption.decrypt(self.token_encrypted)

    def set_token(self, token: str) -> None:
        self.token_encrypted = encryption.encrypt(token)
        self.last_four = token[-4:]


def _invitation_expiry():
    return timezone.now() + timedelta(days=settings.TEAM_INVITATION_DAYS)


class Invitation(models.Model):
    """A single-use link that makes whoever opens it (signed in) a member of the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.team}"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash(token)
        return token

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
