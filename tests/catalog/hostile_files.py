"""Area files made to hurt the server: archives that unpack to 1 GiB, files with a million vertices, nesting a
hundred thousand levels deep. Each builder writes one file and returns its path."""

import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import shapefile
from shapely.geometry import Polygon, box

GIB = 1 << 30
MIB = 1 << 20
SQUARE = box(37.5, 55.7, 37.6, 55.8)
KML_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
KML_TAIL = b"</Document></kml>"


def placemark(polygon: Polygon) -> bytes:
    coordinates = " ".join(f"{x!r},{y!r}" for x, y in polygon.exterior.coords)
    return (
        "<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>"
        f"{coordinates}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>"
    ).encode()


def padded(head: bytes, tail: bytes = b"", *, size: int = GIB, filler: bytes = b" ") -> Iterator[bytes]:
    """`head`, `size` bytes of `filler`, `tail`: written a MiB at a time, never held whole."""
    yield head
    piece = filler * (MIB // len(filler))
    for _ in range(size // len(piece)):
        yield piece
    yield tail


def zip_write(path: Path, members: dict[str, bytes | Iterable[bytes]]) -> Path:
    """A zip of the members, each given whole or as pieces (compression level 1: a GiB of spaces packs to ~5 MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in members.items():
            with archive.open(name, "w") as member:
                for piece in [content] if isinstance(content, bytes) else content:
                    member.write(piece)
    return path


def shapefile_parts(polygon: Polygon = SQUARE) -> dict[str, bytes]:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON) as writer:
        writer.field("name", "C")
        writer.poly([list(polygon.exterior.coords)[::-1]])  # shapefile outer rings run clockwise
        writer.record("field")
    return {"area.shp": shp.getvalue(), "area.shx": shx.getvalue(), "area.dbf": dbf.getvalue()}


def kmz_unpacking_to_a_gib(folder: Path) -> Path:
    """A KMZ whose doc.kml holds one good polygon and a GiB of spaces."""
    return zip_write(folder / "bomb.kmz", {"doc.kml": padded(KML_HEAD + placemark(SQUARE), KML_TAIL)})


def kmz_with_a_tag_that_never_ends(folder: Path) -> Path:
    """A KMZ whose doc.kml opens a tag and names it for 40 MiB, within what an archive may unpack to: XML parsers
    hold a tag whole until it ends."""
    return zip_write(folder / "endless.kmz", {"doc.kml": padded(KML_HEAD + b"<", size=40 * MIB, filler=b"A")})


def shapefile_with_a_gib_dbf(folder: Path) -> Path:
    """A zipped Shapefile whose attribute table (.dbf) unpacks to a GiB; its shapes are fine."""
    parts = shapefile_parts()
    parts["area.dbf"] = padded(parts["area.dbf"])
    return zip_write(folder / "big-dbf.zip", parts)


def shapefile_with_a_gib_shp(folder: Path) -> Path:
    """A zipped Shapefile whose .shp has one polygon, then a GiB of zeros."""
    parts = shapefile_parts()
    parts["area.shp"] = padded(parts["area.shp"], filler=b"\x00")
    return zip_write(folder / "big-shp.zip", parts)


def kmz_with_a_million_vertices(folder: Path) -> Path:
    """A valid polygon of 10⁶ vertices (its bottom edge in 10⁶ steps): 16 MB of KML, 2.4 MB zipped."""
    steps = " ".join(f"{37.5 + i * 1e-7:.7f},55.7" for i in range(10**6))
    coordinates = f"{steps} 37.6,55.7 37.6,55.8 37.5,55.8 37.5,55.7"
    kml = (
        KML_HEAD + b"<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>" + coordinates.encode()
        + b"</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>" + KML_TAIL
    )  # fmt: skip
    return zip_write(folder / "million.kmz", {"doc.kml": kml})


def geojson_with_400_000_vertices(folder: Path) -> Path:
    """A valid polygon of 4·10⁵ vertices in 7.2 MB of GeoJSON."""
    steps = ",".join(f"[{37.5 + i * 2.5e-7:.7f},55.7]" for i in range(400_000))
    path = folder / "detailed.geojson"
    path.write_text(f'{{"type":"Polygon","coordinates":[[{steps},[37.6,55.7],[37.6,55.8],[37.5,55.8],[37.5,55.7]]]}}')
    return path


def geojson_nested_a_million_deep(folder: Path) -> Path:
    path = folder / "deep.geojson"
    path.write_bytes(b"[" * 10**6 + b"]" * 10**6)
    return path


def geojson_of_three_million_arrays(folder: Path) -> Path:
    """9 MB of empty arrays: each costs 3 bytes of file and 64 of memory once parsed."""
    path = folder / "arrays.geojson"
    path.write_bytes(b'{"type":"Polygon","coordinates":[' + b"[]," * 3_000_000 + b"[]]}")
    return path


def wkt_nested_100_000_deep(folder: Path) -> Path:
    """2 MB of GEOMETRYCOLLECTION ( ... ): GEOS reads it recursively and overflows its stack."""
    path = folder / "deep.wkt"
    path.write_bytes(b"GEOMETRYCOLLECTION (" * 100_000 + SQUARE.wkt.encode() + b")" * 100_000)
    return path
