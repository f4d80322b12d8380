"""Receiving an image: the multipart `file` part goes straight to the imagery disk, hashed on the way.

Django's own handlers would write a temporary file and leave the checksum for a second read; this one writes where
the image will live (a rename away) and stops writing, but keeps counting, once the file is over the size limit.
A thread of its own writes the chunks, so that hashing a chunk, writing the one before and receiving the next overlap
(each releases the GIL); at most WRITE_QUEUE_CHUNKS chunks wait in memory.
"""

import contextlib
import hashlib
import queue
import threading
import uuid
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from dataserver.storage import incoming_dir

CHUNK_SIZE = 4 * 1024 * 1024
WRITE_QUEUE_CHUNKS = 4


class ChunkWriter:
    """Appends chunks to a new file on a background thread; a write error comes back from the next call."""

    def __init__(self, path: Path) -> None:
        self.file = open(path, "wb")
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=WRITE_QUEUE_CHUNKS)
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self._run, name="upload-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is None:
                try:
                    self.file.write(chunk)
                except Exception as exc:  # kept for the receiving thread, which must never wait on a dead writer
                    self.error = exc

    def write(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    @property
    def closed(self) -> bool:
        return self.file.closed

    def close(self) -> None:
        """Wait for every chunk to be written, then close the file."""
        if self.file.closed:
            return
        self.chunks.put(None)
        self.thread.join()
        self.file.close()
        if self.error is not None:
            raise self.error


class ReceivedFile(UploadedFile):
    """A file on the imagery disk with its SHA-1; `complete` is False when it was over the size limit."""

    def __init__(self, *, path: Path, name: str, size: int, checksum: str, complete: bool) -> None:
        super().__init__(file=None, name=name, size=size)
        self.path = path
        self.checksum = checksum
        self.complete = complete

    def close(self) -> None:
        pass

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class ImageUploadHandler(FileUploadHandler):
    chunk_size = CHUNK_SIZE

    def __init__(self, request, *, max_size: int) -> None:
        super().__init__(request)
        self.max_size = max_size
        self.out = None

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != "file" or self.out is not None:
            return
        self.path = incoming_dir() / f"{uuid.uuid4()}.part"
        self.out = ChunkWriter(self.path)
        self.sha1 = hashlib.sha1()
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.field_name != "file" or self.out is None or self.out.closed:
            return None
        self.size += len(raw_data)
        if self.size <= self.max_size:
            self.out.write(raw_data)
            self.sha1.update(raw_data)
        return None

    def file_complete(self, file_size: int) -> ReceivedFile | None:
        if self.field_name != "file" or self.out is None or self.out.closed:
            return None
        self.out.close()
        return ReceivedFile(
            path=self.path,
            name=self.file_name or "image.tif",
            size=self.size,
            checksum=self.sha1.hexdigest(),
            complete=self.size <= self.max_size,
        )

    def upload_interrupted(self) -> None:
        if self.out is not None:
            with contextlib.suppress(Exception):  # the upload is dropped either way
                self.out.close()
            self.path.unlink(missing_ok=True)


def received_file(request, *, max_size: int) -> ReceivedFile | None:
    """Parse the multipart body with the streaming handler; return the `file` part (None if there is none).

    On any failure while receiving (client gone, disk full) the partial file is removed.
    """
    handler = ImageUploadHandler(request, max_size=max_size)
    request.upload_handlers = [handler]
    try:
        return request.FILES.get("file")
    except BaseException:
        handler.upload_interrupted()
        raise
