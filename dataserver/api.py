"""The self-hosted Data API under /rest/: one NinjaAPI, its credentials and its error shapes, and the routers of its two
APIs, rasters (dataserver.rasters.api) and catalog (dataserver.catalog.api)."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBasicAuth

from dataserver import errors
from dataserver.catalog.api import router as catalog_router
from dataserver.models import Account
from dataserver.rasters.api import router as rasters_router
from dataserver.storage import OBJECT_STORE_ERRORS

logger = logging.getLogger(__name__)
STORE_FAILED = "The imagery store did not answer as it should; try again later (nothing of a failed upload is kept)"


class BasicToken(HttpBasicAuth):
    """`Authorization: Basic base64(email:apiToken)`."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> Account | None:
        if "\x00" in username:  # no email has one, and PostgreSQL takes none in a query
            return None
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

api.add_router("", rasters_router)
api.add_router("", catalog_router)

@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    response = api.create_response(request, errors.family_body(request, 401, "Not authenticated"), status=401)
    response["WWW-Authenticate"] = "Basic"
    return response


@api.exception_handler(errors.RasterError)
def raster_error(request, exc: errors.RasterError):
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(ValidationError)
def invalid_request(request, exc: ValidationError):
    """A request of the wrong shape: 422 with the problems in the rasters family, 400 BAD_REQUEST naming them in the
    other."""
    if errors.in_rasters_family(request):
        return api.create_response(request, {"detail": exc.errors}, status=422)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in item['loc'][2:] or item['loc'])}: {item['msg']}" for item in exc.errors
    )
    body = errors.family_body(request, 400, f"Invalid request: {problems}", errors=exc.errors)
    return api.create_response(request, body, status=400)


@api.exception_handler(HttpError)
def unreadable_body(request, exc: HttpError):
    """What django-ninja refuses before an endpoint runs: a JSON body that is not JSON (400)."""
    return api.create_response(request, errors.family_body(request, exc.status_code, str(exc)), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request, exc):
    message = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes (files aside)"
    return api.create_response(request, errors.family_body(request, 413, message), status=413)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
@api.exception_handler(UnreadablePostError)
def malformed_body(request, exc):
    """A multipart body that cannot be parsed, one of too many parts, or one cut off."""
    body = errors.family_body(request, 400, "There was an error parsing the body")
    return api.create_response(request, body, status=400)


def store_failed(request, exc):
    """The object store refused or failed a request: 503, and the server's log says how."""
    logger.warning("The imagery store failed %s %s: %s", request.method, request.path_info, exc)
    return api.create_response(request, errors.family_body(request, 503, STORE_FAILED), status=503)


for kind in OBJECT_STORE_ERRORS:
    api.add_exception_handler(kind, store_failed)
