"""An original served under its signed link: the whole file, or the one byte range a client asks for.

From a folder (or an object store browsers have no address for, read in ranged reads of CHUNK bytes) this server
sends the file; from an object store browsers can reach, the link answers with a redirect to a presigned GET of the
object (storage.PRESIGNED_URL_SECONDS, saved under the image's file name) and the store sends it, ranges included.
The link's refusals come first either way.

With ranges a download of many GB resumes where it stopped (`Range: bytes=N-`, `If-Range` with the ETag, which is the
file's SHA-1). The file is never read whole: a full answer goes out by the server's file wrapper (sendfile under
gunicorn), a range in blocks of CHUNK bytes.
"""

import re
from datetime import datetime

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.utils.http import http_date

from dataserver.storage import store

CHUNK = 1024 * 1024
CONTENT_TYPE = "image/tiff"
ONE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeNotSatisfiable(Exception):
    pass


class OriginalResponse(FileResponse):
    block_size = CHUNK


class FileSlice:
    """`length` bytes of an open file from `start`, read like a file (for FileResponse)."""

    def __init__(self, file, start: int, length: int) -> None:
        file.seek(start)
        self.file = file
        self.left = length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.file.read(size) if size else b""
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a one-range `Range` header; None (the whole file) for none, a malformed one or several
    ranges, which a server may ignore. RangeNotSatisfiable when it starts past the end."""
    match = ONE_RANGE.fullmatch((header or "").strip())
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # bytes=-N: the last N bytes
        if int(last) == 0:
            raise RangeNotSatisfiable
        return max(0, size - int(last)), size - 1
    if last != "" and int(last) < int(first):
        return None
    if int(first) >= size:
        raise RangeNotSatisfiable
    return int(first), size - 1 if last == "" else min(int(last), size - 1)


def download_filename(name: str) -> str:
    """The name a browser saves the file under: no control characters or path separators (a header cannot hold
    the former)."""
    return "".join(ch if ch.isprintable() and ch not in '/\\"' else "_" for ch in name) or "image.tif"


def original_response(
    request: HttpRequest, key: str, *, filename: str, checksum: str, modified: datetime
) -> HttpResponse:
    name = download_filename(filename)
    presigned = store().download_url(key, filename=name)
    if presigned is not None:
        response = HttpResponseRedirect(presigned)
        response["Cache-Control"] = "no-store"  # the URL expires: never reuse this answer
        return response
    size = store().size(key) or 0
    etag = f'"{checksum}"'
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "Last-Modified": http_date(modified.timestamp())}
    if_range = request.headers.get("If-Range")
    wanted = request.headers.get("Range") if if_range in (None, etag, headers["Last-Modified"]) else None
    try:
        part = byte_range(wanted, size)
    except RangeNotSatisfiable:
        response = JsonResponse({"detail": "Range Not Satisfiable"}, status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    file = store().open(key)  # closed by the response
    if part is None:
        response = OriginalResponse(file, as_attachment=True, filename=name, content_type=CONTENT_TYPE)
    else:
        first, last = part
        body = FileSlice(file, first, last - first + 1)
        response = OriginalResponse(body, status=206, as_attachment=True, filename=name, content_type=CONTENT_TYPE)
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    for header, value in headers.items():
        response[header] = value
    response["Cache-Control"] = "private"
    return response
