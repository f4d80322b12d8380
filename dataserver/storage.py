"""Where the imagery of the self-hosted Data API lives, and the URIs that name it.

DATASERVER_STORAGE_URL is either a folder (the default, var/imagery) or an S3-compatible object store
(`s3://BUCKET/PREFIX`, at DATASERVER_S3_ENDPOINT_URL, or AWS when that is empty, with the standard AWS_* credentials).
Both hold the same keys, one prefix per mosaic so that deleting a mosaic is one prefix:

    <account id>/<mosaic id>/originals/<image id>.tif
    <account id>/<mosaic id>/previews/<image id>_s.jpg, <image id>_l.jpg
    <account id>/<mosaic id>/cog/<image id>.tif       (built in the local scratch folder, then stored)

An upload is written straight to its original's key (a folder's `.part` file renamed, or an S3 multipart upload
completed, only once it has all arrived). The URI of a key is `file://` + its absolute path or `s3://BUCKET/KEY`.
The URI of a mosaic's COG prefix is the capability of its tiles: it holds two random UUIDs, and the tile endpoint only
ever resolves it through the database.
"""

import functools
import io
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import boto3.exceptions
import botocore.exceptions
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from django.conf import settings
from django.utils.http import content_disposition_header
from rasterio.abc import MultiByteRangeResourceContainer

PREVIEW_SIZES = {"s": 256, "l": 1024}
PARTIAL_SUFFIX = ".part"
# An S3 multipart upload sends parts of this size (the last one smaller), PARTS_IN_FLIGHT at once: 10 000 parts,
# S3's most, make 80 GiB; at most (1 + PARTS_IN_FLIGHT) parts are held in memory.
PART_SIZE = 8 * 2**20
PARTS_IN_FLIGHT = 2
# A local file stored (a COG built) or fetched (the original it is built from) in parts as uploads are: with boto3's
# default of 10 at once, storing a COG grew a worker by 17 MB more (bench/storage.py).
FILE_TRANSFER = TransferConfig(
    multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, max_concurrency=PARTS_IN_FLIGHT
)
S3_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
# What a store's failure looks like: an object store's (refused, unreachable, an upload that failed, once the client's
# retries are spent), or a disk's.
OBJECT_STORE_ERRORS = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
    boto3.exceptions.S3UploadFailedError,
)
STORE_ERRORS = (OSError, *OBJECT_STORE_ERRORS)
DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
HEAD_BYTES = 64 * 1024  # read with the first request of an object opened as a file
# A raster that GDAL reads once (the previews' read of an original): a window's blocks come as GDAL asks them, other
# reads in order fetch ahead, up to this many bytes a GET (8 MB grew a web process by 8 MB more, for no fewer GETs).
READ_AHEAD_BYTES = 2**20
# A presigned download URL is followed by the browser at once (a resumed download asks the signed link again).
PRESIGNED_URL_SECONDS = 300
# GDAL reading COGs from an object store: no directory listing on open (a COG has no sidecar files), the file
# headers and blocks cached between the reads of one process (VSI_CACHE per file, the vsicurl region cache across
# opens), consecutive ranges fetched in one request, and a request per tile rather than per block.
S3_GDAL_OPTIONS = {
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".tif",
    "VSI_CACHE": "TRUE",
    "VSI_CACHE_SIZE": str(8 * 2**20),
    "CPL_VSIL_CURL_CACHE_SIZE": str(32 * 2**20),
    "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES": "YES",
    "GDAL_HTTP_MULTIPLEX": "YES",
    "GDAL_HTTP_VERSION": "2",
    "GDAL_INGESTED_BYTES_AT_OPEN": "32768",
}


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime


