import json
from datetime import UTC, datetime
from pathlib import Path

import pystac
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from shapely.geometry import box, mapping

from dataserver.models import Scene
from tests.http import QuietHandler, served

STAC = Path(__file__).parents[1] / "fixtures" / "stac"
pytestmark = pytest.mark.django_db


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("dataserver_catalog", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_importing_twice_updates_the_scenes_and_never_duplicates_them(tmp_path):
    run("import", str(STAC / "naip-250.json"), "--provider", "naip")
    assert Scene.objects.filter(provider_name="naip").count() == 250
    collection = json.loads((STAC / "naip-250.json").read_text())
    collection["features"][0]["properties"]["eo:cloud_cover"] = 12.5
    changed = tmp_path / "naip.json"
    changed.write_text(json.dumps(collection))
    assert "Imported 250 scenes of naip" in run("import", str(changed), "--provider", "naip")
    assert Scene.objects.filter(provider_name="naip").count() == 250
    assert Scene.objects.get(scene_id=collection["features"][0]["id"]).cloud_cover == 12.5


def test_it_maps_the_stac_metadata_of_sentinel_2():
    run("import", str(STAC / "sentinel2-l2a-33.json"), "--provider", "sentinel-2-l2a")
    item = json.loads((STAC / "sentinel2-l2a-33.json").read_text())["features"][0]
    scene = Scene.objects.get(scene_id=item["id"])
    assert scene.cloud_cover == pytest.approx(item["properties"]["eo:cloud_cover"])
    assert (scene.sat_id, scene.sensor, scene.resolution, scene.color_band_order) == ("Sentinel-2A", "msi", 10.0, "RGB")
    assert scene.acquired_at == datetime(2019, 1, 1, 0, 0, 1, 24000, tzinfo=UTC)
    assert (scene.preview_type, scene.preview_url) == ("png", item["assets"]["rendered_preview"]["href"])
    assert scene.west == pytest.approx(item["bbox"][0]) and scene.north == pytest.approx(item["bbox"][3])


def _item(item_id: str, bounds, **properties) -> pystac.Item:
    return pystac.Item(
        id=item_id,
        geometry=mapping(box(*bounds)),
        bbox=list(bounds),
        datetime=datetime(2024, 3, 1, tzinfo=UTC),
        properties={"view:off_nadir": 7.5, **properties},
    )


def test_it_imports_a_static_catalog_with_tile_templates(tmp_path):
    catalog = pystac.Catalog(id="drone", description="Drone flights")
    flight = _item("flight-1", (30, 50, 30.01, 50.01), gsd=0.05)
    flight.add_link(pystac.Link(rel="xyz", target="https://tiles.example.com/flight-1/{z}/{x}/{y}.png"))
    catalog.add_items([flight, _item("flight-2", (30.01, 50, 30.02, 50.01))])
    catalog.normalize_and_save(str(tmp_path / "catalog"), catalog_type=pystac.CatalogType.SELF_CONTAINED)
    run("import", str(tmp_path / "catalog" / "catalog.json"), "--provider", "drone")
    scene = Scene.objects.get(scene_id="flight-1")
    assert (scene.preview_type, scene.preview_url) == ("xyz", "https://tiles.example.com/flight-1/{z}/{x}/{y}.png")
    assert (scene.off_nadir, scene.resolution) == (7.5, 0.05)
    assert Scene.objects.filter(provider_name="drone").count() == 2


def test_an_item_crossing_the_antimeridian_is_stored_split(tmp_path):
    item = _item("wide", (179.5, 10, 180.5, 11)).to_dict()
    item["geometry"]["coordinates"] = [[[179.5, 10], [-179.5, 10], [-179.5, 11], [179.5, 11], [179.5, 10]]]
    (tmp_path / "item.json").write_text(json.dumps(item))
    run("import", str(tmp_path / "item.json"), "--provider", "sky")
    scene = Scene.objects.get()
    assert (scene.west, scene.east) == (-180, 180)
    assert json.loads(scene.footprint)["type"] == "MultiPolygon"


def test_items_without_a_usable_footprint_are_skipped_and_named(tmp_path):
    good = _item("good", (1, 1, 2, 2)).to_dict()
    bad = _item("bad", (1, 1, 2, 2)).to_dict()
    bad["geometry"] = {"type": "Point", "coordinates": [1, 1]}
    (tmp_path / "items.json").write_text(json.dumps({"type": "FeatureCollection", "features": [good, bad]}))
    output = run("import", str(tmp_path / "items.json"), "--provider", "sky")
    assert "Imported 1 scenes of sky (1 skipped)" in output and "item bad" in output
    assert list(Scene.objects.values_list("scene_id", flat=True)) == ["good"]


def test_a_scene_id_is_unique_across_providers_so_another_providers_item_of_that_id_is_skipped(tmp_path):
    (tmp_path / "sky.json").write_text(json.dumps(_item("shared", (1, 1, 2, 2), gsd=0.5).to_dict()))
    (tmp_path / "sea.json").write_text(
        json.dumps({"type": "FeatureCollection", "features": [
            _item("shared", (5, 5, 6, 6), gsd=9.0).to_dict(), _item("own", (5, 5, 6, 6)).to_dict(),
        ]})  # fmt: skip
    )
    run("import", str(tmp_path / "sky.json"), "--provider", "sky")
    output = run("import", str(tmp_path / "sea.json"), "--provider", "sea")
    assert "Imported 1 scenes of sea (1 skipped)" in output
    assert "item shared: its id is a scene of the provider sky already" in output
    shared = Scene.objects.get(scene_id="shared")
    assert (shared.provider_name, shared.resolution, shared.west) == ("sky", 0.5, 1)  # untouched
    assert Scene.objects.get(scene_id="own").provider_name == "sea"


def test_an_item_whose_id_is_too_long_for_a_scene_is_skipped_and_named(tmp_path):
    long_id = "x" * 256
    (tmp_path / "items.json").write_text(
        json.dumps({"type": "FeatureCollection", "features": [
            _item(long_id, (1, 1, 2, 2)).to_dict(), _item("fits", (1, 1, 2, 2)).to_dict(),
        ]})  # fmt: skip
    )
    output = run("import", str(tmp_path / "items.json"), "--provider", "sky")
    assert "(1 skipped)" in output and "an id must have 1 to 255 characters" in output
    assert list(Scene.objects.values_list("scene_id", flat=True)) == ["fits"]


def test_a_source_that_is_not_stac_is_refused(tmp_path):
    (tmp_path / "x.json").write_text('{"type": "Topology"}')
    with pytest.raises(CommandError, match="not a STAC ItemCollection"):
        run("import", str(tmp_path / "x.json"), "--provider", "sky")
    with pytest.raises(CommandError, match="No STAC file"):
        run("import", str(tmp_path / "missing.json"), "--provider", "sky")


def test_it_lists_and_deletes_a_providers_scenes():
    run("import", str(STAC / "sentinel2-l2a-33.json"), "--provider", "s2")
    run("import", str(STAC / "naip-250.json"), "--provider", "naip", "--max-items", "10")
    listing = run("list")
    assert "naip\t10 scenes" in listing and "s2\t33 scenes\t2019-01-01 to 2019-01-01" in listing
    assert "Deleted 10 scenes of naip" in run("delete", "--provider", "naip")
    assert set(Scene.objects.values_list("provider_name", flat=True)) == {"s2"}


def test_the_demo_setup_imports_the_shipped_scenes_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    call_command("demo_setup", stdout=open("/dev/null", "w"))
    call_command("demo_setup", stdout=open("/dev/null", "w"))
    assert Scene.objects.filter(provider_name="naip").count() == 250
    assert Scene.objects.filter(provider_name="sentinel-2-l2a").count() == 33


class StacApi(QuietHandler):
    """A STAC API on loopback: its landing page, and a search answering with the first NAIP items asked for."""

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.answer(data)

    def do_GET(self):
        root = f"http://127.0.0.1:{self.server.server_port}"
        self._json({
            "type": "Catalog", "id": "api", "description": "test API", "stac_version": "1.0.0",
            "conformsTo": ["https://api.stacspec.org/v1.0.0/core", "https://api.stacspec.org/v1.0.0/item-search"],
            "links": [
                {"rel": "self", "href": f"{root}/"}, {"rel": "root", "href": f"{root}/"},
                {"rel": "search", "href": f"{root}/search", "method": "POST", "type": "application/geo+json"},
            ],
        })  # fmt: skip

    def do_POST(self):
        asked = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.asked.append(asked)
        features = json.loads((STAC / "naip-250.json").read_text())["features"][: asked.get("limit", 3)]
        self._json({"type": "FeatureCollection", "features": features, "links": []})


@pytest.fixture
def stac_api():
    with served(StacApi) as server:
        server.asked = []
        yield server


def test_it_imports_the_results_of_a_stac_api_search(stac_api):
    url = f"http://127.0.0.1:{stac_api.server_port}/"
    output = run("import", url, "--provider", "naip", "--collections", "naip", "--max-items", "3")
    assert "Imported 3 scenes of naip" in output
    assert stac_api.asked[0]["collections"] == ["naip"]
    assert Scene.objects.filter(provider_name="naip").count() == 3
