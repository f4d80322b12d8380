from django.contrib import admin

from .models import Credential, Invitation, Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__username", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    """Read only: a token is set from the team page, where it is checked; here only its email and last four show."""

    list_display = ["team", "api_url", "email", "token_hint", "checked_at"]
    fields = ["team", "api_url", "email", "token_hint", "checked_at", "updated_at"]
    readonly_fields = fields
    search_fields = ["team__name", "email"]

    @admin.display(description="Token")
    def token_hint(self, credential: Credential) -> str:
        return f"…{credential.last_four}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "created_at", "expires_at", "used_at"]
    list_filter = ["role"]
    search_fields = ["email", "team__name"]
    fields = ["team", "email", "role", "invited_by", "created_at", "expires_at", "used_at", "used_by"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
