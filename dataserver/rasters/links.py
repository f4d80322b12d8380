"""Copying a linked object (link-image) into the imagery store.

Three kinds of link, each refused (`InvalidLink`) unless the server is configured for it:

- `s3://BUCKET/KEY` for the configured bucket (DATASERVER_S3_BUCKET) or the imagery store's own, read with the
  standard AWS credentials; an object of the store's own bucket is copied by the store itself (no byte of it through
  this server but, when the store cannot tell an object's SHA-1, a read to compute it), and the store's own imagery
  (its prefix) cannot be linked;
- `file:///PATH` under the import folder, after resolving symlinks and `..`;
- `http(s)://HOST/PATH` for hosts on the allow-list, and only to public addresses: every address the host resolves to
  is checked, the connection goes to a checked address, and redirects are followed by hand, each hop checked alike.

The object is copied (the source is left as it is), streamed into the store as the new image's original, hashed on
the way and cut off past the size limit; on any failure nothing is left behind.
"""

import base64
import hashlib
import logging
import os
import stat
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

import boto3
import botocore.exceptions
import urllib3
from botocore.config import Config
from django.conf import settings

from common.addresses import PUBLIC_ONLY, AddressRefused, Unresolvable
from common.image_fit import IMAGE_EXTENSIONS
from dataserver import errors
from dataserver.rasters import selectors
from dataserver.rasters.receiving import CHUNK_SIZE
from dataserver.rasters.services import IncomingFile
from dataserver.storage import ImageFiles, key_owner, store