class FolderStore:
    """The imagery in a local (or mounted) folder."""

    kind = "folder"
    gdal_options: dict[str, str] = {}

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / key

    def uri(self, key: str) -> str:
        return self.root.as_uri() + "/" + key

    def gdal_path(self, key: str) -> str:
        return str(self.path(key))

    def read_once(self, key: str) -> tuple[str, None]:
        """What rasterio opens (its path and `opener`) to read a whole raster through once (the previews' read): the
        file."""
        return str(self.path(key)), None

    def local_file(self, key: str, folder: Path) -> Path:
        """A local file of the object, for a reader that goes over it many times (a COG build): its own."""
        return self.path(key)

    def writer(self, key: str) -> "FolderWriter":
        return FolderWriter(self.path(key))

    def put(self, key: str, data: bytes) -> None:
        with self.writer(key) as out:
            out.write(data)

    def put_file(self, source: Path, key: str) -> None:
        """Move a local file into the store (a rename on the same disk)."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)

    def open(self, key: str):
        """The object as a binary file (FileNotFoundError when there is none)."""
        return open(self.path(key), "rb")

    def read(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size if self.path(key).is_file() else None
        except OSError:
            return None

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        shutil.rmtree(self.path(prefix), ignore_errors=True)

    def objects(self) -> Iterator[StoredObject]:
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.endswith(PARTIAL_SUFFIX):
                stat = path.stat()
                key = path.relative_to(self.root).as_posix()
                yield StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def holds_bucket(self, bucket: str) -> bool:
        return False

    def download_url(self, key: str, *, filename: str) -> str | None:
        """None: a folder's objects are sent by this server."""
        return None

    def abort_stale_uploads(self, *, older_than: float) -> int:
        """Remove the partial files of uploads that stopped more than `older_than` seconds ago."""
        if not self.root.exists():
            return 0
        limit, removed = time.time() - older_than, 0
        for path in self.root.rglob("*" + PARTIAL_SUFFIX):
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


class FolderWriter:
    """A new file written as `<name>.part` and renamed into place when complete."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.partial = path.with_name(path.name + PARTIAL_SUFFIX)
        self.file = open(self.partial, "wb")

    def write(self, data: bytes) -> None:
        self.file.write(data)

    def complete(self) -> None:
        self.file.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        self.file.close()
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> "FolderWriter":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.abort() if kind else self.complete()


class S3Store:
    """The imagery in a bucket of an S3-compatible object store, under a prefix."""

    kind = "s3"

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None, public_url: str | None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.client = _client_for(endpoint_url)
        # What browsers reach the store at: AWS itself, or the public address of another endpoint (none: the
        # endpoint may be a private host name, so this server serves the objects itself).
        self.public_client = _client_for(public_url or endpoint_url) if public_url or not endpoint_url else None
        options = dict(S3_GDAL_OPTIONS)
        if endpoint_url:  # MinIO, Ceph RGW, a test server: path-style requests to that host
            parts = urlsplit(endpoint_url)
            options.update(
                AWS_S3_ENDPOINT=parts.netloc, AWS_HTTPS="YES" if parts.scheme == "https" else "NO",
                AWS_VIRTUAL_HOSTING="FALSE",
            )
        self.gdal_options = options

    def object_key(self, key: str) -> str:
        return self.prefix + key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self.object_key(key)}"

    def gdal_path(self, key: str) -> str:
        return f"/vsis3/{self.bucket}/{self.object_key(key)}"

    def read_once(self, key: str) -> tuple[str, "S3Object"]:
        """What rasterio opens (its path and `opener`) to read a whole raster through once (the previews' read): the
        object through S3ReadOnce rather than /vsis3/, whose 32 MB region cache and download buffers besides grew a
        web process by 80 MB more than a folder's read."""
        return key, S3Object(self, key)

    def local_file(self, key: str, folder: Path) -> Path:
        """A local file of the object, for a reader that goes over it many times (a COG build): a copy downloaded
        into `folder` (the caller's to remove), in parts as uploads are sent."""
        target = folder / Path(key).name
        self.client.download_file(self.bucket, self.object_key(key), str(target), Config=FILE_TRANSFER)
        return target

    def writer(self, key: str) -> "S3Writer":
        return S3Writer(self.client, self.bucket, self.object_key(key))

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data)

    def put_file(self, source: Path, key: str) -> None:
        """Upload a local file (in parts when large) and remove it."""
        self.client.upload_file(str(source), self.bucket, self.object_key(key), Config=FILE_TRANSFER)
        source.unlink()

    def open(self, key: str) -> io.BufferedReader:
        return io.BufferedReader(S3RangeReader(self, key), buffer_size=HEAD_BYTES)

    def read(self, key: str) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"].read()
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in S3_MISSING_CODES:
                return None
            raise

    def size(self, key: str) -> int | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))["ContentLength"]
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in S3_MISSING_CODES:
                return None
            raise

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": self.object_key(key)} for key in keys[start : start + DELETE_BATCH]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def delete_prefix(self, prefix: str) -> None:
        self.delete([stored.key for stored in self._listed(prefix)])

    def objects(self) -> Iterator[StoredObject]:
        return self._listed("")

    def _listed(self, prefix: str) -> Iterator[StoredObject]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.object_key(prefix)
        )
        for page in pages:
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"][len(self.prefix) :], item["Size"], item["LastModified"])

    def holds_bucket(self, bucket: str) -> bool:
        return bucket == self.bucket

    def download_url(self, key: str, *, filename: str) -> str | None:
        """A presigned GET of the object for a browser, saved as `filename`, for PRESIGNED_URL_SECONDS; None when
        browsers have no address for the store."""
        if self.public_client is None:
            return None
        return self.public_client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.object_key(key),
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": "image/tiff",
            },
            ExpiresIn=PRESIGNED_URL_SECONDS,
        )

    def copy_from(self, bucket: str, key: str, target: str) -> None:
        """A server-side copy of an object of this store's endpoint (in parts when over 5 GB)."""
        self.client.copy({"Bucket": bucket, "Key": key}, self.bucket, self.object_key(target))

    def abort_stale_uploads(self, *, older_than: float) -> int:
        """Abort the multipart uploads under the prefix begun more than `older_than` seconds ago."""
        limit, aborted = time.time() - older_than, 0
        pages = self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for upload in page.get("Uploads", []):
                if upload["Initiated"].timestamp() < limit:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    aborted += 1
        return aborted


