"""Background work of the upload pipeline. Each task takes a job id and delivers at most once: a per-job lock in
Redis (renewed while the file streams), late acknowledgement and redelivery if the worker dies, and before every
attempt a look for the file's checksum among the mosaic's images."""

import logging
import random
from contextlib import contextmanager

import redis
from celery import shared_task
from django.conf import settings

from dataapi import errors
from teams.clients import client_for

from . import services
from .models import FINISHED, State, UploadJob

logger = logging.getLogger("uploads")
RETRIABLE = (errors.APIConnectionError, errors.RateLimited, errors.ServerError)
WATCH_SECONDS = 2


@contextmanager
def job_lock(job_id: str):
    """The job's lock if no other worker holds it (else None); expires by itself if its holder dies."""
    lock = redis.Redis.from_url(settings.REDIS_URL).lock(
        f"uploads:job:{job_id}", timeout=settings.UPLOADS_LOCK_SECONDS, blocking=False
    )
    held = lock.acquire()
    try:
        yield lock if held else None
    finally:
        if held:
            try:
                lock.release()
            except redis.exceptions.LockError:
                pass  # it lapsed: another worker may hold it now


class LockLost(Exception):
    """Another worker holds the job's lock now: this one must stop sending."""


def heartbeat(lock) -> None:
    """Renew the job's lock while the file is read and sent. A lock that lapsed is taken again unless another worker
    has it (then this transfer stops); a Redis outage does not stop a transfer that is under way."""
    try:
        lock.reacquire()
    except redis.exceptions.LockNotOwnedError:
        if not lock.acquire(blocking=False):
            raise LockLost() from None
    except redis.exceptions.RedisError as exc:
        logger.warning("upload lock not renewed (%s)", type(exc).__name__)


def retry_delay(attempt: int) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, settings.UPLOADS_RETRY_BACKOFF * 2 ** (attempt - 1))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def upload_job_send(self, job_id: str) -> None:
    job = UploadJob.objects.select_related("team__credential").filter(pk=job_id).first()
    if job is None or job.state in (*FINISHED, State.PROCESSING, State.UPLOADING):
        return
    retry_in = None
    with job_lock(job_id) as lock:
        if lock is None:
            retry_in = settings.UPLOADS_LOCK_SECONDS  # another worker sends it; look again once its lock would lapse
        else:
            try:
                client = client_for(team=job.team)
                services.upload_job_deliver(client=client, job=job, heartbeat=lambda: heartbeat(lock))
            except RETRIABLE as exc:
                if services.upload_job_retrying(job=job, error=exc):
                    retry_in = max(retry_delay(job.attempts), getattr(exc, "retry_after", None) or 0)
            except errors.DataAPIError as exc:
                services.upload_job_fail(job=job, message=exc.message)
            except LockLost:
                logger.warning("upload %s: another worker took the job over", job_id)
                return
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    if job.state == State.PROCESSING:
        upload_job_watch.delay(job_id)


@shared_task(bind=True, max_retries=None)
def upload_job_watch(self, job_id: str) -> None:
    """Mark the job ready once the Data API serves tiles of its image."""
    job = UploadJob.objects.select_related("team__credential").filter(pk=job_id, state=State.PROCESSING).first()
    if job is None:
        return
    try:
        ready = services.upload_job_watch(client=client_for(team=job.team), job=job)
    except RETRIABLE:
        ready = False
    except errors.DataAPIError as exc:
        services.upload_job_fail(job=job, message=exc.message)
        return
    if not ready and job.state == State.PROCESSING:
        raise self.retry(countdown=WATCH_SECONDS)


@shared_task
def upload_jobs_clean() -> int:
    return services.upload_jobs_clean()


@shared_task
def upload_jobs_resume() -> int:
    """Queue again the jobs that stopped moving (their message lost with a broker that lost its data)."""
    stalled = services.upload_jobs_stalled()
    for job_id in stalled:
        upload_job_send.delay(str(job_id))
    return len(stalled)
