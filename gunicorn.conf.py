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
# Bound each worker's GDAL block cache (default 5% of RAM): previews read a whole upload through it, so without a
# bound a worker grows by up to the file's size. The OS page cache keeps the files' bytes anyway. 32 MB holds what a
# preview's pieces share (about 14 MB for 512-pixel RGB tiles) and kept a web process within 12-32 MB of its idle
# size during a 1 GB upload to an object store (64 MB: 33-104); tiles were no slower (bench/tiles.py).
raw_env = [f"GDAL_CACHEMAX={os.environ.get('GDAL_CACHEMAX', '32')}"]
accesslog = "-"
# Tiles served are left out of it (mapflow_web/access_log.py); failed ones are in.
logger_class = "mapflow_web.access_log.AccessLog"
# Paths without query strings: a signed tile URL (for QGIS) carries its signature there, and it is a capability.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# Each worker touches its heartbeat file on every request; on tmpfs that costs nothing (Docker's /tmp is overlayfs).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
