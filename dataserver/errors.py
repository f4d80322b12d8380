"""The error bodies of the rasters endpoints: {"detail": {"code": ..., "parameters": {...}}}."""

from typing import Any


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
