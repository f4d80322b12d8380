"""Areas of interest from the files people have: GeoJSON, KML/KMZ, WKT, or a zipped Shapefile.

Every file becomes one GeoJSON Polygon or MultiPolygon in lon/lat, or an AOIFileError whose message says what is
wrong with the file in words a user can act on.
"""

import io
import json
import zipfile
from pathlib import PurePosixPath

import shapefile
from defusedxml import ElementTree
from pyproj import CRS, Transformer
import shapely
from shapely import force_2d, wkt
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.ops import unary_union
from shapely.validation import explain_validity

MAX_FILE_SIZE = 10 * 1024 * 1024
KML_NS = "{http://www.opengis.net/kml/2.2}"
FORMATS = "GeoJSON, KML, KMZ, WKT or a zipped Shapefile"


class AOIFileError(ValueError):
    """A file that gives no usable area; the message is for the user."""


def aoi_from_file(name: str, data: bytes) -> dict:
    """The file's polygons as one GeoJSON geometry in lon/lat."""
    if not data.strip():
        raise AOIFileError(f"{name} is empty.")
    if len(data) > MAX_FILE_SIZE:
        raise AOIFileError(f"{name} is larger than {MAX_FILE_SIZE // 2**20} MB; an area file is much smaller.")
    suffix = PurePosixPath(name.lower()).suffix
    readers = {
        ".geojson": _geojson,
        ".json": _geojson,
        ".kml": _kml,
        ".kmz": _kmz,
        ".wkt": _wkt,
        ".txt": _wkt,
        ".zip": _shapefile_zip,
    }
    if suffix not in readers:
        raise AOIFileError(f"{name} is not an area file we can read: use {FORMATS}.")
    return _polygonal(readers[suffix](data, name), name)


def _polygonal(geometries: list, name: str) -> dict:
    polygons, others = [], set()
    for geometry in geometries:
        geometry = force_2d(geometry)
        if isinstance(geometry, Polygon):
            polygons.append(geometry)
        elif isinstance(geometry, MultiPolygon):
            polygons.extend(geometry.geoms)
        elif geometry.geom_type == "GeometryCollection":
            geometries.extend(geometry.geoms)
        else:
            others.add(geometry.geom_type)
    if not polygons:
        found = ", ".join(sorted(others)) or "nothing"
        raise AOIFileError(f"{name} holds no polygon (found: {found}); an area must be a polygon.")
    for polygon in polygons:
        if not polygon.is_valid:
            raise AOIFileError(f"The polygon in {name} is not valid: {explain_validity(polygon)}.")
        west, south, east, north = polygon.bounds
        if west < -540 or east > 540 or south < -90 or north > 90:
            raise AOIFileError(
                f"The coordinates in {name} are not longitude/latitude (e.g. {polygon.exterior.coords[0]}); "
                "save the file in WGS 84 (EPSG:4326)."
            )
    area = unary_union(polygons) if len(polygons) > 1 else polygons[0]
    return mapping(area)


def _geojson(data: bytes, name: str) -> list:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AOIFileError(f"{name} is not valid GeoJSON: {exc}.") from None
    if not isinstance(document, dict) or "type" not in document:
        raise AOIFileError(f"{name} is not GeoJSON: it has no \"type\".")
    if document["type"] == "FeatureCollection":
        items = [feature.get("geometry") for feature in document.get("features") or []]
    elif document["type"] == "Feature":
        items = [document.get("geometry")]
    else:
        items = [document]
    geometries = []
    for item in items:
        if not item:
            continue
        try:
            geometries.append(shape(item))
        except (ShapelyError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            raise AOIFileError(f"{name} holds a geometry that cannot be read: {exc or type(exc).__name__}.") from None
    return geometries


def _wkt(data: bytes, name: str) -> list:
    try:
        return [wkt.loads(data.decode("utf-8").strip())]
    except (UnicodeDecodeError, ShapelyError) as exc:
        raise AOIFileError(f"{name} is not valid WKT: {exc}.") from None


def _kml_ring(element) -> list[tuple[float, float]]:
    text = element.findtext(f".//{KML_NS}coordinates") or ""
    points = []
    for token in text.split():
        parts = token.split(",")
        points.append((float(parts[0]), float(parts[1])))
    return points


def _kml(data: bytes, name: str) -> list:
    try:
        root = ElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several families of errors for hostile or broken XML
        raise AOIFileError(f"{name} is not valid KML: {exc}.") from None
    geometries = []
    try:
        for polygon in root.iter(f"{KML_NS}Polygon"):
            outer = polygon.find(f"{KML_NS}outerBoundaryIs")
            inners = polygon.findall(f"{KML_NS}innerBoundaryIs")
            if outer is None:
                continue
            geometries.append(Polygon(_kml_ring(outer), [_kml_ring(inner) for inner in inners]))
        for tag in ("Point", "LineString"):
            geometries.extend(
                shape({"type": tag, "coordinates": _kml_ring(node)[0] if tag == "Point" else _kml_ring(node)})
                for node in root.iter(f"{KML_NS}{tag}")
            )
    except (ValueError, IndexError, ShapelyError) as exc:
        raise AOIFileError(f"{name} has coordinates that cannot be read: {exc}.") from None
    return geometries


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AOIFileError(f"{name} is not a valid zip archive.") from None


def _kmz(data: bytes, name: str) -> list:
    archive = _open_zip(data, name)
    kml_names = [member for member in archive.namelist() if member.lower().endswith(".kml")]
    if not kml_names:
        raise AOIFileError(f"{name} holds no .kml document.")
    return _kml(archive.read(kml_names[0]), name)


def _shapefile_zip(data: bytes, name: str) -> list:
    archive = _open_zip(data, name)
    members = {PurePosixPath(member).suffix.lower(): member for member in archive.namelist()}
    missing = [suffix for suffix in (".shp", ".shx", ".dbf") if suffix not in members]
    if missing:
        raise AOIFileError(f"{name} is not a complete Shapefile: it lacks the {', '.join(missing)} part.")
    try:
        reader = shapefile.Reader(
            shp=io.BytesIO(archive.read(members[".shp"])),
            shx=io.BytesIO(archive.read(members[".shx"])),
            dbf=io.BytesIO(archive.read(members[".dbf"])),
        )
        geometries = [shape(item.__geo_interface__) for item in reader.shapes() if item.shapeType]
    except (shapefile.ShapefileException, ValueError, IndexError, ShapelyError) as exc:
        raise AOIFileError(f"{name} holds a Shapefile that cannot be read: {exc}.") from None
    if ".prj" in members:
        crs = CRS.from_wkt(archive.read(members[".prj"]).decode("utf-8", "replace"))
        if not crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            project = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
            geometries = [shapely.transform(geometry, project, interleaved=False) for geometry in geometries]
    return geometries
