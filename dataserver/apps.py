import glob
import os
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def _bundled_library(directory: Path, name: str) -> str | None:
    found = sorted(glob.glob(str(directory / f"{name}-*.so*")))
    return found[0] if found else None


def _gdal_for_geodjango() -> None:
    """GeoDjango (django-leaflet's admin imports it) opens GDAL and GEOS with ctypes: point it at the copies that
    rasterio's wheel ships (rasterio.libs/), so that no system GDAL is needed and one process never loads two GDALs.
    Importing rasterio first loads them with their own dependencies (the wheel's libraries carry no rpath); this
    runs when the app is loaded, before any model or the admin imports GeoDjango. Only the self-hosted Data API
    loads GDAL: a dashboard that only proxies hosted Mapflow never does."""
    import rasterio

    libraries = Path(rasterio.__file__).parent.parent / "rasterio.libs"
    for setting, name in (("GDAL_LIBRARY_PATH", "libgdal"), ("GEOS_LIBRARY_PATH", "libgeos_c")):
        if not getattr(settings, setting, None):
            setattr(settings, setting, os.environ.get(setting) or _bundled_library(libraries, name))


_gdal_for_geodjango()


class DataserverConfig(AppConfig):
    name = "dataserver"
    verbose_name = "Self-hosted Data API"
