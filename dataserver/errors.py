"""The error bodies of the Data API, in the shape of each endpoint family (DATA_API.md section 1).

- rasters (`/rest/rasters/...`): `{"detail": {"code", "parameters"}}` for the contract's errors (RasterError below),
  `{"detail": [{"loc", "msg", "type"}]}` for a request of the wrong shape (422), `{"detail": "<message>"}` for
  anything else (an unknown route, a body that cannot be read, a missing token...), as FastAPI answers them;
- everything else under `/rest/` (catalog search, account status): `{"code", "message", "params"}`.
"""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse

RASTERS_PATH = "/rest/rasters/"


class RasterError(Exception):
    status = 400
    code = "Error"

    def __init__(self, **parameters: Any) -> None:
        super().__init__(f"{self.code}: {parameters}")
        self.parameters = parameters

    def body(self) -> dict:
        return {"detail": {"code": self.code, "parameters": self.parameters}}


def _error(code: str, status: int) -> type[RasterError]:
    return type(code, (RasterError,), {"code": code, "status": status})


ItemNotFound = _error("ItemNotFound", 404)
AccessDenied = _error("AccessDenied", 403)
MemoryLimitExceeded = _error("MemoryLimitExceeded", 403)
FileTooBig = _error("FileTooBig", 403)
FileOpenError = _error("FileOpenError", 422)
FileCheckFailed = _error("FileCheckFailed", 422)
ImageOutOfBounds = _error("ImageOutOfBounds", 422)
ImageExtentTooBig = _error("ImageExtentTooBig", 422)
FileValidationFailed = _error("FileValidationFailed", 422)
FileAlreadyExists = _error("FileAlreadyExists", 403)
InvalidLink = _error("InvalidLink", 422)
LinkedObjectNotFound = _error("LinkedObjectNotFound", 404)
PreviewNotFound = _error("PreviewNotFound", 404)
ImageNotDownloadable = _error("ImageNotDownloadable", 403)
ImageDataNotAvailable = _error("ImageDataNotAvailable", 409)
DownloadLinkNotValid = _error("DownloadLinkNotValid", 404)
DownloadLinkExpired = _error("DownloadLinkExpired", 403)


def in_rasters_family(request: HttpRequest) -> bool:
    return request.path_info.startswith(RASTERS_PATH)


def family_body(request: HttpRequest, status: int, message: str | None = None, **params: Any) -> dict:
    """The body of an error that is none of the contract's own: `{"detail": message}` for the rasters family,
    `{"code": <the status's name>, "message", "params"}` for the others."""
    message = message or HTTPStatus(status).phrase
    if in_rasters_family(request):
        return {"detail": message}
    return {"code": HTTPStatus(status).name, "message": message, "params": params}


def family_response(request: HttpRequest, status: int, message: str | None = None, **params: Any) -> JsonResponse:
    return JsonResponse(family_body(request, status, message, **params), status=status)
