"""Reads of upload jobs, always within one team."""

from django.db.models import Count, Sum

from dataapi.schemas import Memory
from teams.models import Team

from .models import FINISHED, State, UploadJob


def upload_job_for_team(*, team: Team, job_id) -> UploadJob | None:
    """The team's job, or None (another team's job id is as good as unknown)."""
    return UploadJob.objects.filter(team=team, pk=job_id).first()


def upload_jobs_of_mosaic(*, team: Team, mosaic_id: str) -> list[UploadJob]:
    return list(UploadJob.objects.filter(team=team, mosaic_id=mosaic_id))


def upload_jobs_resumable(*, team: Team, user) -> list[UploadJob]:
    """The user's uploads that stopped before their last byte and may still resume."""
    return list(UploadJob.objects.filter(team=team, created_by=user, state=State.UPLOADING, source_url=""))


def bytes_in_flight(*, team: Team) -> int:
    """Bytes the team's unfinished uploads will still add to its storage."""
    jobs = UploadJob.objects.filter(team=team, image_id="").exclude(state__in=FINISHED)
    return jobs.aggregate(total=Sum("size"))["total"] or 0


def free_bytes(*, team: Team, memory: Memory | None) -> int | None:
    """What the team may still upload: the Data API's free storage less what its unfinished uploads will add; None
    when the API does not say."""
    if memory is None or memory.memoryFree is None:
        return None
    return max(0, memory.memoryFree - bytes_in_flight(team=team))


def upload_counts_by_mosaic(*, team: Team) -> dict[str, int]:
    """How many unfinished uploads each of the team's mosaics is receiving (mosaics with none are left out)."""
    jobs = UploadJob.objects.filter(team=team).exclude(state__in=FINISHED)
    return dict(jobs.values_list("mosaic_id").annotate(count=Count("id")).order_by())
