from django.contrib import admin

from dataserver.models import Account, Image, Mosaic


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["email", "memory_limit", "max_upload_file_size", "max_pixel_count", "read_only", "created_at"]
    exclude = ["token_hash"]
    search_fields = ["email"]


@admin.register(Mosaic)
class MosaicAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "created_at"]
    search_fields = ["name", "account__email"]


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["filename", "mosaic", "file_size", "cog_ready", "uploaded_at"]
    search_fields = ["filename", "checksum"]
