"""Typed errors of the Data API client.

Every failure of a call is one `DataAPIError`: it carries the HTTP status (None when no answer came), the API's error
code and parameters, and `message`, a sentence for people built from them.
"""

from typing import Any

from common.sizes import format_size


def _size(value: Any) -> str:
    return format_size(value) if isinstance(value, int) else str(value)


def _pixel_size(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " x ".join(f"{float(v):g}" for v in value)
    return str(value)


def _validation_message(p: dict) -> str:
    name, got, expected = p.get("param_name"), p.get("got_param"), p.get("expected_param")
    if name == "count":
        return f"This image has {got} bands; the mosaic's images have {expected}"
    if name == "crs":
        where = f"is in {got}" if got else "has no CRS"
        return f"This image {where}; the mosaic's images are in {expected}"
    if name == "pixel_size":
        return f"This image has pixels of {_pixel_size(got)}; the mosaic's images have {_pixel_size(expected)}"
    return f"This image's {name} is {got}; the mosaic's images have {expected}"


def _check_message(p: dict) -> str:
    """FileCheckFailed: the parameters named as the checks of DATA_API.md section 2 mean them."""
    words = {
        "crs": "CRS (it has none)",
        "transform": "geotransform (it has none)",
        "total_pixels": f"pixel count ({p.get('width')} x {p.get('height')})",
        "blocks": "tiles or strips (some are not stored: save it without SPARSE_OK)",
        "block_size": "tiles or strips (one is too large once decoded: save it tiled, e.g. as a COG)",
        "read_time": "overviews (its preview took too long to read: add overviews, e.g. save it as a COG)",
    }
    checks = [words.get(str(name), str(name)) for name in p.get("bad_parameters") or []]
    return f"{p.get('filename', 'The file')} cannot be used: check its " + ", ".join(checks)


# Rasters error codes (DATA_API.md section 1) → a sentence from their parameters.
MESSAGES = {
    "ItemNotFound": lambda p: f"This {p.get('instance_type', 'item')} does not exist (or belongs to another account)",
    "AccessDenied": lambda p: f"You may view this {p.get('instance_type', 'item')} but not change it",
    "MemoryLimitExceeded": lambda p: (
        f"Not enough storage: the file needs {_size(p.get('memory_requested'))}, "
        f"{_size(p.get('available_memory'))} is free"
    ),
    "FileTooBig": lambda p: (
        f"The file is {_size(p.get('actual_file_size'))}; the largest allowed is {_size(p.get('max_file_size'))}"
    ),
    "FileOpenError": lambda p: f"{p.get('filename', 'The file')} is not a readable GeoTIFF",
    "FileCheckFailed": _check_message,
    "ImageOutOfBounds": lambda p: f"{p.get('filename', 'The image')} lies outside valid longitudes and latitudes",
    "ImageExtentTooBig": lambda p: f"{p.get('filename', 'The image')} is wider or taller than 10 degrees",
    "FileValidationFailed": _validation_message,
    "FileAlreadyExists": lambda p: f"{p.get('url')} is already in a mosaic",
    "InvalidLink": lambda p: f"{p.get('url')} is not a link the Data API may read",
    "LinkedObjectNotFound": lambda p: f"{p.get('url')} does not exist",
    "PreviewNotFound": lambda p: "This preview size does not exist",
}


class DataAPIError(Exception):
    status: int | None = None
    default_message = "The Data API refused the request"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str | None = None,
        parameters: dict | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status if status is not None else type(self).status
        self.code = code
        self.parameters = parameters or {}
        self.method = method
        self.path = path
        self.message = message or self._message_from_code() or self.default_message
        super().__init__(self.message)

    def _message_from_code(self) -> str | None:
        builder = MESSAGES.get(self.code or "")
        return builder(self.parameters) if builder else None


class InvalidRequest(DataAPIError):
    status = 400
    default_message = "The Data API rejected the request as invalid"


class AuthenticationFailed(DataAPIError):
    status = 401
    default_message = "The Data API rejected the team's token"


class PermissionDenied(DataAPIError):
    status = 403
    default_message = "The Data API does not allow this"


class NotFound(DataAPIError):
    status = 404
    default_message = "Not found in the Data API"


class RateLimited(DataAPIError):
    status = 429
    default_message = "The Data API is receiving too many requests; try again shortly"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kwargs) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(DataAPIError):
    status = 500
    default_message = "The Data API is failing; try again later"


class MalformedResponse(ServerError):
    default_message = "The Data API sent an answer that cannot be read"


class ForeignHost(MalformedResponse):
    default_message = "The Data API named a host this site does not fetch from"


class APIConnectionError(DataAPIError):
    default_message = "The Data API cannot be reached"


class APITimeout(APIConnectionError):
    default_message = "The Data API did not answer in time"


def error_for_status(status: int) -> type[DataAPIError]:
    if status == 401:
        return AuthenticationFailed
    if status == 403:
        return PermissionDenied
    if status == 404:
        return NotFound
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return InvalidRequest


class NotConfigured(DataAPIError):
    default_message = "This team has not connected a Data API account yet"


class NotAllowed(NotConfigured):
    """A Data API URL that the site's operator does not allow (nothing was sent anywhere)."""

    default_message = "This Data API URL is not one this site connects to"
