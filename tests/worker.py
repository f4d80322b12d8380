"""A real Celery worker for integration tests: it consumes the project's Redis broker in a thread of the test
process, so it sees the same test database as the live server."""

from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from mapflow_web.celery import app as celery_app


@contextmanager
def celery_worker():
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield
