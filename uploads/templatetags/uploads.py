"""The upload widgets: `{% upload_dropzone mosaic_id %}` (drag and drop onto a mosaic, or onto "new mosaic from files"
with `None`; the limits and the user's unfinished uploads in a json_script island), `{% upload_jobs mosaic_id %}`
(the polled job list of a mosaic page), and for the mosaic list `{% uploads_receiving as receiving %}` (unfinished
uploads per mosaic) with `{% upload_badge receiving mosaic_id %}`."""

from django import template
from django.conf import settings
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html

from common.image_fit import IMAGE_EXTENSIONS, PIXEL_SIZE_TOLERANCE
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
            "pixelSizeTolerance": PIXEL_SIZE_TOLERANCE,
            "maxUploadFileSize": max_size,
            "freeBytes": free,
            "resumable": resumable,
        },
    }


@register.inclusion_tag("uploads/_jobs_widget.html", takes_context=True)
def upload_jobs(context, mosaic_id: str) -> dict:
    return job_list_context(context["request"], mosaic_id)


@register.simple_tag(takes_context=True)
def uploads_receiving(context) -> dict[str, int]:
    return selectors.upload_counts_by_mosaic(team=context["request"].team)


@register.simple_tag
def upload_badge(receiving: dict[str, int], mosaic_id: str) -> str:
    count = receiving.get(str(mosaic_id), 0)
    if not count:
        return ""
    text = f"receiving {count} upload{pluralize(count)}"
    return format_html('<span class="badge text-bg-info ms-1" data-receiving="{}">{}</span>', count, text)
