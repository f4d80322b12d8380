from django.urls import path, register_converter

from . import views


class PreviewSize:
    regex = "[sl]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PreviewSize, "preview_size")

app_name = "mosaics"

urlpatterns = [
    path("mosaics/", views.mosaic_list_page, name="list"),
    path("mosaics/new", views.mosaic_create_dialog, name="create"),
    path("mosaics/<uuid:mosaic_id>/", views.mosaic_page, name="detail"),
    path("mosaics/<uuid:mosaic_id>/edit", views.mosaic_edit_dialog, name="edit"),
    path("mosaics/<uuid:mosaic_id>/delete", views.mosaic_delete_dialog, name="delete"),
    path("mosaics/<uuid:mosaic_id>/tiles/<int:z>/<int:x>/<int:y>.png", views.mosaic_tile, name="tile"),
    path("mosaics/compare/", views.compare_page, name="compare"),
    path("mosaics/trash/", views.trash_page, name="trash"),
    path("mosaics/trash/<int:item_id>/restore", views.trash_restore, name="trash-restore"),
    path("mosaics/trash/empty", views.trash_empty, name="trash-empty"),
    path("images/<uuid:image_id>/rename", views.image_rename_dialog, name="image-rename"),
    path("images/<uuid:image_id>/delete", views.image_delete_dialog, name="image-delete"),
    path("images/<uuid:image_id>/preview/<preview_size:size>", views.image_preview, name="image-preview"),
    path("images/<uuid:image_id>/original", views.image_original, name="image-original"),
]
