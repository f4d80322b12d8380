"""Receiving an image: the multipart `file` part goes straight to the imagery store, hashed on the way.

Django's own handlers would write a temporary file and leave the checksum for a second read; this one writes to the
key of the image's original (a folder's partial file, or an object store's multipart upload, part by part) and stops
writing, but keeps counting, once the file is over the size limit. A thread of its own writes the chunks, so that
hashing a chunk, writing the one before and receiving the next overlap (each releases the GIL); at most
WRITE_QUEUE_CHUNKS chunks wait in memory, and one part of the object store's (storage.PART_SIZE).
"""

import contextlib
import hashlib
import queue
import threading

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from dataserver.storage import ImageFiles, store

# 1 MB: with 4 MB chunks, the chunks waiting and the parser's own made most of a web process's growth during an
# upload to an object store (up to 66 MB; 33-40 MB now), and smaller ones cost no throughput.
CHUNK_SIZE = 1024 * 1024
WRITE_QUEUE_CHUNKS = 4


class ChunkWriter:
    """Appends chunks to a new object on a background thread; a write error comes back from the next call."""

    def __init__(self, key: str) -> None:
        self.file = store().writer(key)
        self.closed = False
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

    def _finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.chunks.put(None)
        self.thread.join()

    def close(self) -> None:
        """Wait for every chunk to be written, then complete the object."""
        if self.closed:
            return
        self._finish()
        if self.error is not None:
            self.file.abort()
            raise self.error
        self.file.complete()

    def abort(self) -> None:
        """Drop what was written: no part of the object stays (a completed object is the caller's to delete)."""
        if self.closed:
            return
        self._finish()
        self.file.abort()


class ReceivedFile(UploadedFile):
    """An original in the imagery store with its SHA-1; `complete` is False when it was over the size limit."""

    def __init__(self, *, files: ImageFiles, name: str, size: int, checksum: str, complete: bool) -> None:
        super().__init__(file=None, name=name, size=size)
        self.files = files
        self.checksum = checksum
        self.complete = complete

    def close(self) -> None:
        pass

    def discard(self) -> None:
        store().delete([self.files.original])


class ImageUploadHandler(FileUploadHandler):
    chunk_size = CHUNK_SIZE

    def __init__(self, request, *, max_size: int, files: ImageFiles) -> None:
        super().__init__(request)
        self.max_size = max_size
        self.files = files
        self.out = None

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != "file" or self.out is not None:
            return
        self.out = ChunkWriter(self.files.original)
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
        if self.size <= self.max_size:
            self.out.close()
        else:
            self.out.abort()  # refused for its size: nothing of it is kept
        return ReceivedFile(
            files=self.files,
            name=self.file_name or "image.tif",
            size=self.size,
            checksum=self.sha1.hexdigest(),
            complete=self.size <= self.max_size,
        )

    def upload_interrupted(self) -> None:
        if self.out is not None:
            with contextlib.suppress(Exception):  # the upload is dropped either way
                self.out.abort()
            store().delete([self.files.original])


def received_file(request, *, max_size: int, files: ImageFiles) -> ReceivedFile | None:
    """Parse the multipart body with the streaming handler, the `file` part becoming the original of `files`; return
    that part (None if there is none).

    On any failure while receiving (client gone, disk full) the partial file or multipart upload is dropped.
    """
    handler = ImageUploadHandler(request, max_size=max_size, files=files)
    request.upload_handlers = [handler]
    try:
        return request.FILES.get("file")
    except BaseException:
        handler.upload_interrupted()
        raise
