"""Scenes and searches for the catalog tests."""

from datetime import UTC, datetime

from shapely.geometry import box, mapping

from dataserver.models import Scene


def make_scene(scene_id: str, *, bounds=(10.0, 10.0, 10.2, 10.2), provider: str = "sky", geometry=None, **fields):
    """A scene whose footprint is `geometry` (default: the box `bounds`), with `fields` as its metadata."""
    defaults = {"acquired_at": datetime(2024, 5, 1, tzinfo=UTC), "cloud_cover": 10.0, "off_nadir": 5.0, "resolution": 0.5}
    scene = Scene.with_footprint(
        geometry if geometry is not None else box(*bounds),
        provider_name=provider,
        scene_id=scene_id,
        **{**defaults, **fields},
    )
    scene.save()
    return scene


def aoi_box(west, south, east, north) -> dict:
    return mapping(box(west, south, east, north))


AOI = aoi_box(10.05, 10.05, 10.15, 10.15)


def search(api, aoi=AOI, **fields):
    return api.post("/rest/catalog/meta", {"aoi": aoi, **fields}, content_type="application/json")


def found(api, aoi=AOI, **fields) -> list[str]:
    """The ids a search returns, in order: the scenes' (their providers' ids), the provider names of own imagery."""
    answer = search(api, aoi, **fields)
    assert answer.status_code == 200, answer.content
    scenes = set(Scene.objects.values_list("scene_id", flat=True))
    return [image["id"] if image["id"] in scenes else image["providerName"] for image in answer.json()["images"]]
