"""The saved searches' cast: alice (admin) and bob (viewer) in Acme, charlie in Cosmo; Acme's Data API account is
the self-hosted one on the live server, whose catalog holds the NAIP fixture scenes (eleven on the Montana / British
Columbia border). New scenes arrive through the catalog's STAC import, as an operator's would."""

import copy
import io
import json
import time
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from shapely.geometry import box, mapping, shape

from searches.models import SavedSearch
from tests.catalog.conftest import NAIP, acme_account, alice, bob, naip  # noqa: F401
from tests.teams.conftest import cast, connect, live_api, private_cache_and_fast_hashing, signed_in  # noqa: F401

WEST, EAST = box(-116.1, 48.95, -115.85, 49.1), box(-115.85, 48.95, -115.6, 49.1)


def naip_features() -> list[dict]:
    return json.loads(NAIP.read_text())["features"]


def border_features() -> list[dict]:
    """The NAIP scenes of the border area, west to east."""
    border = box(-116.1, 48.95, -115.6, 49.1)
    found = [feature for feature in naip_features() if shape(feature["geometry"]).intersects(border)]
    return sorted(found, key=lambda feature: feature["bbox"][0])


def new_scenes_file(tmp_path, count: int, *, tag: str = "new") -> tuple[str, list[str]]:
    """A STAC file of `count` new scenes over the border area (copies of its NAIP scenes with new ids and newer
    dates, west to east); its path and their ids."""
    features = []
    for number, feature in enumerate(border_features()[:count]):
        copied = copy.deepcopy(feature)
        copied["id"] = f"{feature['id']}-{tag}{number}"
        copied["properties"]["datetime"] = "2025-06-%02dT10:00:00Z" % (number + 1)
        features.append(copied)
    path = tmp_path / f"{tag}.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path), [feature["id"] for feature in features]


def new_scenes_import(tmp_path, count: int, *, tag: str = "new") -> list[str]:
    """Import `new_scenes_file` into the self-hosted catalog; the scenes' ids."""
    path, ids = new_scenes_file(tmp_path, count, tag=tag)
    call_command("dataserver_catalog", "import", path, "--provider", "naip", stdout=io.StringIO())
    return ids


def areas_file(*areas: tuple[str, object], name: str = "areas.geojson"):
    """A GeoJSON FeatureCollection of named areas, as an upload."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": area_name}, "geometry": mapping(geometry)}
            for area_name, geometry in areas
        ],
    }
    return SimpleUploadedFile(name, json.dumps(collection).encode(), content_type="application/geo+json")


def saved_search_post(client, *, name="Border", areas=(("West", WEST), ("East", EAST)), **fields):
    from django.urls import reverse

    data = {"name": name, "areas_file": areas_file(*areas), "name_property": "name", "follow": "1", **fields}
    return client.post(reverse("searches:create"), data)


def due_now(search: SavedSearch) -> None:
    SavedSearch.objects.filter(pk=search.pk).update(next_run_at=timezone.now() - timedelta(seconds=1))


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.1)
    raise AssertionError(f"still not done after {seconds} s")
