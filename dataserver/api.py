"""The self-hosted Data API: the endpoints of DATA_API.md sections 1 to 5 and 7, under /rest/."""

import uuid

from django.http import FileResponse, HttpRequest
from ninja import NinjaAPI, Query
from ninja.errors import AuthenticationError
from ninja.security import HttpBasicAuth

from . import errors, selectors, serializers, services
from .catalog_api import router as catalog_router
from .links import link_fetch
from .models import Account, Mosaic
from .schemas import (
    ImageOut,
    LinkIn,
    LinkOut,
    Memory,
    Message,
    MosaicCreated,
    MosaicIn,
    MosaicOut,
    MosaicUpdate,
    RasterErrorOut,
    UploadOut,
)
from .storage import image_files
from .uploads import received_file


class BasicToken(HttpBasicAuth):
    """`Authorization: Basic base64(email:apiToken)`."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> Account | None:
        account = Account.objects.filter(email__iexact=username).first()
        if account is not None and account.token_matches(password):
            return account
        return None


api = NinjaAPI(
    title="Mapflow Data API (self-hosted)",
    version="1.0",
    urls_namespace="dataserver",
    auth=BasicToken(),
    openapi_url="/rasters/openapi.json",
    docs_url="/rasters/docs",
)

api.add_router("", catalog_router)

ERRORS = {403: RasterErrorOut, 404: RasterErrorOut}
UPLOAD_ERRORS = {403: RasterErrorOut, 404: RasterErrorOut, 422: RasterErrorOut}
MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    response = api.create_response(request, {"detail": "Not authenticated"}, status=401)
    response["WWW-Authenticate"] = "Basic"
    return response


@api.exception_handler(errors.RasterError)
def raster_error(request, exc: errors.RasterError):
    return api.create_response(request, exc.body(), status=exc.status)


def _missing_file():
    return api.create_response(
        None, {"detail": [{"loc": ["body", "file"], "msg": "Field required", "type": "missing"}]}, status=422
    )


def _upload(request, account: Account, mosaic: Mosaic) -> dict | None:
    """Receive the multipart `file` and ingest it; None when the request carries no file."""
    services.require_writable(account, mosaic.id, "mosaic")  # before a byte of the file is stored
    received = received_file(request, max_size=account.max_upload_file_size)
    if received is None:
        return None
    try:
        image = services.image_ingest(
            account=account,
            mosaic=mosaic,
            incoming=services.IncomingFile(received.path, received.name, received.size, received.checksum),
            max_pixel_count=account.max_pixel_count,
        )
    finally:
        received.discard()
    return {"message": "Files successfully uploaded", "mosaic_id": str(mosaic.id), "image_id": str(image.id)}


# --- Mosaics ---


@api.get("/rasters/mosaic", response=list[MosaicOut], tags=["mosaics"])
def mosaic_list(request, tags: list[str] = Query(default=[])):
    mosaics = selectors.mosaic_list(account=request.auth, tags=tags)
    return [serializers.mosaic_json(request, mosaic) for mosaic in mosaics]


@api.post("/rasters/mosaic", response={200: MosaicCreated, 403: RasterErrorOut}, tags=["mosaics"])
def mosaic_create(request, payload: MosaicIn):
    mosaic = services.mosaic_create(account=request.auth, name=payload.name, tags=payload.tags)
    return serializers.mosaic_created_json(mosaic)


def mosaic_create_with_image(
    request, name: str = Query(..., min_length=1, max_length=255), tags: list[str] = Query(default=[])
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


for _path in ("/rasters/mosaic/image", "/rasters/mosaic/mosaic"):
    api.post(_path, response={200: UploadOut, **UPLOAD_ERRORS}, tags=["mosaics"], openapi_extra=MULTIPART_FILE)(
        mosaic_create_with_image
    )


@api.get("/rasters/mosaic/{mosaic_id}", response={200: MosaicOut, **ERRORS}, tags=["mosaics"])
def mosaic_get(request, mosaic_id: uuid.UUID):
    return serializers.mosaic_json(request, selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id))


@api.put("/rasters/mosaic/{mosaic_id}", response={200: MosaicCreated, **ERRORS}, tags=["mosaics"])
def mosaic_update(request, mosaic_id: uuid.UUID, payload: MosaicUpdate):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    mosaic = services.mosaic_update(account=request.auth, mosaic=mosaic, name=payload.name, tags=payload.tags)
    return serializers.mosaic_created_json(mosaic)


@api.delete("/rasters/mosaic/{mosaic_id}", response={200: Message, **ERRORS}, tags=["mosaics"])
def mosaic_delete(request, mosaic_id: uuid.UUID):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    services.mosaic_delete(account=request.auth, mosaic=mosaic)
    return {"message": "Files deleted"}


@api.post(
    "/rasters/mosaic/{mosaic_id}/image",
    response={200: UploadOut, **UPLOAD_ERRORS},
    tags=["mosaics"],
    openapi_extra=MULTIPART_FILE,
)
def mosaic_upload_image(request, mosaic_id: uuid.UUID):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    return _upload(request, request.auth, mosaic) or _missing_file()


@api.post("/rasters/mosaic/{mosaic_id}/link-image", response={200: LinkOut, **UPLOAD_ERRORS}, tags=["mosaics"])
def mosaic_link_image(request, mosaic_id: uuid.UUID, payload: LinkIn):
    account = request.auth
    mosaic = selectors.mosaic_get(account=account, mosaic_id=mosaic_id)
    services.require_writable(account, mosaic.id, "mosaic")
    incoming = link_fetch(payload.url, max_size=account.max_upload_file_size, mosaic=mosaic)
    try:
        services.image_ingest(account=account, mosaic=mosaic, incoming=incoming, max_pixel_count=account.max_pixel_count)
    finally:
        incoming.path.unlink(missing_ok=True)
    return {"message": "File successfully linked to a mosaic", "mosaic_id": str(mosaic.id)}


@api.get("/rasters/mosaic/{mosaic_id}/image", response={200: list[ImageOut], **ERRORS}, tags=["mosaics"])
def mosaic_images(request, mosaic_id: uuid.UUID):
    mosaic = selectors.mosaic_get(account=request.auth, mosaic_id=mosaic_id)
    return [serializers.image_json(request, image) for image in mosaic.images.all()]


# --- Images ---


@api.get("/rasters/image/{image_id}", response={200: ImageOut, **ERRORS}, tags=["images"])
def image_get(request, image_id: uuid.UUID):
    return serializers.image_json(request, selectors.image_get(account=request.auth, image_id=image_id))


@api.put("/rasters/image/{image_id}", response={200: ImageOut, **ERRORS}, tags=["images"])
def image_rename(request, image_id: uuid.UUID, name: str = Query(..., min_length=1, max_length=255)):
    image = selectors.image_get(account=request.auth, image_id=image_id)
    image = services.image_rename(account=request.auth, image=image, name=name)
    return serializers.image_json(request, image)


@api.delete("/rasters/image/{image_id}", response={200: Message, **ERRORS}, tags=["images"])
def image_delete(request, image_id: uuid.UUID):
    image = selectors.image_get(account=request.auth, image_id=image_id)
    services.image_delete(account=request.auth, image=image)
    return {"message": f"{image_id} deleted"}


def image_preview(request, image_id: uuid.UUID, size: str):
    image = selectors.image_get(account=request.auth, image_id=image_id)
    if size not in ("s", "l"):
        raise errors.PreviewNotFound(image_id=str(image_id))
    path = image_files(image).preview(size)
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


api.get(
    "/rasters/image/{image_id}/preview/{size}",
    response={200: None, **ERRORS},
    tags=["images"],
    url_name="image_preview",
)(image_preview)
api.get(
    "/rasters/{image_id}/preview/{size}",
    response={200: None, **ERRORS},
    tags=["images"],
    url_name="image_preview_legacy",
)(image_preview)


# --- Storage and account ---


@api.get("/rasters/memory", response=Memory, tags=["storage"])
def memory(request):
    account = request.auth
    return serializers.memory_json(account, services.account_memory_used(account=account))
