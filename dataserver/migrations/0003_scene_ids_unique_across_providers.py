"""A scene's id in the API is its provider's own id, so scene ids become unique across providers.

Scenes imported under two providers with one id cannot both keep it: the migration stops and names them, and
deleting one provider's scenes (`dataserver_catalog delete --provider NAME`) lets it run.
"""

from django.db import migrations, models
from django.db.models import Count

SHOWN = 10


def refuse_shared_ids(apps, schema_editor):
    Scene = apps.get_model("dataserver", "Scene")
    shared = (
        Scene.objects.values("scene_id")
        .annotate(providers=Count("provider_name"))
        .filter(providers__gt=1)
        .values_list("scene_id", flat=True)
    )
    ids = list(shared[: SHOWN + 1])
    if ids:
        listed = ", ".join(ids[:SHOWN]) + (", ..." if len(ids) > SHOWN else "")
        raise RuntimeError(
            f"Scene ids become unique across providers, and these belong to scenes of more than one provider: "
            f"{listed}. Delete the scenes of one of those providers (dataserver_catalog delete --provider NAME), "
            f"migrate, then import them again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("dataserver", "0002_scene"),
    ]

    operations = [
        migrations.RunPython(refuse_shared_ids, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="scene", name="scene_unique_per_provider"),
        migrations.AlterField(
            model_name="scene",
            name="scene_id",
            field=models.CharField(max_length=255, unique=True),
        ),
    ]
