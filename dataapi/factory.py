"""`client_for(team=...)`: the only place where settings and stored credentials meet the client.

Clients are kept per process and per credential version, so that calls of one team reuse pooled connections.
"""

import threading
import time

from django.conf import settings

from teams.models import Team

from .client import DataAPIClient
from .errors import NotConfigured, NotFound

TEAM_CLIENT_SECONDS = 10.0

_clients: dict[tuple[int, float], DataAPIClient] = {}
_by_team_id: dict[int, tuple[float, DataAPIClient]] = {}
_lock = threading.Lock()


def client_with(*, base_url: str, token: str) -> DataAPIClient:
    """A client with the site's timeouts and retry policy (e.g. to check a token before it is saved)."""
    return DataAPIClient(
        base_url=base_url,
        token=token,
        timeout=(settings.DATA_API_CONNECT_TIMEOUT, settings.DATA_API_READ_TIMEOUT),
        upload_timeout=(settings.DATA_API_CONNECT_TIMEOUT, settings.DATA_API_UPLOAD_TIMEOUT),
        max_retries=settings.DATA_API_MAX_RETRIES,
    )


def client_for(*, team) -> DataAPIClient:
    """The client of the team's Data API account; NotConfigured when the team has no credential."""
    credential = getattr(team, "credential", None)
    if credential is None:
        raise NotConfigured()
    key = (credential.pk, credential.updated_at.timestamp())
    with _lock:
        client = _clients.get(key)
        if client is None:
            for stale in [k for k in _clients if k[0] == credential.pk]:
                _clients.pop(stale).close()
            client = _clients[key] = client_with(base_url=credential.api_url, token=credential.token)
    return client


def client_for_team_id(team_id: int) -> DataAPIClient:
    """The client of a team known only by its id (a signed tile URL, no session), without a database query for the
    next TEAM_CLIENT_SECONDS: a burst of tiles is one lookup. A changed or removed credential takes effect after
    at most that long. NotFound when the team is gone, NotConfigured when it has no credential."""
    kept = _by_team_id.get(team_id)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    team = Team.objects.select_related("credential").filter(pk=team_id).first()
    if team is None:
        raise NotFound("This team no longer exists")
    client = client_for(team=team)
    _by_team_id[team_id] = (time.monotonic() + TEAM_CLIENT_SECONDS, client)
    return client


def clients_close() -> None:
    """Close every kept client and its pooled connections (at process shutdown, or between tests)."""
    with _lock:
        _by_team_id.clear()
        while _clients:
            _clients.popitem()[1].close()