class S3Writer:
    """An S3 multipart upload: bytes copied into a part buffer of PART_SIZE, each part sent as it fills
    (PARTS_IN_FLIGHT at once); nothing of it is visible until `complete`, and `abort` leaves no part behind."""

    def __init__(self, client, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        self.sending: list[Future] = []
        self.pool = ThreadPoolExecutor(PARTS_IN_FLIGHT, thread_name_prefix="upload-part")
        # The next part, filled in place: joining a part's chunks (and cutting the join at the part's end) held it
        # up to three times over while it filled.
        self.part, self.filled = bytearray(), 0

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if not self.part:
                self.part = bytearray(PART_SIZE)
            taken = min(len(view), PART_SIZE - self.filled)
            self.part[self.filled : self.filled + taken] = view[:taken]
            self.filled, view = self.filled + taken, view[taken:]
            if self.filled == PART_SIZE:
                self._send(self.part)
                self.part, self.filled = bytearray(), 0

    def _send(self, data: bytearray) -> None:
        in_flight = [future for future in self.sending if not future.done()]
        if len(in_flight) >= PARTS_IN_FLIGHT:
            in_flight[0].result()
        for future in self.sending:
            if future.done():
                future.result()  # a part that failed fails the upload now
        number = len(self.sending) + 1
        self.sending.append(self.pool.submit(self._part, number, data))

    def _part(self, number: int, data: bytearray) -> dict:
        answer = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def complete(self) -> None:
        if self.filled or not self.sending:
            del self.part[self.filled :]  # the last part, of what it holds
            self._send(self.part)
            self.part, self.filled = bytearray(), 0
        parts = [future.result() for future in self.sending]
        self.pool.shutdown()
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": parts}
        )

    def abort(self) -> None:
        self.part, self.filled = bytearray(), 0
        self.pool.shutdown(wait=True, cancel_futures=True)  # no part may land after the abort
        self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)

    def __enter__(self) -> "S3Writer":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.abort() if kind else self.complete()


