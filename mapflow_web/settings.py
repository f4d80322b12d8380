"""Settings of the dashboard and the self-hosted Data API.

Every knob is an environment variable (all listed in .env.example); the defaults run on a laptop.
"""

import base64
import hashlib
import importlib.util
import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from common.addresses import networks

_leaflet_dir = importlib.util.find_spec("leaflet").submodule_search_locations[0]

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_size(name: str, default: str) -> int:
    from common.sizes import parse_size

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
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "mapflow_web",
    "audit",
    "teams",
    "catalog",
    "mosaics",
    "uploads",
    "searches",
]
# The self-hosted Data API (off for a dashboard that only proxies hosted Mapflow: nothing of it, nor GDAL, loads).
DATASERVER_ENABLED = env_bool("DATASERVER_ENABLED", True)
if DATASERVER_ENABLED:
    INSTALLED_APPS += ["ninja", "dataserver"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Tile URLs (signed, for the mosaic map and QGIS) are answered here: they use nothing of what follows.
    "mosaics.middleware.SignedTileMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "teams.middleware.CurrentTeamMiddleware",
    # A Data API error that a view lets through: a page or an htmx answer that says what is wrong, never a 500.
    "mapflow_web.errors.DataAPIErrorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]
if DATASERVER_ENABLED:
    # Outside all the others, so that every error under /rest/ leaves as JSON, those of the middleware included.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "dataserver.middleware.RestErrorMiddleware")

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
                "mapflow_web.frame.frame",
                "mosaics.context_processors.mosaic_names",
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
    # Tests get a file too, not Django's shared in-memory database: that one answers "table is locked" at once
    # when the live server and a Celery worker thread write together, where a file waits its turn as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # JIT compiling pays off for long reports, not for a web request's queries: for a catalog search over a country
    # it took a second to compile a count the index answers in a tenth of that.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "mapflow_web.cache.RedisCache",
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
# A task whose worker died goes back to the queue once its visibility timeout has passed; workers look for such tasks
# every tenth of it, between once a second and kombu's default of every 100 s (a tick a second, a scan every N ticks).
_VISIBILITY_SECONDS = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 12 * 3600))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_SECONDS,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": min(max(_VISIBILITY_SECONDS // 10, 1), 100),
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# django-leaflet is used for its Leaflet files and TILES settings only, not as an app: installed, its admin imports
# GeoDjango, which loads GDAL into every dashboard process.
STATICFILES_DIRS = [BASE_DIR / "static", ("leaflet", Path(_leaflet_dir) / "static" / "leaflet")]
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
# Where a team's Data API may be: these base URLs only (the first is the one offered first), and at public addresses
# or in these networks (CIDRs). A default DATA_API_URL on a literal address (the laptop's 127.0.0.1) allows that
# address; a named one on a private network (compose's `web`) needs its network listed.
DATA_API_HOSTED_URL = "https://api.mapflow.ai/rest"
DATA_API_ALLOWED_URLS = env_list("DATA_API_ALLOWED_URLS", f"{DATA_API_URL},{DATA_API_HOSTED_URL}")


def _literal_networks(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return "127.0.0.0/8,::1/128"
    try:
        return str(ipaddress.ip_network(host))
    except ValueError:
        return ""


DATA_API_ALLOWED_NETWORKS = env_list(
    "DATA_API_ALLOWED_NETWORKS", ",".join(filter(None, map(_literal_networks, DATA_API_ALLOWED_URLS)))
)
try:
    networks(DATA_API_ALLOWED_NETWORKS)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATA_API_ALLOWED_NETWORKS: {exc}") from None
# Tiles are relayed from the team's Data API's own origin and from these (e.g. `https://tiles.example.com`).
DATA_API_TILE_HOSTS = env_list("DATA_API_TILE_HOSTS")
CREDENTIAL_KEYS = env_list("CREDENTIAL_KEYS")
if not CREDENTIAL_KEYS and DEBUG:
    # Laptop only: a key derived from SECRET_KEY. Without DEBUG, CREDENTIAL_KEYS is required (`check --deploy`).
    CREDENTIAL_KEYS = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]
DATA_API_CONNECT_TIMEOUT = float(os.environ.get("DATA_API_CONNECT_TIMEOUT", "3.05"))
DATA_API_READ_TIMEOUT = float(os.environ.get("DATA_API_READ_TIMEOUT", "30"))
DATA_API_UPLOAD_TIMEOUT = float(os.environ.get("DATA_API_UPLOAD_TIMEOUT", "600"))
DATA_API_MAX_RETRIES = int(os.environ.get("DATA_API_MAX_RETRIES", "3"))
# The storage gauge of every page: a short (connect, read) timeout, no retry, answers cached briefly.
STORAGE_GAUGE_TIMEOUT = (DATA_API_CONNECT_TIMEOUT, float(os.environ.get("STORAGE_GAUGE_READ_TIMEOUT", "3")))
STORAGE_GAUGE_CACHE_SECONDS = int(os.environ.get("STORAGE_GAUGE_CACHE_SECONDS", "60"))
STORAGE_GAUGE_ERROR_CACHE_SECONDS = int(os.environ.get("STORAGE_GAUGE_ERROR_CACHE_SECONDS", "15"))

