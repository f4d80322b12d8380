"""The rasters API: mosaics, images, uploads, links, previews, downloads and storage (DATA_API.md sections 1 to 5)."""

import uuid

from django.conf import settings
from django.http import FileResponse, JsonResponse
from ninja import Query, Router

from dataserver import errors
from dataserver.models import Account, Image, Mosaic
from dataserver.rasters import selectors, serializers, services, signed_links
from dataserver.rasters.downloads import original_response
from dataserver.rasters.links import link_fetch
from dataserver.rasters.receiving import received_file
from dataserver.rasters.schemas import (
    JPEG_ANSWER,
    DetailOut,
    DownloadOut,
    ImageOut,
    LinkIn,
    LinkOut,
    Memory,
    Message,
    MosaicCreated,
    MosaicIn,
    MosaicOut,
    MosaicUpdate,
    Name,
    RasterErrorOut,
    Text,
    UploadOut,
    ValidationOut,
    file_answer,
)
from dataserver.storage import ImageFiles, image_files, store

router = Router()

# What an operation may answer besides 200, in the rasters family's shapes (errors.py). Every one: a request that
# cannot be read (400) and a missing or wrong token (401); on one mosaic or image: an id that is no UUID (422) and an
# unknown id, or a path no route has (404); a change: a refusal (403); a body: one too large (413).
BASE = {400: DetailOut, 401: DetailOut}
BY_ID = {**BASE, 404: RasterErrorOut | DetailOut, 422: ValidationOut}
CHANGE = {**BY_ID, 403: RasterErrorOut}
WITH_BODY = {**CHANGE, 413: DetailOut}
UPLOAD = {**WITH_BODY, 422: RasterErrorOut | ValidationOut}
NEW_MOSAIC_UPLOAD = {status: model for status, model in UPLOAD.items() if status != 404}  # no mosaic id to miss
MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "a GeoTIFF named *.tif or *.tiff"}
                    },
                    "required": ["file"],
                },
                "encoding": {
                    "file": {
                        "contentType": "image/tiff",
                        "headers": {
                            "Content-Disposition": {
                                "schema": {"type": "string", "example": 'form-data; name="file"; filename="image.tif"'}
                            }
                        },
                    }
                },
            }
        },
    }
}


def _missing_file():
    return JsonResponse({"detail": [{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}]}, status=422)


def _upload(request, account: Account, mosaic: Mosaic) -> dict | None:
    """Receive the multipart `file` and ingest it; None when the request carries no file."""
    services.require_writable(account, mosaic.id, "mosaic")  # before a byte of the file is stored
    files = ImageFiles(account.id, mosaic.id, uuid.uuid4())
    received = received_file(request, max_size=account.max_upload_file_size, files=files)
    if received is None:
        return None
    image = services.image_ingest(
        account=account,
        mosaic=mosaic,
        incoming=services.IncomingFile(files, received.name, received.size, received.checksum),
        max_pixel_count=account.max_pixel_count,
    )
    return {"message": "Files successfully uploaded", "mosaic_id": str(mosaic.id), "image_id": str(image.id)}


# --- Mosaics ---


@router.get("/rasters/mosaic", response={200: list[MosaicOut], **BASE, 422: ValidationOut}, tags=["mosaics"])
def get_mosaics(request, tags: list[Text] = Query(default=[])):
    mosaics = selectors.mosaic_list(account=request.auth, tags=tags)
    return [serializers.mosaic_json(request, mosaic) for mosaic in mosaics]


@router.post(
    "/rasters/mosaic",
    response={200: MosaicCreated, **BASE, 403: RasterErrorOut, 413: DetailOut, 422: ValidationOut},
    tags=["mosaics"],
)
def post_mosaic(request, payload: MosaicIn):
    mosaic = services.mosaic_create(account=request.auth, name=payload.name, tags=payload.tags)
    return serializers.mosaic_created_json(mosaic)


def post_mosaic_with_image(
    request, name: Name = Query(...), tags: list[Text] = Query(default=[])
):
    account = request.auth
    mosaic = services.mosaic_create(account=account, name=name, tags=tags)
    try:
        result = _upload(request, account, mosaic)
    except BaseException:
        services.mosaic_delete(account=account, mosaic=mosaic)
        raise
    if result is None:
        services.mosaic_delete(account=account, mosaic=mosaic)
        return _missing_file()
    return result


for _path, _operation_id in (
    ("/rasters/mosaic/image", "mosaic_create_with_image"),
    ("/rasters/mosaic/mosaic", "mosaic_create_with_image_older_path"),
):
    router.post(
        _path,
        response={200: UploadOut, **NEW_MOSAIC_UPLOAD},
        tags=["mosaics"],
        openapi_extra=MULTIPART_FILE,
        operation_id=_operation_id,
    )(post_mosaic_with_image)


@router.get("/rasters/mosaic/{mosaic_id}", response={200: MosaicOut, **BY_ID}, tags=["mosaics"])
def get_mosaic(request, mosaic_id: uuid.UUID):
    return serializers.mosaic_json(request, selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id))


@router.put("/rasters/mosaic/{mosaic_id}", response={200: MosaicCreated, **WITH_BODY}, tags=["mosaics"])
def put_mosaic(request, mosaic_id: uuid.UUID, payload: MosaicUpdate):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    mosaic = services.mosaic_update(account=request.auth, mosaic=mosaic, name=payload.name, tags=payload.tags)
    return serializers.mosaic_created_json(mosaic)


@router.delete("/rasters/mosaic/{mosaic_id}", response={200: Message, **CHANGE}, tags=["mosaics"])
def delete_mosaic(request, mosaic_id: uuid.UUID):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    services.mosaic_delete(account=request.auth, mosaic=mosaic)
    return {"message": "Files deleted"}


