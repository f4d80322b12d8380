"""The self-hosted Data API's own records: accounts, mosaics and images.

Files live in the imagery storage (see storage.py); rows say who owns them and what they are.
"""

import hashlib
import secrets
import uuid

import shapely
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


def hash_api_token(api_token: str) -> str:
    # Tokens are 256-bit random strings, so one round of SHA-256 is enough to make a leaked table useless.
    return hashlib.sha256(api_token.encode()).hexdigest()


class Account(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    token_hash = models.CharField(max_length=64)
    memory_limit = models.BigIntegerField(null=True, blank=True, help_text="bytes; empty = unlimited")
    max_upload_file_size = models.BigIntegerField()
    max_pixel_count = models.IntegerField()
    search_area_limit = models.BigIntegerField(help_text="m²")
    area_limit = models.BigIntegerField(help_text="m²")
    read_only = models.BooleanField(default=False, help_text="may read but not change anything")
    originals_downloadable = models.BooleanField(
        default=True, help_text="its images' originals may be downloaded (GET /rasters/image/{id}/download)"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @classmethod
    def with_defaults(cls, *, email: str, memory_limit: int | str | None = None) -> "Account":
        """An account with the limits of the settings; `memory_limit` "unlimited" means no quota."""
        if memory_limit is None:
            memory_limit = settings.DATASERVER_DEFAULT_MEMORY_LIMIT
        return cls(
            email=email,
            memory_limit=None if memory_limit == "unlimited" else memory_limit,
            max_upload_file_size=settings.DATASERVER_MAX_UPLOAD_FILE_SIZE,
            max_pixel_count=settings.DATASERVER_MAX_PIXEL_COUNT,
            search_area_limit=settings.DATASERVER_SEARCH_AREA_LIMIT,
            area_limit=settings.DATASERVER_AREA_LIMIT,
        )

    def new_token(self) -> str:
        """Give the account a new API token; return the Basic token (base64 of email:apiToken)."""
        import base64

        api_token = secrets.token_urlsafe(32)
        self.token_hash = hash_api_token(api_token)
        return base64.b64encode(f"{self.email}:{api_token}".encode()).decode()

    def token_matches(self, api_token: str) -> bool:
        return secrets.compare_digest(self.token_hash, hash_api_token(api_token))


class Mosaic(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mosaics")
    name = models.CharField(max_length=255)
    tags = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    # Union of the images' footprints (WKT MULTIPOLYGON), kept up to date on every image change.
    footprint = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Image(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mosaic = models.ForeignKey(Mosaic, on_delete=models.CASCADE, related_name="images")
    filename = models.CharField(max_length=255)
    file_size = models.BigIntegerField()
    checksum = models.CharField(max_length=40, db_index=True)
    meta_data = models.JSONField()
    footprint = models.TextField()
    # Lon/lat bounds of the footprint, for finding the images under a tile without parsing WKT.
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The URL a linked image was copied from ("" for uploads): linking the same object twice is refused.
    source_url = models.CharField(max_length=2048, blank=True, default="", db_index=True)
    # How tiles draw it: the bands of the picture, and the value range stretched to 0-255 (None for 8-bit).
    band_indexes = models.JSONField(default=list)
    display_range = models.JSONField(null=True, blank=True)
    cog_ready = models.BooleanField(default=False)
    cog_error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["uploaded_at", "id"]


class Scene(models.Model):
    """A scene of an imagery provider that catalog search can find (imported from STAC).

    Its id in the API is `scene_id`, the provider's own id (the STAC item id), unique across providers.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider_name = models.CharField(max_length=64, db_index=True)
    scene_id = models.CharField(max_length=255, unique=True)
    # GeoJSON geometry text in lon/lat, split at the antimeridian. Searches find it through a spatial index that
    # migration 0005 adds beside the model (docs/DESIGN.md, "Catalog spatial index"): on PostgreSQL a PostGIS
    # column `geom` generated from it, on SQLite an R*Tree of the lon/lat bounds below, kept in step by triggers.
    footprint = models.TextField()
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    acquired_at = models.DateTimeField(null=True, blank=True)
    cloud_cover = models.FloatField(null=True, blank=True, help_text="percent")
    off_nadir = models.FloatField(null=True, blank=True, help_text="degrees")
    resolution = models.FloatField(null=True, blank=True, help_text="m/px")
    sensor = models.CharField(max_length=255, null=True, blank=True)
    sat_id = models.CharField(max_length=255, null=True, blank=True)
    color_band_order = models.CharField(max_length=32, null=True, blank=True)
    product_type = models.CharField(max_length=16, default="IMAGE")
    preview_type = models.CharField(max_length=8, null=True, blank=True)
    preview_url = models.CharField(max_length=2048, null=True, blank=True)
    zoom = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["provider_name", "scene_id"]

    def __str__(self) -> str:
        return f"{self.provider_name}/{self.scene_id}"

    @classmethod
    def with_footprint(cls, footprint, **fields) -> "Scene":
        """A scene whose footprint (a shapely geometry within [-180, 180]) sets its bounds."""
        west, south, east, north = footprint.bounds
        return cls(
            footprint=shapely.to_geojson(footprint),
            west=west,
            south=south,
            east=east,
            north=north,
            **fields,
        )


def tiles_version_key(mosaic_id: uuid.UUID) -> str:
    """The cache key of the version of a mosaic's tiles: every process keeps what it read of the mosaic for its tiles
    only as long as this version stays the same (dataserver.rasters.tiles)."""
    return f"dataserver:tiles-version:{mosaic_id}"


def tiles_changed(mosaic_id: uuid.UUID) -> None:
    """A new version of the mosaic's tiles: now, and again once the transaction commits, so that no process keeps
    what it read before the commit under the version made in between."""
    key = tiles_version_key(mosaic_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


@receiver(post_save, sender=Image)
@receiver(post_delete, sender=Image)
def _image_changed(sender, instance: Image, **kwargs) -> None:
    tiles_changed(instance.mosaic_id)


@receiver(post_delete, sender=Mosaic)
def _mosaic_deleted(sender, instance: Mosaic, **kwargs) -> None:
    tiles_changed(instance.id)
