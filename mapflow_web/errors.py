"""What the user sees when the Data API fails: one mapping from `DataAPIError` to a status and a sentence, used by
every view, and `DataAPIErrorMiddleware`, which answers any such error a view lets through: a page with the frame
for a page, the plain sentence for an htmx request or a tile (frame.js shows it, in the open dialog or as an alert).
Views that show an error next to the control it concerns (a form, the catalog's area) use `shown()` for its words."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render

from dataapi import errors


@dataclass(frozen=True)
class Shown:
    status: int
    message: str  # a sentence, with its full stop
    retry_after: float | None = None
    # An admin fixes it on the team page: no credential, a refused token, a URL no longer allowed.
    fix_credential: bool = False


def missing(error: errors.DataAPIError) -> bool:
    """An unknown mosaic or image (or another account's). A link to a missing object is a form's error instead."""
    return isinstance(error, errors.NotFound) and error.code in (None, "ItemNotFound")


def shown(error: errors.DataAPIError) -> Shown:
    sentence = f"{error.message.rstrip('.')}."
    if isinstance(error, errors.NotConfigured):  # no credential, or its URL is not allowed (nothing was sent)
        return Shown(409, sentence, fix_credential=True)
    if isinstance(error, (errors.AuthenticationFailed, errors.PermissionDenied)) and error.code is None:
        return Shown(502, sentence, fix_credential=True)
    if isinstance(error, errors.PermissionDenied):  # the API's own refusal of this action (AccessDenied, quota...)
        return Shown(403, sentence)
    if missing(error):
        return Shown(404, sentence)
    if isinstance(error, errors.RateLimited):
        return Shown(503, sentence, retry_after=error.retry_after)
    if isinstance(error, errors.APITimeout):
        return Shown(504, sentence)
    if isinstance(error, (errors.APIConnectionError, errors.ServerError)):
        return Shown(502, sentence)
    return Shown(400, sentence)


def api_error_response(request, error: errors.DataAPIError, *, plain: bool = False) -> HttpResponse:
    """The answer to a request that failed on `error`: plain text for htmx (and with `plain`), else a page."""
    what = shown(error)
    if plain or request.headers.get("HX-Request") == "true":
        response = HttpResponse(what.message, status=what.status, content_type="text/plain; charset=utf-8")
    else:
        response = render(request, "error.html", {"shown": what}, status=what.status)
    if what.retry_after is not None:
        response["Retry-After"] = str(int(what.retry_after))
    return response


class DataAPIErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, errors.DataAPIError):
            return api_error_response(request, exception)
        return None
