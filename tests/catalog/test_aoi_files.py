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
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
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
        ("digits.geojson", b"1" * 5000, "not valid GeoJSON: Exceeds the limit (4300 digits)"),
        ("features.geojson", b'{"type": "FeatureCollection", "features": ["a"]}', "its \"features\" are not a list"),
    ],
)
def test_it_refuses_a_file_that_gives_no_area_and_says_why(name, content, message):
    with pytest.raises(AOIFileError, match=re.escape(message)):
        aoi_from_file(name, content)


# --- Limits: each refusal names the limit, as soon as the file passes it ---


def kml_of(body: str) -> bytes:
    return f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}</Document></kml>'.encode()


def kml_polygon(outer: Polygon, *holes: Polygon) -> str:
    def ring(polygon):
        return "<LinearRing><coordinates>" + " ".join(f"{x!r},{y!r}" for x, y in polygon.exterior.coords) + (
            "</coordinates></LinearRing>"
        )

    inner = "".join(f"<innerBoundaryIs>{ring(hole)}</innerBoundaryIs>" for hole in holes)
    return f"<Placemark><Polygon><outerBoundaryIs>{ring(outer)}</outerBoundaryIs>{inner}</Polygon></Placemark>"


def test_a_kml_polygon_keeps_its_holes_and_long_rings_read_across_pieces():
    hole = box(37.52, 55.72, 37.54, 55.74)
    detailed = Polygon(  # 20 000 vertices: some 600 KB of coordinates, read in pieces of 64 KB
        [(37.5 + i * 5e-6, 55.7) for i in range(20_000)] + [(37.6, 55.7), (37.6, 55.8), (37.5, 55.8)]
    )
    area = area_of(aoi_from_file("area.kml", kml_of(kml_polygon(SQUARE, hole) + kml_polygon(detailed))))
    assert area.equals(SQUARE.difference(hole).union(detailed))


def test_kml_lines_and_points_are_no_area():
    body = (
        "<Placemark><LineString><coordinates>37.5,55.7 37.6,55.8</coordinates></LineString></Placemark>"
        "<Placemark><Point><coordinates>37.5,55.7,120</coordinates></Point></Placemark>"
    )
    with pytest.raises(AOIFileError, match=re.escape("holds no polygon (found: LineString, Point)")):
        aoi_from_file("lines.kml", kml_of(body))


def square_with(vertices: int) -> Polygon:
    """A valid polygon of exactly `vertices` coordinates (the closing one included)."""
    steps = [(37.5 + i * 0.1 / (vertices - 4), 55.7) for i in range(vertices - 4)]
    return Polygon(steps + [(37.6, 55.7), (37.6, 55.8), (37.5, 55.8)])


@pytest.mark.parametrize(
    "name, write",
    [
        ("area.geojson", lambda polygon: json.dumps(mapping(polygon)).encode()),
        ("area.wkt", lambda polygon: polygon.wkt.encode()),
        ("area.kml", lambda polygon: kml_of(kml_polygon(polygon))),
        ("area.kmz", lambda polygon: zipped({"doc.kml": kml_of(kml_polygon(polygon))})),
        ("area.zip", shapefile_zip),
    ],
)
def test_every_format_holds_up_to_the_vertex_limit_and_not_one_more(settings, name, write):
    settings.CATALOG_AOI_FILE_MAX_VERTICES = 1000
    assert area_of(aoi_from_file(name, write(square_with(1000)))).equals(square_with(1000))
    with pytest.raises(AOIFileError, match=re.escape(f"{name} has more than 1,000 vertices")):
        aoi_from_file(name, write(square_with(1001)))


