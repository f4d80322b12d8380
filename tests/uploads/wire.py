"""A tus client over plain HTTP connections and sockets, for tests that talk to a real server."""

import http.client
import socket
import struct
import time
from urllib.parse import urlsplit

from .conftest import TUS, metadata


class Uploader:
    """A tus client over plain sockets that can hang up after sending part of a PATCH body."""

    def __init__(self, server_url: str, session_key: str) -> None:
        parts = urlsplit(server_url)
        self.host, self.port = parts.hostname, parts.port
        cookie = f"sessionid={session_key}; csrftoken={'c' * 32}"
        self.headers = {**TUS, "Cookie": cookie, "X-CSRFToken": "c" * 32}
        self.bytes_sent = 0

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def create(self, *, mosaic_id: str, filename: str, size: int) -> str:
        headers = {"Upload-Length": str(size), "Upload-Metadata": metadata(filename=filename, mosaic_id=mosaic_id)}
        answer = self.request("POST", "/uploads/tus/", headers=headers)
        assert answer.status == 201
        return urlsplit(answer.getheader("Location")).path

    def offset(self, path: str) -> int:
        return int(self.request("HEAD", path).getheader("Upload-Offset"))

    def patch(self, path: str, chunk: bytes, offset: int) -> int:
        self.bytes_sent += len(chunk)
        answer = self.request(
            "PATCH", path, chunk, {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}
        )
        return answer.status

    def patch_cut(self, path: str, chunk: bytes, offset: int, *, after: int, reset: bool = False) -> None:
        """Announce the whole chunk, send its first `after` bytes, hang up (with `reset`, abruptly: a TCP reset, as
        when a browser's tab is closed or its network drops, rather than an orderly close)."""
        head = (
            f"PATCH {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(chunk)}\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
            + "\r\n"
        )
        with socket.create_connection((self.host, self.port), timeout=10) as sock:
            sock.sendall(head.encode() + chunk[:after])
            self.bytes_sent += after
            time.sleep(0.05)
            if reset:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def settled_offset(self, path: str, expected: int) -> int:
        """The offset once the server has noticed the hang-up and recorded what it received."""
        deadline = time.monotonic() + 10
        while (offset := self.offset(path)) != expected and time.monotonic() < deadline:
            time.sleep(0.05)
        return offset

    def send(self, *, mosaic_id: str, data: bytes, filename: str, chunk_size: int) -> str:
        """Upload `data` whole, chunk by chunk; the upload's path."""
        path = self.create(mosaic_id=mosaic_id, filename=filename, size=len(data))
        for offset in range(0, len(data), chunk_size):
            assert self.patch(path, data[offset : offset + chunk_size], offset) == 204
        return path
