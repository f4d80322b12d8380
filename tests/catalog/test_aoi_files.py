import io
import json
import re
import zipfile

import pytest
import shapefile
from pyproj import CRS, Transformer
from shapely.geometry import Polygon, box, mapping, shape

from catalog.aoi_files import AOIFileError, aoi_from_file

SQUARE = box(37.5, 55.7, 37.6, 55.8)
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Field</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
37.5,55.7,0 37.6,55.7,0 37.6,55.8,0 37.5,55.8,0 37.5,55.7,0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def shapefile_zip(polygon: Polygon, prj: str | None = None) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as writer:
        writer.field("name", "C")
        writer.poly([list(polygon.exterior.coords)[::-1]])  # shapefile outer rings run clockwise
        writer.record("field")
    files = {"area.shp": shp.getvalue(), "area.shx": shx.getvalue(), "area.dbf": dbf.getvalue()}
    if prj:
        files["area.prj"] = prj.encode()
    return zipped(files)


def area_of(geometry: dict) -> Polygon:
    return shape(geometry)


@pytest.mark.parametrize(
    "name, content",
    [
        ("area.geojson", json.dumps(mapping(SQUARE))),
        ("area.geojson", json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(SQUARE)})),
        (
            "area.json",
            json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": mapping(SQUARE)}]}),
        ),
        ("area.kml", KML),
        ("area.wkt", SQUARE.wkt),
    ],
)
def test_it_reads_the_area_from_each_text_format(name, content):
    assert area_of(aoi_from_file(name, content.encode())).equals(SQUARE)


def test_it_reads_the_kml_inside_a_kmz():
    assert area_of(aoi_from_file("area.kmz", zipped({"doc.kml": KML.encode()}))).equals(SQUARE)


def test_it_reads_a_zipped_shapefile_in_lon_lat():
    assert area_of(aoi_from_file("area.zip", shapefile_zip(SQUARE))).equals(SQUARE)


def test_it_reprojects_a_zipped_shapefile_with_a_projected_prj():
    utm = CRS.from_epsg(32637)
    to_utm = Transformer.from_crs("EPSG:4326", utm, always_xy=True)
    projected = Polygon([to_utm.transform(x, y) for x, y in SQUARE.exterior.coords])
    area = area_of(aoi_from_file("area.zip", shapefile_zip(projected, utm.to_wkt("WKT1_ESRI"))))
    assert area.symmetric_difference(SQUARE).area < SQUARE.area * 1e-6


def test_it_joins_several_polygons_into_a_multipolygon():
    other = box(38.0, 55.7, 38.1, 55.8)
    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": mapping(part)} for part in (SQUARE, other)],
    }
    geometry = aoi_from_file("two.geojson", json.dumps(collection).encode())
    assert geometry["type"] == "MultiPolygon"
    assert area_of(geometry).area == pytest.approx(SQUARE.area + other.area)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.geojson", b"", "empty.geojson is empty"),
        ("broken.geojson", b'{"type": "Polygon", "coordinates": [[[', "not valid GeoJSON"),
        ("point.geojson", json.dumps({"type": "Point", "coordinates": [37.5, 55.7]}).encode(), "holds no polygon (found: Point)"),
        ("bowtie.wkt", b"POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "is not valid: Self-intersection"),
        ("broken.kml", b"<kml><Document>", "not valid KML"),
        ("broken.kmz", b"PK not really a zip", "not a valid zip archive"),
        ("partial.zip", zipped({"area.shp": b"x"}), "lacks the .shx, .dbf part"),
        ("area.png", b"\x89PNG", "use GeoJSON, KML, KMZ, WKT or a zipped Shapefile"),
        ("metres.wkt", b"POLYGON ((500000 6000000, 500100 6000000, 500100 6000100, 500000 6000000))", "not longitude/latitude"),
        ("garbage.wkt", b"POLYGON ((banana))", "not valid WKT"),
    ],
)
def test_it_refuses_a_file_that_gives_no_area_and_says_why(name, content, message):
    with pytest.raises(AOIFileError, match=re.escape(message)):
        aoi_from_file(name, content)
