"""Dropping a file on the map: the page posts it and gets back the area as GeoJSON, or what is wrong with the file."""

import io
import json
import zipfile

import pytest
import shapefile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from shapely.geometry import box, mapping, shape

AOI_FILE = reverse("catalog:aoi-file")
SQUARE = box(10.0, 10.0, 10.2, 10.2)
KML = (
    '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>'
    "10,10 10.2,10 10.2,10.2 10,10.2 10,10</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>"
)


def kmz() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("doc.kml", KML)
    return out.getvalue()


def zipped_shapefile() -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as writer:
        writer.field("name", "C")
        writer.poly([list(SQUARE.exterior.coords)])
        writer.record("square")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for suffix, part in (("shp", shp), ("shx", shx), ("dbf", dbf)):
            archive.writestr(f"area.{suffix}", part.getvalue())
    return out.getvalue()


FEATURE = {"type": "Feature", "properties": {}, "geometry": mapping(SQUARE)}
GOOD = [
    ("area.geojson", json.dumps(mapping(SQUARE)).encode()),
    ("feature.geojson", json.dumps(FEATURE).encode()),
    ("collection.json", json.dumps({"type": "FeatureCollection", "features": [FEATURE]}).encode()),
    ("area.kml", KML.encode()),
    ("area.kmz", kmz()),
    ("area.wkt", SQUARE.wkt.encode()),
    ("area.zip", zipped_shapefile()),
]


def send(client, name: str, data: bytes):
    return client.post(AOI_FILE, {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(("name", "data"), GOOD, ids=[name for name, _ in GOOD])
def test_each_area_file_format_gives_the_area(alice, name, data):
    answer = send(alice, name, data)
    assert answer.status_code == 200, answer.content
    assert shape(answer.json()["geometry"]).equals(SQUARE)


BAD = [
    ("broken.geojson", b'{"type": "Feature", "geometry": {', "broken.geojson is not valid GeoJSON"),
    ("broken.kmz", b"PK\x03\x04 not really a zip", "broken.kmz is not a valid zip archive."),
    ("empty.geojson", b"", "empty.geojson is empty."),
    ("point.geojson", json.dumps({"type": "Point", "coordinates": [10, 10]}).encode(),
     "point.geojson holds no polygon (found: Point); an area must be a polygon."),
    ("bowtie.wkt", b"POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "The polygon in bowtie.wkt is not valid: Self-intersection"),
    ("area.pdf", b"%PDF-1.4", "area.pdf is not an area file we can read"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "message"), BAD, ids=[name for name, _, _ in BAD])
def test_a_file_without_a_usable_area_is_explained(alice, name, data, message):
    answer = send(alice, name, data)
    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_a_post_without_a_file_asks_for_one(alice):
    answer = alice.post(AOI_FILE)
    assert answer.status_code == 400 and answer.json() == {"error": "Choose a file holding the area."}


def test_only_team_members_may_send_files(client, db):
    assert send(client, "area.wkt", SQUARE.wkt.encode()).status_code == 302


def test_a_file_over_the_size_limit_is_refused_and_a_body_far_over_it_is_refused_by_its_length(alice, settings):
    settings.CATALOG_AOI_FILE_MAX_SIZE = 100_000
    slightly = send(alice, "big.geojson", b" " * 150_000)
    assert slightly.json() == {"error": "big.geojson is larger than 100 kB; an area file is much smaller."}
    far = send(alice, "huge.geojson", b" " * 1_000_000)
    assert far.status_code == 400
    assert far.json() == {"error": "The file is larger than 100 kB; an area file is much smaller."}
