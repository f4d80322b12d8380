"""Import of STAC items as catalog scenes.

A source is a STAC ItemCollection or Item file, a static STAC catalog or collection (file or URL), or the root of a
STAC API, which is searched. Each item becomes the scene whose id is the item's id: importing it again under the same
provider updates it; an item whose id is already a scene of another provider is skipped (ids are unique across
providers, since they are the scenes' ids in the API).
"""

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pystac
from django.db import connection, transaction
from pystac_client import Client
from pystac_client.stac_api_io import StacApiIO

from common.aoi import InvalidGeometry, geometry_from_geojson
from dataserver.models import Scene

TIMEOUT = (10, 60)
BATCH = 1000
BAND_LETTERS = {"red": "R", "green": "G", "blue": "B", "nir": "N"}
PREVIEW_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg"}
MAX_ID_LENGTH = Scene._meta.get_field("scene_id").max_length
UPDATED_FIELDS = [
    f.name for f in Scene._meta.concrete_fields if f.name not in ("id", "provider_name", "scene_id")
]


@dataclass(frozen=True)
class SearchParams:
    """What a STAC API search asks for; ignored for files and static catalogs (but max_items)."""

    collections: list[str] | None = None
    bbox: list[float] | None = None
    datetime: str | None = None
    max_items: int | None = None


@dataclass
class ImportResult:
    imported: int = 0
    skipped: list[str] = field(default_factory=list)


def _is_url(source: str) -> bool:
    return urlparse(source).scheme in ("http", "https")


def _document(source: str, io: StacApiIO) -> dict:
    if _is_url(source):
        return io.read_json(source)
    path = Path(source.removeprefix("file://"))
    if not path.is_file():
        raise FileNotFoundError(f"No STAC file at {path}")
    return json.loads(path.read_text())


def _item(document: dict) -> pystac.Item:
    # Items of STAC 1.x need no migration, and copying each one to migrate it costs a third of an import.
    migrate = not str(document.get("stac_version", "")).startswith("1.")
    return pystac.Item.from_dict(document, preserve_dict=False, migrate=migrate)


def stac_items(source: str, params: SearchParams = SearchParams()) -> Iterator[pystac.Item]:
    io = StacApiIO(timeout=TIMEOUT, max_retries=2)
    document = _document(source, io)
    kind = document.get("type")
    if kind == "FeatureCollection":
        items: Iterable[pystac.Item] = (_item(feature) for feature in document.get("features", []))
    elif kind == "Feature":
        items = [_item(document)]
    elif kind in ("Catalog", "Collection"):
        if _is_url(source) and any(link.get("rel") == "search" for link in document.get("links", [])):
            search = Client.open(source, timeout=TIMEOUT).search(
                collections=params.collections, bbox=params.bbox, datetime=params.datetime, max_items=params.max_items
            )
            items = search.items()
        else:
            catalog = pystac.read_file(source, stac_io=io if _is_url(source) else None)
            items = catalog.get_items(recursive=True)
    else:
        raise ValueError(f"{source} is not a STAC ItemCollection, Item, Catalog or Collection (type {kind!r})")
    return itertools.islice(items, params.max_items)


def _resolution(item: pystac.Item) -> float | None:
    if item.properties.get("gsd") is not None:
        return float(item.properties["gsd"])
    sizes = [asset.extra_fields.get("gsd") for asset in item.assets.values() if "data" in (asset.roles or [])]
    sizes = [size for size in sizes if size is not None]
    return float(min(sizes)) if sizes else None


def _band_order(item: pystac.Item) -> str | None:
    assets = [item.assets["visual"]] if "visual" in item.assets else item.assets.values()
    for asset in assets:
        names = [band.get("common_name") for band in asset.extra_fields.get("eo:bands", [])]
        if len(names) >= 3 and all(name in BAND_LETTERS for name in names):
            return "".join(BAND_LETTERS[name] for name in names)
    return None


