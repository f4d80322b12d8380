from . import malloc

malloc.arenas_limit()  # before anything starts threads: web and worker processes, the beat, manage.py

from .celery import app as celery_app

__all__ = ("celery_app",)
