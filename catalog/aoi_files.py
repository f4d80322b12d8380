"""Areas of interest from the files people have: GeoJSON, KML/KMZ, WKT, or a zipped Shapefile.

Every file becomes one GeoJSON Polygon or MultiPolygon in lon/lat, or an AOIFileError whose message says what is
wrong with the file in words a user can act on.

Anyone signed in may send a file, so reading one is bounded while it happens, not after (the limits are the
CATALOG_AOI_FILE_* settings): archive members are unpacked a piece at a time and counted, an archive inside the
archive is never opened, and a Shapefile's attribute table is read only to name areas; GeoJSON and WKT are scanned for
their nesting depth and size before a parser builds anything; KML is parsed as a stream that keeps only coordinates;
vertices are counted as they are read.
"""

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath

import numpy as np
import shapefile
import shapely
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, XMLParser
from django.conf import settings
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely import force_2d, wkt
from shapely.errors import ShapelyError
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import unary_union
from shapely.validation import explain_validity

from common.sizes import format_size

KML_NS = "{http://www.opengis.net/kml/2.2}"
FORMATS = "GeoJSON, KML, KMZ, WKT or a zipped Shapefile"
# Levels of JSON arrays and objects, XML elements or WKT parentheses. Real areas need fewer than 20; Python's JSON
# reader fails at about 1000 and GEOS's WKT reader overflows its stack at about 100 000.
MAX_NESTING = 64
PIECE = 64 * 1024  # bytes unpacked, scanned or parsed at a time
MAX_TOKEN = 200  # characters of one KML coordinate tuple
MAX_VALUE = 1000  # characters of a KML placemark's name or data field that are kept
# Bytes of XML the parser may take in without an event: expat holds a tag, an attribute or a comment whole until
# it ends, so one without end would fill memory with whatever the archive unpacks to.
MAX_XML_SILENCE = 10**6
ARCHIVES = (".zip", ".kmz", ".gz", ".tgz", ".tar", ".7z", ".rar")


class AOIFileError(ValueError):
    """A file that gives no usable area; the message is for the user."""


def size_check(name: str, size: int) -> None:
    """Refuse a file over CATALOG_AOI_FILE_MAX_SIZE by its size alone."""
    limit = settings.CATALOG_AOI_FILE_MAX_SIZE
    if size > limit:
        raise AOIFileError(f"{name} is larger than {format_size(limit)}; an area file is much smaller.")


class _Limits:
    """What one file has unpacked and how many vertices it has shown so far; refuses the file once over a limit."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.unpacked = 0
        self.vertices = 0

    def unpack_check(self, more: int) -> None:
        limit = settings.CATALOG_AOI_FILE_MAX_UNPACKED_SIZE
        if self.unpacked + more > limit:
            raise AOIFileError(f"{self.name} unpacks to more than {format_size(limit)}; an area file is much smaller.")

    def unpack(self, size: int) -> None:
        self.unpack_check(size)
        self.unpacked += size

    def vertices_check(self, more: int) -> None:
        limit = settings.CATALOG_AOI_FILE_MAX_VERTICES
        if self.vertices + more > limit:
            raise AOIFileError(
                f"{self.name} has more than {limit:,} vertices, the most an area file may have; simplify it."
            )

    def count_vertices(self, count: int) -> None:
        self.vertices_check(count)
        self.vertices += count

    def nesting_check(self, depth: int) -> None:
        if depth > MAX_NESTING:
            raise AOIFileError(f"{self.name} is nested more than {MAX_NESTING} levels deep; an area file is not.")


def aoi_from_file(name: str, data: bytes, *, suffix: str | None = None) -> dict:
    """The file's polygons as one GeoJSON geometry in lon/lat (`suffix`: its format, when its name does not say)."""
    size_check(name, len(data))
    if not data.strip():
        raise AOIFileError(f"{name} is empty.")
    suffix = suffix or PurePosixPath(name.lower()).suffix
    if suffix not in _READERS:
        raise AOIFileError(f"{name} is not an area file we can read: use {FORMATS}.")
    return _polygonal(_READERS[suffix](data, _Limits(name)), name)


@dataclass(frozen=True)
class NamedArea:
    name: str
    geometry: dict  # a GeoJSON Polygon or MultiPolygon in lon/lat


def named_areas_from_file(name: str, data: bytes, *, name_property: str = "") -> list[NamedArea]:
    """The file's areas one by one (a GeoJSON feature, a Shapefile record, a KML placemark's polygon each), under
    the same limits as `aoi_from_file`. Each is named by its `name_property` (a GeoJSON property, a Shapefile
    attribute, a KML placemark's <name> or data field), which every area must have; without one, by the file's name
    and the area's number."""
    size_check(name, len(data))
    if not data.strip():
        raise AOIFileError(f"{name} is empty.")
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in _READERS:
        raise AOIFileError(f"{name} is not an area file we can read: use {FORMATS}.")
    limits = _Limits(name)
    if not name_property:  # nothing to read but the shapes (a Shapefile's attribute table stays unread)
        features = [({}, geometry) for geometry in _READERS[suffix](data, limits)]
    elif suffix in _FEATURE_READERS:
        features = _FEATURE_READERS[suffix](data, limits)
    else:
        raise AOIFileError(f"{name} has no properties to name its areas by; leave the property empty.")
    features = [(properties, geometry) for properties, geometry in features if shapely.get_dimensions(geometry) == 2]
    if not features:
        raise AOIFileError(f"{name} holds no polygon; an area must be a polygon.")
    if name_property:
        _name_property_check(features, name_property, name)
    stem = PurePosixPath(name).stem
    return [
        NamedArea(
            name=str(properties[name_property]).strip()[:100] if name_property else f"{stem} {number}",
            geometry=_polygonal([geometry], f"Area {number} of {name}"),
        )
        for number, (properties, geometry) in enumerate(features, 1)
    ]


def _name_property_check(features: list, name_property: str, name: str) -> None:
    """Every area has a value of `name_property`; else the error names the first without and what there is."""
    unnamed = [
        number
        for number, (properties, _) in enumerate(features, 1)
        if str(properties.get(name_property, "")).strip() == ""
    ]
    if unnamed:
        found = sorted({key for properties, _ in features for key in properties})[:20]
        raise AOIFileError(
            f"Area {unnamed[0]} of {name} has no \"{name_property}\" property to name it by; "
            f"the areas have: {', '.join(found) or 'no properties'}."
        )


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


def _count_parsed_vertices(geometries: list, limits: _Limits) -> list:
    limits.count_vertices(int(shapely.get_num_coordinates(geometries).sum()) if geometries else 0)
    return geometries


# --- GeoJSON and WKT: scanned before they are parsed ---

_BRACKETS = {b"[": b"[]{}", b"(": b"()"}
_JSON_STRING = re.compile(rb'"[^"]*"')
_NUMBER_STARTS = b"-0123456789"


def _nesting_scan(text: bytes, limits: _Limits, *, opening: bytes) -> None:
    """Refuse the text when its brackets nest deeper than MAX_NESTING (before a recursive parser meets them)."""
    pair = _BRACKETS[opening]
    brackets = np.frombuffer(text.translate(None, bytes(set(range(256)) - set(pair))), np.uint8)
    depth = 0
    for start in range(0, len(brackets), PIECE):
        steps = np.where(np.isin(brackets[start : start + PIECE], list(pair[::2])), 1, -1)
        running = np.cumsum(steps) + depth
        limits.nesting_check(int(running.max()))
        depth = int(running[-1])


