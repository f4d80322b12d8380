"""Signed tile URLs: a team-scoped, expiring capability for one mosaic's tiles, usable without a session (QGIS)."""

import time

from django.core import signing

SALT = "mosaics.signed-tiles"


def tile_token_make(*, team_id: int, mosaic_id: str, days: int) -> str:
    payload = {"team": team_id, "mosaic": str(mosaic_id), "expires": int(time.time()) + days * 86400}
    return signing.dumps(payload, salt=SALT, compress=True)


def tile_token_team_id(token: str, *, mosaic_id: str) -> int | None:
    """The team a token was signed for, when it is genuine, unexpired and for this mosaic; None otherwise."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("mosaic") != str(mosaic_id):
        return None
    if not isinstance(payload.get("expires"), int) or payload["expires"] < time.time():
        return None
    team_id = payload.get("team")
    return team_id if isinstance(team_id, int) else None