def _preview(item: pystac.Item) -> tuple[str | None, str | None]:
    """(previewType, previewUrl): a tile template if the item offers one, else its rendered preview or thumbnail."""
    templates = [link.href for link in item.links if link.rel in ("xyz", "tiles") and "{z}" in link.href]
    templates += [a.href for a in item.assets.values() if "tiles" in (a.roles or []) and "{z}" in a.href]
    if templates:
        return "xyz", templates[0]
    for key in ("rendered_preview", "thumbnail", "overview"):
        asset = item.assets.get(key)
        if asset is not None and (asset.media_type or "").split(";")[0] in PREVIEW_TYPES:
            return PREVIEW_TYPES[asset.media_type.split(";")[0]], asset.href
    return None, None


def _text(value) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(part) for part in value)
    return str(value) if value else None


def scene_from_item(item: pystac.Item, *, provider: str) -> Scene:
    """The scene an item describes; InvalidGeometry if its geometry is not a usable footprint."""
    geometry = geometry_from_geojson(item.geometry, name=f"item {item.id}'s geometry")
    props = item.properties
    preview_type, preview_url = _preview(item)
    cloud_cover, off_nadir = props.get("eo:cloud_cover"), props.get("view:off_nadir")
    return Scene.with_footprint(
        geometry.geoms[0] if len(geometry.geoms) == 1 else geometry,
        provider_name=provider,
        scene_id=item.id,
        acquired_at=item.datetime or item.common_metadata.start_datetime,
        cloud_cover=None if cloud_cover is None else float(cloud_cover),
        off_nadir=None if off_nadir is None else float(off_nadir),
        resolution=_resolution(item),
        sensor=_text(props.get("instruments")) or _text(props.get("constellation")),
        sat_id=_text(props.get("platform")) or _text(props.get("constellation")),
        color_band_order=_band_order(item),
        preview_type=preview_type,
        preview_url=preview_url,
    )


def _save(scenes: dict[str, Scene], *, provider: str, result: ImportResult) -> None:
    """Create or update the batch, but for the scenes whose id another provider has."""
    taken = Scene.objects.filter(scene_id__in=list(scenes)).exclude(provider_name=provider)
    for scene_id, owner in taken.values_list("scene_id", "provider_name"):
        del scenes[scene_id]
        result.skipped.append(f"item {scene_id}: its id is a scene of the provider {owner} already")
    if connection.vendor == "postgresql":
        _copy(list(scenes.values()))
    else:
        Scene.objects.bulk_create(
            scenes.values(),
            update_conflicts=True,
            unique_fields=["scene_id"],
            update_fields=UPDATED_FIELDS,
        )
    result.imported += len(scenes)


def _copy(scenes: list[Scene]) -> None:
    """PostgreSQL: the upsert of bulk_create, with the rows sent by COPY into a scratch table (a third of the time
    of an import went into building bulk_create's statement)."""
    fields = Scene._meta.concrete_fields
    columns = ", ".join(field.column for field in fields)
    updates = ", ".join(f"{Scene._meta.get_field(name).column} = EXCLUDED.{Scene._meta.get_field(name).column}"
                        for name in UPDATED_FIELDS)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS scene_import (LIKE dataserver_scene INCLUDING DEFAULTS)"
            " ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY scene_import ({columns}) FROM STDIN") as copy:
            for scene in scenes:
                copy.write_row([field.get_db_prep_save(getattr(scene, field.attname), connection) for field in fields])
        cursor.execute(
            f"INSERT INTO dataserver_scene ({columns}) SELECT {columns} FROM scene_import"
            f" ON CONFLICT (scene_id) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE scene_import")


def scenes_import(*, items: Iterable[pystac.Item], provider: str) -> ImportResult:
    """Create or update the scenes of `items` under `provider`, all or nothing."""
    result = ImportResult()
    batch: dict[str, Scene] = {}
    with transaction.atomic():
        for item in items:
            if not item.id or len(item.id) > MAX_ID_LENGTH:
                result.skipped.append(f"item {item.id[:60]!r}: an id must have 1 to {MAX_ID_LENGTH} characters")
                continue
            try:
                batch[item.id] = scene_from_item(item, provider=provider)
            except InvalidGeometry as exc:
                result.skipped.append(str(exc))
                continue
            if len(batch) >= BATCH:
                _save(batch, provider=provider, result=result)
                batch = {}
        if batch:
            _save(batch, provider=provider, result=result)
    return result


def scenes_delete(*, provider: str) -> int:
    deleted, _ = Scene.objects.filter(provider_name=provider).delete()
    return deleted
