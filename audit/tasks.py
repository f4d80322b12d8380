from celery import shared_task

from . import services


@shared_task
def audit_entries_prune() -> int:
    return services.entries_prune()
