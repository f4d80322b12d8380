from celery import shared_task

from . import services


@shared_task
def searched_areas_forget() -> int:
    return services.searched_areas_forget()