MAX_REDIRECTS = 5
SINGLE_COPY_MAX = 5 * 2**30  # S3's largest CopyObject; larger objects are copied in parts
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
S3_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
# Failures of the network while reaching or reading an object: the object cannot be had.
TRANSFER_ERRORS = (
    urllib3.exceptions.HTTPError,
    botocore.exceptions.ConnectionError,
    botocore.exceptions.HTTPClientError,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    """An object being read: its size when the source tells it, and its bytes."""

    size: int | None
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class Link:
    """A link that passed the checks: what Image.source_url records, the image's filename, and how to read it."""

    source_url: str
    filename: str
    open: Callable[[], AbstractContextManager[Opened]]
    # (bucket, key) of an object of the imagery store's own bucket, which the store copies itself
    in_store: tuple[str, str] | None = None


def link_fetch(url: str, *, max_size: int, mosaic) -> IncomingFile:
    """Copy the object named by `url` into the store as a new image's original; refuse it if the account already
    linked it."""
    link = _link(url)
    if selectors.image_is_linked(account=mosaic.account, source_url=link.source_url):
        raise errors.FileAlreadyExists(url=url)
    files = ImageFiles(mosaic.account_id, mosaic.id, uuid.uuid4())
    try:
        if link.in_store is not None:
            return _copy_in_store(url, link, files=files, max_size=max_size)
        with link.open() as opened:
            if opened.size is not None and opened.size > max_size:
                raise errors.FileTooBig(actual_file_size=opened.size, max_file_size=max_size)
            if not link.filename.lower().endswith(IMAGE_EXTENSIONS):
                raise errors.FileOpenError(filename=link.filename)
            return _write_incoming(opened.chunks, link=link, files=files, max_size=max_size)
    except TRANSFER_ERRORS as exc:
        logger.warning("Linked object on %s could not be read: %s", urlsplit(url).hostname, type(exc).__name__)
        raise errors.LinkedObjectNotFound(url=url) from None


def _write_incoming(chunks: Iterator[bytes], *, link: Link, files: ImageFiles, max_size: int) -> IncomingFile:
    sha1 = hashlib.sha1()
    size = 0
    with store().writer(files.original) as out:  # nothing of it is kept when this raises
        for chunk in chunks:
            size += len(chunk)
            if size > max_size:
                raise errors.FileTooBig(actual_file_size=size, max_file_size=max_size)
            out.write(chunk)
            sha1.update(chunk)
    return IncomingFile(
        files=files, filename=link.filename, size=size, checksum=sha1.hexdigest(), source_url=link.source_url
    )


def _copy_in_store(url: str, link: Link, *, files: ImageFiles, max_size: int) -> IncomingFile:
    """The store copies an object of its own bucket; its SHA-1 comes from the copy, or else from one read."""
    bucket, key = link.in_store
    imagery = store()
    client, target = imagery.client, imagery.object_key(files.original)
    try:
        size = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
    except botocore.exceptions.ClientError:
        raise errors.LinkedObjectNotFound(url=url) from None
    if size > max_size:
        raise errors.FileTooBig(actual_file_size=size, max_file_size=max_size)
    if not link.filename.lower().endswith(IMAGE_EXTENSIONS):
        raise errors.FileOpenError(filename=link.filename)
    checksum = None
    try:
        if size <= SINGLE_COPY_MAX:
            answer = client.copy_object(
                CopySource={"Bucket": bucket, "Key": key}, Bucket=imagery.bucket, Key=target, ChecksumAlgorithm="SHA1"
            )
            given = answer.get("CopyObjectResult", {}).get("ChecksumSHA1")
            checksum = base64.b64decode(given).hex() if given and "-" not in given else None
        else:
            imagery.copy_from(bucket, key, files.original)
        if checksum is None:
            sha1 = hashlib.sha1()
            body = client.get_object(Bucket=imagery.bucket, Key=target)["Body"]
            for chunk in body.iter_chunks(CHUNK_SIZE):
                sha1.update(chunk)
            checksum = sha1.hexdigest()
    except botocore.exceptions.ClientError:
        imagery.delete([files.original])
        raise errors.LinkedObjectNotFound(url=url) from None
    except BaseException:
        imagery.delete([files.original])
        raise
    return IncomingFile(files=files, filename=link.filename, size=size, checksum=checksum, source_url=link.source_url)


def _link(url: str) -> Link:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise errors.InvalidLink(url=url) from None
    kinds = {"s3": _s3_link, "file": _file_link, "http": _http_link, "https": _http_link}
    if parts.scheme not in kinds:
        raise errors.InvalidLink(url=url)
    return kinds[parts.scheme](url, parts)


def _last_segment(parts: SplitResult) -> str:
    return unquote(PurePosixPath(parts.path).name)


# --- s3:// ---


def _s3_link(url: str, parts: SplitResult) -> Link:
    bucket = parts.netloc
    key = parts.path[1:]
    in_store = store().holds_bucket(bucket)
    allowed = in_store or (settings.DATASERVER_S3_BUCKET and bucket == settings.DATASERVER_S3_BUCKET)
    if not allowed or not key or parts.query or parts.fragment:
        raise errors.InvalidLink(url=url)
    if in_store and _is_imagery(key):
        raise errors.InvalidLink(url=url)  # another account's images are no link source
    return Link(
        source_url=f"s3://{bucket}/{key}",
        filename=key.rsplit("/", 1)[-1],
        open=partial(_s3_open, url=url, bucket=bucket, key=key),
        in_store=(bucket, key) if in_store else None,
    )


def _is_imagery(key: str) -> bool:
    """Whether a key of the store's bucket is (or may become) the store's own imagery."""
    prefix = store().prefix
    return key.startswith(prefix) if prefix else key_owner(key) is not None


@contextmanager
def _s3_open(*, url: str, bucket: str, key: str) -> Iterator[Opened]:
    timeout = settings.DATASERVER_LINK_TIMEOUT
    client = boto3.client(
        "s3",
        endpoint_url=settings.DATASERVER_S3_ENDPOINT_URL,
        config=Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 3, "mode": "standard"}),
    )
    try:
        answer = client.get_object(Bucket=bucket, Key=key)
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code not in S3_MISSING_CODES:
            # Access denied, a wrong region...: for the caller, the object cannot be had either way.
            logger.warning("link-image: the object store refused %s (%s)", bucket, code)
        raise errors.LinkedObjectNotFound(url=url) from None
    except botocore.exceptions.NoCredentialsError:
        logger.warning("link-image: no credentials for the object store of bucket %s", bucket)
        raise errors.LinkedObjectNotFound(url=url) from None
    body = answer["Body"]
    try:
        yield Opened(size=answer.get("ContentLength"), chunks=body.iter_chunks(CHUNK_SIZE))
    finally:
        body.close()


# --- file:// ---


