"""`DataAPIClient`: one HTTP session to one Data API account (DATA_API.md).

Every call has a `(connect, read)` timeout. Idempotent methods (GET, PUT, DELETE) are retried with exponential backoff
and jitter when the connection fails, on 429 (honouring `Retry-After`) and on 502/503/504; POST is never retried, so
nothing is created twice. Every failure is raised as a `DataAPIError` subclass. Log records carry the method, path,
status and duration, never the token.
"""

import contextlib
import copy
import email.utils
import logging
import os
import random
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar
from urllib.parse import quote

import requests
import urllib3
from pydantic import BaseModel, TypeAdapter, ValidationError
from requests.adapters import HTTPAdapter

from common.addresses import AddressPolicy

from . import errors, schemas
from .connections import guarded_pool_classes

logger = logging.getLogger("dataapi")

USER_AGENT = "mapflow-web/0.1 (+https://github.com/mapflow-web)"
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
Model = TypeVar("Model", bound=BaseModel)


class GuardedAdapter(HTTPAdapter):
    """Connects only to addresses its policy allows, when it has one."""

    def __init__(self, *args, address_policy: AddressPolicy | None = None, **kwargs) -> None:
        self.address_policy = address_policy
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        if self.address_policy is not None:
            self.poolmanager.pool_classes_by_scheme = guarded_pool_classes(self.address_policy)


