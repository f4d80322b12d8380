"""`client_for(team=...)`: the only place where settings and stored credentials meet the client.

A team's Data API URL is one the operator allows (`DATA_API_ALLOWED_URLS`), and its client connects only to public
addresses or to networks the operator lists (`DATA_API_ALLOWED_NETWORKS`), so that nobody who can save a credential
makes this server reach its own loopback or private network. Clients are kept per process and per credential
version, so that calls of one team reuse pooled connections.
"""

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from common.addresses import AddressPolicy, networks
from dataapi.client import DataAPIClient
from dataapi.errors import NotAllowed, NotConfigured, NotFound

from .models import Team

TEAM_CLIENT_SECONDS = 10.0

_clients: dict[tuple[int, float], DataAPIClient] = {}
_by_team_id: dict[int, tuple[float, "TeamClient"]] = {}
_lock = threading.Lock()


def api_url_normal(url: str) -> str:
    """The form in which Data API URLs are compared: scheme and host in lower case, no trailing slash."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def api_urls_allowed() -> list[str]:
    """The Data API URLs a team may connect to, as the operator listed them (the first is the default)."""
    return list(dict.fromkeys(url.rstrip("/") for url in settings.DATA_API_ALLOWED_URLS))


def api_url_allowed(url: str) -> bool:
    return api_url_normal(url) in {api_url_normal(allowed) for allowed in api_urls_allowed()}


def client_with(*, base_url: str, token: str) -> DataAPIClient:
    """A client with the site's timeouts, retry policy and address rules (e.g. to check a token before it is saved);
    NotAllowed for a URL the operator does not allow."""
    if not api_url_allowed(base_url):
        raise NotAllowed()
    return DataAPIClient(
        base_url=base_url,
        token=token,
        timeout=(settings.DATA_API_CONNECT_TIMEOUT, settings.DATA_API_READ_TIMEOUT),
        upload_timeout=(settings.DATA_API_CONNECT_TIMEOUT, settings.DATA_API_UPLOAD_TIMEOUT),
        max_retries=settings.DATA_API_MAX_RETRIES,
        address_policy=AddressPolicy(networks(settings.DATA_API_ALLOWED_NETWORKS)),
        relay_origins=tuple(settings.DATA_API_TILE_HOSTS),
    )


def client_for(*, team) -> DataAPIClient:
    """The client of the team's Data API account; NotConfigured when the team has no credential, NotAllowed when its
    URL is not (or no longer) one the operator allows."""
    credential = getattr(team, "credential", None)
    if credential is None:
        raise NotConfigured()
    if not api_url_allowed(credential.api_url):
        raise NotAllowed("This team's Data API URL is no longer one this site connects to")
    key = (credential.pk, credential.updated_at.timestamp())
    with _lock:
        client = _clients.get(key)
        if client is None:
            for stale in [k for k in _clients if k[0] == credential.pk]:
                _clients.pop(stale).close()
            client = _clients[key] = client_with(base_url=credential.api_url, token=credential.token)
    return client


def credential_stamp_key(team_id: int) -> str:
    """The cache key holding the version of the team's credential (its `updated_at` as a timestamp)."""
    return f"dataapi:credential-stamp:{team_id}"


@dataclass(frozen=True)
class TeamClient:
    """A team's client and the version of the credential it was made with."""

    client: DataAPIClient
    stamp: float


def client_for_team_id(team_id: int, *, stamp: float | None = None) -> TeamClient:
    """The client of a team known only by its id (a signed tile URL, no session), without a database query for the
    next TEAM_CLIENT_SECONDS: a burst of tiles is one lookup. `stamp`, the credential's version when the caller
    knows it (see credential_stamp_key), makes a changed credential take effect at once; without it, after at most
    TEAM_CLIENT_SECONDS. NotFound when the team is gone, NotConfigured when it has no credential."""
    kept = _by_team_id.get(team_id)
    if kept is not None and kept[0] > time.monotonic() and (stamp is None or kept[1].stamp == stamp):
        return kept[1]
    team = Team.objects.select_related("credential").filter(pk=team_id).first()
    if team is None:
        raise NotFound("This team no longer exists")
    found = TeamClient(client=client_for(team=team), stamp=team.credential.updated_at.timestamp())
    _by_team_id[team_id] = (time.monotonic() + TEAM_CLIENT_SECONDS, found)
    return found


def clients_close() -> None:
    """Close every kept client and its pooled connections (at process shutdown, or between tests)."""
    with _lock:
        _by_team_id.clear()
        while _clients:
            _clients.popitem()[1].close()