# --- Maps ---
# The base map of every map page (django-leaflet's TILES), and the browser's access to its host.
BASE_MAP_URL = os.environ.get("BASE_MAP_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
BASE_MAP_ATTRIBUTION = os.environ.get(
    "BASE_MAP_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
LEAFLET_CONFIG = {
    "TILES": [("Base map", BASE_MAP_URL, {"attribution": BASE_MAP_ATTRIBUTION, "maxZoom": 19})],
    "MAX_ZOOM": 22,
}
# Area files dropped on the catalog's map (GeoJSON, KML/KMZ, WKT, zipped Shapefile): the largest file, what a KMZ
# or zip may unpack to, how many files it may hold, and how many vertices a file may have.
CATALOG_AOI_FILE_MAX_SIZE = env_size("CATALOG_AOI_FILE_MAX_SIZE", "10MB")
CATALOG_AOI_FILE_MAX_UNPACKED_SIZE = env_size("CATALOG_AOI_FILE_MAX_UNPACKED_SIZE", "50MB")
CATALOG_AOI_FILE_MAX_MEMBERS = int(os.environ.get("CATALOG_AOI_FILE_MAX_MEMBERS", "100"))
CATALOG_AOI_FILE_MAX_VERTICES = int(os.environ.get("CATALOG_AOI_FILE_MAX_VERTICES", "100000"))
# Catalog search areas: simplified above this many vertices, by at most this many metres; refused when still over the
# largest count a search sends. A search's link names its area by a key, kept this long after its last use.
CATALOG_AOI_SIMPLIFY_ABOVE = int(os.environ.get("CATALOG_AOI_SIMPLIFY_ABOVE", "1000"))
CATALOG_AOI_TOLERANCE_METRES = float(os.environ.get("CATALOG_AOI_TOLERANCE_METRES", "10"))
CATALOG_AOI_MAX_VERTICES = int(os.environ.get("CATALOG_AOI_MAX_VERTICES", "10000"))
CATALOG_AREA_RETENTION_DAYS = int(os.environ.get("CATALOG_AREA_RETENTION_DAYS", "365"))
# Mosaic tiles proxied for the browser: Redis keeps hot tiles this long; a signed tile URL (for QGIS) lives this long.
MOSAICS_TILE_CACHE_SECONDS = int(os.environ.get("MOSAICS_TILE_CACHE_SECONDS", "600"))
MOSAICS_TILE_URL_DAYS = int(os.environ.get("MOSAICS_TILE_URL_DAYS", "30"))
MOSAICS_TILE_TIMEOUT = (DATA_API_CONNECT_TIMEOUT, float(os.environ.get("MOSAICS_TILE_READ_TIMEOUT", "20")))

# --- Large uploads (tus from the browser to UPLOADS_DIR, then a Celery task streams each file to the Data API) ---
UPLOADS_DIR = Path(os.environ.get("UPLOADS_DIR") or VAR_DIR / "uploads").resolve()
UPLOADS_CHUNK_SIZE = env_size("UPLOADS_CHUNK_SIZE", "50MB")  # the browser's PATCH size
UPLOADS_EXPIRY_HOURS = int(os.environ.get("UPLOADS_EXPIRY_HOURS", "24"))  # an unfinished upload can resume this long
UPLOADS_CLEANUP_HOURS = int(os.environ.get("UPLOADS_CLEANUP_HOURS", "24"))  # failed and done jobs are kept this long
UPLOADS_MAX_RETRIES = int(os.environ.get("UPLOADS_MAX_RETRIES", "5"))
UPLOADS_RETRY_BACKOFF = float(os.environ.get("UPLOADS_RETRY_BACKOFF", "5"))  # seconds, doubled at each retry
UPLOADS_LOCK_SECONDS = int(os.environ.get("UPLOADS_LOCK_SECONDS", "60"))  # a job's lock, renewed while it sends
UPLOADS_TILES_WAIT_SECONDS = int(os.environ.get("UPLOADS_TILES_WAIT_SECONDS", "3600"))
UPLOADS_STALLED_SECONDS = int(os.environ.get("UPLOADS_STALLED_SECONDS", "900"))  # then a job is queued again
CELERY_BEAT_SCHEDULE = {
    "uploads-clean": {"task": "uploads.tasks.upload_jobs_clean", "schedule": 3600.0},
    "uploads-resume": {"task": "uploads.tasks.upload_jobs_resume", "schedule": 300.0},
    "catalog-areas-forget": {"task": "catalog.tasks.searched_areas_forget", "schedule": 86400.0},
    "audit-prune": {"task": "audit.tasks.audit_entries_prune", "schedule": 86400.0},
    "trash-purge": {"task": "mosaics.tasks.trash_purge_due", "schedule": 3600.0},
    "dataserver-stale-uploads": {"task": "dataserver.tasks.stale_uploads_abort", "schedule": 3600.0},
}

# --- Saved searches (searches/): each active one runs every SEARCHES_PERIOD_MINUTES against the team's Data API ---
# The beat dispatcher looks for due searches this often, and queues at most SEARCHES_TEAM_RUNS_PER_DISPATCH of one
# team each time (spaced over the interval), so that a team with many searches does not flood its account.
SEARCHES_PERIOD_MINUTES = float(os.environ.get("SEARCHES_PERIOD_MINUTES", "60"))
SEARCHES_DISPATCH_SECONDS = float(os.environ.get("SEARCHES_DISPATCH_SECONDS", "60"))
SEARCHES_TEAM_RUNS_PER_DISPATCH = int(os.environ.get("SEARCHES_TEAM_RUNS_PER_DISPATCH", "10"))
# A run takes at most this many scenes per area (the newest first); a saved search holds at most this many areas.
SEARCHES_MAX_SCENES_PER_AREA = int(os.environ.get("SEARCHES_MAX_SCENES_PER_AREA", "5000"))
SEARCHES_MAX_AREAS = int(os.environ.get("SEARCHES_MAX_AREAS", "50"))
# A run that fails on the API's side (connection, 429, 5xx) is retried this many times, the first after
# SEARCHES_RETRY_BACKOFF seconds, doubled each time; the search shows as failing until a run succeeds.
SEARCHES_MAX_RETRIES = int(os.environ.get("SEARCHES_MAX_RETRIES", "4"))
SEARCHES_RETRY_BACKOFF = float(os.environ.get("SEARCHES_RETRY_BACKOFF", "30"))
# A follower gets at most one e-mail digest of new scenes per this many hours.
SEARCHES_DIGEST_HOURS = float(os.environ.get("SEARCHES_DIGEST_HOURS", "24"))
# The dashboard's address, for the links in e-mails (which have no request to take it from).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CELERY_BEAT_SCHEDULE |= {
    "searches-dispatch": {"task": "searches.tasks.saved_searches_dispatch", "schedule": SEARCHES_DISPATCH_SECONDS},
    "searches-digests": {"task": "searches.tasks.digests_send", "schedule": 300.0},
}

# --- Accounts and teams ---
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
TEAM_INVITATION_DAYS = int(os.environ.get("TEAM_INVITATION_DAYS", "7"))
# The audit log's entries are kept this long, then pruned (daily).
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "365"))
# Mosaics and images deleted in the dashboard stay in the team's trash this long, then are deleted from the Data API.
TRASH_RETENTION_DAYS = int(os.environ.get("TRASH_RETENTION_DAYS", "7"))
# Whether anyone may create an account (/accounts/signup/); off, accounts come from invitations only.
ACCOUNTS_OPEN_SIGNUP = env_bool("ACCOUNTS_OPEN_SIGNUP", False)
# Sign-in throttling by client address: this many failures lock the address out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "mapflow_web.http.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# Load balancers and compose probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Number of reverse proxies in front of the site that append to X-Forwarded-For (0: use the socket's address).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Mail (password resets, invitations): printed on the console unless EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mapflow dashboard <noreply@localhost>")