class S3RangeReader(io.RawIOBase):
    """An object read like a file, each read one ranged GET (wrap it in a BufferedReader); its size comes with the
    first answer, so that reading a header costs one request."""

    def __init__(self, store: S3Store, key: str) -> None:
        self.store, self.key, self.uri = store, store.object_key(key), store.uri(key)
        self.length: int | None = None
        self.position = 0
        self.head = self.get(0, HEAD_BYTES - 1)  # a TIFF's header, and FileNotFoundError now rather than later

    def get(self, first: int, last: int) -> bytes:
        try:
            answer = self.store.client.get_object(Bucket=self.store.bucket, Key=self.key, Range=f"bytes={first}-{last}")
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in S3_MISSING_CODES:
                raise FileNotFoundError(self.uri) from None
            if code == "InvalidRange":  # an empty object, or a read past the end
                if self.length is None:
                    self.length = 0
                return b""
            raise
        self.length = int(answer["ContentRange"].rsplit("/", 1)[1])
        return answer["Body"].read()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        count = min(len(buffer), self.length - self.position)
        if count <= 0:
            return 0
        if self.position + count <= len(self.head):
            data = self.head[self.position : self.position + count]
        else:
            data = self.get(self.position, self.position + count - 1)
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


class S3Object(MultiByteRangeResourceContainer):
    """One object of the store as the only file of a rasterio `opener`, read through S3ReadOnce; its sidecar files
    (.aux.xml, .ovr) do not exist."""

    def __init__(self, store: S3Store, key: str) -> None:
        self.store, self.key = store, key

    def open(self, path: str, mode: str = "rb", **kwargs) -> "S3ReadOnce":
        if path != self.key or "r" not in mode or "+" in mode:
            raise FileNotFoundError(path)
        return S3ReadOnce(self.store, self.key)

    def isfile(self, path: str) -> bool:
        return path == self.key

    def isdir(self, path: str) -> bool:
        return False

    def ls(self, path: str) -> list[str]:
        return []

    def mtime(self, path: str) -> int:
        return 0

    def rm(self, path: str) -> None:
        raise PermissionError(path)

    def size(self, path: str) -> int:
        size = self.store.size(self.key) if path == self.key else None
        if size is None:
            raise FileNotFoundError(path)
        return size


class S3ReadOnce(S3RangeReader):
    """An object that GDAL reads once: the blocks of a window come through `get_byte_ranges`, a GET for each run of
    them; any other read that goes on from the last fetch fetches twice as much as that one (up to READ_AHEAD_BYTES),
    kept for the reads that follow, and a read elsewhere fetches only what it asks. (A BufferedReader refills its
    whole buffer at every jump: it fetched a wide image 8 times over.)"""

    def __init__(self, store: S3Store, key: str) -> None:
        super().__init__(store, key)
        self.start, self.data = 0, self.head  # what the last fetch holds, from `start`
        self.ahead = 0

    def read(self, size: int = -1) -> bytes:
        left = self.length - self.position
        size = left if size is None or size < 0 else min(size, left)
        if size <= 0:
            return b""
        offset = self.position - self.start
        if not 0 <= offset <= len(self.data):  # a jump: read from here only what is asked
            self.start, self.data, self.ahead, offset = self.position, b"", 0, 0
        chunk = self.data[offset : offset + size]
        if len(chunk) < size:
            first = self.start + len(self.data)
            self.ahead = min(READ_AHEAD_BYTES, max(2 * self.ahead, size - len(chunk)))
            self.data = b""  # before the next fetch arrives
            self.start, self.data = first, self.get(first, first + max(self.ahead, size - len(chunk)) - 1)
            chunk += self.data[: size - len(chunk)]
        self.position += len(chunk)
        return chunk

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def get_byte_ranges(self, offsets: list[int], sizes: list[int]) -> list[bytes]:
        """The ranges GDAL asks at once (a window's blocks, adjacent ones already merged): a GET each. A range past
        the object's end (a truncated file) fails the read, as GDAL's own short read does."""
        answers = [self.get(offset, offset + size - 1) for offset, size in zip(offsets, sizes, strict=True)]
        if any(len(answer) != size for answer, size in zip(answers, sizes, strict=True)):
            raise OSError(f"{self.uri} ends before the ranges read")
        return answers


