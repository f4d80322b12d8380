"""Signed tile URLs: a team-scoped, expiring capability for one mosaic's tiles, usable without a session.

The mosaic page's map and QGIS use the same URL. A token is valid until the end of a UTC day and carries no time of
signing, so it is the same all day: the map's tile URLs do not change between a page and its refreshed parts, and
browsers and QGIS keep the tiles they fetched.
"""

import functools
import time

from django.core import signing

SALT = "mosaics.signed-tiles"
DAY = 86400
MAX_TOKEN = 512  # the server's are about 120 characters; a longer one is not one of them, and is not kept


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def tile_token_make(*, team_id: int, mosaic_id: str, days: int) -> str:
    """A token valid for `days` full days after today (UTC)."""
    expires = (int(time.time()) // DAY + 1 + days) * DAY
    return _signer().sign_object({"team": team_id, "mosaic": str(mosaic_id), "expires": expires}, compress=True)


@functools.lru_cache(maxsize=4096)
def _payload(token: str) -> dict | None:
    """What a token says, when its signature is genuine; kept, since a map asks for hundreds of tiles with one token
    (checking the signature again cost a tenth of a cached tile's time). Expiry is checked on every use."""
    try:
        return _signer().unsign_object(token)
    except signing.BadSignature:
        return None


def tile_token_team_id(token: str, *, mosaic_id: str) -> int | None:
    """The team a token was signed for, when it is genuine, unexpired and for this mosaic; None otherwise."""
    payload = _payload(token) if len(token) <= MAX_TOKEN else None
    if not isinstance(payload, dict) or payload.get("mosaic") != str(mosaic_id):
        return None
    if not isinstance(payload.get("expires"), int) or payload["expires"] < time.time():
        return None
    team_id = payload.get("team")
    return team_id if isinstance(team_id, int) else None