# --- Browser security ---
# Content-Security-Policy with a nonce for every script and style element of our templates.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", "{0.scheme}://{0.netloc}".format(urlsplit(BASE_MAP_URL)), *env_list("CSP_IMG_SRC")],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if env_bool("SECURE_PROXY_SSL_HEADER", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- The self-hosted Data API ---
# Where the imagery lives: a folder (DATASERVER_STORAGE_DIR, its older name, is still read) or s3://BUCKET/PREFIX on
# the object store at DATASERVER_S3_ENDPOINT_URL (empty = AWS), with the standard AWS_* credentials and region.
DATASERVER_STORAGE_URL = (
    os.environ.get("DATASERVER_STORAGE_URL") or os.environ.get("DATASERVER_STORAGE_DIR") or str(VAR_DIR / "imagery")
)
if not DATASERVER_STORAGE_URL.startswith("s3://"):
    DATASERVER_STORAGE_URL = str(Path(DATASERVER_STORAGE_URL).resolve())
# Local temporary space of each web and worker machine: the COG being built (about twice the COG's size).
DATASERVER_SCRATCH_DIR = Path(os.environ.get("DATASERVER_SCRATCH_DIR") or VAR_DIR / "scratch").resolve()
# Partial uploads (folder) and multipart uploads (object store) older than this are removed by the periodic clean-up.
DATASERVER_STALE_UPLOAD_SECONDS = int(os.environ.get("DATASERVER_STALE_UPLOAD_SECONDS", str(24 * 3600)))
# Base URL written into tile and preview links; empty = the address the request came to.
DATASERVER_PUBLIC_URL = os.environ.get("DATASERVER_PUBLIC_URL", "").rstrip("/")
DATASERVER_DEFAULT_MEMORY_LIMIT = env_size("DATASERVER_DEFAULT_MEMORY_LIMIT", "50GB")
DATASERVER_MAX_UPLOAD_FILE_SIZE = env_size("DATASERVER_MAX_UPLOAD_FILE_SIZE", "20GB")
DATASERVER_MAX_PIXEL_COUNT = int(os.environ.get("DATASERVER_MAX_PIXEL_COUNT", "100000"))
# Largest width x height of an image, whatever its account (50 000 x 50 000: a COG of some 8 minutes on 2 cores).
DATASERVER_MAX_TOTAL_PIXELS = int(float(os.environ.get("DATASERVER_MAX_TOTAL_PIXELS", "2.5e9")))
# Seconds an upload's preview read may take (in the upload's request), and a COG build (in the worker).
DATASERVER_PREVIEW_TIME_LIMIT = float(os.environ.get("DATASERVER_PREVIEW_TIME_LIMIT", "300"))
DATASERVER_COG_TIME_LIMIT = float(os.environ.get("DATASERVER_COG_TIME_LIMIT", "1800"))
DATASERVER_SEARCH_AREA_LIMIT = int(os.environ.get("DATASERVER_SEARCH_AREA_LIMIT", str(500_000 * 10**6)))
DATASERVER_AREA_LIMIT = int(os.environ.get("DATASERVER_AREA_LIMIT", str(100_000 * 10**6)))
# The most vertices a catalog search's AOI may have (a 400 INVALID_AOI naming the limit beyond).
DATASERVER_AOI_MAX_VERTICES = int(os.environ.get("DATASERVER_AOI_MAX_VERTICES", "10000"))
# link-image sources: file:// under this folder, s3:// in this bucket, http(s):// to these hosts only.
DATASERVER_IMPORT_DIR = Path(os.environ.get("DATASERVER_IMPORT_DIR") or VAR_DIR / "import").resolve()
DATASERVER_S3_BUCKET = os.environ.get("DATASERVER_S3_BUCKET", "")
DATASERVER_S3_ENDPOINT_URL = os.environ.get("DATASERVER_S3_ENDPOINT_URL", "") or None
# The address browsers reach that endpoint at (https://s3.example.com), for the presigned URLs downloads redirect to;
# empty = the endpoint has no public address and this server streams the originals itself (on AWS it always redirects).
DATASERVER_S3_PUBLIC_URL = os.environ.get("DATASERVER_S3_PUBLIC_URL", "") or None
DATASERVER_LINK_ALLOWED_HOSTS = env_list("DATASERVER_LINK_ALLOWED_HOSTS")
DATASERVER_LINK_TIMEOUT = float(os.environ.get("DATASERVER_LINK_TIMEOUT", "30"))
DATASERVER_TILE_CACHE_SECONDS = int(os.environ.get("DATASERVER_TILE_CACHE_SECONDS", "3600"))
# Lifetime of the signed links to own-image previews in catalog search results, in seconds.
DATASERVER_PREVIEW_URL_TTL = int(os.environ.get("DATASERVER_PREVIEW_URL_TTL", "3600"))
# Lifetime of the signed download links to originals (GET /rest/rasters/image/{id}/download), in seconds.
DATASERVER_DOWNLOAD_URL_TTL = int(os.environ.get("DATASERVER_DOWNLOAD_URL_TTL", "3600"))


# GDAL's block cache (default 5% of RAM) bounded in every process, web and worker: previews read a whole upload
# through it, so without a bound a web process grows by up to the file's size; the OS page cache keeps the files'
# bytes anyway. 32 MB holds what a preview's pieces share (about 14 MB for 512-pixel RGB tiles) and kept a web
# process within 12-32 MB of its idle size during a 1 GB upload to an object store (64 MB: 33-104), tiles no slower
# (bench/tiles.py); a COG build, which reads a local file, grew its worker by 31-38 MB instead of 39-60 (1-5 GB
# images) in no more time. Set before anything loads GDAL (the self-hosted Data API's app points GeoDjango at
# rasterio's copy of it, see dataserver/apps.py).
os.environ.setdefault("GDAL_CACHEMAX", "32")
os.environ.setdefault("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"rasterio": {"level": "WARNING"}, "rio_cogeo": {"level": "WARNING"}},
}
