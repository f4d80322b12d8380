"""The upload jobs list of a mosaic's page: what it shows and how often it asks while a job is going."""

from . import selectors

POLL_SECONDS = 1  # how often the list asks while a job is going
JUST_READY_SECONDS = 3 * POLL_SECONDS  # a job ready this recently makes the list tell the page (a poll may be late)


def job_list_context(request, mosaic_id: str) -> dict:
    jobs = selectors.upload_jobs_of_mosaic(team=request.team, mosaic_id=mosaic_id)
    polling = any(not job.is_finished for job in jobs)
    return {"request": request, "jobs": jobs, "mosaic_id": mosaic_id, "polling": polling, "poll_seconds": POLL_SECONDS}