@functools.cache
def _client_for(endpoint_url: str | None):
    """One S3 client (thread-safe, with its connection pool) per endpoint and process."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        config=Config(
            retries={"max_attempts": 5, "mode": "standard"},
            max_pool_connections=32,
            # No CRC32 trailer on every part and read unless an operation needs one: the payload is already signed
            # (SHA-256) or sent over TLS, and decoding the trailer's chunked encoding halved an S3 server's
            # throughput (SeaweedFS on loopback: 41 against 64 MB/s).
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            signature_version="s3v4",  # presigned URLs too (SigV2 ones are refused by current servers)
        ),
    )


@functools.cache
def _store_for(url: str, endpoint_url: str | None, public_url: str | None) -> FolderStore | S3Store:
    if url.startswith("s3://"):
        parts = urlsplit(url)
        return S3Store(parts.netloc, parts.path, endpoint_url, public_url)
    return FolderStore(Path(url))


def store() -> FolderStore | S3Store:
    """The configured store (one per process and setting)."""
    return _store_for(
        str(settings.DATASERVER_STORAGE_URL), settings.DATASERVER_S3_ENDPOINT_URL, settings.DATASERVER_S3_PUBLIC_URL
    )


def scratch_dir() -> Path:
    """Local temporary space of this machine (COG builds); nothing in it outlives the work that made it."""
    path = Path(settings.DATASERVER_SCRATCH_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def mosaic_prefix(account_id: uuid.UUID, mosaic_id: uuid.UUID) -> str:
    return f"{account_id}/{mosaic_id}/"


@dataclass(frozen=True)
class ImageFiles:
    """The keys of the objects one image owns."""

    account_id: uuid.UUID
    mosaic_id: uuid.UUID
    image_id: uuid.UUID

    @property
    def folder(self) -> str:
        return mosaic_prefix(self.account_id, self.mosaic_id)

    @property
    def original(self) -> str:
        return f"{self.folder}originals/{self.image_id}.tif"

    @property
    def cog(self) -> str:
        return f"{self.folder}cog/{self.image_id}.tif"

    @property
    def cog_scratch(self) -> Path:
        """The local folder where the COG is built (with rio-cogeo's temporary file); gone once the build ends."""
        return Path(settings.DATASERVER_SCRATCH_DIR) / f"{self.image_id}.building"

    def preview(self, size: str) -> str:
        return f"{self.folder}previews/{self.image_id}_{size}.jpg"

    def all(self) -> list[str]:
        return [self.original, self.cog, *(self.preview(size) for size in PREVIEW_SIZES)]

    def delete(self) -> None:
        store().delete(self.all())
        shutil.rmtree(self.cog_scratch, ignore_errors=True)


def image_files(image) -> ImageFiles:
    return ImageFiles(image.mosaic.account_id, image.mosaic_id, image.id)


def mosaic_delete_files(account_id: uuid.UUID, mosaic_id: uuid.UUID) -> None:
    store().delete_prefix(mosaic_prefix(account_id, mosaic_id))


def mosaic_cog_uri(mosaic) -> str:
    return store().uri(mosaic_prefix(mosaic.account_id, mosaic.id) + "cog/")


@dataclass(frozen=True)
class CogTarget:
    """What a tile URI names: every COG of a mosaic (image_id None) or one image's COG."""

    account_id: uuid.UUID
    mosaic_id: uuid.UUID
    image_id: uuid.UUID | None


def parse_cog_uri(uri: str) -> CogTarget | None:
    """Read a COG URI written by this server; None for anything else."""
    prefix = store().uri("")
    if not uri.startswith(prefix):
        return None
    parts = uri[len(prefix) :].split("/")
    try:
        if len(parts) == 4 and parts[2] == "cog" and parts[3] == "":
            return CogTarget(uuid.UUID(parts[0]), uuid.UUID(parts[1]), None)
        if len(parts) == 4 and parts[2] == "cog" and parts[3].endswith(".tif"):
            return CogTarget(uuid.UUID(parts[0]), uuid.UUID(parts[1]), uuid.UUID(parts[3][: -len(".tif")]))
    except ValueError:
        return None
    return None


def key_owner(key: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID] | None:
    """(account, mosaic, image) of a key this server writes; None for any other key."""
    parts = key.split("/")
    if len(parts) != 4 or parts[2] not in ("originals", "cog", "previews"):
        return None
    name = parts[3].split(".", 1)[0]
    if parts[2] == "previews":
        name = name.rsplit("_", 1)[0]
    try:
        return uuid.UUID(parts[0]), uuid.UUID(parts[1]), uuid.UUID(name)
    except ValueError:
        return None
