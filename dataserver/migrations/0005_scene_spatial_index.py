"""A spatial index of the scenes' footprints, on the database at hand (docs/DESIGN.md, "Catalog spatial index").

PostgreSQL: PostGIS, a `geom` column generated from the GeoJSON footprint and a GiST index on it, and an index for
the default order (newest first). SQLite: an R*Tree of the scenes' lon/lat bounds, keyed by the scene's rowid and
kept in step by triggers, and an index on the acquisition date.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE dataserver_scene ADD COLUMN geom geometry(Geometry, 4326)"
    " GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromGeoJSON(footprint), 4326)) STORED",
    "CREATE INDEX scene_geom ON dataserver_scene USING gist (geom)",
    "CREATE INDEX scene_newest ON dataserver_scene (acquired_at DESC NULLS LAST)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX scene_newest",
    "ALTER TABLE dataserver_scene DROP COLUMN geom",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE dataserver_scene_rtree USING rtree(id, west, east, south, north)",
    "INSERT INTO dataserver_scene_rtree SELECT rowid, west, east, south, north FROM dataserver_scene",
    "CREATE TRIGGER dataserver_scene_rtree_insert AFTER INSERT ON dataserver_scene BEGIN"
    " INSERT INTO dataserver_scene_rtree VALUES (new.rowid, new.west, new.east, new.south, new.north); END",
    "CREATE TRIGGER dataserver_scene_rtree_update AFTER UPDATE OF west, east, south, north ON dataserver_scene BEGIN"
    " UPDATE dataserver_scene_rtree SET west = new.west, east = new.east, south = new.south, north = new.north"
    " WHERE id = new.rowid; END",
    "CREATE TRIGGER dataserver_scene_rtree_delete AFTER DELETE ON dataserver_scene BEGIN"
    " DELETE FROM dataserver_scene_rtree WHERE id = old.rowid; END",
    "CREATE INDEX scene_newest ON dataserver_scene (acquired_at)",
]
SQLITE_BACKWARD = [
    "DROP INDEX scene_newest",
    "DROP TRIGGER dataserver_scene_rtree_delete",
    "DROP TRIGGER dataserver_scene_rtree_update",
    "DROP TRIGGER dataserver_scene_rtree_insert",
    "DROP TABLE dataserver_scene_rtree",
]


def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            if cursor.fetchone() is None:
                raise RuntimeError(
                    "Catalog search on PostgreSQL needs PostGIS, which this server lacks: install it "
                    "(Debian: apt-get install postgresql-15-postgis-3) and migrate again."
                )
        _run(schema_editor, ["CREATE EXTENSION IF NOT EXISTS postgis", *POSTGRES_FORWARD])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)
    else:
        raise RuntimeError(f"Catalog search has no spatial index for the database {vendor}: use PostgreSQL or SQLite")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRES_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("dataserver", "0004_account_originals_downloadable"),
    ]

    operations = [migrations.RunPython(forward, backward)]
