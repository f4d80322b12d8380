"""Catalog search and the account status of the self-hosted Data API (DATA_API.md sections 6 and 7).

Errors here are {"code", "message", "params"} bodies; request-shape errors stay 422 like everywhere else.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.http import FileResponse
from ninja import Router
from ninja.responses import Status

from common.aoi import InvalidGeometry, geodesic_area, geometry_from_geojson
from dataserver.catalog.responses import search_image_json
from dataserver.catalog.scenes import (
    SearchQuery,
    scene_get,
    scene_search,
    search_providers,
)
from dataserver.catalog.schemas import CatalogErrorOut, SearchImage, SearchIn, SearchOut
from dataserver.errors import family_response
from dataserver.models import Account, Image
from dataserver.rasters import signed_links
from dataserver.rasters.schemas import JPEG_ANSWER, UserStatus
from dataserver.storage import image_files, store

router = Router(tags=["account"])


def _error(status: int, code: str, message: str, **params) -> Status:
    return Status(status, {"code": code, "message": message, "params": params})


def _utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC (one without an offset is read as UTC): the databases compare it so, and PostgreSQL refuses
    offsets past 15:59, which ISO 8601 allows. Within a day of the calendar's end, the end."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.max if moment.year == datetime.max.year else datetime.min).replace(tzinfo=UTC)


# What an operation may answer besides 200, all in this family's {"code", "message", "params"}: a request that cannot
# be read or is of the wrong shape (400), a missing or wrong token (401); a body: one too large (413).
BASE = {400: CatalogErrorOut, 401: CatalogErrorOut}


@router.post("/catalog/meta", response={200: SearchOut, **BASE, 413: CatalogErrorOut}, tags=["catalog"])
def catalog_search(request, payload: SearchIn):
    account: Account = request.auth
    try:
        aoi = geometry_from_geojson(payload.aoi, max_vertices=settings.DATASERVER_AOI_MAX_VERTICES)
    except InvalidGeometry as exc:
        return _error(400, "INVALID_AOI", str(exc))
    area = geodesic_area(aoi)
    if area > account.search_area_limit:
        message = f"The AOI covers {area:.0f} m², more than the search area limit of {account.search_area_limit} m²"
        return _error(400, "TOO_LARGE_AOI", message, area=round(area), aoiAreaLimit=account.search_area_limit)
    query = SearchQuery(
        aoi=aoi,
        date_from=_utc(payload.acquisitionDateFrom),
        date_to=_utc(payload.acquisitionDateTo),
        min_resolution=payload.minResolution,
        max_resolution=payload.maxResolution,
        max_cloud_cover=payload.maxCloudCover,
        min_off_nadir=payload.minOffNadirAngle,
        max_off_nadir=payload.maxOffNadirAngle,
        min_intersection=payload.minAoiIntersectionPercent,
        product_types=payload.productTypes,
        providers=payload.dataProviders,
        sort_by=payload.sortBy,
        descending=payload.sortOrder == "DESC",
        limit=payload.limit,
        offset=payload.offset,
    )
    page = scene_search(account=account, query=query)
    images = [search_image_json(request, hit) for hit in page.hits]
    return {"images": images, "total": page.total, "limit": payload.limit, "offset": payload.offset}


@router.get("/catalog/meta/{path:image_id}", response={200: SearchImage, **BASE, 404: CatalogErrorOut}, tags=["catalog"])
def catalog_image(request, image_id: str):
    """A scene by its provider's id (any string, `/` included), or an image or mosaic of the account by its id."""
    hit = scene_get(account=request.auth, scene_id=image_id)
    if hit is None:
        return _error(404, "NOT_FOUND", f"No image {image_id} in the catalog", id=image_id)
    return search_image_json(request, hit)


@router.get(
    "/catalog/preview/{token}",
    auth=None,
    response={200: None, 400: CatalogErrorOut, 404: CatalogErrorOut},
    tags=["catalog"],
    url_name="catalog_preview",
    openapi_extra=JPEG_ANSWER,
)
def catalog_preview(request, token: str):
    """The large preview of an account's image, under a signed expiring link (no credentials)."""
    try:
        image_id = signed_links.previews.image_id(token, max_age=settings.DATASERVER_PREVIEW_URL_TTL)
    except signed_links.LinkRefused:
        image_id = None
    image = Image.objects.select_related("mosaic").filter(id=image_id).first() if image_id else None
    try:
        jpeg = store().open(image_files(image).preview("l")) if image else None
    except FileNotFoundError:
        jpeg = None
    if jpeg is None:
        return family_response(request, 404, "No preview at this link (or it has expired)")
    response = FileResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=300"
    return response


@router.get("/user/status", response={200: UserStatus, **BASE})
def user_status(request):
    account: Account = request.auth
    return {
        "email": account.email,
        "memoryLimit": account.memory_limit,
        "areaLimit": account.area_limit,
        "searchAreaLimit": account.search_area_limit,
        "aoiAreaLimit": account.area_limit,
        "teams": [],
        "searchDataProviders": search_providers(),
    }
