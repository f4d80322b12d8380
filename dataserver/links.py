"""Copying a linked object (link-image) onto the imagery disk."""

from . import errors
from .services import IncomingFile


def link_fetch(url: str, *, max_size: int, mosaic) -> IncomingFile:
    raise errors.InvalidLink(url=url)
