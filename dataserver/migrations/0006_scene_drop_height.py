"""Scenes lose `height` and the (south, west) index: the search before the spatial index (0005) narrowed scenes down
by them, and none does now.

The column is dropped in place (ALTER TABLE ... DROP COLUMN): Django would rebuild the table on SQLite, which loses
the triggers that keep 0005's R*Tree in step and renumbers the rowids it is keyed by.
"""

from django.db import migrations


def forward(apps, schema_editor):
    scene = apps.get_model("dataserver", "Scene")
    table = schema_editor.quote_name(scene._meta.db_table)
    indexes = schema_editor._constraint_names(scene, ["height"], index=True)
    for name in [*indexes, "scene_bbox"]:
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN height")


def backward(apps, schema_editor):
    scene = apps.get_model("dataserver", "Scene")
    table = schema_editor.quote_name(scene._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN height double precision NOT NULL DEFAULT 0")
    schema_editor.execute(f"UPDATE {table} SET height = north - south")
    schema_editor.execute(f"CREATE INDEX dataserver_scene_height ON {table} (height)")
    schema_editor.execute(f"CREATE INDEX scene_bbox ON {table} (south, west)")


class Migration(migrations.Migration):
    dependencies = [
        ("dataserver", "0005_scene_spatial_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.RemoveIndex(model_name="scene", name="scene_bbox"),
                migrations.RemoveField(model_name="scene", name="height"),
            ],
        )
    ]
