"""The upload widgets: `{% upload_dropzone mosaic_id %}` (drag and drop onto a mosaic, or onto "new mosaic from files"
with `None`; the limits and the user's unfinished uploads in a json_script island) and `{% upload_jobs mosaic_id %}`
(the polled job list of a mosaic page)."""

from django import template
from django.conf import settings
from django.urls import reverse

from common.image_fit import IMAGE_EXTENSIONS
from teams.selectors import team_storage

from .. import selectors
from ..job_list import job_list_context

register = template.Library()


@register.inclusion_tag("uploads/_dropzone.html", takes_context=True)
def upload_dropzone(context, mosaic_id: str | None) -> dict:
    """The drop zone of a mosaic, or with `mosaic_id` None the one of "new mosaic from files" (the mosaic list)."""
    request = context["request"]
    # The frame's storage gauge (cached briefly, so no extra call to the Data API); the endpoint checks again.
    memory = team_storage(team=request.team).memory
    max_size = memory.maxUploadFileSize if memory else None
    free = selectors.free_bytes(team=request.team, memory=memory)
    resumable = [
        {
            "url": request.build_absolute_uri(reverse("uploads:upload", args=[job.pk])),
            "filename": job.filename,
            "size": job.size,
            "offset": job.offset,
            "mosaicUrl": reverse("mosaics:detail", args=[job.mosaic_id]),
        }
        for job in selectors.upload_jobs_resumable(team=request.team, user=request.user)
        if mosaic_id is None or job.mosaic_id == mosaic_id
    ]
    return {
        "request": request,
        "mosaic_id": mosaic_id,
        "csrf_token": context.get("csrf_token"),
        "widget": {
            "endpoint": reverse("uploads:create"),
            "mosaicId": mosaic_id,
            "createUrl": reverse("mosaics:create") if mosaic_id is None else None,
            "chunkSize": settings.UPLOADS_CHUNK_SIZE,
            "extensions": IMAGE_EXTENSIONS,
            "maxUploadFileSize": max_size,
            "freeBytes": free,
            "resumable": resumable,
        },
    }


@register.inclusion_tag("uploads/_jobs_widget.html", takes_context=True)
def upload_jobs(context, mosaic_id: str) -> dict:
    return job_list_context(context["request"], mosaic_id)
