"""Production server settings: `gunicorn -c gunicorn.conf.py mapflow_web.wsgi`.

Threaded workers, so that a multi-GB upload (I/O-bound) does not hold a whole process while tiles are served.
"""

import os

wsgi_app = "mapflow_web.wsgi:application"
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8
# An upload of several GB over a slow link is one long request: the worker must not be killed in the middle of it.
timeout = 3600
graceful_timeout = 60
keepalive = 5
accesslog = "-"
# Tiles served are left out of it (mapflow_web/access_log.py); failed ones are in.
logger_class = "mapflow_web.access_log.AccessLog"
# Paths without query strings: a signed tile URL (for QGIS) carries its signature there, and it is a capability.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# Each worker touches its heartbeat file on every request; on tmpfs that costs nothing (Docker's /tmp is overlayfs).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def post_worker_init(worker) -> None:
    """Leave what the loaded site is made of (Django, its apps, the URL conf and its views, GDAL's bindings: some
    180,000 objects, never garbage) out of the garbage collector's full passes, which went over all of it each time
    (41-49 ms, spent inside whichever request set it off)."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # the views, imported now rather than by the first request
    gc.freeze()
