"""Settings of the dashboard and the self-hosted Data API.

Every knob is an environment variable (all listed in .env.example); the defaults run on a laptop.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_size(name: str, default: str) -> int:
    from dataserver.sizes import parse_size

    return parse_size(os.environ.get(name) or default)


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "insecure-laptop-only-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "dataserver",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mapflow_web.urls"
WSGI_APPLICATION = "mapflow_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite under var/ by default (WAL, so the web server and the worker can write side by side);
# DATABASE_URL=postgres://... switches to PostgreSQL.
VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "mapflow"),
    }
}

# Celery: tasks take ids; a task is acknowledged only once done and is redelivered if its worker dies.
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 12 * 3600))}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads larger than this are streamed to disk by Django's own parser; the Data API's image upload
# uses its own handler that streams straight into the imagery storage.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- The Data API this dashboard talks to (hosted Mapflow, or the self-hosted one below) ---
DATA_API_URL = os.environ.get("DATA_API_URL", "http://127.0.0.1:8000/rest").rstrip("/")
CREDENTIAL_KEYS = env_list("CREDENTIAL_KEYS")

# --- The self-hosted Data API ---
DATASERVER_ENABLED = env_bool("DATASERVER_ENABLED", True)
DATASERVER_STORAGE_DIR = Path(os.environ.get("DATASERVER_STORAGE_DIR") or VAR_DIR / "imagery").resolve()
# Base URL written into tile and preview links; empty = the address the request came to.
DATASERVER_PUBLIC_URL = os.environ.get("DATASERVER_PUBLIC_URL", "").rstrip("/")
DATASERVER_DEFAULT_MEMORY_LIMIT = env_size("DATASERVER_DEFAULT_MEMORY_LIMIT", "50GB")
DATASERVER_MAX_UPLOAD_FILE_SIZE = env_size("DATASERVER_MAX_UPLOAD_FILE_SIZE", "20GB")
DATASERVER_MAX_PIXEL_COUNT = int(os.environ.get("DATASERVER_MAX_PIXEL_COUNT", "100000"))
DATASERVER_SEARCH_AREA_LIMIT = int(os.environ.get("DATASERVER_SEARCH_AREA_LIMIT", str(500_000 * 10**6)))
DATASERVER_AREA_LIMIT = int(os.environ.get("DATASERVER_AREA_LIMIT", str(100_000 * 10**6)))
# link-image sources: file:// under this folder, s3:// in this bucket, http(s):// to these hosts only.
DATASERVER_IMPORT_DIR = Path(os.environ.get("DATASERVER_IMPORT_DIR") or VAR_DIR / "import").resolve()
DATASERVER_S3_BUCKET = os.environ.get("DATASERVER_S3_BUCKET", "")
DATASERVER_S3_ENDPOINT_URL = os.environ.get("DATASERVER_S3_ENDPOINT_URL", "") or None
DATASERVER_LINK_ALLOWED_HOSTS = env_list("DATASERVER_LINK_ALLOWED_HOSTS")
DATASERVER_LINK_TIMEOUT = float(os.environ.get("DATASERVER_LINK_TIMEOUT", "30"))
DATASERVER_TILE_CACHE_SECONDS = int(os.environ.get("DATASERVER_TILE_CACHE_SECONDS", "3600"))

# GDAL keeps its block cache small: previews and tiles must not grow the process by gigabytes.
os.environ.setdefault("GDAL_CACHEMAX", os.environ.get("GDAL_CACHEMAX", "64"))
os.environ.setdefault("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"rasterio": {"level": "WARNING"}, "rio_cogeo": {"level": "WARNING"}},
}
