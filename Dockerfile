# The dashboard and the self-hosted Data API; the same image runs the web server and the Celery worker.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# rasterio, pyproj and shapely ship wheels with GDAL/PROJ/GEOS inside: no system GDAL needed.
RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app

WORKDIR /app
COPY pyproject.toml ./
COPY mapflow_web ./mapflow_web
COPY dataserver ./dataserver
RUN pip install .

COPY . .
RUN DEBUG=false SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /data/imagery /app/var/scratch \
    && chown -R app:app /data /app/var

USER app
ENV DEBUG=false \
    DATASERVER_STORAGE_DIR=/data/imagery \
    PORT=8000
EXPOSE 8000
VOLUME ["/data/imagery"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "mapflow_web.wsgi"]
