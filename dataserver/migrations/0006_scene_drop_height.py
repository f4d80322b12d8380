"""Scenes lose `height` and the (south, west) index: the search before the spatial index (0005) narrowed scenes down
by them, and none does now."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dataserver", "0005_scene_spatial_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="scene", name="scene_bbox"),
        migrations.RemoveField(model_name="scene", name="height"),
    ]