@pytest.mark.parametrize(
    "name, content",
    [
        ("deep.geojson", b'{"type": "Polygon", "coordinates": ' + b"[" * 65 + b"]" * 65 + b"}"),
        ("deep.kml", kml_of("<Folder>" * 63 + "</Folder>" * 63)),
        ("deep.wkt", b"GEOMETRYCOLLECTION (" * 65 + b"POINT (1 2)" + b")" * 65),
    ],
)
def test_nesting_deeper_than_64_levels_is_refused(name, content):
    with pytest.raises(AOIFileError, match=re.escape(f"{name} is nested more than 64 levels deep")):
        aoi_from_file(name, content)


def test_brackets_and_quotes_inside_json_strings_are_not_structure():
    note = '[[[{ a \\" quote and a backslash \\\\' * 30
    feature = {"type": "Feature", "properties": {"note": note}, "geometry": mapping(SQUARE)}
    assert area_of(aoi_from_file("noted.geojson", json.dumps(feature).encode())).equals(SQUARE)


def test_an_archive_that_unpacks_past_the_limit_is_refused(settings):
    settings.CATALOG_AOI_FILE_MAX_UNPACKED_SIZE = 100_000
    padded = KML.replace("<Document>", "<Document>" + " " * 100_000).encode()
    with pytest.raises(AOIFileError, match=re.escape("padded.kmz unpacks to more than 100 kB")):
        aoi_from_file("padded.kmz", zipped({"doc.kml": padded}))


def test_a_member_whose_header_understates_its_size_is_read_no_further_than_declared():
    archive = bytearray(zipped({"doc.kml": KML.replace("<Document>", "<Document>" + " " * 10**7).encode()}))
    entry = archive.rindex(b"PK\x01\x02")
    archive[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # the central directory's uncompressed size
    with pytest.raises(AOIFileError, match=re.escape("liar.kmz holds doc.kml, which cannot be unpacked")):
        aoi_from_file("liar.kmz", bytes(archive))


def test_a_kml_tag_that_does_not_end_within_a_megabyte_is_refused():
    endless = KML.replace("<Document>", '<Document id="' + "x" * 2_000_000 + '">').encode()
    message = "long.kmz holds a tag, an attribute or a comment longer than 1 MB"
    with pytest.raises(AOIFileError, match=re.escape(message)):
        aoi_from_file("long.kmz", zipped({"doc.kml": endless}))


def test_an_archive_of_more_than_100_files_is_refused():
    files = {"doc.kml": KML.encode(), **{f"images/{i}.png": b"" for i in range(100)}}
    with pytest.raises(AOIFileError, match=re.escape("many.kmz holds more than 100 files")):
        aoi_from_file("many.kmz", zipped(files))


@pytest.mark.parametrize("name", ["inner.zip", "inner.kmz"])
def test_an_archive_inside_the_archive_is_not_opened(name):
    inner = shapefile_zip(SQUARE) if name == "inner.zip" else zipped({"doc.kml": KML.encode()})
    outer = "outer.zip" if name == "inner.zip" else "outer.kmz"
    with pytest.raises(AOIFileError, match=re.escape(f"{outer} holds another archive, {name}")):
        aoi_from_file(outer, zipped({name: inner}))


def test_xml_entities_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        b'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol2;</name></Document></kml>'
    )
    with pytest.raises(AOIFileError, match=re.escape("laughs.kml uses XML entities or external references")):
        aoi_from_file("laughs.kml", laughs)


def test_a_shapefile_is_read_without_its_attribute_table_or_index():
    with zipfile.ZipFile(io.BytesIO(shapefile_zip(SQUARE))) as archive:
        shp = archive.read("area.shp")
    garbled = zipped({"area.shp": shp, "area.shx": b"not an index", "area.dbf": b"not a table"})
    assert area_of(aoi_from_file("area.zip", garbled)).equals(SQUARE)


def test_a_prj_that_names_no_coordinate_system_is_explained():
    with pytest.raises(AOIFileError, match=re.escape("area.zip has a .prj that names no coordinate system we know")):
        aoi_from_file("area.zip", shapefile_zip(SQUARE, prj="banana"))
