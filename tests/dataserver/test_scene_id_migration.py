"""The migration that makes scene ids unique across providers: it keeps the scenes, or stops naming the shared ids."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("dataserver", "0002_scene")]
AFTER = [("dataserver", "0003_scene_ids_unique_across_providers")]


@pytest.fixture
def before_the_migration():
    """The database as 0002 left it (the scene model of then), and back to the latest schema afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield MigrationExecutor(connection).loader.project_state(BEFORE).apps.get_model("dataserver", "Scene")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


SQUARE = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}'


def old_scene(model, provider: str, scene_id: str):
    return model.objects.create(
        provider_name=provider, scene_id=scene_id, footprint=SQUARE, west=0, south=0, east=1, north=1, height=1
    )


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_scenes_of_distinct_ids_keep_their_ids(before_the_migration):
    old_scene(before_the_migration, "sky", "a")
    old_scene(before_the_migration, "sea", "b")
    migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT provider_name, scene_id FROM dataserver_scene ORDER BY scene_id")
        assert cursor.fetchall() == [("sky", "a"), ("sea", "b")]


def test_an_id_shared_by_two_providers_stops_the_migration_naming_it_and_the_way_out(before_the_migration):
    old_scene(before_the_migration, "sky", "shared")
    old_scene(before_the_migration, "sea", "shared")
    old_scene(before_the_migration, "sea", "alone")
    with pytest.raises(RuntimeError, match=r"shared\. Delete the scenes of one of those providers"):
        migrate(AFTER)
    before_the_migration.objects.filter(provider_name="sea").delete()
    migrate(AFTER)
