"""A saved search's areas from the files people have, one per feature, record or placemark, named by a property."""

import io
import json
import zipfile

import pytest
import shapefile
from shapely.geometry import box, mapping, shape

from catalog.aoi_files import AOIFileError, named_areas_from_file
from tests.catalog.test_aoi_files import zipped

FIELDS = {"North": box(37.5, 55.75, 37.6, 55.8), "South": box(37.5, 55.7, 37.6, 55.75)}


def geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def kml() -> bytes:
    placemarks = "".join(
        f"<Placemark><name>{name}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        + " ".join(f"{x},{y}" for x, y in polygon.exterior.coords)
        + "</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        f'<ExtendedData><Data name="crop"><value>{name.lower()} wheat</value></Data></ExtendedData></Placemark>'
        for name, polygon in FIELDS.items()
    )
    return f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Farm</name>{placemarks}</Document></kml>'.encode()


def shapefile_zip() -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as writer:
        writer.field("plot", "C")
        writer.field("owner", "C")
        for name, polygon in FIELDS.items():
            writer.poly([list(polygon.exterior.coords)[::-1]])
            writer.record(name, "Ivan")
    return zipped({"plots.shp": shp.getvalue(), "plots.shx": shx.getvalue(), "plots.dbf": dbf.getvalue()})


def names_and_areas(areas) -> list[tuple[str, float]]:
    return [(area.name, round(shape(area.geometry).area, 6)) for area in areas]


EXPECTED = [("North", 0.005), ("South", 0.005)]


def test_geojson_features_are_named_by_the_property_chosen_and_points_are_left_out():
    features = [
        {"type": "Feature", "properties": {"title": name}, "geometry": mapping(polygon)}
        for name, polygon in FIELDS.items()
    ] + [{"type": "Feature", "properties": {"title": "Well"}, "geometry": {"type": "Point", "coordinates": [37, 55]}}]
    assert names_and_areas(named_areas_from_file("f.geojson", geojson(features), name_property="title")) == EXPECTED
    numbered = named_areas_from_file("farm.geojson", geojson(features))
    assert [area.name for area in numbered] == ["farm 1", "farm 2"]


def test_kml_placemarks_are_named_by_their_name_or_a_data_field():
    assert names_and_areas(named_areas_from_file("farm.kml", kml(), name_property="name")) == EXPECTED
    by_crop = named_areas_from_file("farm.kmz", zipped({"doc.kml": kml()}), name_property="crop")
    assert [area.name for area in by_crop] == ["north wheat", "south wheat"]


def test_shapefile_records_are_named_by_an_attribute():
    assert names_and_areas(named_areas_from_file("plots.zip", shapefile_zip(), name_property="plot")) == EXPECTED


def test_an_area_without_the_property_is_named_with_the_properties_there_are():
    expected = r'Area 1 of plots.zip has no "name" property .* the areas have: owner, plot\.'
    with pytest.raises(AOIFileError, match=expected):
        named_areas_from_file("plots.zip", shapefile_zip(), name_property="name")


def test_the_attribute_table_is_unpacked_within_the_limit(settings):
    settings.CATALOG_AOI_FILE_MAX_UNPACKED_SIZE = 2000
    with zipfile.ZipFile(io.BytesIO(shapefile_zip())) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    parts["plots.dbf"] += b" " * 5000
    with pytest.raises(AOIFileError, match="unpacks to more than"):
        named_areas_from_file("plots.zip", zipped(parts), name_property="plot")
    assert len(named_areas_from_file("plots.zip", zipped(parts))) == 2  # unnamed: the table is not read