def _json_scan(data: bytes, limits: _Limits) -> None:
    """Refuse JSON that nests too deep, or holds more vertices or values than can be parsed within the limits.

    Strings are taken out first (escaped backslashes, then escaped quotes, then what lies between quotes), so that
    what remains is JSON's structure. Once parsed, a value costs 50 to 100 bytes, against a few in the file: so they
    are counted first, from the commas, colons and brackets.
    """
    structure = _JSON_STRING.sub(b'""', data.replace(b"\\\\", b"").replace(b'\\"', b""))
    structure = structure.translate(None, b" \t\r\n")
    _nesting_scan(structure, limits, opening=b"[")
    positions = sum(structure.count(b"[" + bytes([digit])) for digit in _NUMBER_STARTS)
    limits.vertices_check(positions // 2)  # arrays that start with a number: positions, and a few bounding boxes
    values = sum(structure.count(mark) for mark in (b",", b":", b"[", b"{"))
    most = 8 * settings.CATALOG_AOI_FILE_MAX_VERTICES
    if values > most:
        raise AOIFileError(f"{limits.name} holds more than {most:,} JSON values; an area file needs far fewer.")


def _geojson(data: bytes, limits: _Limits) -> list:
    return [geometry for _, geometry in _geojson_features(data, limits)]


def _geojson_features(data: bytes, limits: _Limits) -> list[tuple[dict, object]]:
    """(properties, geometry) of each feature that has a geometry."""
    _json_scan(data, limits)
    name = limits.name
    try:
        document = json.loads(data)
    except ValueError as exc:  # not JSON, not UTF-8, or a number of more digits than Python converts
        raise AOIFileError(f"{name} is not valid GeoJSON: {exc}.") from None
    if not isinstance(document, dict) or "type" not in document:
        raise AOIFileError(f"{name} is not GeoJSON: it has no \"type\".")
    if document["type"] == "FeatureCollection":
        features = document.get("features") or []
        if not isinstance(features, list) or not all(isinstance(feature, dict) for feature in features):
            raise AOIFileError(f"{name} is not GeoJSON: its \"features\" are not a list of features.")
        items = [(feature.get("properties"), feature.get("geometry")) for feature in features]
    elif document["type"] == "Feature":
        items = [(document.get("properties"), document.get("geometry"))]
    else:
        items = [({}, document)]
    features = []
    for properties, item in items:
        if not item:
            continue
        try:
            features.append((properties if isinstance(properties, dict) else {}, shape(item)))
        except (ShapelyError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            raise AOIFileError(f"{name} holds a geometry that cannot be read: {exc or type(exc).__name__}.") from None
    _count_parsed_vertices([geometry for _, geometry in features], limits)
    return features


def _wkt(data: bytes, limits: _Limits) -> list:
    _nesting_scan(data, limits, opening=b"(")
    # Commas separate a geometry's coordinates and its parts: never more than twice its vertices.
    limits.vertices_check(data.count(b",") // 2)
    try:
        geometries = [wkt.loads(data.decode("utf-8").strip())]
    except (UnicodeDecodeError, ShapelyError) as exc:
        raise AOIFileError(f"{limits.name} is not valid WKT: {exc}.") from None
    return _count_parsed_vertices(geometries, limits)


# --- KML: a stream of XML that keeps only coordinates ---

_KML_PARTS = {"Polygon", "outerBoundaryIs", "innerBoundaryIs", "LineString", "Point"}


class _KMLShapes:
    """The target of the XML parser: keeps the coordinates of each Polygon boundary, LineString and Point (the first
    <coordinates> inside each) as they are read, and of their placemark its <name> and data fields (ExtendedData's
    Data values and SimpleData, up to MAX_VALUE characters each), and nothing else; counts depth and vertices on the
    way. `properties[i]` are those of the placemark of `geometries[i]`."""

    def __init__(self, limits: _Limits) -> None:
        self.limits = limits
        self.depth = 0
        self.open: list[dict] = []  # the Polygon, boundary, LineString and Point elements being read
        self.points: list[tuple[float, float]] | None = None  # of the <coordinates> being read
        self.pending = ""  # the start of a coordinate tuple cut by the end of a piece
        self.geometries: list = []
        self.properties: list[dict] = []
        self.placemark: dict | None = None  # the properties of the placemark being read
        self.placemark_depth = 0
        self.field: str | None = None  # the name of a <Data> being read
        self.value: tuple[str, list[str]] | None = None  # the property whose text is being read, and its text
        self.fed = self.heard = 0  # bytes given to the parser; as many as had been when it last reported something

    @staticmethod
    def _local(tag: str) -> str | None:
        return tag[len(KML_NS) :] if tag.startswith(KML_NS) else None

    def start(self, tag: str, attrib: dict) -> None:
        self.heard = self.fed
        self.depth += 1
        self.limits.nesting_check(self.depth)
        local = self._local(tag)
        if local in _KML_PARTS:
            self.open.append({"tag": local, "points": None, "inner": []})
        elif local == "coordinates" and self.points is None:
            self.points = []
        elif local == "Placemark":
            self.placemark, self.placemark_depth = {}, self.depth
        elif self.placemark is not None:
            self._property_start(local, attrib)

    def _property_start(self, local: str | None, attrib: dict) -> None:
        if local == "name" and self.depth == self.placemark_depth + 1:
            self.value = ("name", [])
        elif local == "Data":
            self.field = attrib.get("name")
        elif local == "value" and self.field:
            self.value = (self.field, [])
        elif local == "SimpleData" and attrib.get("name"):
            self.value = (attrib["name"], [])

    def data(self, text: str) -> None:
        self.heard = self.fed
        if self.points is not None:
            self._read(self.pending + text, last=False)
        elif self.value is not None and sum(map(len, self.value[1])) < MAX_VALUE:
            self.value[1].append(text[:MAX_VALUE])

    def _read(self, text: str, *, last: bool) -> None:
        tokens = text.split()
        self.pending = ""
        if tokens and not last and not text[-1].isspace():
            self.pending = tokens.pop()
            if len(self.pending) > MAX_TOKEN:
                raise ValueError(f"a coordinate longer than {MAX_TOKEN} characters")
        self.limits.count_vertices(len(tokens))
        for token in tokens:
            parts = token.split(",")
            self.points.append((float(parts[0]), float(parts[1])))

    def end(self, tag: str) -> None:
        self.heard = self.fed
        self.depth -= 1
        local = self._local(tag)
        if local == "coordinates" and self.points is not None:
            self._read(self.pending, last=True)
            part = self.open[-1] if self.open else None
            if part and part["tag"] != "Polygon" and part["points"] is None:  # a Polygon's come from its boundaries
                part["points"] = self.points
            self.points = None
        elif local in _KML_PARTS:
            self._close(self.open.pop())
        elif local == "Placemark":
            self.placemark = None
        elif local in ("name", "value", "SimpleData") and self.value is not None:
            key, text = self.value
            self.placemark[key[:MAX_VALUE]] = "".join(text)[:MAX_VALUE].strip()
            self.value = None
        elif local == "Data":
            self.field = None

    def _close(self, part: dict) -> None:
        tag, points = part["tag"], part["points"]
        polygon = self.open[-1] if self.open and self.open[-1]["tag"] == "Polygon" else None
        if tag == "outerBoundaryIs" and polygon and points is not None and polygon["points"] is None:
            polygon["points"] = points
        elif tag == "innerBoundaryIs" and polygon and points is not None:
            polygon["inner"].append(points)
        elif tag == "Polygon" and points is not None:
            self._add(Polygon(points, part["inner"]))
        elif tag == "LineString" and points is not None:
            self._add(LineString(points))
        elif tag == "Point" and points is not None:
            self._add(Point(points[0]))

    def _add(self, geometry) -> None:
        self.geometries.append(geometry)
        # The placemark's own dict: fields that come after its geometry still reach it.
        self.properties.append(self.placemark if self.placemark is not None else {})

    def close(self) -> None:
        return None


def _kml_read(pieces: Iterable[bytes], limits: _Limits) -> list[tuple[dict, object]]:
    shapes = _KMLShapes(limits)
    parser = XMLParser(target=shapes)
    try:
        for piece in pieces:
            shapes.fed += len(piece)
            parser.feed(piece)
            if shapes.fed - shapes.heard > MAX_XML_SILENCE:
                raise AOIFileError(
                    f"{limits.name} holds a tag, an attribute or a comment longer than {format_size(MAX_XML_SILENCE)}; "
                    "an area file does not."
                )
        parser.close()
    except AOIFileError:
        raise
    except DefusedXmlException:
        raise AOIFileError(
            f"{limits.name} uses XML entities or external references, which an area file may not."
        ) from None
    except ParseError as exc:
        raise AOIFileError(f"{limits.name} is not valid KML: {exc}.") from None
    except (ValueError, IndexError, ShapelyError) as exc:
        raise AOIFileError(f"{limits.name} has coordinates that cannot be read: {exc}.") from None
    return list(zip(shapes.properties, shapes.geometries))


def _kml_features(data: bytes, limits: _Limits) -> list[tuple[dict, object]]:
    return _kml_read((data[start : start + PIECE] for start in range(0, len(data), PIECE)), limits)


def _kml(data: bytes, limits: _Limits) -> list:
    return [geometry for _, geometry in _kml_features(data, limits)]


# --- Archives: KMZ and zipped Shapefiles ---


def _archive(data: bytes, limits: _Limits) -> zipfile.ZipFile:
    limit = settings.CATALOG_AOI_FILE_MAX_MEMBERS
    # Each member has an entry in the central directory that starts with this signature. Counting them bounds what
    # ZipFile builds (some 500 bytes a member) before it builds anything.
    if data.count(b"PK\x01\x02") > limit:
        raise AOIFileError(f"{limits.name} holds more than {limit} files; an area archive holds a few.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise AOIFileError(f"{limits.name} is not a valid zip archive.") from None


def _nested_archive_check(archive: zipfile.ZipFile, limits: _Limits) -> None:
    """When an archive lacks what it should hold, say so if it holds another archive instead."""
    for info in archive.infolist():
        if info.filename.lower().endswith(ARCHIVES):
            raise AOIFileError(
                f"{limits.name} holds another archive, {info.filename}; archives inside an archive are not opened: "
                "send the area file itself."
            )


def _member_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: _Limits) -> Iterator[bytes]:
    """The member's bytes as they unpack, a piece at a time, counted: its declared size first, then what comes."""
    limits.unpack_check(info.file_size)
    try:
        with archive.open(info) as stream:
            while piece := stream.read(PIECE):
                limits.unpack(len(piece))
                yield piece
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise AOIFileError(f"{limits.name} holds {info.filename}, which cannot be unpacked: {exc}.") from None


def _kmz(data: bytes, limits: _Limits) -> list:
    return [geometry for _, geometry in _kmz_features(data, limits)]


def _kmz_features(data: bytes, limits: _Limits) -> list[tuple[dict, object]]:
    archive = _archive(data, limits)
    documents = [info for info in archive.infolist() if info.filename.lower().endswith(".kml")]
    if not documents:
        _nested_archive_check(archive, limits)
        raise AOIFileError(f"{limits.name} holds no .kml document.")
    return _kml_read(_member_pieces(archive, documents[0], limits), limits)


SHP_HEADER_SIZE = 100
POLY_SHAPES = {3, 5, 13, 15, 23, 25, 31}  # PolyLine, Polygon, their Z and M kinds, MultiPatch: numPoints at 40
MULTIPOINT_SHAPES = {8, 18, 28}  # numPoints at 36


def _shp_count(shp: bytearray, position: int, limits: _Limits) -> int:
    """Count the vertices of the records whose heads have arrived, from the one at `position`; where the next starts.

    Every record counts one vertex at least, so that a file of empty records is bounded too."""
    while position + 8 <= len(shp):
        (words,) = struct.unpack_from(">i", shp, position + 4)
        content, length = position + 8, 2 * words
        if length < 0:
            raise AOIFileError(f"{limits.name} holds a Shapefile that cannot be read: a record of negative length.")
        if content + min(length, 44) > len(shp):
            break
        shape_type = struct.unpack_from("<i", shp, content)[0] if length >= 4 else 0
        vertices = 1
        if shape_type in POLY_SHAPES and length >= 44:
            vertices = struct.unpack_from("<i", shp, content + 40)[0]
        elif shape_type in MULTIPOINT_SHAPES and length >= 40:
            vertices = struct.unpack_from("<i", shp, content + 36)[0]
        limits.count_vertices(max(1, vertices))
        position = content + length
    return position


def _shp_read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: _Limits) -> bytes:
    """The .shp member, its vertices counted as each record's head unpacks (before a reader builds a point)."""
    shp, position = bytearray(), SHP_HEADER_SIZE
    for piece in _member_pieces(archive, info, limits):
        shp += piece
        position = _shp_count(shp, position, limits)
    return bytes(shp)


def _shapefile_zip(data: bytes, limits: _Limits) -> list:
    return [geometry for _, geometry in _shapefile_features(data, limits, attributes=False)]


def _shapefile_features(data: bytes, limits: _Limits, *, attributes: bool) -> list[tuple[dict, object]]:
    """(attributes, geometry) of each record with a shape; the attributes are read only when asked for."""
    name = limits.name
    archive = _archive(data, limits)
    members = {PurePosixPath(info.filename).suffix.lower(): info for info in archive.infolist()}
    missing = [suffix for suffix in (".shp", ".shx", ".dbf") if suffix not in members]
    if missing:
        _nested_archive_check(archive, limits)
        raise AOIFileError(f"{name} is not a complete Shapefile: it lacks the {', '.join(missing)} part.")
    # Shapes are read in sequence from the .shp: the index (.shx) is not needed, and the attributes (.dbf), which
    # may be large, only to name areas (unpacked within the same limit).
    shp = _shp_read(archive, members[".shp"], limits)
    dbf = b"".join(_member_pieces(archive, members[".dbf"], limits)) if attributes else b""
    try:
        if attributes:
            reader = shapefile.Reader(shp=io.BytesIO(shp), dbf=io.BytesIO(dbf), encodingErrors="replace")
            features = [
                (item.record.as_dict(), shape(item.shape.__geo_interface__))
                for item in reader.iterShapeRecords()
                if item.shape.shapeType
            ]
        else:
            reader = shapefile.Reader(shp=io.BytesIO(shp))
            features = [({}, shape(item.__geo_interface__)) for item in reader.iterShapes() if item.shapeType]
    except (shapefile.ShapefileException, struct.error, ValueError, IndexError, ShapelyError) as exc:
        raise AOIFileError(f"{name} holds a Shapefile that cannot be read: {exc}.") from None
    properties = [attributes for attributes, _ in features]
    geometries = [geometry for _, geometry in features]
    if ".prj" in members:
        text = b"".join(_member_pieces(archive, members[".prj"], limits)).decode("utf-8", "replace")
        try:
            crs = CRS.from_wkt(text)
        except CRSError:
            raise AOIFileError(f"{name} has a .prj that names no coordinate system we know.") from None
        if not crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            project = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
            geometries = [shapely.transform(geometry, project, interleaved=False) for geometry in geometries]
    return list(zip(properties, geometries))


_READERS = {
    ".geojson": _geojson,
    ".json": _geojson,
    ".kml": _kml,
    ".kmz": _kmz,
    ".wkt": _wkt,
    ".txt": _wkt,
    ".zip": _shapefile_zip,
}
_FEATURE_READERS = {
    ".geojson": _geojson_features,
    ".json": _geojson_features,
    ".kml": _kml_features,
    ".kmz": _kmz_features,
    ".zip": partial(_shapefile_features, attributes=True),
}


BOX = re.compile(r"\s*(-?\d+(?:\.\d*)?)\s*[,; ]\s*(-?\d+(?:\.\d*)?)\s*[,; ]\s*(-?\d+(?:\.\d*)?)\s*[,; ]\s*(-?\d+(?:\.\d*)?)\s*")


def aoi_from_text(text: str) -> dict:
    """An area typed or pasted: a box "west, south, east, north" in degrees, GeoJSON or WKT (read as their files)."""
    name = "The typed area"
    found = BOX.fullmatch(text)
    if found:
        west, south, east, north = map(float, found.groups())
        if not (-90 <= south < north <= 90 and -180 <= west <= 180 and -180 <= east <= 180 and west != east):
            raise AOIFileError(
                f"{name} is not a box: give west, south, east, north in degrees (longitudes -180 to 180, latitudes "
                "-90 to 90, south below north)."
            )
        if east < west:  # across the antimeridian
            east += 360
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        return {"type": "Polygon", "coordinates": [ring]}
    suffix = ".geojson" if text.lstrip().startswith(("{", "[")) else ".wkt"
    return aoi_from_file(name, text.encode(), suffix=suffix)