@router.post(
    "/rasters/mosaic/{mosaic_id}/image",
    response={200: UploadOut, **UPLOAD},
    tags=["mosaics"],
    openapi_extra=MULTIPART_FILE,
)
def post_mosaic_image(request, mosaic_id: uuid.UUID):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    return _upload(request, request.auth, mosaic) or _missing_file()


@router.post("/rasters/mosaic/{mosaic_id}/link-image", response={200: LinkOut, **UPLOAD}, tags=["mosaics"])
def post_mosaic_link_image(request, mosaic_id: uuid.UUID, payload: LinkIn):
    account = request.auth
    mosaic = selectors.mosaic_get(account=account, mosaic_id=mosaic_id)
    services.require_writable(account, mosaic.id, "mosaic")
    incoming = link_fetch(payload.url, max_size=account.max_upload_file_size, mosaic=mosaic)
    services.image_ingest(account=account, mosaic=mosaic, incoming=incoming, max_pixel_count=account.max_pixel_count)
    return {"message": "File successfully linked to a mosaic", "mosaic_id": str(mosaic.id)}


@router.get("/rasters/mosaic/{mosaic_id}/image", response={200: list[ImageOut], **BY_ID}, tags=["mosaics"])
def get_mosaic_images(request, mosaic_id: uuid.UUID):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    return [serializers.image_json(request, image) for image in mosaic.images.all()]


# --- Images ---


@router.get("/rasters/image/{image_id}", response={200: ImageOut, **BY_ID}, tags=["images"])
def get_image(request, image_id: uuid.UUID):
    return serializers.image_json(request, selectors.image_get(account=request.auth, image_id=image_id))


@router.put("/rasters/image/{image_id}", response={200: ImageOut, **CHANGE}, tags=["images"])
def put_image(request, image_id: uuid.UUID, name: Name = Query(...)):
    image = selectors.image_get(account=request.auth, image_id=image_id)
    image = services.image_rename(account=request.auth, image=image, name=name)
    return serializers.image_json(request, image)


@router.delete("/rasters/image/{image_id}", response={200: Message, **CHANGE}, tags=["images"])
def delete_image(request, image_id: uuid.UUID):
    image = selectors.image_get(account=request.auth, image_id=image_id)
    services.image_delete(account=request.auth, image=image)
    return {"message": f"{image_id} deleted"}


def get_image_preview(request, image_id: uuid.UUID, size: str):
    image = selectors.image_get(account=request.auth, image_id=image_id)
    if size not in ("s", "l"):
        raise errors.PreviewNotFound(image_id=str(image_id))
    try:
        jpeg = store().open(image_files(image).preview(size))
    except FileNotFoundError:
        raise errors.PreviewNotFound(image_id=str(image_id)) from None
    response = FileResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


router.get(
    "/rasters/image/{image_id}/preview/{size}",
    response={200: None, **BY_ID},
    tags=["images"],
    url_name="image_preview",
    operation_id="image_preview",
    openapi_extra=JPEG_ANSWER,
)(get_image_preview)
router.get(
    "/rasters/{image_id}/preview/{size}",
    response={200: None, **BY_ID},
    tags=["images"],
    url_name="image_preview_legacy",
    operation_id="image_preview_older_path",
    openapi_extra=JPEG_ANSWER,
)(get_image_preview)


@router.get(
    "/rasters/image/{image_id}/download",
    response={200: DownloadOut, **CHANGE, 409: RasterErrorOut},
    tags=["images"],
)
def get_image_download(request, image_id: uuid.UUID):
    """A link to the image's original that needs no credentials, for `expires_in` seconds."""
    image = selectors.image_get(account=request.auth, image_id=image_id)
    selectors.image_original(account=request.auth, image=image)
    return {
        "download_url": signed_links.originals.link(request, image.id),
        "filename": image.filename,
        "expires_in": settings.DATASERVER_DOWNLOAD_URL_TTL,
    }


@router.get(
    "/rasters/download/{token}",
    auth=None,
    response={
        200: None,
        206: None,
        302: None,
        400: DetailOut,
        403: RasterErrorOut,
        404: RasterErrorOut | DetailOut,
        409: RasterErrorOut,
        416: DetailOut,
    },
    tags=["images"],
    url_name="original_download",
    openapi_extra={
        "responses": {
            200: file_answer("image/tiff"),
            206: file_answer("image/tiff"),
            302: {"description": "On an object store browsers can reach: a presigned URL of the original (Location)"},
        }
    },
)
def get_original(request, token: str):
    """The original an image download link names (no credentials: the link is the capability), whole or the byte
    range asked for; from an object store browsers can reach, a redirect to a presigned URL of it."""
    try:
        image_id = signed_links.originals.image_id(token, max_age=settings.DATASERVER_DOWNLOAD_URL_TTL)
    except signed_links.LinkRefused as exc:
        raise (errors.DownloadLinkExpired() if exc.expired else errors.DownloadLinkNotValid()) from None
    image = Image.objects.select_related("mosaic__account").filter(id=image_id).first()
    if image is None:
        raise errors.DownloadLinkNotValid()
    key = selectors.image_original(account=image.mosaic.account, image=image)
    return original_response(
        request, key, filename=image.filename, checksum=image.checksum, modified=image.uploaded_at
    )


# --- Storage and account ---


@router.get("/rasters/memory", response={200: Memory, **BASE}, tags=["storage"])
def get_memory(request):
    account = request.auth
    return serializers.memory_json(account, services.account_memory_used(account=account))
