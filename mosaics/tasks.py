from celery import shared_task

from dataapi.errors import APIConnectionError, RateLimited, ServerError

from . import trash


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=300)
def trash_item_purge(self, item_id: int) -> bool:
    try:
        return trash.item_purge(item_id=item_id)
    except (APIConnectionError, RateLimited, ServerError) as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def trash_purge_due() -> int:
    """Queue the deletion of every trashed item whose retention has passed."""
    due = trash.items_due()
    for item_id in due:
        trash_item_purge.delay(item_id)
    return len(due)
