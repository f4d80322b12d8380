from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read only: the log is a record, nobody edits or deletes an entry (old ones are pruned by the retention)."""

    list_display = ["at", "team", "actor_email", "action", "object_type", "object_name"]
    list_filter = ["action"]
    search_fields = ["team__name", "actor_email", "object_name", "object_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