def _file_link(url: str, parts: SplitResult) -> Link:
    if parts.netloc not in ("", "localhost") or parts.query or parts.fragment:
        raise errors.InvalidLink(url=url)
    try:
        path = Path(unquote(parts.path))
        resolved = path.resolve()
        inside = path.is_absolute() and resolved.is_relative_to(Path(settings.DATASERVER_IMPORT_DIR).resolve())
    except (ValueError, OSError):
        raise errors.InvalidLink(url=url) from None
    if not inside:
        raise errors.InvalidLink(url=url)
    return Link(source_url=resolved.as_uri(), filename=_last_segment(parts), open=partial(_file_open, url, resolved))


@contextmanager
def _file_open(url: str, path: Path) -> Iterator[Opened]:
    try:
        # The path is resolved already: a symlink swapped in since is not followed, a FIFO does not block.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise errors.LinkedObjectNotFound(url=url) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise errors.LinkedObjectNotFound(url=url)
    with os.fdopen(fd, "rb") as source:
        yield Opened(size=os.fstat(fd).st_size, chunks=iter(partial(source.read, CHUNK_SIZE), b""))


# --- http(s):// ---


def _http_link(url: str, parts: SplitResult) -> Link:
    _http_allowed(url, original_url=url)
    return Link(source_url=url, filename=_last_segment(parts), open=partial(_http_open, url))


@contextmanager
def _http_open(url: str) -> Iterator[Opened]:
    response = _http_follow(url)
    try:
        length = response.headers.get("Content-Length", "")
        size = int(length) if length.isdigit() else None
        yield Opened(size=size, chunks=response.stream(CHUNK_SIZE))
    finally:
        response.close()


def _http_follow(original_url: str) -> urllib3.BaseHTTPResponse:
    """GET the URL, following at most MAX_REDIRECTS redirects, each hop to an allowed host at a public address."""
    url = original_url
    for _ in range(MAX_REDIRECTS + 1):
        hostname, port = _http_allowed(url, original_url=original_url)
        response = _http_get(url, _public_address(hostname, port, original_url=original_url))
        if response.status not in REDIRECT_STATUSES:
            break
        location = response.headers.get("Location")
        response.close()
        if not location:
            raise errors.LinkedObjectNotFound(url=original_url)
        url = urljoin(url, location)
    else:
        raise errors.InvalidLink(url=original_url)
    if response.status != 200:
        response.close()
        raise errors.LinkedObjectNotFound(url=original_url)
    return response


def _http_allowed(url: str, *, original_url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL to an allowed host; InvalidLink (naming the link as given) otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise errors.InvalidLink(url=original_url) from None
    allowed = {host.lower() for host in settings.DATASERVER_LINK_ALLOWED_HOSTS}
    if (
        parts.scheme not in ("http", "https")
        or parts.username is not None
        or parts.password is not None
        or parts.hostname not in allowed
    ):
        raise errors.InvalidLink(url=original_url)
    return parts.hostname, port


def _public_address(hostname: str, port: int, *, original_url: str) -> str:
    """Resolve the host; every address it has must be public (a host with one private address is refused)."""
    try:
        return PUBLIC_ONLY.resolve(hostname, port)[0]
    except Unresolvable:
        raise errors.LinkedObjectNotFound(url=original_url) from None
    except AddressRefused:
        raise errors.InvalidLink(url=original_url) from None


def _http_get(url: str, address: str) -> urllib3.BaseHTTPResponse:
    """GET `url` from the checked `address`, naming the URL's host in the Host header and in TLS; no redirects."""
    parts = urlsplit(url)
    timeout = urllib3.Timeout(connect=settings.DATASERVER_LINK_TIMEOUT, read=settings.DATASERVER_LINK_TIMEOUT)
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            parts.port or 443,
            timeout=timeout,
            retries=False,
            server_hostname=parts.hostname,
            assert_hostname=parts.hostname,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, parts.port or 80, timeout=timeout, retries=False)
    return pool.urlopen(
        "GET",
        urlunsplit(("", "", parts.path or "/", parts.query, "")),
        headers={"Host": parts.netloc, "Accept-Encoding": "identity", "User-Agent": "mapflow-dataserver"},
        redirect=False,
        retries=False,
        preload_content=False,
    )
