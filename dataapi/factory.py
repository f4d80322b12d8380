"""`client_for(team=...)`: the only place where settings and stored credentials meet the client.

Clients are kept per process and per credential version, so that calls of one team reuse pooled connections.
"""

import threading

from django.conf import settings

from .client import DataAPIClient
from .errors import NotConfigured

_clients: dict[tuple[int, float], DataAPIClient] = {}
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


def clients_close() -> None:
    """Close every kept client and its pooled connections (at process shutdown, or between tests)."""
    with _lock:
        while _clients:
            _clients.popitem()[1].close()
