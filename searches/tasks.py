"""Background work of saved searches: the beat dispatcher queues the due runs; a run retries with backoff when the
API fails on its side and leaves the search failing (shown on its pages) when it gives up; digests are e-mailed."""

from celery import shared_task
from django.conf import settings

from dataapi import errors
from teams.clients import client_for

from . import digests, services
from .models import SavedSearch

RETRIABLE = (errors.APIConnectionError, errors.RateLimited, errors.ServerError)


@shared_task
def saved_searches_dispatch() -> int:
    due = services.saved_searches_due()
    for search_id, countdown in due:
        saved_search_run.apply_async((search_id,), countdown=countdown)
    return len(due)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def saved_search_run(self, search_id: int) -> None:
    search = SavedSearch.objects.select_related("team__credential").filter(pk=search_id).first()
    if search is None or not search.runs:
        return
    try:
        services.saved_search_run(client=client_for(team=search.team), search=search)
    except RETRIABLE as exc:
        services.saved_search_failed(search=search, message=exc.message)
        if self.request.retries < settings.SEARCHES_MAX_RETRIES:
            backoff = settings.SEARCHES_RETRY_BACKOFF * 2**self.request.retries
            raise self.retry(countdown=max(backoff, getattr(exc, "retry_after", None) or 0)) from None
    except (errors.DataAPIError, services.SearchRefused) as exc:
        services.saved_search_failed(search=search, message=getattr(exc, "message", None) or str(exc))


@shared_task
def digests_send() -> int:
    return digests.digests_send()
