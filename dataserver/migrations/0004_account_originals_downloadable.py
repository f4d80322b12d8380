from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dataserver", "0003_scene_ids_unique_across_providers"),
    ]

    operations = [
        migrations.AddField(
            model_name="account",
            name="originals_downloadable",
            field=models.BooleanField(
                default=True, help_text="its images' originals may be downloaded (GET /rasters/image/{id}/download)"
            ),
        ),
    ]