class MultipartFile:
    """A multipart/form-data body of one `file` part, as `curl -F file=@...` sends it: its length known up front (so
    it goes with a Content-Length) and the file sent a block at a time as it is read, with no copy in between (a
    multipart encoder that buffers each block read half as fast as the socket takes it). `progress` is called with
    the bytes of the body sent so far. The part's header is urllib3's, which escapes the file name."""

    BLOCK = 1024 * 1024

    def __init__(self, file: IO[bytes], *, filename: str, progress: Callable[[int], None] | None = None) -> None:
        boundary = secrets.token_hex(16)
        part = urllib3.fields.RequestField("file", b"", filename=filename)
        part.make_multipart(content_type="image/tiff")
        self.content_type = f"multipart/form-data; boundary={boundary}"
        self.head = f"--{boundary}\r\n{part.render_headers()}".encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.file, self.start, self.progress = file, file.tell(), progress
        self.size = file.seek(0, os.SEEK_END) - self.start
        file.seek(self.start)

    def __len__(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def __iter__(self):
        self.file.seek(self.start)
        sent = len(self.head)
        yield self.head
        while block := self.file.read(self.BLOCK):
            yield block
            sent += len(block)
            if self.progress is not None:
                self.progress(sent)
        yield self.tail


def _origin(url: str | urllib3.util.Url) -> str:
    parts = url if isinstance(url, urllib3.util.Url) else urllib3.util.parse_url(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme or "", 0)
    return f"{parts.scheme}://{(parts.host or '').lower()}:{port}"


@contextlib.contextmanager
def _relay_errors(path: str):
    """urllib3's errors of a relayed GET as the client's: APIConnectionError, or APITimeout when no answer came."""
    try:
        yield
    except urllib3.exceptions.NewConnectionError as exc:  # (a ConnectTimeoutError to urllib3, but refused)
        raise errors.APIConnectionError(method="GET", path=path) from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise errors.APITimeout(method="GET", path=path) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise errors.APIConnectionError(method="GET", path=path) from exc


class DataAPIClient:
    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: tuple[float, float] = (3.05, 30.0),
        upload_timeout: tuple[float, float] = (3.05, 600.0),
        max_retries: int = 3,
        backoff: float = 0.5,
        max_retry_wait: float = 30.0,
        pool_size: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        address_policy: AddressPolicy | None = None,
        relay_origins: tuple[str, ...] = (),
    ) -> None:
        """With `address_policy`, every connection goes to an address the policy allows (checked when connecting,
        each time), and no proxy from the environment is used. `relay_get` fetches only from the API's own origin
        and from `relay_origins` (e.g. a tile host of the API's)."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.upload_timeout = upload_timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_retry_wait = max_retry_wait
        self._sleep = sleep
        self.relay_origins = frozenset(_origin(origin) for origin in (self.base_url, *relay_origins))
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Basic {token}", "User-Agent": USER_AGENT})
        if address_policy is not None:
            self.session.trust_env = False  # a proxy from the environment would connect wherever it is asked to
        adapter = GuardedAdapter(
            pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0, address_policy=address_policy
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"DataAPIClient(base_url={self.base_url!r})"

    def close(self) -> None:
        self.session.close()

    def with_options(
        self, *, timeout: tuple[float, float] | None = None, max_retries: int | None = None
    ) -> "DataAPIClient":
        """A copy sharing this client's session (and its pooled connections) with other timeouts or retries."""
        other = copy.copy(self)
        other.timeout = timeout or self.timeout
        other.max_retries = self.max_retries if max_retries is None else max_retries
        return other

    # --- Mosaics ---

    def mosaic_list(self, *, tags: list[str] | None = None) -> list[schemas.Mosaic]:
        return self._list(schemas.Mosaic, self.request("GET", "/rasters/mosaic", params={"tags": tags or []}))

    def mosaic_create(self, *, name: str, tags: list[str] | None = None) -> schemas.MosaicCreated:
        answer = self.request("POST", "/rasters/mosaic", json={"name": name, "tags": tags or []})
        return self._one(schemas.MosaicCreated, answer)

    def mosaic_get(self, mosaic_id: str) -> schemas.Mosaic:
        return self._one(schemas.Mosaic, self.request("GET", f"/rasters/mosaic/{mosaic_id}"))

    def mosaic_update(self, mosaic_id: str, *, name: str, tags: list[str]) -> schemas.MosaicCreated:
        answer = self.request("PUT", f"/rasters/mosaic/{mosaic_id}", json={"name": name, "tags": tags})
        return self._one(schemas.MosaicCreated, answer)

    def mosaic_delete(self, mosaic_id: str) -> schemas.Message:
        return self._one(schemas.Message, self.request("DELETE", f"/rasters/mosaic/{mosaic_id}"))

    def mosaic_images(self, mosaic_id: str) -> list[schemas.Image]:
        return self._list(schemas.Image, self.request("GET", f"/rasters/mosaic/{mosaic_id}/image"))

    def mosaic_upload_image(
        self,
        mosaic_id: str,
        *,
        file: Path | IO[bytes],
        filename: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> schemas.UploadResult:
        """`progress`, if given, is called with the bytes of the request body sent so far."""
        return self._upload(f"/rasters/mosaic/{mosaic_id}/image", file, filename, progress=progress)

    def mosaic_link_image(self, mosaic_id: str, *, url: str) -> schemas.UploadResult:
        answer = self.request("POST", f"/rasters/mosaic/{mosaic_id}/link-image", json={"url": url})
        return self._one(schemas.UploadResult, answer)

    # --- Images ---

    def image_get(self, image_id: str) -> schemas.Image:
        return self._one(schemas.Image, self.request("GET", f"/rasters/image/{image_id}"))

    def image_rename(self, image_id: str, *, name: str) -> schemas.Image:
        return self._one(schemas.Image, self.request("PUT", f"/rasters/image/{image_id}", params={"name": name}))

    def image_delete(self, image_id: str) -> schemas.Message:
        return self._one(schemas.Message, self.request("DELETE", f"/rasters/image/{image_id}"))

    def image_download(self, image_id: str) -> schemas.ImageDownload:
        """A link to the image's original that needs no credentials and expires (the one URL a browser may get)."""
        return self._one(schemas.ImageDownload, self.request("GET", f"/rasters/image/{image_id}/download"))

    def image_preview_url(self, image_id: str, size: str = "s") -> str:
        """Where the JPEG preview is (`s` fits 256 px, `l` fits 1024 px); it is read with this client's credentials."""
        return f"{self.base_url}/rasters/image/{image_id}/preview/{size}"

    # --- Storage, catalog, account ---

    def memory(self) -> schemas.Memory:
        return self._one(schemas.Memory, self.request("GET", "/rasters/memory"))

    def catalog_search(self, **query: Any) -> schemas.SearchResult:
        """POST /catalog/meta with the request fields of DATA_API.md section 6 (`aoi` required)."""
        return self._one(schemas.SearchResult, self.request("POST", "/catalog/meta", json=query))

    def catalog_image(self, image_id: str) -> schemas.SearchImage:
        """One search result by its id: a scene's is its provider's own, any text (`/` included)."""
        return self._one(schemas.SearchImage, self.request("GET", f"/catalog/meta/{quote(image_id, safe='')}"))

    def user_status(self) -> schemas.UserStatus:
        return self._one(schemas.UserStatus, self.request("GET", "/user/status"))

    # --- Transport ---

    def relay_get(self, url: str, *, headers: dict[str, str], timeout: tuple[float, float]) -> urllib3.BaseHTTPResponse:
        """GET `url` (a tile or preview, once) over the session's pooled connections, straight through urllib3, and
        return the unread response, to be streamed on and then `release_conn()`ed. Skips what `requests` adds per call
        (about a tenth of a proxied tile's CPU time). Raises APIConnectionError or APITimeout when no answer
        comes, and ForeignHost for a URL outside the API's own origin and the client's `relay_origins`."""
        parts = urllib3.util.parse_url(url)  # once: parsing was a twentieth of a proxied tile's CPU time
        path = parts.path or ""
        if _origin(parts) not in self.relay_origins:
            raise errors.ForeignHost(method="GET", path=path)
        pool = self.session.get_adapter(url).poolmanager.connection_from_host(parts.host, parts.port, parts.scheme)
        with _relay_errors(path):
            return pool.urlopen(
                "GET",
                parts.request_uri,
                headers={**self.session.headers, **headers},
                retries=False,
                redirect=False,
                timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
                preload_content=False,
            )

    @staticmethod
    def relay_read(upstream: urllib3.BaseHTTPResponse, *, path: str) -> bytes:
        """The whole body of a `relay_get` answer (a tile: small), its connection released; the errors of relay_get."""
        with _relay_errors(path):
            try:
                return upstream.read()
            finally:
                upstream.release_conn()

    def request(
        self, method: str, path: str, *, timeout: tuple[float, float] | None = None, **kwargs
    ) -> requests.Response:
        """Send one call (retrying where allowed) and return the 2xx response; raise `DataAPIError` otherwise."""
        method = method.upper()
        attempts = 1 + (self.max_retries if method in IDEMPOTENT else 0)
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            started = time.monotonic()
            try:
                response = self.session.request(method, self.base_url + path, timeout=timeout or self.timeout, **kwargs)
            except requests.Timeout as exc:
                self._log(method, path, None, started, exc)
                if last or not isinstance(exc, requests.ConnectTimeout):
                    raise errors.APITimeout(method=method, path=path) from exc
                self._sleep(self._backoff(attempt))
                continue
            except requests.RequestException as exc:
                self._log(method, path, None, started, exc)
                if last:
                    raise errors.APIConnectionError(method=method, path=path) from exc
                self._sleep(self._backoff(attempt))
                continue
            self._log(method, path, response.status_code, started)
            if response.ok:
                return response
            if response.status_code in RETRY_STATUSES and not last:
                wait = self._retry_wait(response, attempt)
                if wait is not None:
                    response.close()
                    self._sleep(wait)
                    continue
            raise self._error(response, method, path)
        raise AssertionError("unreachable")  # pragma: no cover

    def _upload(
        self,
        path: str,
        file: Path | IO[bytes],
        filename: str | None,
        progress: Callable[[int], None] | None = None,
    ) -> schemas.UploadResult:
        """Stream a multipart `file` part; the body is never held in memory whole."""
        if isinstance(file, (str, Path)):
            with open(file, "rb") as fh:
                return self._upload(path, fh, filename or Path(file).name, progress)
        body = MultipartFile(file, filename=filename or Path(getattr(file, "name", "image.tif")).name, progress=progress)
        answer = self.request(
            "POST",
            path,
            data=body,
            headers={"Content-Type": body.content_type},
            timeout=self.upload_timeout,
        )
        return self._one(schemas.UploadResult, answer)

    def _backoff(self, attempt: int) -> float:
        return min(self.max_retry_wait, self.backoff * 2 ** (attempt - 1)) + random.uniform(0, self.backoff)

    def _retry_wait(self, response: requests.Response, attempt: int) -> float | None:
        """Seconds to wait before the next attempt; None when the server asks for longer than we are willing to wait."""
        retry_after = retry_after_seconds(response.headers.get("Retry-After"))
        if retry_after is None:
            return self._backoff(attempt)
        return retry_after if retry_after <= self.max_retry_wait else None

    def _error(self, response: requests.Response, method: str, path: str) -> errors.DataAPIError:
        status = response.status_code
        code, parameters, message = error_fields(response)
        cls = errors.error_for_status(status)
        kwargs = {"status": status, "code": code, "parameters": parameters, "method": method, "path": path}
        if cls is errors.AuthenticationFailed:
            message = None  # the API's "Not authenticated" says less than our own sentence
        if cls is errors.RateLimited:
            kwargs["retry_after"] = retry_after_seconds(response.headers.get("Retry-After"))
        return cls(message, **kwargs)

    def _one(self, model: type[Model], response: requests.Response) -> Model:
        return self._parse(TypeAdapter(model), response)

    def _list(self, model: type[Model], response: requests.Response) -> list[Model]:
        return self._parse(TypeAdapter(list[model]), response)

    @staticmethod
    def _parse(adapter: TypeAdapter, response: requests.Response):
        try:
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            path = requests.utils.urlparse(response.url).path
            raise errors.MalformedResponse(
                status=response.status_code, method=response.request.method, path=path
            ) from exc

    def _log(self, method: str, path: str, status: int | None, started: float, exc: Exception | None = None) -> None:
        duration_ms = (time.monotonic() - started) * 1000
        if exc is None:
            logger.info("%s %s %s %.0fms", method, path, status, duration_ms)
        else:
            logger.warning("%s %s failed (%s) %.0fms", method, path, type(exc).__name__, duration_ms)


def error_fields(response: requests.Response) -> tuple[str | None, dict, str | None]:
    """(code, parameters, message) from the error bodies of DATA_API.md section 1."""
    try:
        body = response.json()
    except ValueError:
        return None, {}, None
    if not isinstance(body, dict):
        return None, {}, None
    detail = body.get("detail")
    if isinstance(detail, dict):
        return detail.get("code"), detail.get("parameters") or {}, None
    if isinstance(detail, list):
        problems = [
            f"{'.'.join(str(part) for part in item.get('loc', []) if part != 'body')}: {item.get('msg')}"
            for item in detail
            if isinstance(item, dict)
        ]
        return None, {"errors": detail}, "; ".join(problems) or None
    if "code" in body:
        return body.get("code"), body.get("params") or {}, body.get("message")
    return None, {}, detail if isinstance(detail, str) else None


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
