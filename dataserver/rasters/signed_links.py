"""Links that need no credentials: each names one image, is signed with the site's key and expires.

Catalog search hands out such links to the previews of an account's images (a search client sends no credentials to
preview hosts), and GET /rasters/image/{id}/download to its original.
"""

import uuid

from django.core import signing
from django.urls import reverse

from dataserver.rasters.serializers import public_base


class LinkRefused(Exception):
    """The link was forged, mangled or is too old (`expired`)."""

    def __init__(self, *, expired: bool) -> None:
        super().__init__("expired" if expired else "not valid")
        self.expired = expired


class SignedImageLinks:
    """Links of one kind (a salt of their own, so that one kind never opens another) to the URL named `url_name`,
    whose one argument is `token`."""

    def __init__(self, *, salt: str, url_name: str) -> None:
        self.salt = salt
        self.url_name = url_name

    def link(self, request, image_id: uuid.UUID) -> str:
        token = signing.TimestampSigner(salt=self.salt).sign(str(image_id))
        return public_base(request) + reverse(self.url_name, kwargs={"token": token})

    def image_id(self, token: str, *, max_age: int) -> uuid.UUID:
        """The image the link names; LinkRefused when it is forged, mangled or older than `max_age` seconds."""
        try:
            return uuid.UUID(signing.TimestampSigner(salt=self.salt).unsign(token, max_age=max_age))
        except signing.SignatureExpired:
            raise LinkRefused(expired=True) from None
        except (signing.BadSignature, ValueError):
            raise LinkRefused(expired=False) from None


previews = SignedImageLinks(salt="dataserver.catalog-preview", url_name="dataserver:catalog_preview")
originals = SignedImageLinks(salt="dataserver.original-download", url_name="dataserver:original_download")
